"""The partial index the report facts read (reports.ticket_metrics): each ticket's report
events (replies, escalations, status changes, time logged) with their data, so counting a
month's cohort reads those index entries and never the whole audit log.

Written here rather than in TicketEvent's Meta: it serves the reports alone, and only these
event types are in it, so the other events' inserts do not write it. PostgreSQL carries the
type and data as INCLUDE columns (an index-only scan once autovacuum has marked the pages);
SQLite keys on them, which covers the same statement.
"""

from django.db import migrations

TYPES = "('replied', 'escalated', 'de_escalated', 'status_changed', 'time_logged')"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS report_events ON tickets_ticketevent (ticket_id) "
            f"INCLUDE (type, data) WHERE type IN {TYPES}")
    else:
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS report_events ON tickets_ticketevent "
            f"(ticket_id, type, data) WHERE type IN {TYPES}")


def drop(apps, schema_editor):
    schema_editor.execute("DROP INDEX IF EXISTS report_events")


class Migration(migrations.Migration):

    dependencies = [
        ("reports", "0002_report_figures"),
        ("tickets", "0008_ticket_solved_at_index"),
    ]

    operations = [migrations.RunPython(create, drop)]
