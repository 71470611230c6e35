"""Django-side helpers for bench_api.py: seed the database, bulk-load tickets, count rows.

Run with the same environment as the server (``TIERDESK_DATA_DIR`` and, for PostgreSQL,
``TIERDESK_DATABASE_URL``). Each sub-command prints one JSON object on its last line.

    seed.py base             migrate; one support manager with an API token, org, contact
    seed.py bulk N           bulk_create N tickets, each with a message and an event
    seed.py count PREFIX     rows written by creates whose subject starts with PREFIX
"""

import argparse
import json
import os
import random
import sys
from datetime import timedelta

BULK_BATCH = 5_000
STATUSES = ("new", "open", "pending", "on_hold", "solved", "closed")
STATUS_WEIGHTS = (10, 30, 15, 5, 20, 20)
PRIORITIES = ("P0", "P1", "P2", "P3", "")
CHANNELS = ("email", "portal", "chat", "phone", "api")


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tierdesk.settings")
    import django

    django.setup()


def cmd_base(args: argparse.Namespace) -> dict:
    from django.conf import settings
    from django.core.management import call_command

    from tierdesk.customers import services as customers
    from tierdesk.people import services as people
    from tierdesk.people.models import Group, Role, Tier

    settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
    call_command("migrate", interactive=False, verbosity=0)
    tier = Tier.objects.create(code="L1", name="Support agents", rank=0)
    group = Group.objects.create(name="Bench support", tier=tier)
    manager = people.agent_create(
        username="bench-manager", email="manager@bench.localhost", name="Bench Manager",
        role=Role.SUPPORT_MANAGER, groups=[group],
    )
    _, secret = people.token_create(user=manager.user, name="bench")
    org = customers.organisation_create(
        viewer=None, name="Bench Org", external_id="bench-1", plan="Enterprise",
        country="US", timezone="America/New_York",
    )
    contact = customers.contact_create(
        viewer=None, name="Bench Contact", email="contact@bench.example.com", organisation=org,
    )
    return {"secret": secret, "contact_id": contact.pk, "organisation_id": org.pk,
            "group_id": group.pk}


def _bulk_fixtures(rng: random.Random):
    """A realistic spread of orgs, contacts, groups and assignees for the bulk tickets."""
    from tierdesk.customers.models import Contact, Organisation
    from tierdesk.people import services as people
    from tierdesk.people.models import Group, Role, Tier

    tiers = [Tier.objects.get_or_create(code=c, defaults={"name": c, "rank": r})[0]
             for r, c in enumerate(("L1", "L2", "L3"))]
    groups = [Group.objects.get_or_create(name=f"Bulk group {i}",
                                          defaults={"tier": tiers[i % 3]})[0]
              for i in range(4)]
    agents = []
    for i in range(8):
        agents.append(people.agent_create(
            username=f"bulk-agent-{i}", email=f"agent{i}@bench.localhost",
            name=f"Bulk Agent{i}", role=Role.AGENT, tier=tiers[i % 3], groups=[groups[i % 4]],
        ))
    orgs = Organisation.objects.bulk_create(
        [Organisation(name=f"Bulk Org {i}", external_id=f"bulk-{i}", plan="Professional",
                      country="US", timezone="UTC") for i in range(20)]
    )
    orgs = list(Organisation.objects.filter(external_id__startswith="bulk-"))
    Contact.objects.bulk_create(
        [Contact(name=f"Bulk Contact {i}", email=f"c{i}@bulk.example.com",
                 organisation=orgs[i % len(orgs)]) for i in range(200)]
    )
    contacts = list(Contact.objects.filter(email__endswith="@bulk.example.com"))
    rng.shuffle(contacts)
    return tiers, groups, agents, contacts


def cmd_bulk(args: argparse.Namespace) -> dict:
    from django.contrib.auth import get_user_model
    from django.db import transaction

    from tierdesk import clock
    from tierdesk.tickets.models import Message, Ticket, TicketEvent

    rng = random.Random(42)
    tiers, groups, agents, contacts = _bulk_fixtures(rng)
    actor = get_user_model().objects.get(username="bench-manager")
    now = clock.now()
    start = now - timedelta(days=365)
    step = timedelta(days=365) / max(args.count, 1)
    done = 0
    while done < args.count:
        n = min(BULK_BATCH, args.count - done)
        tickets = []
        for i in range(done, done + n):
            contact = contacts[i % len(contacts)]
            status = rng.choices(STATUSES, STATUS_WEIGHTS)[0]
            at = start + step * i
            tickets.append(Ticket(
                subject=f"bulk ticket {i}: dashboard error {rng.randint(1000, 9999)}",
                requester=contact, organisation_id=contact.organisation_id,
                channel=rng.choice(CHANNELS), priority=rng.choice(PRIORITIES), status=status,
                tier=rng.choice(tiers), group=rng.choice(groups),
                assignee=rng.choice(agents) if status != "new" else None,
                category="bug", error_code=f"DB-{rng.randint(2000, 2010)}", language="en",
                tags=["bulk", rng.choice(["billing", "sso", "mobile", "api"])],
                created_at=at, updated_at=at,
                solved_at=at if status in ("solved", "closed") else None,
                closed_at=at if status == "closed" else None,
            ))
        with transaction.atomic():
            tickets = Ticket.objects.bulk_create(tickets)
            if tickets[0].pk is None:  # a backend that does not return ids
                raise SystemExit("bulk_create did not return primary keys")
            messages = Message.objects.bulk_create([
                Message(ticket=t, kind="reply", author=actor, channel=t.channel,
                        body_text=f"Customer reports a problem with {t.subject}.",
                        created_at=t.created_at)
                for t in tickets
            ])
            TicketEvent.objects.bulk_create([
                TicketEvent(ticket=t, type="created", actor=actor, created_at=t.created_at,
                            data={"subject": t.subject, "channel": t.channel,
                                  "status": t.status, "message_id": m.pk})
                for t, m in zip(tickets, messages, strict=True)
            ])
        done += n
    _analyze()
    return {"bulk_tickets": done, "tickets": Ticket.objects.count(),
            "events": TicketEvent.objects.count(),
            "min_id": Ticket.objects.order_by("id").values_list("id", flat=True).first(),
            "max_id": Ticket.objects.order_by("-id").values_list("id", flat=True).first()}


def _analyze() -> None:
    """Refresh planner statistics, as autovacuum / a periodic ANALYZE would in production."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def cmd_count(args: argparse.Namespace) -> dict:
    from tierdesk.outbox.models import OutboxMessage
    from tierdesk.tickets.models import Message, Ticket, TicketEvent

    ids = Ticket.objects.filter(subject__startswith=args.prefix).values("id")
    return {
        "tickets": Ticket.objects.filter(subject__startswith=args.prefix).count(),
        "messages": Message.objects.filter(ticket_id__in=ids).count(),
        "events": TicketEvent.objects.filter(ticket_id__in=ids, type="created").count(),
        "outbox": OutboxMessage.objects.filter(ticket_id__in=ids).count(),
        "all_tickets": Ticket.objects.count(),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("base").set_defaults(func=cmd_base)
    bulk = sub.add_parser("bulk")
    bulk.add_argument("count", type=int)
    bulk.set_defaults(func=cmd_bulk)
    count = sub.add_parser("count")
    count.add_argument("prefix")
    count.set_defaults(func=cmd_count)
    args = parser.parse_args(argv)
    _setup()
    print(json.dumps(args.func(args)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
