"""`tierdesk serve` keeps its process tree and its files to itself: a master killed with
``kill -9`` takes its workers and sweeper with it, a restart on the same port serves at
once, and two instances on one host share no control socket and no secret key."""

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from tests.cli.test_serve import BIN, fetch, free_port


def children_of(pid: int) -> set[int]:
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.add(int(stat.parent.name))
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def start(data: Path, port: int, log_name: str) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TIERDESK_")}
    env.update(TIERDESK_DATA_DIR=str(data), TIERDESK_SWEEP_INTERVAL="1")
    log = open(data / log_name, "w")  # noqa: SIM115 - the child writes to it
    return subprocess.Popen([str(BIN / "tierdesk"), "serve", "--no-demo", "--port", str(port),
                             "--workers", "1"], env=env, stdout=log, stderr=subprocess.STDOUT)


def wait_healthy(port: int, proc: subprocess.Popen, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert proc.poll() is None, "server exited"
        try:
            if fetch(f"http://127.0.0.1:{port}/healthz")[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.1)
    pytest.fail("server did not answer /healthz")


def wait_gone(pids: set[int], seconds: float = 10) -> set[int]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and any(alive(p) for p in pids):
        time.sleep(0.05)
    return {p for p in pids if alive(p)}


@pytest.fixture
def data(tmp_path_factory):
    return tmp_path_factory.mktemp("tree")


def test_a_master_killed_with_sigkill_takes_its_worker_and_sweeper_with_it(data):
    port = free_port()
    first = start(data, port, "first.log")
    try:
        wait_healthy(port, first)
        deadline = time.monotonic() + 30
        while len(children_of(first.pid)) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)  # the sweeper starts once the master is ready
        children = children_of(first.pid)
        assert len(children) == 2, "expected one web worker and one sweeper"
        while not (data / "gunicorn.ctl").exists() and time.monotonic() < deadline:
            time.sleep(0.1)  # gunicorn opens it after booting the workers
        assert (data / "gunicorn.ctl").exists(), "control socket belongs in the data folder"

        os.kill(first.pid, signal.SIGKILL)
        first.wait(5)
        assert wait_gone(children) == set(), "orphans outlived their master"

        second = start(data, port, "second.log")
        try:
            wait_healthy(port, second)
            log = (data / "second.log").read_text()
            assert "GET /healthz 200" in log, "the new server answered, not an orphan"
        finally:
            second.terminate()
            second.wait(15)
    finally:
        if first.poll() is None:
            first.kill()


def test_each_data_folder_gets_its_own_random_secret_key_readable_by_its_owner_only(
        tmp_path):
    def key_seen_by_a_process(folder: Path) -> str:
        env = {k: v for k, v in os.environ.items() if not k.startswith("TIERDESK_")}
        env["TIERDESK_DATA_DIR"] = str(folder)
        code = "from django.conf import settings; print(settings.SECRET_KEY)"
        return subprocess.run([str(BIN / "python"), "-c", f"import django, os; os.environ."
                               f"setdefault('DJANGO_SETTINGS_MODULE', 'tierdesk.settings'); "
                               f"{code}"], env=env, check=True, capture_output=True,
                              text=True).stdout.strip()

    one, two = tmp_path / "one", tmp_path / "two"
    first = key_seen_by_a_process(one)
    assert first == key_seen_by_a_process(one), "every process of an instance agrees"
    assert first != key_seen_by_a_process(two)
    assert str(one) not in first and len(first) >= 50
    assert (one / "secret_key").stat().st_mode & 0o777 == 0o600


def test_check_deploy_lists_the_production_settings_that_are_missing(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("TIERDESK_")}
    env["TIERDESK_DATA_DIR"] = str(tmp_path)
    out = subprocess.run([str(BIN / "tierdesk"), "check", "--deploy"], env=env,
                         capture_output=True, text=True)
    text = out.stdout + out.stderr
    for code in ("tierdesk.W001", "tierdesk.W002", "tierdesk.W003", "tierdesk.W004",
                 "tierdesk.W005"):
        assert code in text, code
    assert "TIERDESK_TLS" in text
    env.update(TIERDESK_TLS="true", TIERDESK_EMAIL_ENABLED="true",
               TIERDESK_ALLOWED_HOSTS="help.example.com", TIERDESK_SECRET_KEY="x" * 60)
    out = subprocess.run([str(BIN / "tierdesk"), "check", "--deploy"], env=env,
                         capture_output=True, text=True)
    text = out.stdout + out.stderr
    assert "tierdesk.W002" not in text and "tierdesk.W001" not in text
