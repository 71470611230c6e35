"""Seed a benchmark instance: migrate, apply the Fire22 pack, an agent with an API token.

Run with the server's environment (TIERDESK_DATA_DIR, TIERDESK_DATABASE_URL); prints the
agent's token as JSON on its last line.
"""

import json
import os


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tierdesk.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from tierdesk.packs.services import pack_apply
    from tierdesk.people.models import Agent, Group, Role
    from tierdesk.people.services import token_create
    from tierdesk.policy import PACKS_DIR

    settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
    call_command("migrate", interactive=False, verbosity=0)
    pack_apply(source=(PACKS_DIR / "fire22.yaml").read_text(), note="benchmark")
    user = get_user_model().objects.create_user("bench-agent", first_name="Bench")
    agent = Agent.objects.create(user=user, role=Role.SUPPORT_MANAGER)
    agent.groups.add(Group.objects.get_or_create(name="Support")[0])
    _, secret = token_create(user=user)
    print(json.dumps({"token": secret}))


if __name__ == "__main__":
    main()
