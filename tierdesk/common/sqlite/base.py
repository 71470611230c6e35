"""SQLite with a kernel lock in front of the single writer.

SQLite lets one writer in at a time and makes the others retry on a back-off of 1, 2, 5,
10 ... ms. With two web workers creating tickets, a worker that arrives while the other
holds the lock for ~1 ms sleeps for 1-3 ms: a third of the machine idle at full load.
Writers here first take an exclusive ``flock`` on a file next to the database and poll it
every 0.05-0.2 ms, so the next writer starts as soon as the last one commits. Readers
never take it, and a process that dies releases it (the kernel drops the lock with the
file). The lock is taken exactly where SQLite's own write lock would be (``BEGIN
IMMEDIATE``), so it changes when writers run, never whether they may.

Threads of one process (gunicorn's gthread worker) first queue on a ``threading.Lock``
per database file, and only its holder polls the ``flock``: each waiting thread used to
poll every 0.2 ms, so nine of them took the GIL tens of thousands of times a second from
the thread holding the writer, whose transaction stretched accordingly (benchmarks/chat).
"""

import fcntl
import os
import threading
import time

from django.db import OperationalError
from django.db.backends.sqlite3 import base

POLL_SECONDS = 0.00005
POLL_MAX_SECONDS = 0.0002
# SQLite's own automatic checkpoint runs inside COMMIT, while this lock is still held;
# every connection instead checkpoints after releasing it, every this many commits (about
# SQLite's default of 1,000 WAL pages for a ticket create). The automatic one stays as a
# backstop at 10x the default, for writes made outside a transaction, which never pass
# through _commit.
CHECKPOINT_EVERY_COMMITS = 40
AUTOCHECKPOINT_PAGES = 10_000


_thread_locks: dict = {}  # database file -> threading.Lock
_thread_locks_guard = threading.Lock()


def _thread_lock(path: str):
    """The lock the threads of this process queue on for the writer of ``path``."""
    lock = _thread_locks.get(path)
    if lock is None:
        with _thread_locks_guard:
            lock = _thread_locks.setdefault(path, threading.Lock())
    return lock


_QMARK_CACHE_SIZE = 4096
_qmark: dict[str, str] = {}


class CursorWrapper(base.SQLiteCursorWrapper):
    """Remembers each statement's ``%s`` -> ``?`` conversion: the same few statements run
    on every request, and the regex was a measurable share of a ticket create."""

    def convert_query(self, query: str, *, param_names: list | None = None) -> str:
        if param_names is not None:
            return super().convert_query(query, param_names=param_names)
        converted = _qmark.get(query)
        if converted is None:
            converted = super().convert_query(query)
            if len(_qmark) < _QMARK_CACHE_SIZE:  # statements with long IN lists vary
                _qmark[query] = converted
        return converted


class DatabaseWrapper(base.DatabaseWrapper):
    _lock_fd: int | None = None
    _commits = 0

    def create_cursor(self, name: str | None = None) -> CursorWrapper:
        return self.connection.cursor(factory=CursorWrapper)

    def get_new_connection(self, conn_params: dict):
        conn = super().get_new_connection(conn_params)
        if self._lock_path() is not None:
            conn.execute(f"PRAGMA wal_autocheckpoint = {AUTOCHECKPOINT_PAGES}")
        return conn

    def _lock_path(self) -> str | None:
        name = str(self.settings_dict["NAME"])
        if self.is_in_memory_db() or not name:
            return None
        return name + "-writelock"

    _held_thread_lock = None  # this connection's in-process writer lock, while it writes

    def _acquire_write_lock(self) -> None:
        path = self._lock_path()
        if path is None or self._lock_fd is not None:
            return
        timeout = float(self.settings_dict["OPTIONS"].get("timeout", 5))
        deadline = time.monotonic() + timeout
        in_process = _thread_lock(path)
        if not in_process.acquire(timeout=timeout):  # sleeps in the kernel, GIL released
            raise OperationalError("database is locked")
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        except BaseException:
            in_process.release()
            raise
        pause = POLL_SECONDS
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    os.close(fd)
                    in_process.release()
                    raise OperationalError("database is locked") from None
                time.sleep(pause)
                pause = min(pause * 2, POLL_MAX_SECONDS)
        self._lock_fd = fd
        self._held_thread_lock = in_process

    def _release_write_lock(self) -> None:
        fd, self._lock_fd = self._lock_fd, None
        in_process, self._held_thread_lock = self._held_thread_lock, None
        if fd is not None:
            os.close(fd)  # closing the descriptor drops its flock
        if in_process is not None:
            in_process.release()

    def _start_transaction_under_autocommit(self) -> None:
        self._acquire_write_lock()
        try:
            super()._start_transaction_under_autocommit()
        except BaseException:
            self._release_write_lock()
            raise

    def _commit(self) -> None:
        try:
            super()._commit()
        finally:
            self._release_write_lock()
        self._commits += 1
        if self._commits % CHECKPOINT_EVERY_COMMITS == 0 and self.connection is not None:
            # PASSIVE: copies what it can without waiting for, or blocking, any writer.
            self.connection.execute("PRAGMA wal_checkpoint(PASSIVE)")

    def _rollback(self) -> None:
        try:
            super()._rollback()
        finally:
            self._release_write_lock()

    def _close(self) -> None:
        try:
            super()._close()
        finally:
            self._release_write_lock()
