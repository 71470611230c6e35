"""Seed a fresh cluster's database (run in a subprocess with the cluster's environment):
an administrator who signs in and holds an API token, and the customer contact tickets
are opened for. Prints them as one JSON line.

    python -m tests.scaleout.seed [--pack FILE]
"""

import argparse
import json

from tierdesk.cli.setup import django_setup

PASSWORD = "scale-out-pass-1"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pack", help="apply this policy pack first")
    parser.add_argument("--migrate", action="store_true", help="migrate the database first")
    args = parser.parse_args()
    django_setup()
    if args.migrate:
        from django.core.management import call_command

        call_command("migrate", interactive=False, verbosity=0)
    from tierdesk.customers.services import contact_create
    from tierdesk.people.models import Role
    from tierdesk.people.services import agent_create, token_create

    if args.pack:
        from pathlib import Path

        from tierdesk.packs.services import pack_apply

        pack_apply(source=Path(args.pack).read_text(encoding="utf-8"), actor=None,
                   note="scale-out test")
    agent = agent_create(username="ops", email="ops@example.test", role=Role.ADMIN,
                         name="Ops Admin", password=PASSWORD)
    contact = contact_create(viewer=None, name="Casey Customer",
                             email="casey@example.test", organisation=None)
    _, token = token_create(user=agent.user, name="cluster")
    print(json.dumps({"token": token, "requester_id": contact.pk, "username": "ops",
                      "password": PASSWORD}))


if __name__ == "__main__":
    main()
