"""Read back what a cluster run left in the database, as one JSON line (run in a
subprocess with the cluster's environment, so it reads the cluster's own database).

    python -m tests.chaos.audit --prefix "chaos abc #"     # tickets, audit log, outbox
    python -m tests.chaos.audit --breaches                  # SLA breaches recorded per clock
    python -m tests.chaos.audit --backdate-clocks           # make every running clock due
"""

import argparse
import json
from collections import Counter

from tierdesk.cli.setup import django_setup


def tickets_report(prefix: str) -> dict:
    from django.db.models import Count

    from tierdesk.outbox.models import OutboxMessage
    from tierdesk.tickets.models import IdempotencyKey, Message, Ticket, TicketEvent

    tickets = Ticket.objects.filter(subject__startswith=prefix)
    ids = list(tickets.values_list("id", flat=True))
    subjects = Counter(tickets.values_list("subject", flat=True))

    def per_ticket(qs, field: str = "ticket_id") -> Counter:
        rows = qs.filter(**{f"{field}__in": ids}).values(field).annotate(n=Count("id"))
        return Counter({r[field]: r["n"] for r in rows})

    created = per_ticket(TicketEvent.objects.filter(type="created"))
    messages = per_ticket(Message.objects.all())
    keys = per_ticket(IdempotencyKey.objects.all())
    mail = OutboxMessage.objects.filter(kind="email", ticket_id__in=ids)
    mails = per_ticket(OutboxMessage.objects.filter(kind="email"))
    states = Counter(mail.values_list("state", flat=True))
    return {
        "tickets": len(ids),
        "distinct_subjects": len(subjects),
        "subjects_twice": sorted(s for s, n in subjects.items() if n > 1)[:20],
        "tickets_without_one_created_event": sorted(t for t in ids if created[t] != 1)[:20],
        "tickets_without_one_message": sorted(t for t in ids if messages[t] != 1)[:20],
        "tickets_without_one_idempotency_key": sorted(t for t in ids if keys[t] != 1)[:20],
        "tickets_without_one_ack_mail": sorted(t for t in ids if mails[t] != 1)[:20],
        "created_events": sum(created.values()),
        "outbox_mail": sum(states.values()),
        "outbox_states": dict(states),
        "outbox_ids": sorted(mail.values_list("id", flat=True)),
        "outbox_attempts_over_1": mail.filter(attempts__gt=1).count(),
    }


def breaches_report() -> dict:
    from django.db.models import Count

    from tierdesk.sla.models import SlaTarget
    from tierdesk.tickets.models import TicketEvent

    events = TicketEvent.objects.filter(type="sla_breached")
    per_clock = Counter()
    for ticket_id, metric in events.values_list("ticket_id", "data__metric"):
        per_clock[ticket_id, metric] += 1
    per_ticket = events.values("ticket_id").annotate(n=Count("id"))
    return {
        "breach_events": sum(per_clock.values()),
        "clocks_breached_twice": [list(k) for k, n in per_clock.items() if n > 1][:20],
        "tickets_with_breach": per_ticket.count(),
        "clocks_marked_breached": SlaTarget.objects.filter(breached_at__isnull=False).count(),
        "clocks_still_due": SlaTarget.objects.filter(state="running",
                                                     breached_at__isnull=True).count(),
    }


def backdate_clocks() -> dict:
    """Time passing, for a test: move every running clock's deadline an hour into the past
    (warnings too), so the next sweeps have every clock to breach at once."""
    from datetime import timedelta

    from tierdesk import clock
    from tierdesk.sla.models import SlaTarget

    past = clock.now() - timedelta(hours=1)
    moved = SlaTarget.objects.filter(state="running", breached_at__isnull=True).update(
        due_at=past, warn_at=past - timedelta(minutes=5))
    return {"backdated": moved}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--prefix")
    parser.add_argument("--breaches", action="store_true")
    parser.add_argument("--backdate-clocks", action="store_true")
    args = parser.parse_args()
    django_setup()
    report: dict = {}
    if args.backdate_clocks:
        report.update(backdate_clocks())
    if args.prefix:
        report.update(tickets_report(args.prefix))
    if args.breaches:
        report.update(breaches_report())
    print(json.dumps(report))


if __name__ == "__main__":
    main()
