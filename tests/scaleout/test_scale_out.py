"""Two `tierdesk serve` instances (each with its own data folder, as on two hosts), two
`tierdesk worker` processes and one `tierdesk beat`, on one PostgreSQL database and one
broker (Redis, and RabbitMQ when it runs), behave as one installation: a ticket is opened
once whichever instance a retry reaches, each acknowledgement mail reaches the customer
once, sweeps running side by side never breach a clock twice, and an agent's SLA board
on one instance shows what was just done on the other.

Chat is not covered: it is being built by another change and lands with its own test.
"""

import http.cookiejar
import re
import subprocess
import threading
import time
import urllib.parse
import urllib.request
from collections import Counter
from pathlib import Path

import pytest

from tests.chaos.audit import backdate_clocks
from tests.chaos.driver import call, received_ids
from tests.scaleout.cluster import (
    BIN,
    REPO,
    Cluster,
    amqp_url,
    broker_reachable,
    on_postgres,
    redis_url,
)

pytestmark = [
    pytest.mark.cluster,
    pytest.mark.skipif(not on_postgres(), reason=(
        "scale-out means several hosts' processes on one database server; the embedded "
        "SQLite default is one host's file (CI runs this on PostgreSQL)")),
]

PACK = REPO / "tierdesk" / "policy" / "packs" / "escalation-basic.yaml"


def start_cluster(root: Path, broker: str) -> Cluster:
    url = redis_url() if broker == "redis" else amqp_url()
    why = broker_reachable(url)
    if why:
        pytest.skip(f"{broker} broker unavailable: {why}")
    cluster = Cluster(root, database="postgres", broker_url=url, instances=2, web_workers=1,
                      workers=2, worker_concurrency=1, pack=PACK)
    try:
        cluster.start()
    except BaseException:
        cluster.stop()
        raise
    return cluster


@pytest.fixture(scope="module")
def redis_cluster(tmp_path_factory):
    cluster = start_cluster(tmp_path_factory.mktemp("redis-cluster"), "redis")
    yield cluster
    cluster.stop()


def open_tickets_on_both(cluster: Cluster, prefix: str, count: int) -> dict[int, set[int]]:
    """Open ``count`` tickets from 4 threads; each request goes to one instance and its
    retry (same Idempotency-Key) to the other, as a client behind a load balancer would
    retry after a lost answer. Returns the ticket ids each request number was answered."""
    answers: dict[int, set[int]] = {}
    lock = threading.Lock()
    token, requester = cluster.seed["token"], cluster.seed["requester_id"]

    def work(numbers: range) -> None:
        for number in numbers:
            got = set()
            for index in (number % 2, 1 - number % 2):
                status, body = call(cluster.base(index), "POST", "/api/v1/tickets", token,
                                    {"subject": f"{prefix} #{number}", "body": "Help.",
                                     "requester_id": requester},
                                    {"Idempotency-Key": f"{prefix}-{number}"})
                assert status in (200, 201), body
                got.add(body["id"])
            with lock:
                answers[number] = got

    threads = [threading.Thread(target=work, args=(range(i, count, 4),)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers


def wait_for_mail(cluster: Cluster, prefix: str, timeout: float = 90) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        report = cluster.audit(prefix)
        if not report["outbox_states"].get("pending") or time.monotonic() > deadline:
            return report
        time.sleep(1)


def assert_one_ticket_and_one_mail_each(cluster: Cluster, prefix: str, count: int) -> None:
    answers = open_tickets_on_both(cluster, prefix, count)
    assert all(len(ids) == 1 for ids in answers.values()), "a retry on the other instance " \
        "opened a second ticket"
    assert len({next(iter(ids)) for ids in answers.values()}) == count

    report = wait_for_mail(cluster, prefix)
    assert report["tickets"] == report["distinct_subjects"] == count
    assert report["tickets_without_one_created_event"] == []
    assert report["tickets_without_one_ack_mail"] == []
    assert report["outbox_states"] == {"delivered": count}
    received = received_ids(cluster)
    mailed = Counter({i: received[i] for i in report["outbox_ids"]})
    assert set(mailed.values()) == {1}, "every acknowledgement arrives exactly once"


def test_two_servers_and_two_workers_open_each_ticket_once_and_mail_it_once_on_redis(
        redis_cluster):
    assert_one_ticket_and_one_mail_each(redis_cluster, "scale redis", 120)


def test_sweeps_side_by_side_never_breach_a_clock_twice(redis_cluster):
    open_tickets_on_both(redis_cluster, "sweep", 150)
    db = redis_cluster.database_handle()
    try:
        assert backdate_clocks(db) >= 150
    finally:
        db.close()

    # Beat sends a sweep to the two workers every second; three one-off sweeps from other
    # hosts' crontabs start at the same moment.
    extra = [subprocess.Popen([str(BIN / "tierdesk"), "sweep"], cwd=REPO,
                              env=redis_cluster.env(redis_cluster.data_dir(i % 2)),
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
             for i in range(3)]
    for proc in extra:
        proc.wait(120)
    deadline = time.monotonic() + 60
    while (report := redis_cluster.audit(breaches=True))["clocks_still_due"] and \
            time.monotonic() < deadline:
        time.sleep(1)

    assert report["clocks_still_due"] == 0
    assert report["clocks_breached_twice"] == []
    assert report["breach_events"] == report["clocks_marked_breached"] >= 150


def sign_in(base: str, username: str, password: str) -> urllib.request.OpenerDirector:
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(base + "/login/", timeout=10).read().decode()
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    form = urllib.parse.urlencode({"username": username, "password": password,
                                   "csrfmiddlewaretoken": csrf, "next": "/agent/sla/"})
    request = urllib.request.Request(base + "/login/", data=form.encode(),
                                     headers={"Referer": base + "/login/"})
    opener.open(request, timeout=10).read()
    return opener


def board_open_count(opener: urllib.request.OpenerDirector, base: str) -> int:
    """What the board's htmx poll fetches every few seconds in the agent's browser."""
    request = urllib.request.Request(base + "/agent/sla/", headers={"HX-Request": "true"})
    html = opener.open(request, timeout=10).read().decode()
    return int(re.search(r'id="board-status"[^>]*>\s*(\d+) open', html).group(1))


def test_an_agent_signed_in_on_one_server_sees_on_the_other_the_ticket_just_opened(
        redis_cluster):
    first, second = redis_cluster.base(0), redis_cluster.base(1)
    browser = sign_in(first, redis_cluster.seed["username"], redis_cluster.seed["password"])
    # one sign-in serves both instances: sessions live in the shared database
    before = board_open_count(browser, second)

    status, _ = call(first, "POST", "/api/v1/tickets", redis_cluster.seed["token"],
                     {"subject": "Live board", "body": "Seen everywhere?",
                      "requester_id": redis_cluster.seed["requester_id"]})
    assert status == 201

    assert board_open_count(browser, second) == before + 1
    assert board_open_count(browser, first) == before + 1


def test_two_servers_and_two_workers_on_rabbitmq_open_each_ticket_once_and_mail_it_once(
        tmp_path):
    cluster = start_cluster(tmp_path, "rabbitmq")
    try:
        assert_one_ticket_and_one_mail_each(cluster, "scale rabbit", 60)
    finally:
        cluster.stop()
