"""Real HTTP servers on loopback that play Slack's Web API and Jira's REST API.

They answer the way the real services do (as far as ``slack_sdk`` and ``jira`` look) and
record every request, so tests exercise the real client libraries end to end. A fake
can be started on a port chosen earlier, which lets a test hold a port with nothing
listening ("the receiver is down") and bring the receiver up on it later.
"""

import itertools
import json
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    status: int = 0
    answer: Any = None
    json: Any = field(default=None)


Route = Callable[[Recorded], tuple[int, Any]]


def free_port() -> int:
    """Return a port nobody listens on right now (the OS picked it, so workers differ)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class FakeService:
    """A threaded stdlib HTTP server answering ``routes[(method, path)]`` and recording."""

    def __init__(self, port: int = 0) -> None:
        self.port = port
        self.requests: list[Recorded] = []
        self.routes: dict[tuple[str, str], Route] = {}
        self._lock = threading.Lock()
        self._fail: list[tuple[int, Any]] = []
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    def answer_next(self, *answers: tuple[int, Any]) -> None:
        """Give these (status, JSON) answers to the next requests instead of the route's."""
        with self._lock:
            self._fail.extend(answers)

    def _handle(self, handler: BaseHTTPRequestHandler, method: str) -> None:
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length) if length else b""
        path = handler.path.split("?", 1)[0]
        req = Recorded(method=method, path=path, body=body,
                       headers={k.lower(): v for k, v in handler.headers.items()})
        ctype = req.headers.get("content-type", "")
        if body and "json" in ctype:
            req.json = json.loads(body)
        elif body and "form" in ctype:
            req.json = dict(parse_qsl(body.decode()))
        with self._lock:
            if self._fail:
                status, answer = self._fail.pop(0)
            else:
                route = self.routes.get((method, path))
                status, answer = route(req) if route else (404, {"error": "no such route"})
            req.status, req.answer = status, answer
            self.requests.append(req)
        data = json.dumps(answer).encode()
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json; charset=utf-8")
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)

    def start(self) -> "FakeService":
        service = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:  # noqa: N802 (stdlib name)
                service._handle(self, "GET")

            def do_POST(self) -> None:  # noqa: N802
                service._handle(self, "POST")

            def do_PUT(self) -> None:  # noqa: N802
                service._handle(self, "PUT")

            def log_message(self, format, *args) -> None:  # keep test output quiet
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        # A short poll interval makes ``stop()`` quick (shutdown waits for one poll).
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,),
                                        daemon=True, name=f"fake-{type(self).__name__}")
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join(5)
            self._server = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


class FakeSlack(FakeService):
    """Slack's Web API: ``POST /api/chat.postMessage`` answers ``{"ok": true, "ts": …}``."""

    def __init__(self, port: int = 0) -> None:
        super().__init__(port)
        self._ts = itertools.count(1)
        self.routes[("POST", "/api/chat.postMessage")] = self._post_message

    def _post_message(self, req: Recorded) -> tuple[int, Any]:
        if req.headers.get("authorization", "") != "Bearer xoxb-test-token":
            return 200, {"ok": False, "error": "invalid_auth"}
        ts = f"1700000000.{next(self._ts):06d}"
        return 200, {"ok": True, "channel": "C0INCIDENT", "ts": ts,
                     "message": {"text": (req.json or {}).get("text", ""), "ts": ts}}

    @property
    def posts(self) -> list[Recorded]:
        return [r for r in self.requests
                if r.path == "/api/chat.postMessage" and (r.answer or {}).get("ok")]

    @property
    def api_url(self) -> str:
        return f"{self.base_url}/api/"


class FakeJira(FakeService):
    """Jira's REST API v2: ``POST /rest/api/2/issue`` answers ``{"id", "key", "self"}``."""

    def __init__(self, port: int = 0) -> None:
        super().__init__(port)
        self._ids = itertools.count(10001)
        self.routes[("POST", "/rest/api/2/issue")] = self._create_issue

    def _create_issue(self, req: Recorded) -> tuple[int, Any]:
        fields = (req.json or {}).get("fields", {})
        if "summary" not in fields or "key" not in fields.get("project", {}):
            return 400, {"errorMessages": [], "errors": {"summary": "required"}}
        issue_id = next(self._ids)
        key = f"{fields['project']['key']}-{issue_id - 10000}"
        return 201, {"id": str(issue_id), "key": key,
                     "self": f"{self.base_url}/rest/api/2/issue/{issue_id}"}

    @property
    def created(self) -> list[Recorded]:
        return [r for r in self.requests if r.path == "/rest/api/2/issue" and r.status == 201]
