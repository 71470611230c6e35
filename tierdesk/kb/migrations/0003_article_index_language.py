"""The article index gets each version's language as a key field, so a search keeps to
the searcher's language inside the full-text match: the table is made again in its new
shape and refilled from the article versions."""

from django.db import migrations

from tierdesk.kb.search import ARTICLES, document
from tierdesk.search import backends
from tierdesk.search.operations import CreateSearchIndex

PAGE = 2_000


def drop_old(apps, schema_editor) -> None:
    for sql in backends.drop_sql(ARTICLES, schema_editor.connection.vendor):
        schema_editor.execute(sql)


def refill(apps, schema_editor) -> None:
    Translation = apps.get_model("kb", "Translation")
    alias = schema_editor.connection.alias
    after = 0
    while True:
        page = list(Translation.objects.using(alias).filter(pk__gt=after)
                    .select_related("article").order_by("pk")[:PAGE])
        if not page:
            break
        backends.put(ARTICLES, [document(t, t.article) for t in page], using=alias)
        after = page[-1].pk


class Migration(migrations.Migration):
    dependencies = [
        ("kb", "0002_article_search_index"),
    ]

    operations = [
        migrations.RunPython(drop_old, migrations.RunPython.noop),
        CreateSearchIndex(ARTICLES),
        migrations.RunPython(refill, migrations.RunPython.noop),
    ]
