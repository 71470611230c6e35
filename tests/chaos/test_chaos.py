"""The reduced chaos run CI does on each database (`make chaos` is the full one): 1,000
tickets created through the API with Idempotency-Key retries, and 100 inbound mails posted
to the mail hook (a lost answer: the same message again), while web workers, a whole web
instance, the Celery worker and (on PostgreSQL) every database connection are killed twice.

Afterwards exactly 1,000 tickets, none twice, each with its one `created` event, message and
acknowledgement mail, and every mail delivered: the loopback SMTP server received each
outbox message. Delivery is at least once: a worker killed after the receiver said OK and
before the outbox recorded it sends that one message again, with the same Message-ID, for
the receiver to drop; so at most one repeat per worker kill or connection cut is allowed.

Each mail opens exactly one ticket however often it was posted: a retry is filed as a
duplicate of its Message-ID, and a mail whose processing was killed after it was stored
is recovered by the sweep or filed by the retry, never both.
"""

import pytest

from tests.chaos.driver import run_chaos, verdict
from tests.scaleout.cluster import broker_reachable, on_postgres, redis_url

ROUNDS = 2
MAILS = 100


@pytest.mark.cluster
def test_a_thousand_keyed_creates_and_a_hundred_mails_survive_killed_workers_and_connections(
        tmp_path):
    why = broker_reachable(redis_url())
    if why:
        pytest.skip(f"the chaos run needs the Redis broker: {why}")
    database = "postgres" if on_postgres() else "sqlite"

    report = run_chaos(tmp_path, database=database, tickets=1000, rounds=ROUNDS,
                       mails=MAILS, say=lambda line: None)

    assert verdict(report) == [], report["faults"]
    assert report["tickets"] == report["created_events"] == 1000
    assert report["mail_in"]["tickets"] == report["mail_in"]["created_events"] == MAILS
    assert report["mail_received_distinct"] == 1000 + MAILS
    faults_that_can_repeat_a_send = ROUNDS * (2 if database == "postgres" else 1)
    assert len(report["mail_received_twice"]) <= faults_that_can_repeat_a_send
