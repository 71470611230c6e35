"""Drop the single-column indexes that a (column, id) composite index already covers.

Every ticket insert wrote 14 ticket indexes; the lookups by organisation, group, assignee
and by ticket (messages, events) use the composites' leading column. Only the indexes
change, so the database side is a plain DROP INDEX (SQLite would otherwise rebuild each
table, once per field).
"""

import django.db.models.deletion
from django.db import migrations, models


DROPPED = [
    ("tickets_ticket", "tickets_ticket_organisation_id_46625674", "organisation_id"),
    ("tickets_ticket", "tickets_ticket_group_id_4c5eda1a", "group_id"),
    ("tickets_ticket", "tickets_ticket_assignee_id_3a5aa407", "assignee_id"),
    ("tickets_message", "tickets_message_ticket_id_a1134910", "ticket_id"),
    ("tickets_ticketevent", "tickets_ticketevent_ticket_id_b572d14b", "ticket_id"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0001_initial"),
        ("people", "0002_group_code"),
        ("tickets", "0003_ticket_rules_check_at_alter_ticketevent_type"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="message",
                    name="ticket",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="messages",
                        to="tickets.ticket",
                    ),
                ),
                migrations.AlterField(
                    model_name="ticket",
                    name="assignee",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="tickets",
                        to="people.agent",
                    ),
                ),
                migrations.AlterField(
                    model_name="ticket",
                    name="group",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="tickets",
                        to="people.group",
                    ),
                ),
                migrations.AlterField(
                    model_name="ticket",
                    name="organisation",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="tickets",
                        to="customers.organisation",
                    ),
                ),
                migrations.AlterField(
                    model_name="ticketevent",
                    name="ticket",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="events",
                        to="tickets.ticket",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    f'DROP INDEX IF EXISTS "{name}"',
                    reverse_sql=f'CREATE INDEX "{name}" ON "{table}" ("{column}")',
                )
                for table, name, column in DROPPED
            ],
        ),
    ]
