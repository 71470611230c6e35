"""The full-text index of tickets (SQLite FTS5 table or PostgreSQL tsvector + GIN), filled
with the tickets that already exist."""

from django.db import migrations

from tierdesk.search.operations import CreateSearchIndex
from tierdesk.tickets.search import TICKETS


def index_existing_tickets(apps, schema_editor) -> None:
    # The live rebuild reads the two tables with plain SQL (no model classes), so it
    # works on the schema as this migration leaves it.
    from tierdesk.search.services import rebuild

    rebuild(name=TICKETS.name)


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0006_ticket_follower"),
    ]

    operations = [
        CreateSearchIndex(TICKETS),
        migrations.RunPython(index_existing_tickets, migrations.RunPython.noop),
    ]
