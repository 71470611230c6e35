"""Helpers for tests where several threads use the test database at once.

When the SQLite test database is in memory, threads share it through SQLite's shared
cache, which reports contention as an immediate "database table is locked" instead of
honouring ``busy_timeout`` the way the file database in production does. The helpers
below wait out that lock, as production would; on a file database or PostgreSQL they
change nothing that matters.
"""

import contextlib
import time

from django.db import OperationalError, connection, connections


def _wait_for_table_locks(execute, sql, params, many, context):
    deadline = time.monotonic() + 10
    while True:
        try:
            return execute(sql, params, many, context)
        except OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() >= deadline:
                raise
            time.sleep(0.002)


def waiting_for_sqlite_locks():
    """Context manager for the current thread's connection (no-op off SQLite)."""
    if connection.vendor != "sqlite":
        return contextlib.nullcontext()
    return connection.execute_wrapper(_wait_for_table_locks)


@contextlib.contextmanager
def polling_without_read_locks():
    """Let the test thread poll while a worker thread writes, without ever blocking it.

    In SQLite's shared cache a reader's table lock makes a concurrent writer fail at
    once; ``read_uncommitted`` readers take no such lock. No-op off SQLite.
    """
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA read_uncommitted = 1")
    try:
        with waiting_for_sqlite_locks():
            yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA read_uncommitted = 0")


@contextlib.contextmanager
def worker_threads_release_connections():
    """Make background threads close their database connection after each job.

    The job worker, sweep scheduler and Celery worker threads call Django's
    ``close_old_connections`` after every job; with ``CONN_MAX_AGE`` 0 that closes the
    connection, so no idle session outlives the test and blocks dropping the test
    database on PostgreSQL. Thread connections share this settings dict.
    """
    settings_dict = connections["default"].settings_dict
    previous = settings_dict.get("CONN_MAX_AGE", 0)
    settings_dict["CONN_MAX_AGE"] = 0
    try:
        yield
    finally:
        settings_dict["CONN_MAX_AGE"] = previous
