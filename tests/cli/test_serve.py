"""`tierdesk serve` on a fresh data folder: migrates, loads the demo, serves the real API."""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(url: str, token: str | None = None) -> tuple[int, bytes]:
    request = urllib.request.Request(url)
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    data = tmp_path_factory.mktemp("serve")
    env = {k: v for k, v in os.environ.items() if not k.startswith("TIERDESK_")}
    env.update(TIERDESK_DATA_DIR=str(data), TIERDESK_SWEEP_INTERVAL="1")
    port = free_port()
    log = open(data / "server.log", "w+")  # noqa: SIM115 - outlives this block
    proc = subprocess.Popen(
        [str(BIN / "tierdesk"), "serve", "--port", str(port), "--workers", "1"],
        env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            if fetch(base + "/healthz")[0] == 200:
                break
        except OSError:
            time.sleep(0.3)
    else:
        proc.kill()
        log.seek(0)
        pytest.fail("server did not start:\n" + log.read()[-3000:])
    token = subprocess.run([str(BIN / "tierdesk"), "token", "maria"], env=env, check=True,
                           capture_output=True, text=True).stdout.strip()
    yield {"base": base, "token": token, "log": data / "server.log", "env": env}
    proc.terminate()
    proc.wait(timeout=15)
    log.close()


def test_serve_answers_health_and_readiness(server):
    assert fetch(server["base"] + "/readyz")[0] == 200


def test_serve_loads_the_dataflow_demo_tickets(server):
    status, body = fetch(server["base"] + "/api/v1/tickets?limit=200", server["token"])
    assert status == 200
    codes = {t["error_code"] for t in json.loads(body)["items"]}
    assert {"DS-1001", "DB-2002", "API-4004", "COL-11001", "MOB-6006", "SSO-9001"} <= codes


def test_serve_serves_the_admin_with_its_styles(server):
    status, body = fetch(server["base"] + "/admin/login/")
    assert status == 200
    css = [part.split('"')[0] for part in body.decode().split('href="')[1:] if ".css" in part]
    assert css, "the admin page links its stylesheets"
    assert fetch(server["base"] + css[0])[0] == 200


def test_serve_is_gunicorn_not_runserver_and_runs_the_sweeps(server):
    text = server["log"].read_text()
    assert "gunicorn" in text.lower()
    assert "in-process sweeps" in text


def test_serve_logs_requests_as_json(server):
    fetch(server["base"] + "/healthz")
    lines = [json.loads(line) for line in server["log"].read_text().splitlines()
             if line.startswith("{")]
    assert any(line.get("path") == "/healthz" and line.get("status") == 200 for line in lines)


def test_second_start_does_not_load_the_demo_twice(server):
    out = subprocess.run([str(BIN / "tierdesk"), "demo"], env=server["env"], check=True,
                         capture_output=True, text=True).stdout
    assert "already loaded" in out


def test_serve_metrics_count_requests_across_processes_and_sweeps(server):
    """The server's workers and its sweeper share one Prometheus store: /metrics counts
    the requests just made and the sweeps the sweeper child ran."""
    def sample(text: str, name: str, **labels) -> float:
        wanted = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
        for line in text.splitlines():
            if line.startswith(f"{name}{{") and all(f'{k}="{v}"' in line
                                                    for k, v in labels.items()):
                return float(line.rsplit(" ", 1)[1])
        raise AssertionError(f"{name}{{{wanted}}} not in /metrics")

    status, body = fetch(server["base"] + "/metrics")
    assert status == 200
    before = sample(body.decode(), "tierdesk_http_requests_total", route="readyz",
                    method="GET", status="200") if b'route="readyz"' in body else 0.0
    for _ in range(3):
        fetch(server["base"] + "/readyz")
    deadline = time.monotonic() + 30
    while True:
        text = fetch(server["base"] + "/metrics")[1].decode()
        if "tierdesk_sweep_duration_seconds_count" in text or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert sample(text, "tierdesk_http_requests_total", route="readyz", method="GET",
                  status="200") == before + 3
    assert sample(text, "tierdesk_sweep_duration_seconds_count", job="sla_sweep") >= 1
    assert sample(text, "tierdesk_open_tickets", priority="P1") >= 1
