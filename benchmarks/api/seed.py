"""Django-side helpers for bench_api.py: seed the database, bulk-load tickets, count rows.

Run with the same environment as the server (``TIERDESK_DATA_DIR`` and, for PostgreSQL,
``TIERDESK_DATABASE_URL``). Each sub-command prints one JSON object on its last line.

    seed.py base [--pack dataflow]   migrate; demo-like people (a support manager, an L1
                             agent in one queue, a director, an engineer; tiers; four
                             queues), organisations on every plan with a contact, API tokens
                             for the manager and the L1 agent; with --pack, apply the seed pack
    seed.py bulk N           bulk_create N tickets, each with a message and an event
    seed.py count PREFIX     rows written by creates whose subject starts with PREFIX
    seed.py cost ...         queries and in-process CPU per request (Django test client)
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
    if args.pack != "none":
        from tierdesk.packs.services import pack_apply
        from tierdesk.policy import PACKS_DIR

        pack_apply(source=(PACKS_DIR / f"{args.pack}.yaml").read_text(), note="benchmark")
    # Demo-like people: tiers and queues as the demo makes them (the pack adds its own
    # tiers and unit queues), an L1 agent who sees one queue, the roles the pack notifies.
    tiers = [Tier.objects.get_or_create(code=c, defaults={"name": c, "rank": r})[0]
             for r, c in enumerate(("L1", "L2", "L3"))]
    groups = [Group.objects.get_or_create(name=f"Bulk group {i}",
                                          defaults={"tier": tiers[min(i, 2)]})[0]
              for i in range(4)]
    group = groups[0]
    manager = people.agent_create(
        username="bench-manager", email="manager@bench.localhost", name="Bench Manager",
        role=Role.SUPPORT_MANAGER, groups=[group],
    )
    agent = people.agent_create(
        username="bench-agent", email="agent@bench.localhost", name="Bench Agent",
        role=Role.AGENT, tier=tiers[0], groups=[group],
    )
    people.agent_create(username="bench-director", email="director@bench.localhost",
                        name="Bench Director", role=Role.DIRECTOR)
    # The pack's unit queues (DataFlow's DevOps takes every P0) are worked by the
    # engineer, as on the demo: an escalation to an unstaffed queue is refused.
    units = list(Group.objects.filter(code__in=["devops", "engineering", "product"]))
    people.agent_create(username="bench-engineer", email="engineer@bench.localhost",
                        name="Bench Engineer", role=Role.ENGINEER, tier=tiers[2],
                        groups=[groups[2], *units])
    _, secret = people.token_create(user=manager.user, name="bench")
    _, agent_secret = people.token_create(user=agent.user, name="bench")
    contacts = {}
    for plan, country, zone in (("Enterprise", "US", "America/New_York"),
                                ("Professional", "GB", "Europe/London"),
                                ("Starter", "US", "America/Chicago")):
        org = customers.organisation_create(
            viewer=None, name=f"Bench {plan}", external_id=f"bench-{plan.lower()}",
            plan=plan, country=country, timezone=zone,
        )
        contacts[plan] = customers.contact_create(
            viewer=None, name=f"Bench {plan} Contact", organisation=org,
            email=f"contact@{plan.lower()}.bench.example.com",
        )
    return {"secret": secret, "agent_secret": agent_secret,
            "contact_id": contacts["Enterprise"].pk,
            "organisation_id": contacts["Enterprise"].organisation_id, "group_id": group.pk}


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
    plans = ("Starter", "Professional", "Enterprise")
    orgs = Organisation.objects.bulk_create(
        [Organisation(name=f"Bulk Org {i}", external_id=f"bulk-{i}", plan=plans[i % 3],
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


def cmd_cost(args: argparse.Namespace) -> dict:
    """Statements and this process's CPU per request, through Django's test client (no
    HTTP server, no gunicorn): the deterministic half of each benchmark row."""
    import time

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(SERVER_NAME="127.0.0.1")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {args.secret}"}

    def call(i: int):
        if args.kind == "create":
            body = json.dumps({"subject": f"bench-cost {i}: dashboard shows error DB-2002",
                               "body": f"Cost probe {i}. Every dashboard answers 503.",
                               "requester_id": args.contact})
            response = client.post("/api/v1/tickets", data=body,
                                   content_type="application/json", **headers)
        else:
            response = client.get(args.path, **headers)
        if response.status_code >= 300:
            raise SystemExit(f"{args.kind} {args.path}: HTTP {response.status_code} "
                             f"{response.content[:300]!r}")

    for i in range(args.warmup):
        call(i)
    with CaptureQueriesContext(connection) as captured:
        call(args.warmup)
    # BEGIN, COMMIT and savepoints are counted apart: SQLite's are statements this
    # backend sends (BEGIN IMMEDIATE), PostgreSQL's are implicit and never captured.
    control = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")
    kinds: dict[str, int] = {}
    for query in captured.captured_queries:
        verb = query["sql"].split(None, 1)[0].upper()
        kinds[verb] = kinds.get(verb, 0) + 1
    queries = sum(n for verb, n in kinds.items() if verb not in control)
    cpu = time.process_time()
    for i in range(args.n):
        call(args.warmup + 1 + i)
    return {"queries": queries, "kinds": kinds,
            "cpu_ms": (time.process_time() - cpu) / max(args.n, 1) * 1000}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    base = sub.add_parser("base")
    base.add_argument("--pack", default="none", help="seed pack to apply (or none)")
    base.set_defaults(func=cmd_base)
    cost = sub.add_parser("cost")
    cost.add_argument("--kind", choices=("create", "get"), required=True)
    cost.add_argument("--secret", required=True)
    cost.add_argument("--path", default="/api/v1/tickets")
    cost.add_argument("--contact", type=int, default=0)
    cost.add_argument("--n", type=int, default=200)
    cost.add_argument("--warmup", type=int, default=20)
    cost.set_defaults(func=cmd_cost)
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
