"""The instance's side of a check, observations out: what a person would see of the
ticket now (fields, clocks, mail, events, refund requests, tasks)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tierdesk.policy_tests.instance import STAFF_DOMAIN


def observe(ticket_id: int) -> dict[str, Any]:
    """Fields, clocks, mail and events of the ticket now."""
    from tierdesk.outbox.models import OutboxMessage
    from tierdesk.sla.models import SlaTarget
    from tierdesk.tickets.models import Ticket, TicketEvent

    ticket = Ticket.objects.select_related("tier", "requester").get(pk=ticket_id)
    events = list(TicketEvent.objects.filter(ticket_id=ticket_id).order_by("id")
                  .values_list("type", "data"))
    targets = [data for kind, data in events if kind == "sla_targets_set"]
    last = targets[-1] if targets else {}
    clocks = {row.metric: {"due": row.due_at, "state": row.state,
                           "breached": row.breached_at is not None,
                           "target_minutes": row.target_minutes}
              for row in SlaTarget.objects.filter(ticket_id=ticket_id)}
    mail = list(OutboxMessage.objects.filter(ticket_id=ticket_id, kind="email")
                .order_by("id").values_list("payload", flat=True))
    roles = staff_roles()
    customer = ticket.requester.email
    notified = {roles[to] for m in mail if str(m.get("template", "")).startswith("notify:")
                for to in m.get("to", []) if to.endswith(f"@{STAFF_DOMAIN}") and to in roles}
    return {
        "priority": ticket.priority, "category": ticket.category, "status": ticket.status,
        "tier": ticket.tier.code if ticket.tier_id else None, "tags": list(ticket.tags),
        "policy": last.get("policy"), "calendar": (last.get("calendar") or {}).get("name"),
        "clocks": clocks,
        "escalated_to": [d.get("to") for k, d in events if k == "escalated"],
        "templates": [m.get("template") for m in mail if customer in m.get("to", [])
                      and m.get("template") and m.get("template") != "agent_reply"],
        "credits": [d.get("amount") for k, d in events if k == "credit_issued"],
        "rules_fired": [d.get("rule") for k, d in events if k == "rule_fired"],
        "notified": notified,
    }


@dataclass(frozen=True)
class RefundSeen:
    """One refund, credit or cancellation request as the ladder left it."""

    kind: str
    amount: float
    money: str  # "$1,500"
    currency: str
    status: str  # approved, routed (waiting for ``to``), refused
    to: str  # the level that decides it
    by: str | None  # who decided it (their role)
    rule: str  # "refunds.limits[1] (support_manager: refund, credit up to 1000 USD)"

    def __str__(self) -> str:
        who = f"by {self.by}" if self.status != "routed" else f"to {self.to}"
        return f"{self.money} {self.kind} {self.status} {who}"


def refunds_of(ticket_id: int) -> list[RefundSeen]:
    """The ticket's refund requests, oldest first."""
    from tierdesk.people.models import Agent
    from tierdesk.refunds import ladder
    from tierdesk.refunds.models import RefundRequest, RequestStatus
    from tierdesk.refunds.services import money

    rows = list(RefundRequest.objects.filter(ticket_id=ticket_id).order_by("id"))
    deciders = dict(Agent.objects.filter(user_id__in={r.decided_by_id for r in rows})
                    .values_list("user_id", "role"))
    return [RefundSeen(
        kind=r.kind, amount=float(ladder.from_minor(r.amount_minor, r.currency)),
        money=money(r.amount_minor, r.currency), currency=r.currency,
        status="routed" if r.status == RequestStatus.PENDING else r.status,
        to=r.decides_role, by=deciders.get(r.decided_by_id), rule=r.decides_rule)
        for r in rows]


@dataclass(frozen=True)
class TaskSeen:
    role: str
    due: datetime | None
    source: str
    title: str
    done: bool


def tasks_of(ticket_id: int) -> list[TaskSeen]:
    """The tasks opened on the ticket, oldest first."""
    from tierdesk.tasks.models import Task

    return [TaskSeen(t.role, t.due_at, t.source, t.title, t.done_at is not None)
            for t in Task.objects.filter(ticket_id=ticket_id).order_by("created_at", "id")]


_ROLES_BY_EMAIL: dict[str, str] = {}


def staff_roles() -> dict[str, str]:
    """The staff's roles by email: the same in every case (each is rolled back to the
    built instance), read once."""
    from tierdesk.people.models import Agent

    if not _ROLES_BY_EMAIL:
        _ROLES_BY_EMAIL.update(Agent.objects.values_list("user__email", "role"))
    return _ROLES_BY_EMAIL
