"""Drop sla_slatarget's two single-column foreign-key indexes.

The sweep marks each due clock warned/breached; that moves the row out of a partial index,
so the update is never HOT and writes a new entry into every other index of the table.
With 1M open tickets those entries land on scattered leaf pages (a page read, a dirty page
and a full-page WAL image each), so every index costs the sweep per clock. These two were
never read: lookups and cascades by ticket use the leading column of the
``one_clock_per_metric`` (ticket, metric) index, and pack versions are never deleted (a
PROTECT check would scan the table). Only the indexes change, so the database side is a
plain DROP INDEX (SQLite would otherwise rebuild the table).
"""

import django.db.models.deletion
from django.db import migrations, models

DROPPED = [
    ("sla_slatarget_ticket_id_fbc01d6a", "ticket_id"),
    ("sla_slatarget_pack_version_id_c3255c4e", "pack_version_id"),
]


class Migration(migrations.Migration):

    dependencies = [
        ("packs", "0001_initial"),
        ("sla", "0001_initial"),
        ("tickets", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="slatarget",
                    name="pack_version",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        to="packs.policypackversion",
                    ),
                ),
                migrations.AlterField(
                    model_name="slatarget",
                    name="ticket",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="sla_targets",
                        to="tickets.ticket",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    f'DROP INDEX IF EXISTS "{name}"',
                    reverse_sql=f'CREATE INDEX "{name}" ON "sla_slatarget" ("{column}")',
                )
                for name, column in DROPPED
            ],
        ),
    ]
