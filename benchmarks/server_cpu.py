"""CPU used by the PostgreSQL backend serving a benchmark's connection.

The server runs on this machine, so its process's CPU is read from /proc: on SQLite the
database's work is in the benchmark's own process and ``time.process_time`` holds it.
"""

import os


def backend_pid() -> int | None:
    """The PostgreSQL server process serving this connection, or None on SQLite."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def process_cpu(pid: int | None) -> float:
    """CPU seconds (user + system) used so far by process ``pid`` (0 for None)."""
    if pid is None:
        return 0.0
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
