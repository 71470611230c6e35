"""Load past tickets with their history, their clocks computed as if it had happened then.

1. Each line is validated, then imported in its own transaction: a bad line changes
   nothing of itself and never stops the others (per line, not all-or-nothing; fix the
   bad lines and import the whole file again: the good ones are skipped as duplicates).
2. The ticket, its messages, status changes and escalations are written with their own
   timestamps, as the audit events the live services write; the SLA clocks are replayed
   from those events (``sla_refresh`` at each event's instant), and a warning or breach
   that fell between two events is recorded at its due instant, as a sweep running then
   would have. The system clock never dates anything.
3. History is not re-enacted: the pack's rules do not run and nothing is sent (no
   acknowledgement, notification or apology for the past). An imported ticket that is
   still open is live from then on: the next sweep breaches a clock already overdue (with
   the pack's breach actions, as for any open ticket), and its next change runs the rules.
4. Idempotent by external id: the same line again is skipped; a changed line under an
   imported external id is a conflict and changes nothing (the audit log is append-only,
   so history is never rewritten).
"""

import hashlib
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from pydantic import ValidationError

from tierdesk import clock
from tierdesk.common.errors import Forbidden, ServiceError
from tierdesk.customers.models import Contact, Organisation
from tierdesk.imports.models import ImportedTicket
from tierdesk.imports.schemas import TicketLine, error_message, error_path
from tierdesk.packs.selectors import active_pack, active_version
from tierdesk.people.access import Viewer
from tierdesk.people.models import Agent, Group, Role, Tier
from tierdesk.sla import services as sla
from tierdesk.sla.models import SlaTarget
from tierdesk.tickets import events, priorities
from tierdesk.tickets.classification import classify_new_ticket
from tierdesk.tickets.models import Channel, Message, Ticket
from tierdesk.tickets.services import _apply, normalise_tags
from tierdesk.tickets.statuses import CLOSED, NEW, OPEN, PENDING, SOLVED, check_transition

# History has happened: an instant later than this past the clock is refused.
FUTURE_TOLERANCE = timedelta(minutes=1)
# At one instant, a message comes before an escalation, which comes before a status change
# (an agent answers, then solves).
_ORDER = {"messages": 0, "escalations": 1, "status_changes": 2}


@dataclass
class LineOutcome:
    """What became of one line: ``created``, ``duplicate``, ``conflict`` or ``error``."""

    line: int
    outcome: str
    external_id: str | None = None
    ticket_id: int | None = None
    field: str | None = None
    message: str = ""

    def __str__(self) -> str:
        where = f"{self.field}: " if self.field else ""
        ref = f" ({self.external_id})" if self.external_id else ""
        if self.outcome == "created":
            return f"line {self.line}: created #{self.ticket_id}{ref}"
        if self.outcome == "duplicate":
            return f"line {self.line}: skipped duplicate of #{self.ticket_id}{ref}"
        return f"line {self.line}: {self.outcome}: {where}{self.message}"


@dataclass
class ImportReport:
    lines: list[LineOutcome] = field(default_factory=list)

    def count(self, outcome: str) -> int:
        return sum(1 for line in self.lines if line.outcome == outcome)

    @property
    def ok(self) -> bool:
        return all(line.outcome in ("created", "duplicate") for line in self.lines)

    def summary(self) -> str:
        return (f"created {self.count('created')}, skipped {self.count('duplicate')} "
                f"duplicate(s), {self.count('conflict')} conflict(s), "
                f"{self.count('error')} error(s)")


class _LineError(Exception):
    def __init__(self, field: str | None, message: str) -> None:
        super().__init__(message)
        self.field, self.message = field, message


def require_admin(viewer: Viewer) -> None:
    """Only an administrator (or the platform itself, for the CLI) loads history."""
    user = viewer.user
    admin = viewer.system or (viewer.is_agent and viewer.agent.role == Role.ADMIN) or bool(
        user is not None and user.is_active and user.is_superuser)
    if not admin:
        raise Forbidden("only administrators may import tickets")


def import_tickets(*, viewer: Viewer, text: str) -> ImportReport:
    """Import a JSON array of tickets, or JSON lines (one ticket per line); return every
    line's outcome. Refuses a body that is neither, before anything is written."""
    require_admin(viewer)
    report = ImportReport()
    for number, item in _items(text):
        report.lines.append(_import_item(viewer, number, item))
    return report


class _BadJson:
    def __init__(self, message: str) -> None:
        self.message = message


def _items(text: str) -> list[tuple[int, Any]]:
    """Return (line number, parsed object or _BadJson) for each ticket of the body."""
    if text.lstrip().startswith("{"):
        try:  # one ticket, perhaps pretty-printed over several lines
            single = json.loads(text)
        except json.JSONDecodeError:
            single = None
        if isinstance(single, dict):
            return [(1, single)]
    if text.lstrip().startswith("["):
        try:
            items = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ServiceError(f"not a JSON array: {exc.msg} (line {exc.lineno}, column "
                               f"{exc.colno})", field="body") from None
        return list(enumerate(items, start=1))
    out: list[tuple[int, Any]] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            out.append((number, json.loads(raw)))
        except json.JSONDecodeError as exc:
            out.append((number, _BadJson(f"not valid JSON: {exc.msg} (column {exc.colno})")))
    if not out:
        raise ServiceError("no tickets: send a JSON array or one JSON object per line",
                           field="body")
    return out


def _import_item(viewer: Viewer, number: int, item: Any) -> LineOutcome:
    if isinstance(item, _BadJson):
        return LineOutcome(number, "error", field=None, message=item.message)
    if not isinstance(item, dict):
        return LineOutcome(number, "error", message="a ticket must be a JSON object")
    try:
        line = TicketLine.model_validate(item)
    except ValidationError as exc:
        first = exc.errors()[0]
        return LineOutcome(number, "error", external_id=_str_or_none(item.get("external_id")),
                           field=error_path(first["loc"]), message=error_message(first))
    fingerprint = hashlib.sha256(json.dumps(
        line.model_dump(mode="json"), sort_keys=True).encode()).hexdigest()
    try:
        previous = _previous(line.external_id)
        if previous is None:
            ticket = _import_line(viewer=viewer, line=line, fingerprint=fingerprint)
            return LineOutcome(number, "created", line.external_id, ticket.pk)
    except _LineError as exc:
        return LineOutcome(number, "error", line.external_id, field=exc.field,
                           message=exc.message)
    except IntegrityError:
        # A concurrent import of the same external id committed first.
        previous = _previous(line.external_id)
        if previous is None:
            raise
    if previous.fingerprint == fingerprint:
        return LineOutcome(number, "duplicate", line.external_id, previous.ticket_id)
    return LineOutcome(number, "conflict", line.external_id, previous.ticket_id,
                       field="external_id",
                       message=f"{line.external_id} was imported as #{previous.ticket_id} "
                               f"with other content; nothing changed (imported history "
                               f"is never rewritten)")


def _str_or_none(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _previous(external_id: str) -> ImportedTicket | None:
    return ImportedTicket.objects.filter(external_id=external_id).first()


@transaction.atomic(durable=True)
def _import_line(*, viewer: Viewer, line: TicketLine, fingerprint: str) -> Ticket:
    """Write one ticket and its history, each event at its own instant (steps 2-3)."""
    contact = _requester(line)
    steps = _timeline(line)
    fields: dict[str, Any] = {
        "subject": line.subject.strip(), "requester": contact,
        "channel": _channel(line.channel, "channel"), "priority": line.priority,
        "category": line.category, "error_code": line.error_code.strip().upper(),
        "language": line.language or contact.language or _org_language(contact),
        "tags": _tags(line.tags), "custom_fields": {},
    }
    if line.priority:
        _check(lambda: priorities.check(line.priority), "priority")
    fields.update(classify_new_ticket(fields, line.body))
    if line.priority:
        fields["classified_by"] = "import"
    version = active_version()
    if version is not None:
        fields["sla_pack_version"] = version
    start = line.created_at.astimezone(UTC)
    ticket = Ticket.objects.create(organisation=contact.organisation, created_at=start,
                                   updated_at=start, status=NEW, **fields)
    first = Message.objects.create(ticket=ticket, kind=Message.Kind.REPLY, author=contact.user,
                                   body_text=line.body, channel=ticket.channel,
                                   created_at=start)
    created = events.created(
        ticket, contact.user, start, subject=ticket.subject, channel=ticket.channel,
        priority=ticket.priority, status=ticket.status, requester=contact.pk,
        organisation=ticket.organisation_id, message_id=first.pk,
        classified_by=ticket.classified_by, category=ticket.category,
        imported={"external_id": line.external_id,
                  "by": viewer.user.pk if viewer.user is not None else None})
    sla.sla_refresh(ticket=ticket, now=start, reason="created", actor=contact.user,
                    created=created)
    agents: dict[str, Agent] = {}
    for at, kind, index, step in steps:
        _sweep_until(ticket, at)
        path = f"{kind}[{index}]"
        if kind == "messages":
            _message(ticket, contact, step, at, path, agents)
        elif kind == "status_changes":
            _status(ticket, step.status, at, path)
        else:
            _escalation(ticket, step, at, path)
    ImportedTicket.objects.create(external_id=line.external_id, ticket=ticket,
                                  fingerprint=fingerprint, imported_by=viewer.user,
                                  imported_at=clock.now())
    return ticket


def _check(call, path: str) -> None:
    """Run a ticket-service check, naming the line's field when it refuses."""
    try:
        call()
    except ServiceError as exc:
        raise _LineError(path, exc.message) from None


def _channel(value: str, path: str) -> str:
    if value not in Channel.values:
        raise _LineError(path, f"unknown channel {value!r} (known: "
                               f"{', '.join(Channel.values)})")
    return value


def _tags(tags: list[str]) -> list[str]:
    try:
        return normalise_tags(tags)
    except ServiceError as exc:
        raise _LineError("tags", exc.message) from None


def _org_language(contact: Contact) -> str:
    return contact.organisation.language if contact.organisation_id else "en"


def _timeline(line: TicketLine) -> list[tuple[datetime, str, int, Any]]:
    """Every later step, oldest first; refuse one before the ticket or in the future."""
    latest = clock.now() + FUTURE_TOLERANCE
    if line.created_at > latest:
        raise _LineError("created_at", "is in the future: only past tickets can be imported")
    steps = []
    for kind in ("messages", "status_changes", "escalations"):
        for index, step in enumerate(getattr(line, kind)):
            at = step.created_at if kind == "messages" else step.at
            name = "created_at" if kind == "messages" else "at"
            if at < line.created_at:
                raise _LineError(f"{kind}[{index}].{name}",
                                 "is before the ticket's created_at")
            if at > latest:
                raise _LineError(f"{kind}[{index}].{name}", "is in the future")
            steps.append((at.astimezone(UTC), kind, index, step))
    return sorted(steps, key=lambda s: (s[0], _ORDER[s[1]], s[2]))


def _requester(line: TicketLine) -> Contact:
    """Find the requester by external id, else email; create them if new (then the
    organisation must be given)."""
    org = None
    if line.organisation:
        org = (Organisation.objects.filter(external_id=line.organisation).first()
               or Organisation.objects.filter(name=line.organisation).first())
        if org is None:
            raise _LineError("organisation", f"unknown organisation {line.organisation!r} "
                                             f"(give its external id or name)")
    who = line.requester
    query = Contact.objects.select_related("organisation", "user")
    contact = None
    if who.external_id:
        contact = query.filter(external_id=who.external_id).first()
    if contact is None and who.email:
        contact = query.filter(email=who.email.strip().lower()).first()
    if contact is not None:
        if org is not None and contact.organisation_id != org.pk:
            raise _LineError("organisation", f"{contact.email} belongs to "
                                             f"{contact.organisation or 'no organisation'}, "
                                             f"not {org}")
        return contact
    if not who.email:
        raise _LineError("requester.external_id", f"no contact with external id "
                                                  f"{who.external_id!r}; give an email to "
                                                  f"create one")
    if org is None:
        raise _LineError("organisation", f"{who.email} is a new contact: name their "
                                         f"organisation")
    contact = Contact(name=who.name or who.email, email=who.email.strip().lower(),
                      organisation=org, external_id=who.external_id, language=who.language)
    try:
        contact.full_clean()
    except DjangoValidationError as exc:
        name, messages = next(iter(exc.message_dict.items()))
        raise _LineError(f"requester.{name}", "; ".join(messages)) from None
    contact.save()
    return contact


def _sweep_until(ticket: Ticket, until: datetime) -> None:
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


def _message(ticket: Ticket, contact: Contact, step: Any, at: datetime, path: str,
             agents: dict[str, Agent]) -> None:
    if ticket.status == CLOSED:
        raise _LineError(path, "the ticket is closed by then: a closed ticket takes no "
                               "messages")
    by = step.author
    if by == "customer" and not step.public:
        raise _LineError(f"{path}.public", "a customer cannot write an internal note")
    if by == "customer" and step.agent:
        raise _LineError(f"{path}.agent", "a customer's message names no agent")
    user = contact.user
    if by == "agent":
        user = _agent(step.agent, f"{path}.agent", agents).user if step.agent else None
    channel = _channel(step.channel, f"{path}.channel") if step.channel else ticket.channel
    kind = Message.Kind.REPLY if step.public else Message.Kind.NOTE
    message = Message.objects.create(ticket=ticket, kind=kind, author=user,
                                     body_text=step.body, channel=channel, created_at=at)
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
            raise _LineError(path, f"no agent with email or username {name!r}")
        agents[name] = agent
    return agents[name]


def _status(ticket: Ticket, status: str, at: datetime, path: str) -> None:
    if status == ticket.status:
        raise _LineError(f"{path}.status", f"the ticket is already {status} by then")
    _check(lambda: check_transition(ticket.status, status), f"{path}.status")
    changes: dict[str, Any] = {"status": status, "updated_at": at}
    if status == SOLVED:
        changes["solved_at"] = at
    elif status == CLOSED:
        changes["closed_at"] = at
    elif ticket.status == SOLVED:
        changes["solved_at"] = None
    _apply(ticket, _as(None), at, changes, reason="imported")
    sla.sla_refresh(ticket=ticket, now=at, reason="status changed")


def _escalation(ticket: Ticket, step: Any, at: datetime, path: str) -> None:
    """Record a past escalation: the tier or unit the ticket went to, and its queue."""
    from tierdesk.escalation.models import Escalation

    pack = active_pack()
    tiers = [t.code for t in pack.tiers] if pack is not None else []
    units = {u.code for u in pack.units} if pack is not None else set()
    if step.to not in tiers and step.to not in units:
        known = ", ".join([*tiers, *sorted(units)]) or "none: no policy pack is active"
        raise _LineError(f"{path}.to", f"unknown tier or unit {step.to!r} (known: {known})")
    if ticket.status == CLOSED:
        raise _LineError(path, "the ticket is closed by then: it cannot be escalated")
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
