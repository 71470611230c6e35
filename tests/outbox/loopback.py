"""Real receivers on loopback for delivery tests: an SMTP server and a webhook endpoint.

Both bind port 0 so parallel test workers never collide, record everything they are
sent (refused tries included) and can turn away the next N deliveries.
"""

import email
import email.policy
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from aiosmtpd.controller import Controller


class _FreePortController(Controller):
    """aiosmtpd controller that listens on a port the OS picks (``port=0``)."""

    def _trigger_server(self):
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


class SMTPRecorder:
    """aiosmtpd handler: keeps every message offered and refuses the next ``n`` on request."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._refuse = 0
        self._reply = ""
        self.offered: list[email.message.EmailMessage] = []  # every DATA, refused or not
        self.messages: list[email.message.EmailMessage] = []  # accepted messages only
        self.connections: list[tuple] = []  # the client's (host, port) of each DATA offered

    def refuse_next(self, n: int, reply: str = "451 4.3.0 Mailbox busy, try again later") -> None:
        with self._lock:
            self._refuse = n
            self._reply = reply

    async def handle_DATA(self, server, session, envelope) -> str:
        message = email.message_from_bytes(envelope.original_content or envelope.content,
                                           policy=email.policy.default)
        message["X-Envelope-To"] = ", ".join(envelope.rcpt_tos)
        with self._lock:
            self.connections.append(tuple(session.peer))
            self.offered.append(message)
            if self._refuse > 0:
                self._refuse -= 1
                return self._reply
            self.messages.append(message)
        return "250 2.0.0 OK: queued"


class SMTPServer:
    def __init__(self) -> None:
        self.handler = SMTPRecorder()
        self._controller = _FreePortController(self.handler, hostname="127.0.0.1", port=0)

    def start(self) -> "SMTPServer":
        self._controller.start()
        return self

    def stop(self) -> None:
        self._controller.stop()

    @property
    def host(self) -> str:
        return "127.0.0.1"

    @property
    def port(self) -> int:
        return self._controller.port

    @property
    def messages(self):
        return list(self.handler.messages)

    @property
    def connections(self):
        return self.handler.connections

    @property
    def offered(self):
        return list(self.handler.offered)

    def refuse_next(self, n: int, reply: str = "451 4.3.0 Mailbox busy, try again later"):
        self.handler.refuse_next(n, reply)


@dataclass
class WebhookRequest:
    path: str
    headers: dict[str, str]
    body: bytes
    status: int


class WebhookReceiver:
    """A stdlib HTTP server in a thread that answers POSTs and records them."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._fail = 0
        self._fail_status = 500
        self.requests: list[WebhookRequest] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (stdlib name)
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with receiver._lock:
                    if receiver._fail > 0:
                        receiver._fail -= 1
                        status = receiver._fail_status
                    else:
                        status = 200
                    receiver.requests.append(WebhookRequest(
                        path=self.path, body=body, status=status,
                        headers={k.lower(): v for k, v in self.headers.items()},
                    ))
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format, *args) -> None:  # keep test output quiet
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        name="webhook-receiver", daemon=True)

    def start(self) -> "WebhookReceiver":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/hooks/tierdesk"

    def fail_next(self, n: int, status: int = 500) -> None:
        with self._lock:
            self._fail = n
            self._fail_status = status

    @property
    def accepted(self) -> list[WebhookRequest]:
        return [r for r in self.requests if 200 <= r.status < 300]


def wait_for(predicate, timeout: float = 5.0, interval: float = 0.05):
    """Poll ``predicate`` until it returns something truthy or ``timeout`` passes."""
    deadline = time.monotonic() + timeout
    while True:
        result = predicate()
        if result or time.monotonic() >= deadline:
            return result
        time.sleep(interval)


def point_email_at(settings, server: SMTPServer) -> None:
    """Send real mail through Django's SMTP backend to ``server``."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = server.host
    settings.EMAIL_PORT = server.port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    settings.EMAIL_ENABLED = True
