"""The full-text index of article versions (SQLite FTS5 or PostgreSQL tsvector + GIN)."""

from django.db import migrations

from tierdesk.kb.search import ARTICLES
from tierdesk.search.operations import CreateSearchIndex


class Migration(migrations.Migration):
    dependencies = [
        ("kb", "0001_initial"),
    ]

    operations = [
        CreateSearchIndex(ARTICLES),
    ]
