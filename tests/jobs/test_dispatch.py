"""Jobs reach the outbox worker in each mode: in-process thread, sweeps, and Celery on Redis."""

import pytest

from tests.outbox.dbthreads import polling_without_read_locks, waiting_for_sqlite_locks
from tests.outbox.loopback import wait_for
from tierdesk.jobs import dispatch, registry
from tierdesk.jobs.scheduler import SweepScheduler
from tierdesk.outbox import services as outbox
from tierdesk.outbox.models import OutboxMessage

# Other threads only see committed rows; only the outbox tables need flushing after.
committed_db = pytest.mark.django_db(transaction=True, available_apps=["tierdesk.outbox"])


def _queue_reply_mail() -> OutboxMessage:
    """Queue one email while jobs are off, so only the kick under test can send it."""
    return outbox.enqueue_email(to="ann@customer.example.com", subject="[Ticket #7] Reply",
                                body="Please try again now.")


def _delivered(message: OutboxMessage) -> bool:
    """Whether the worker has recorded the delivery (and committed that record)."""
    delivered = OutboxMessage.objects.filter(pk=message.pk, state=OutboxMessage.State.DELIVERED)
    with polling_without_read_locks():  # never make the writing worker thread wait
        if not delivered.exists():
            return False
    with waiting_for_sqlite_locks():  # a committed read: waits for the worker's commit
        return delivered.exists()


@committed_db
def test_kick_in_thread_mode_delivers_queued_mail_within_seconds(smtp_server, settings):
    message = _queue_reply_mail()
    assert dispatch.mode() == "off"
    settings.JOBS_INPROCESS = "thread"

    dispatch.kick("deliver_outbox")

    assert wait_for(lambda: _delivered(message), timeout=5)
    assert [m["Subject"] for m in smtp_server.messages] == ["[Ticket #7] Reply"]


@committed_db
def test_queue_commit_in_thread_mode_sends_the_mail_without_a_sweep(smtp_server, settings):
    settings.JOBS_INPROCESS = "thread"

    message = _queue_reply_mail()  # autocommit: the on-commit kick fires at once

    assert wait_for(lambda: _delivered(message), timeout=5)
    assert len(smtp_server.messages) == 1


@committed_db
def test_kick_in_off_mode_leaves_mail_for_the_next_sweep(smtp_server, settings):
    message = _queue_reply_mail()

    dispatch.kick("deliver_outbox")

    assert not wait_for(lambda: smtp_server.offered, timeout=0.5)
    message.refresh_from_db()
    assert message.state == OutboxMessage.State.PENDING


@committed_db
def test_sweep_scheduler_delivers_due_mail_while_running(smtp_server):
    message = _queue_reply_mail()
    scheduler = SweepScheduler(interval=0.2)

    scheduler.start()
    try:
        assert wait_for(lambda: _delivered(message), timeout=5)
    finally:
        scheduler.stop()

    assert len(smtp_server.messages) == 1


@committed_db
def test_sweep_scheduler_keeps_sweeping_for_mail_queued_after_it_started(smtp_server):
    scheduler = SweepScheduler(interval=0.2)
    scheduler.start()
    try:
        first = _queue_reply_mail()
        assert wait_for(lambda: _delivered(first), timeout=5)
        second = _queue_reply_mail()
        assert wait_for(lambda: _delivered(second), timeout=5)
    finally:
        scheduler.stop()

    assert len(smtp_server.messages) == 2


@committed_db
def test_stopped_sweep_scheduler_sends_nothing_more(smtp_server):
    scheduler = SweepScheduler(interval=0.1)
    scheduler.start()
    scheduler.stop()

    message = _queue_reply_mail()

    assert not wait_for(lambda: smtp_server.offered, timeout=0.5)
    message.refresh_from_db()
    assert message.state == OutboxMessage.State.PENDING


@pytest.mark.celery
@committed_db
def test_kick_in_celery_mode_delivers_through_redis(smtp_server, celery_worker):
    message = _queue_reply_mail()
    assert dispatch.mode() == "celery"

    dispatch.kick("deliver_outbox")

    assert wait_for(lambda: _delivered(message), timeout=10)
    assert [m["Subject"] for m in smtp_server.messages] == ["[Ticket #7] Reply"]


def test_run_job_is_registered_under_its_celery_name():
    from tierdesk.celery import app
    from tierdesk.jobs.tasks import run_job

    assert run_job.name == "tierdesk.run_job"
    assert app.tasks["tierdesk.run_job"] is run_job._get_current_object()


def test_periodic_schedule_runs_every_periodic_job(settings):
    import tierdesk.jobs.tasks  # noqa: F401  (connects the schedule to app finalisation)
    from tierdesk.celery import app

    app.finalize()
    entries = [e for e in app.conf.beat_schedule.values() if e["task"] == "tierdesk.run_job"]

    assert [e["args"][0] for e in entries] == [job.name for job in registry.periodic()]
    assert [float(e["schedule"]) for e in entries] == [
        float(job.every or settings.SWEEP_INTERVAL_SECONDS) for job in registry.periodic()]
