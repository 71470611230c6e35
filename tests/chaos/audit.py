"""Read back what a cluster run left in its database, over a plain DB-API connection (the
test process's Django is bound to the test database, and a fresh interpreter per check
costs seconds on a busy machine).
"""

import sqlite3
import urllib.parse
from collections import Counter
from datetime import UTC, datetime, timedelta


class Database:
    """The cluster's database: PostgreSQL by URL, or the SQLite file."""

    def __init__(self, *, url: str = "", sqlite_path: str = "") -> None:
        if url:
            import psycopg

            parts = urllib.parse.urlsplit(url)
            self.conn = psycopg.connect(urllib.parse.urlunsplit(parts), autocommit=True)
            self.vendor = "postgresql"
        else:
            self.conn = sqlite3.connect(sqlite_path, timeout=30, isolation_level=None)
            self.vendor = "sqlite"

    def rows(self, sql: str, params: tuple = ()) -> list[tuple]:
        if self.vendor == "sqlite":
            sql = sql.replace("%s", "?")
        cursor = self.conn.execute(sql, params)
        return cursor.fetchall() if cursor.description else []

    def count(self, sql: str, params: tuple = ()) -> int:
        return self.rows(sql, params)[0][0]

    def json_field(self, column: str, key: str) -> str:
        if self.vendor == "postgresql":
            return f"{column}->>'{key}'"
        return f"json_extract({column}, '$.{key}')"

    def close(self) -> None:
        self.conn.close()


def tickets_report(db: Database, prefix: str, *, keyed: bool = True) -> dict:
    """Tickets whose subject starts with ``prefix``, their audit log and their mail;
    ``keyed`` when each was created with an Idempotency-Key (mail carries its Message-ID)."""
    tickets = db.rows("SELECT id, subject FROM tickets_ticket WHERE subject LIKE %s",
                      (prefix + "%",))
    ids = [t[0] for t in tickets]
    subjects = Counter(t[1] for t in tickets)
    scope = "ticket_id IN (SELECT id FROM tickets_ticket WHERE subject LIKE %s)"

    def per_ticket(table: str, where: str = "1=1") -> Counter:
        return Counter(dict(db.rows(
            f"SELECT ticket_id, COUNT(*) FROM {table} WHERE {where} AND {scope} "
            "GROUP BY ticket_id", (prefix + "%",))))

    created = per_ticket("tickets_ticketevent", "type = 'created'")
    messages = per_ticket("tickets_message")
    keys = per_ticket("tickets_idempotencykey")
    mails = per_ticket("outbox_outboxmessage", "kind = 'email'")
    mail_rows = db.rows(f"SELECT id, state, attempts FROM outbox_outboxmessage "
                        f"WHERE kind = 'email' AND {scope}", (prefix + "%",))
    return {
        "tickets": len(ids),
        "distinct_subjects": len(subjects),
        "subjects_twice": sorted(s for s, n in subjects.items() if n > 1)[:20],
        "tickets_without_one_created_event": sorted(t for t in ids if created[t] != 1)[:20],
        "tickets_without_one_message": sorted(t for t in ids if messages[t] != 1)[:20],
        "tickets_without_one_idempotency_key": (
            sorted(t for t in ids if keys[t] != 1)[:20] if keyed else []),
        "tickets_without_one_ack_mail": sorted(t for t in ids if mails[t] != 1)[:20],
        "created_events": sum(created.values()),
        "outbox_mail": len(mail_rows),
        "outbox_states": dict(Counter(r[1] for r in mail_rows)),
        "outbox_ids": sorted(r[0] for r in mail_rows),
        "outbox_attempts_over_1": sum(1 for r in mail_rows if r[2] > 1),
    }


def breaches_report(db: Database) -> dict:
    """SLA breaches recorded, per clock (ticket and metric)."""
    metric = db.json_field("data", "metric")
    per_clock = db.rows(f"SELECT ticket_id, {metric}, COUNT(*) FROM tickets_ticketevent "
                        "WHERE type = 'sla_breached' GROUP BY ticket_id, " + metric)
    return {
        "breach_events": sum(r[2] for r in per_clock),
        "clocks_breached_twice": [list(r[:2]) for r in per_clock if r[2] > 1][:20],
        "clocks_marked_breached": db.count(
            "SELECT COUNT(*) FROM sla_slatarget WHERE breached_at IS NOT NULL"),
        "clocks_still_due": db.count(
            "SELECT COUNT(*) FROM sla_slatarget WHERE state = 'running' "
            "AND breached_at IS NULL"),
    }


def backdate_clocks(db: Database) -> int:
    """Time passing, for a test: every running clock's deadline an hour in the past (its
    warning five minutes before that), so the next sweeps find every clock due at once."""
    due = datetime.now(UTC) - timedelta(hours=1)
    warn = due - timedelta(minutes=5)
    if db.vendor == "sqlite":
        due, warn = (d.strftime("%Y-%m-%d %H:%M:%S.%f") for d in (due, warn))
    cursor = db.conn.execute(
        ("UPDATE sla_slatarget SET due_at = %s, warn_at = %s WHERE state = 'running' "
         "AND breached_at IS NULL").replace("%s", "?" if db.vendor == "sqlite" else "%s"),
        (due, warn))
    return cursor.rowcount
