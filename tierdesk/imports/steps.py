"""Write one imported step (a message, a status change, an escalation) at its own instant,
and the warnings and breaches that fell due before it, as the live services and the sweep
would have written them then."""

from datetime import UTC, datetime
from typing import Any

from django.db.models import Q

from tierdesk.common.errors import ServiceError
from tierdesk.customers.models import Contact
from tierdesk.packs.selectors import active_pack
from tierdesk.people.access import Viewer
from tierdesk.people.models import Agent, Group, Tier
from tierdesk.sla import services as sla
from tierdesk.sla.models import SlaTarget
from tierdesk.tickets import events
from tierdesk.tickets.models import Channel, Message, Ticket
from tierdesk.tickets.services import _apply
from tierdesk.tickets.statuses import CLOSED, NEW, OPEN, PENDING, SOLVED, check_transition


class LineError(Exception):
    """A line refused at ``field`` (its path in the line); its transaction is undone."""

    def __init__(self, field: str | None, message: str) -> None:
        super().__init__(message)
        self.field, self.message = field, message


def channel(value: str, path: str) -> str:
    """Return ``value`` if it is a channel Tierdesk knows, else refuse it at ``path``."""
    if value not in Channel.values:
        raise LineError(path, f"unknown channel {value!r} (known: "
                              f"{', '.join(Channel.values)})")
    return value


def sweep_until(ticket: Ticket, until: datetime) -> None:
    """Record each warning and breach due before ``until`` at its own instant, as the
    sweep would have when it came (same events, same claimed columns)."""
    due: list[tuple[datetime, str, SlaTarget]] = []
    for row in SlaTarget.objects.filter(ticket=ticket, state=SlaTarget.State.RUNNING,
                                        breached_at__isnull=True):
        if row.warn_at is not None and row.warned_at is None and row.warn_at < until:
            due.append((row.warn_at, "warning", row))
        if row.due_at is not None and row.due_at < until:
            due.append((row.due_at, "breach", row))
    for at, kind, row in sorted(due, key=lambda d: (d[0], d[1] == "breach")):
        data = {"metric": row.metric, "policy": row.policy,
                "due_at": row.due_at.astimezone(UTC).isoformat()}
        if kind == "warning":
            row.warned_at = at
            events.record(ticket, "sla_warning", None, at, **data)
        else:
            row.breached_at = at
            events.record(ticket, "sla_breached", None, at, **data)
        row.save(update_fields=["warned_at", "breached_at"])


def _as(user) -> Viewer:
    """The author of an imported step, for the audit rows the ticket services write."""
    return Viewer(user=user, agent=None, contact=None, system=True)


def write_message(ticket: Ticket, contact: Contact, step: Any, at: datetime, path: str,
             agents: dict[str, Agent]) -> None:
    if ticket.status == CLOSED:
        raise LineError(path, "the ticket is closed by then: a closed ticket takes no "
                               "messages")
    by = step.author
    if by == "customer" and not step.public:
        raise LineError(f"{path}.public", "a customer cannot write an internal note")
    if by == "customer" and step.agent:
        raise LineError(f"{path}.agent", "a customer's message names no agent")
    user = contact.user
    if by == "agent":
        user = _agent(step.agent, f"{path}.agent", agents).user if step.agent else None
    via = channel(step.channel, f"{path}.channel") if step.channel else ticket.channel
    kind = Message.Kind.REPLY if step.public else Message.Kind.NOTE
    message = Message.objects.create(ticket=ticket, kind=kind, author=user,
                                     body_text=step.body, channel=via, created_at=at)
    events.message_added(ticket, user, at, message.pk, kind, by=by)
    changes: dict[str, Any] = {"updated_at": at}
    if kind == Message.Kind.REPLY and by == "agent":
        if ticket.first_responded_at is None:
            changes["first_responded_at"] = at
        if ticket.status == NEW:
            changes["status"] = OPEN
    elif kind == Message.Kind.REPLY and ticket.status in (PENDING, SOLVED):
        changes["status"] = OPEN
        if ticket.status == SOLVED:
            changes["solved_at"] = None
    _apply(ticket, _as(user), at, changes, reason="imported")
    if kind == Message.Kind.REPLY:
        sla.sla_refresh(ticket=ticket, now=at, reason="reply", actor=user)


def _agent(name: str, path: str, agents: dict[str, Agent]) -> Agent:
    if name not in agents:
        agent = (Agent.objects.select_related("user")
                 .filter(Q(user__email__iexact=name) | Q(user__username=name)).first())
        if agent is None:
            raise LineError(path, f"no agent with email or username {name!r}")
        agents[name] = agent
    return agents[name]


def write_status(ticket: Ticket, status: str, at: datetime, path: str) -> None:
    if status == ticket.status:
        raise LineError(f"{path}.status", f"the ticket is already {status} by then")
    try:
        check_transition(ticket.status, status)
    except ServiceError as exc:
        raise LineError(f"{path}.status", exc.message) from None
    changes: dict[str, Any] = {"status": status, "updated_at": at}
    if status == SOLVED:
        changes["solved_at"] = at
    elif status == CLOSED:
        changes["closed_at"] = at
    elif ticket.status == SOLVED:
        changes["solved_at"] = None
    _apply(ticket, _as(None), at, changes, reason="imported")
    sla.sla_refresh(ticket=ticket, now=at, reason="status changed")


def write_escalation(ticket: Ticket, step: Any, at: datetime, path: str) -> None:
    """Record a past escalation: the tier or unit the ticket went to, and its queue."""
    from tierdesk.escalation.models import Escalation

    pack = active_pack()
    tiers = [t.code for t in pack.tiers] if pack is not None else []
    units = {u.code for u in pack.units} if pack is not None else set()
    if step.to not in tiers and step.to not in units:
        known = ", ".join([*tiers, *sorted(units)]) or "none: no policy pack is active"
        raise LineError(f"{path}.to", f"unknown tier or unit {step.to!r} (known: {known})")
    if ticket.status == CLOSED:
        raise LineError(path, "the ticket is closed by then: it cannot be escalated")
    from_tier = ticket.tier.code if ticket.tier_id else (tiers[0] if tiers else None)
    unit = step.to in units
    escalation = Escalation.objects.create(
        ticket=ticket, direction=Escalation.Direction.UNIT if unit else Escalation.Direction.UP,
        from_tier=from_tier or "", to=step.to, note=step.note, actor=None, at=at)
    events.record(ticket, "escalated", None, at, to=step.to, from_tier=from_tier, criteria=[],
                  escalation=escalation.pk, rule=None, imported=True)
    changes: dict[str, Any] = {"updated_at": at}
    if not unit:
        changes["tier"] = Tier.objects.filter(code=step.to).first()
    queue = (Group.objects.filter(code=step.to).first()
             or Group.objects.filter(tier__code=step.to).order_by("id").first())
    if queue is not None and queue.pk != ticket.group_id:
        changes["group"] = queue
        changes["assignee"] = None
    _apply(ticket, _as(None), at, changes, reason=f"escalated to {step.to}")
    sla.sla_refresh(ticket=ticket, now=at, reason=f"escalated to {step.to}")
