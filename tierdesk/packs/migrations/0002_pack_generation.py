from django.db import migrations

from tierdesk.common.generations import watch


class Migration(migrations.Migration):
    """The active pack version is kept by each process until a pack is applied, rolled
    back or restored (tierdesk/packs/selectors.py)."""

    dependencies = [
        ("tierdesk_common", "0001_generation"),
        ("packs", "0001_initial"),
    ]
    operations = [watch("pack", {"packs_policypackversion": ()})]
