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


@pytest.mark.django_db
def test_a_message_late_in_a_long_batch_is_not_sent_again_while_it_is_being_sent(
        smtp_server, frozen_clock, monkeypatch):
    """A batch that began longer ago than a claim lasts (a slow receiver, a busy host) still
    claims each message for the full period from the moment it takes it: a second worker
    sweeping meanwhile leaves the message alone."""
    from datetime import timedelta

    from tierdesk import clock

    message = outbox.enqueue_email(to="casey@customer.example.com", subject="Update",
                                   body="Your ticket was updated.")
    batch_began = frozen_clock
    clock.freeze(batch_began + timedelta(seconds=outbox.CLAIM_SECONDS + 60))
    send = outbox._send
    second_worker: list[int] = []

    def send_while_another_worker_sweeps(msg):
        second_worker.append(outbox.deliver_due())  # its own, current "now"
        send(msg)

    monkeypatch.setattr(outbox, "_send", send_while_another_worker_sweeps)
    assert outbox.deliver_due(now=batch_began) == 1

    assert second_worker == [0]
    assert [m["Message-ID"] for m in smtp_server.messages] == [
        f"<outbox-{message.pk}@tierdesk.localhost>"]
