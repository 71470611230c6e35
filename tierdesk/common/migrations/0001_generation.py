from django.db import migrations

from tierdesk.common.generations import create_table


class Migration(migrations.Migration):
    """The generations' tokens (tierdesk/common/generations.py): a table without a model,
    so a backup, a restore or a test flush never carries a token across databases."""

    initial = True
    dependencies = []
    operations = [create_table()]
