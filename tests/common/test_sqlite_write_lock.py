"""SQLite writers queue on a kernel lock beside the database, held from BEGIN IMMEDIATE to the
end of the transaction (tierdesk/common/sqlite/base.py)."""

import fcntl
import os
import threading
import time
from pathlib import Path

import pytest
from django.db import OperationalError, connection, connections, transaction

from tests.factories import OrganisationFactory
from tierdesk.customers.models import Organisation

pytestmark = [
    pytest.mark.skipif(connection.vendor != "sqlite", reason="the write lock is SQLite's"),
    # Other connections only see committed rows; only the customers tables need flushing.
    pytest.mark.django_db(transaction=True, available_apps=["tierdesk.customers"]),
]


def lock_path() -> str:
    return connection.settings_dict["NAME"] + "-writelock"


def lock_is_held(path: str) -> bool:
    """Whether some connection holds the write lock (probed without waiting for it)."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)  # also drops the probe's own lock
    return False


class Writer(threading.Thread):
    """Another worker: its own connection writes one organisation in ``transaction.atomic``.

    ``timeout`` replaces OPTIONS["timeout"] in a copy of the settings for its connection only.
    """

    def __init__(self, name: str, timeout: float | None = None) -> None:
        super().__init__(daemon=True)
        self.org_name, self.timeout = name, timeout
        self.entered_at = self.committed_at = self.failed_at = None
        self.cpu_waiting: float | None = None
        self.error: BaseException | None = None

    def run(self) -> None:
        cpu = time.thread_time()
        try:
            if self.timeout is not None:
                own = connections["default"]  # this thread's, not yet connected
                settings = {**own.settings_dict,
                            "OPTIONS": {**own.settings_dict["OPTIONS"], "timeout": self.timeout}}
                connections["default"] = type(own)(settings, "default")
            with transaction.atomic():
                self.entered_at = time.monotonic()
                self.cpu_waiting = time.thread_time() - cpu
                OrganisationFactory(name=self.org_name)
            self.committed_at = time.monotonic()
        except BaseException as exc:  # reported by the test's assertions
            self.failed_at, self.error = time.monotonic(), exc
        finally:
            connections.close_all()  # this thread's connections only

    def finish(self) -> "Writer":
        self.join(15)
        assert not self.is_alive(), "the writer never finished"
        return self


def test_the_lock_file_sits_beside_the_database_and_is_held_only_inside_atomic():
    path = lock_path()
    assert Path(path).parent == Path(connection.settings_dict["NAME"]).parent

    with transaction.atomic():
        assert lock_is_held(path)
        OrganisationFactory(name="Initech")
        assert lock_is_held(path)

    assert not lock_is_held(path)
    assert Organisation.objects.get().name == "Initech"


def test_a_plain_read_on_another_connection_does_not_wait_for_the_writer():
    seen: list[int] = []

    def read() -> None:
        try:
            seen.append(Organisation.objects.count())
        finally:
            connections.close_all()

    with transaction.atomic():
        OrganisationFactory(name="Uncommitted")
        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        reader.join(5)
        assert seen == [0]  # answered while the write lock is held, from committed rows


def test_a_second_writer_waits_and_proceeds_once_the_first_commits():
    second = Writer("Second")
    try:
        with transaction.atomic():
            OrganisationFactory(name="First")
            second.start()
            time.sleep(0.3)
            assert second.entered_at is None and second.error is None  # still queued
            released_at = time.monotonic()
    finally:
        second.finish()  # no writer outlives the test, even when it fails

    assert second.error is None
    # Soon after the commit, not after its own 20 s timeout (how soon is a benchmark's job).
    assert released_at <= second.entered_at < released_at + 5
    assert second.entered_at <= second.committed_at
    assert set(Organisation.objects.values_list("name", flat=True)) == {"First", "Second"}


def test_a_rolled_back_transaction_releases_the_lock():
    with pytest.raises(RuntimeError), transaction.atomic():
        OrganisationFactory(name="Ghost Corp")
        raise RuntimeError("changed my mind")

    assert not lock_is_held(lock_path())
    writer = Writer("After the rollback", timeout=1)  # fails if the lock were still held
    writer.start()
    writer.finish()

    assert writer.error is None
    assert list(Organisation.objects.values_list("name", flat=True)) == ["After the rollback"]


def test_closing_the_connection_mid_transaction_releases_the_lock():
    with transaction.atomic():
        OrganisationFactory(name="Lost on close")
        assert lock_is_held(lock_path())
        connection.close()
        assert not lock_is_held(lock_path())

    assert not Organisation.objects.filter(name="Lost on close").exists()


def test_a_writer_that_waits_past_its_timeout_gets_database_is_locked_and_writes_nothing():
    with transaction.atomic():
        OrganisationFactory(name="Slow")
        impatient = Writer("Impatient", timeout=0.2)
        started = time.monotonic()
        impatient.start()
        impatient.finish()  # while the first still holds the lock

    assert isinstance(impatient.error, OperationalError)
    assert str(impatient.error) == "database is locked"
    # Its own 0.2 s, not the 20 s busy_timeout SQLite itself would have waited.
    assert 0.2 <= impatient.failed_at - started < 5
    assert impatient.entered_at is None
    assert list(Organisation.objects.values_list("name", flat=True)) == ["Slow"]
    assert not lock_is_held(lock_path())


def test_a_writer_queued_behind_a_thread_of_its_own_process_waits_without_spinning():
    second = Writer("Second")
    try:
        with transaction.atomic():
            OrganisationFactory(name="First")
            second.start()
            time.sleep(0.5)
    finally:
        second.finish()

    assert second.error is None
    # Polling the lock file every 0.2 ms for half a second costs tens of milliseconds of
    # CPU (and takes the interpreter lock from the writer); a thread lock costs none.
    assert second.cpu_waiting < 0.01, second.cpu_waiting


def test_many_threads_writing_at_once_each_commit_once():
    writers = [Writer(f"Org {i}") for i in range(12)]
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.finish()

    assert [w.error for w in writers] == [None] * 12
    spans = sorted((w.entered_at, w.committed_at) for w in writers)
    assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:], strict=False))  # one at a time
    assert Organisation.objects.count() == 12
