"""Flag risks, route them to their owner, review them.

CSU: "Risk Identification: Identifying potential risks through customer interactions",
"Risk Reporting: Documenting and escalating identified risks", and the interface table's
"Security | Security incidents, data concerns | Support Manager -> Security Director".
A flagged risk gets an owner (the pack's route for its category, else the register's
owner, resolved through the organisation chart) and a review date; a flagged ticket is
tagged ``risk`` (so the pack's rules for customer-reported risks run) and, when the route
says so, escalated (security risks go to Security).
"""

from datetime import UTC, datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import F

from tierdesk import clock
from tierdesk.common.errors import Forbidden, ServiceError
from tierdesk.incidents.models import Incident
from tierdesk.outbox import services as outbox
from tierdesk.people.access import SYSTEM, Viewer
from tierdesk.people.models import Agent
from tierdesk.risks.models import Risk
from tierdesk.tickets import events
from tierdesk.tickets.models import Ticket

RISK_TAG = "risk"


def register_of(pack: Any) -> Any:
    register = getattr(pack, "risks", None) if pack is not None else None
    if register is None:
        raise ServiceError("the active pack keeps no risk register", field="category")
    return register


def owners_for(pack: Any, recipient: Any, at: datetime) -> list[Agent]:
    """Return who a pack recipient names, through the chart first: a unit's contact
    (the Security Director) before the unit's other members."""
    from tierdesk.org.selectors import unit_holders
    from tierdesk.rules.actions import agents_for

    if recipient.unit:
        held = unit_holders(pack, recipient.unit)
        if held:
            return held
    return agents_for(pack, recipient, at)


def route_for(register: Any, category: str, tags: list[str]) -> Any:
    for route in register.routes:
        if category in route.categories or set(tags) & set(route.tags):
            return route
    return None


def _choice(register: Any, field: str, value: str) -> None:
    valid = getattr(register, field if field != "category" else "categories")
    if value not in valid:
        raise ServiceError(f"unknown {field} {value!r}; valid: {', '.join(valid)}", field=field)


@transaction.atomic(durable=True)
def risk_flag(*, viewer: Viewer, pack: Any, category: str, likelihood: str, impact: str,
              description: str, ticket: Ticket | None = None,
              incident: Incident | None = None) -> Risk:
    """Enter a risk in the register with its owner and review date."""
    if not viewer.is_agent or viewer.user is None:
        raise Forbidden("only support staff flag risks")
    register = register_of(pack)
    _choice(register, "category", category)
    _choice(register, "likelihood", likelihood)
    _choice(register, "impact", impact)
    if not description.strip():
        raise ServiceError("describe the risk", field="description")
    if ticket is None and incident is None:
        raise ServiceError("flag a ticket or an incident", field="ticket_id")
    now = clock.now()
    route = route_for(register, category, list(ticket.tags) if ticket else [])
    recipient = route.owner if route else register.owner
    owners = owners_for(pack, recipient, now)
    from tierdesk.rules.actions import describe_recipient

    label = (route.label if route and route.label else describe_recipient(pack, recipient))
    risk = Risk.objects.create(
        ticket=ticket, incident=incident, category=category, likelihood=likelihood,
        impact=impact, score=register.level("likelihood", likelihood)
        * register.level("impact", impact), description=description.strip(),
        flagged_by=viewer.user, owner=owners[0] if owners else None, owner_label=label,
        route=(route.label or ", ".join(route.categories)) if route else "",
        review_at=now + register.review_within, created_at=now, updated_at=now)
    if ticket is not None:
        _on_ticket(ticket, risk, route, pack, viewer, now)
    if risk.owner is not None and risk.owner.user.email:
        outbox.enqueue_email(
            to=risk.owner.user.email, at=now, template="risk:flagged",
            ticket_id=ticket.pk if ticket else None,
            subject=f"[Risk #{risk.pk}] {category} risk flagged: {risk.score} "
                    f"({likelihood} x {impact})",
            body=f"{viewer.user} flagged a {category} risk"
                 + (f" on ticket #{ticket.pk}" if ticket else f" on incident #{incident.pk}")
                 + f":\n\n{risk.description}\n\nReview by {risk.review_at:%Y-%m-%d}.")
    return risk


def _on_ticket(ticket: Ticket, risk: Risk, route: Any, pack: Any, viewer: Viewer,
               now: datetime) -> None:
    from tierdesk.escalation.services import escalate
    from tierdesk.tickets.services import locked, update

    ticket = locked(ticket)
    events.record(ticket, "risk_flagged", viewer.user, now, risk=risk.pk,
                  category=risk.category, score=risk.score, owner=risk.owner_label)
    if RISK_TAG not in ticket.tags:
        update(ticket=ticket, viewer=SYSTEM, changes={"tags": [*ticket.tags, RISK_TAG]},
               reason=f"risk #{risk.pk} flagged")
    target = route.escalate if route else None
    if target and not (ticket.group_id and ticket.group.code == target):
        try:
            escalate(ticket=ticket, viewer=SYSTEM, to=target, criteria=[], handoff={},
                     by_rule=f"risk register: {risk.route}", pack=pack)
        except ServiceError as exc:
            # The risk stays in the register; the refused move is on the record.
            events.record(ticket, "action_failed", None, now, reason=f"risk #{risk.pk}",
                          error=exc.message)


def can_manage(viewer: Viewer, pack: Any, risk: Risk | None = None) -> bool:
    """Return whether ``viewer`` sees the whole register: managers, the register's owner
    (the risk manager) and the owners named by its routes; a risk's own owner manages it."""
    if viewer.is_manager:
        return True
    if not viewer.is_agent or viewer.agent is None:
        return False
    if risk is not None and risk.owner_id == viewer.agent.pk:
        return True
    register = getattr(pack, "risks", None)
    if register is None:
        return False
    now = clock.now()
    for recipient in [register.owner, *(r.owner for r in register.routes)]:
        if any(a.pk == viewer.agent.pk for a in owners_for(pack, recipient, now)):
            return True
    return False


@transaction.atomic(durable=True)
def risk_update(*, viewer: Viewer, pack: Any, risk: Risk, status: str | None = None,
                resolution: str | None = None, reviewed: bool = False,
                owner: Agent | None = None) -> Risk:
    """Change a risk's status or owner, or record this week's review (the next review
    date moves ``review_within`` on)."""
    risk = Risk.objects.select_for_update().get(pk=risk.pk)
    if not can_manage(viewer, pack, risk):
        raise Forbidden("only the risk's owner, the risk manager and managers change it")
    register = register_of(pack)
    now = clock.now()
    if status is not None:
        if status not in Risk.Status.values:
            raise ServiceError(f"unknown status {status!r}; valid: "
                               f"{', '.join(Risk.Status.values)}", field="status")
        risk.status = status
        risk.closed_at = now if status == Risk.Status.CLOSED else None
    if resolution is not None:
        risk.resolution = resolution
    if owner is not None:
        risk.owner = owner
        risk.owner_label = str(owner)
    if reviewed:
        risk.review_at = now + register.review_within
    risk.updated_at = now
    risk.save()
    if risk.ticket_id:
        events.record(risk.ticket, "risk_updated", viewer.user, now, risk=risk.pk,
                      status=risk.status, reviewed=reviewed)
    return risk


def remind_due(*, now: datetime, batch: int = 200) -> int:
    """Email each open risk's owner once per review date that has come; return how many.
    Claimed by a conditional update, so two runners never remind twice."""
    due = (Risk.objects.filter(review_at__lte=now).exclude(status=Risk.Status.CLOSED)
           .exclude(reminded_for=F("review_at")).select_related("owner__user").order_by("review_at")[:batch])
    sent = 0
    for risk in due:
        if risk.reminded_for == risk.review_at:
            continue
        claimed = Risk.objects.filter(pk=risk.pk, reminded_for=risk.reminded_for).update(
            reminded_for=risk.review_at)
        if claimed != 1 or risk.owner is None:
            continue
        outbox.enqueue_email(
            to=risk.owner.user.email, at=now, template="risk:review_due",
            ticket_id=risk.ticket_id,
            subject=f"[Risk #{risk.pk}] review due: {risk.category} ({risk.score})",
            body=f"The risk \"{risk.description[:200]}\" is due for review "
                 f"({risk.review_at:%Y-%m-%d}).")
        sent += 1
    return sent


def review_since(pack: Any, now: datetime) -> datetime:
    """Return the start of the last weekly review day at or before ``now`` (UTC)."""
    from tierdesk.policy.schema_risk import WEEKDAYS

    register = register_of(pack)
    day = WEEKDAYS.index(register.review_day)
    midnight = now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return midnight - timedelta(days=(midnight.weekday() - day) % 7)
