"""Real ``tierdesk serve`` processes on loopback against the test database."""

import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from django.db import connection

BIN = Path(sys.executable).parent


def database_url() -> str:
    """The test database as a TIERDESK_DATABASE_URL another process can open."""
    s = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{s['NAME']}"
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def call(method: str, url: str, body=None, headers: dict | None = None,
         timeout: float = 30) -> tuple[int, dict]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method)
    request.add_header("Content-Type", "application/json")
    for key, value in (headers or {}).items():
        request.add_header(key, value)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"{}")


class Server:
    """``tierdesk serve --no-demo`` on ``port``; ``stop()`` ends it and its children."""

    def __init__(self, port: int, data_dir: Path, extra_env: dict | None = None) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("TIERDESK_")}
        env.update(TIERDESK_DATABASE_URL=database_url(), TIERDESK_DATA_DIR=str(data_dir),
                   TIERDESK_SWEEP_INTERVAL="3600", TIERDESK_RATE_LIMIT_TOKEN_PER_MINUTE="0",
                   TIERDESK_RATE_LIMIT_IP_PER_MINUTE="0", **(extra_env or {}))
        data_dir.mkdir(parents=True, exist_ok=True)
        self.base = f"http://127.0.0.1:{port}"
        self.log_path = data_dir / f"server-{port}.log"
        self._log = open(self.log_path, "w+")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            [str(BIN / "tierdesk"), "serve", "--no-demo", "--port", str(port),
             "--workers", "1"], env=env, stdout=self._log, stderr=subprocess.STDOUT,
            start_new_session=True)

    def wait_ready(self, seconds: float = 90) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                break
            try:
                with urllib.request.urlopen(self.base + "/healthz", timeout=2) as r:
                    if r.status == 200:
                        return
            except OSError:
                time.sleep(0.3)
        self._log.seek(0)
        raise RuntimeError(f"{self.base} did not start:\n{self._log.read()[-3000:]}")

    def stop(self) -> None:
        import signal

        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(5)
        self._log.close()
