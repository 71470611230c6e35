"""Move tickets up and down the tiers (or to another unit) the way the pack says.

An escalation names its reasons (the pack's criteria) and carries the handoff record the
pack requires; a handoff missing a field is refused with the list of what is missing.
"""

from typing import Any

from django.db import transaction

from tierdesk import clock
from tierdesk.common import prepared
from tierdesk.common.errors import Conflict, Forbidden, ServiceError
from tierdesk.escalation.models import Escalation
from tierdesk.escalation.routing import staffed_queue
from tierdesk.org.selectors import Landing, escalation_landing
from tierdesk.packs.selectors import active_pack
from tierdesk.people.access import Viewer
from tierdesk.people.models import Group
from tierdesk.rules import lookups
from tierdesk.tickets import batch, events
from tierdesk.tickets.following import follow
from tierdesk.tickets.models import Ticket
from tierdesk.tickets.services import after_change, locked, reply, update
from tierdesk.tickets.statuses import CLOSED, SOLVED


def _pack() -> Any:
    pack = active_pack()
    if pack is None:
        raise ServiceError("no policy pack is active: escalation follows the pack's tiers",
                           field="to")
    return pack


def _tier_codes(pack: Any) -> list[str]:
    return [t.code for t in pack.tiers]


def required_handoff(pack: Any, from_tier: str | None, to: str) -> list[str]:
    """Return the handoff fields an escalation from ``from_tier`` to ``to`` must carry."""
    path = _path(pack, from_tier, to)
    if path is not None and path.handoff_requires is not None:
        return list(path.handoff_requires)
    return list(pack.escalation.handoff_requires) if pack.escalation else []


def _path(pack: Any, from_tier: str | None, to: str) -> Any:
    paths = pack.escalation.paths if pack.escalation else []
    return next((p for p in paths if p.to == to and p.from_ == from_tier), None)


def _check_up(pack: Any, from_tier: str | None, to: str, criteria: list[str]) -> None:
    tiers = _tier_codes(pack)
    units = {u.code for u in pack.units}
    if to not in tiers and to not in units:
        known = ", ".join([*tiers, *sorted(units)])
        raise ServiceError(f"unknown tier or unit {to!r} (known: {known})", field="to")
    known_criteria = {c.code for c in pack.escalation.criteria} if pack.escalation else set()
    unknown = [c for c in criteria if c not in known_criteria]
    if unknown:
        raise ServiceError(f"unknown escalation criteria: {', '.join(unknown)} (known: "
                           f"{', '.join(sorted(known_criteria)) or 'none'})", field="criteria")
    if to in units:
        return
    if from_tier in tiers and tiers.index(to) <= tiers.index(from_tier):
        raise ServiceError(f"{to} is not above {from_tier}: use a de-escalation", field="to")
    paths = [p for p in (pack.escalation.paths if pack.escalation else [])
             if p.from_ == from_tier]
    if paths and not any(p.to == to for p in paths):
        allowed = ", ".join(p.to for p in paths)
        raise ServiceError(f"no escalation path from {from_tier} to {to} (allowed: {allowed})",
                           field="to")
    path = _path(pack, from_tier, to)
    if path is not None and path.when_any and not set(criteria) & set(path.when_any):
        raise ServiceError(f"escalating {from_tier} -> {to} needs one of these criteria: "
                           f"{', '.join(path.when_any)}", field="criteria")


def _missing(required: list[str], handoff: dict[str, Any]) -> list[str]:
    return [f for f in required if not str(handoff.get(f) or "").strip()]


@transaction.atomic(durable=True)
def ticket_escalate(*, ticket: Ticket, viewer: Viewer, to: str, criteria: list[str],
                    handoff: dict[str, Any], note: str = "") -> Escalation:
    """Move the ticket up a tier (or to a unit) with its reasons and handoff record."""
    if not viewer.is_agent:
        raise Forbidden("only agents may escalate tickets")
    return escalate(ticket=locked(ticket), viewer=viewer, to=to, criteria=criteria,
                    handoff=handoff, note=note)


def escalate(*, ticket: Ticket, viewer: Viewer, to: str, criteria: list[str],
             handoff: dict[str, Any], note: str = "", by_rule: str | None = None,
             pack: Any = None) -> Escalation:
    """``ticket_escalate`` inside a caller's transaction. A pack rule (``by_rule``)
    escalates on the pack's own authority: it carries no human handoff or criteria."""
    pack = pack or _pack()
    if ticket.status == CLOSED:
        raise ServiceError("a closed ticket cannot be escalated", field="ticket_id")
    from_tier = ticket.tier.code if ticket.tier_id else (
        pack.tiers[0].code if pack.tiers else None)
    if by_rule is None:
        _check_up(pack, from_tier, to, criteria)
        known_fields = set(pack.escalation.handoff_fields) if pack.escalation else set()
        extra = [f for f in handoff if f not in known_fields]
        if extra:
            raise ServiceError(f"unknown handoff fields: {', '.join(sorted(extra))}",
                               field="handoff")
        missing = _missing(required_handoff(pack, from_tier, to), handoff)
        if missing:
            raise ServiceError(f"the handoff is missing: {', '.join(missing)}",
                               field="handoff")
    elif to not in _tier_codes(pack) and to not in {u.code for u in pack.units}:
        raise ServiceError(f"rule {by_rule!r} escalates to unknown {to!r}", field="to")
    note = note or (f"by rule {by_rule!r}" if by_rule else "")
    now = clock.now()
    unit = to in {u.code for u in pack.units}
    landing = escalation_landing(pack, to, tier=not unit)
    queue = _queue(to, unit=unit, landing=landing)  # refused before anything is written
    escalation = Escalation(
        ticket=ticket, direction=Escalation.Direction.UNIT if unit else Escalation.Direction.UP,
        from_tier=from_tier or "", to=to, criteria=criteria, handoff=handoff, note=note,
        actor=viewer.user, at=now)
    gathering = batch.current() is not None  # a write batch inserts both at its end
    if not gathering:
        prepared.insert(escalation)
    event = events.record(ticket, "escalated", viewer.user, now, to=to,
                          to_name=events.tier_name(to, pack), from_tier=from_tier,
                          from_tier_name=events.tier_name(from_tier, pack), criteria=criteria,
                          escalation=escalation.pk, rule=by_rule, **_landed(landing, pack))
    if gathering:
        batch.insert_with_event(escalation, event, "escalation")
    follow(ticket=ticket, viewer=viewer, at=now)  # who hands it on hears how it ends
    _move(ticket, viewer, now, to, queue, tier=not unit, reason=f"escalated to {to}",
          assignee=landing.agent if landing else None)
    if landing is not None:
        _tell_holder(ticket, landing, pack, now)
    return escalation


def _tell_holder(ticket: Ticket, landing: Landing, pack: Any, now) -> None:
    """Mail the person the chart gave the ticket to: nobody else assigned it to them."""
    from tierdesk.outbox import services as outbox

    data = _landed(landing, pack)
    cover = f", covering for the {data['covering']}" if "covering" in data else ""
    outbox.enqueue_email(
        to=landing.agent.user.email, ticket_id=ticket.pk, at=now,
        template="escalation:assigned",
        subject=f"[Ticket #{ticket.pk}] escalated to you: {ticket.subject}",
        body=f"Ticket #{ticket.pk} ({ticket.priority}) was escalated to you as "
             f"{data['position']}{cover}.")


def _queue(to: str, *, unit: bool, landing: Landing | None) -> Group | None:
    """Return the queue an escalation to ``to`` goes to. Without one, a ticket the chart
    hands to a person still goes (to the target's group if there is one, else it stays in
    its own): the holder has it in person; with neither, the move is refused."""
    try:
        return staffed_queue(to, tier=not unit)
    except Conflict:
        if landing is None:
            raise
        return Group.objects.filter(code=to).first()


def _landed(landing: Landing | None, pack: Any) -> dict[str, Any]:
    """Return the escalated event's record of who the chart gave the ticket to."""
    if landing is None:
        return {}
    names = {p.code: p.name for p in pack.organisation.positions}
    user = landing.agent.user
    data = {"assignee": user.username, "assignee_name": user.get_full_name() or user.username,
            "position": names.get(landing.position, landing.position)}
    if landing.covering:
        data["covering"] = names.get(landing.covering, landing.covering)
    return data


def _move(ticket: Ticket, viewer: Viewer, now, to: str, queue: Group | None, *, tier: bool,
          reason: str, assignee: Any = None) -> None:
    """Put the ticket in ``to``'s tier and queue: with the person the organisation chart
    names for ``to`` (``assignee``), else unassigned for the new team to pick up."""
    changes: dict[str, Any] = {"updated_at": now}
    if tier:
        changes["tier"] = lookups.tier(to)
    if queue is not None and queue != ticket.group:
        changes["group"] = queue
        changes["assignee"] = None
    if assignee is not None and assignee.pk != ticket.assignee_id:
        changes["assignee"] = assignee
    after_change(ticket=ticket, viewer=viewer, now=now, changes=changes, reason=reason)


@transaction.atomic(durable=True)
def ticket_de_escalate(*, ticket: Ticket, viewer: Viewer, to: str, note: str = "") -> Escalation:
    """Hand the ticket back down (e.g. Engineering fixed it, Tier 1 tells the customer)."""
    if not viewer.is_agent:
        raise Forbidden("only agents may de-escalate tickets")
    return de_escalate(ticket=locked(ticket), viewer=viewer, to=to, note=note)


def de_escalate(*, ticket: Ticket, viewer: Viewer, to: str, note: str = "") -> Escalation:
    pack = _pack()
    tiers = _tier_codes(pack)
    if to not in tiers:
        raise ServiceError(f"unknown tier {to!r} (known: {', '.join(tiers)})", field="to")
    current = ticket.tier.code if ticket.tier_id else None
    if current not in tiers or tiers.index(to) >= tiers.index(current):
        raise ServiceError(f"{to} is not below {current or 'the first tier'}", field="to")
    queue = staffed_queue(to, tier=True)
    now = clock.now()
    escalation = Escalation.objects.create(
        ticket=ticket, direction=Escalation.Direction.DOWN, from_tier=current, to=to,
        note=note, actor=viewer.user, at=now)
    events.record(ticket, "de_escalated", viewer.user, now, to=to,
                  to_name=events.tier_name(to, pack), from_tier=current,
                  from_tier_name=events.tier_name(current, pack), escalation=escalation.pk)
    follow(ticket=ticket, viewer=viewer, at=now)
    _move(ticket, viewer, now, to, queue, tier=True, reason=f"de-escalated to {to}")
    return escalation


@transaction.atomic(durable=True)
def ticket_communicate_resolution(*, ticket: Ticket, viewer: Viewer, message: str,
                                  verified: bool) -> Ticket:
    """The pack's resolution step: the communicating tier tells the customer the fix (a
    public reply), the ticket is solved, and closed once the customer has verified it."""
    if not viewer.is_agent:
        raise Forbidden("only agents may communicate a resolution")
    if not message.strip():
        raise ServiceError("the resolution message must not be empty", field="message")
    pack = _pack()
    ticket = locked(ticket)
    if ticket.status == CLOSED:
        raise ServiceError("the ticket is already closed", field="ticket_id")
    resolution = pack.escalation.resolution if pack.escalation else None
    if resolution and ticket.tier_id and ticket.tier.code != resolution.communicated_by:
        de_escalate(ticket=ticket, viewer=viewer, to=resolution.communicated_by,
                    note="resolution to communicate")
    reply(ticket=ticket, viewer=viewer, body=message)
    if ticket.status != SOLVED:
        update(ticket=ticket, viewer=viewer, changes={"status": SOLVED},
               reason="resolution communicated")
    if verified:
        update(ticket=ticket, viewer=viewer, changes={"status": CLOSED},
               reason="resolution verified with the customer")
    return ticket
