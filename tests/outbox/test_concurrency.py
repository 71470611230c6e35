"""Two workers sweeping the outbox at once never send one message twice."""

import threading

import pytest
from django.db import connections

from tests.outbox.dbthreads import waiting_for_sqlite_locks
from tierdesk.outbox import services as outbox
from tierdesk.outbox.models import OutboxMessage

# Other threads only see committed rows; only the outbox tables need flushing after.
committed_db = pytest.mark.django_db(transaction=True, available_apps=["tierdesk.outbox"])


@committed_db
def test_two_concurrent_sweeps_never_send_one_message_twice(smtp_server, frozen_clock):
    messages = [
        outbox.enqueue_email(to=f"contact{n}@customer.example.com", subject=f"Update {n}",
                             body="Your ticket was updated.")
        for n in range(12)
    ]
    start = threading.Barrier(2, timeout=10)
    delivered: list[int] = []
    errors: list[BaseException] = []

    def sweep() -> None:
        try:
            with waiting_for_sqlite_locks():
                start.wait()
                delivered.append(outbox.deliver_due())
        except BaseException as exc:  # surfaced by the assertion below
            errors.append(exc)
        finally:
            connections.close_all()

    workers = [threading.Thread(target=sweep) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(30)

    assert errors == []
    assert sum(delivered) == len(messages)
    received = sorted(m["Message-ID"] for m in smtp_server.messages)
    assert received == sorted(f"<outbox-{m.pk}@tierdesk.localhost>" for m in messages)
    assert set(OutboxMessage.objects.values_list("state", "attempts")) == {
        (OutboxMessage.State.DELIVERED, 1)
    }
