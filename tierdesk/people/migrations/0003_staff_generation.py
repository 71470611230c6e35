from django.db import migrations

from tierdesk.common.generations import watch


class Migration(migrations.Migration):
    """Who staffs which queue and holds which role is kept by each process until one of
    these tables changes (tierdesk/escalation/routing.py, tierdesk/rules/actions.py)."""

    dependencies = [
        ("tierdesk_common", "0001_generation"),
        ("people", "0002_group_code"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]
    operations = [watch("staff", {
        "people_agent": (), "people_agent_groups": (), "people_group": (), "people_tier": (),
        # last_login changes on every sign-in: only what a staff lookup reads
        "auth_user": ("email", "username"),
    })]
