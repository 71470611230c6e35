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
from pydantic import ValidationError

from tierdesk import clock
from tierdesk.common.errors import Forbidden, ServiceError
from tierdesk.customers.models import Contact, Organisation
from tierdesk.imports import steps
from tierdesk.imports.models import ImportedTicket
from tierdesk.imports.schemas import TicketLine, error_message, error_path
from tierdesk.imports.steps import LineError
from tierdesk.packs.selectors import active_version
from tierdesk.people.access import Viewer
from tierdesk.people.models import Agent, Role
from tierdesk.sla import services as sla
from tierdesk.tickets import events, priorities
from tierdesk.tickets.classification import classify_new_ticket
from tierdesk.tickets.models import Message, Ticket
from tierdesk.tickets.search import index_ticket
from tierdesk.tickets.services import normalise_tags
from tierdesk.tickets.statuses import NEW

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
    except LineError as exc:
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
    timeline = _timeline(line)
    fields: dict[str, Any] = {
        "subject": line.subject.strip(), "requester": contact,
        "channel": steps.channel(line.channel, "channel"), "priority": line.priority,
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
    for at, kind, index, step in timeline:
        steps.sweep_until(ticket, at)
        path = f"{kind}[{index}]"
        if kind == "messages":
            steps.write_message(ticket, contact, step, at, path, agents)
        elif kind == "status_changes":
            steps.write_status(ticket, step.status, at, path)
        else:
            steps.write_escalation(ticket, step, at, path)
    ticket.refresh_from_db()
    index_ticket(ticket)  # searchable like any ticket: subject, messages, notes
    ImportedTicket.objects.create(external_id=line.external_id, ticket=ticket,
                                  fingerprint=fingerprint, imported_by=viewer.user,
                                  imported_at=clock.now())
    return ticket


def _check(call, path: str) -> None:
    """Run a ticket-service check, naming the line's field when it refuses."""
    try:
        call()
    except ServiceError as exc:
        raise LineError(path, exc.message) from None


def _tags(tags: list[str]) -> list[str]:
    try:
        return normalise_tags(tags)
    except ServiceError as exc:
        raise LineError("tags", exc.message) from None


def _org_language(contact: Contact) -> str:
    return contact.organisation.language if contact.organisation_id else "en"


def _timeline(line: TicketLine) -> list[tuple[datetime, str, int, Any]]:
    """Every later step, oldest first; refuse one before the ticket or in the future."""
    latest = clock.now() + FUTURE_TOLERANCE
    if line.created_at > latest:
        raise LineError("created_at", "is in the future: only past tickets can be imported")
    out = []
    for kind in ("messages", "status_changes", "escalations"):
        for index, step in enumerate(getattr(line, kind)):
            at = step.created_at if kind == "messages" else step.at
            name = "created_at" if kind == "messages" else "at"
            if at < line.created_at:
                raise LineError(f"{kind}[{index}].{name}",
                                 "is before the ticket's created_at")
            if at > latest:
                raise LineError(f"{kind}[{index}].{name}", "is in the future")
            out.append((at.astimezone(UTC), kind, index, step))
    return sorted(out, key=lambda s: (s[0], _ORDER[s[1]], s[2]))


def _requester(line: TicketLine) -> Contact:
    """Find the requester by external id, else email; create them if new (then the
    organisation must be given)."""
    org = None
    if line.organisation:
        org = (Organisation.objects.filter(external_id=line.organisation).first()
               or Organisation.objects.filter(name=line.organisation).first())
        if org is None:
            raise LineError("organisation", f"unknown organisation {line.organisation!r} "
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
            raise LineError("organisation", f"{contact.email} belongs to "
                                             f"{contact.organisation or 'no organisation'}, "
                                             f"not {org}")
        return contact
    if not who.email:
        raise LineError("requester.external_id", f"no contact with external id "
                                                  f"{who.external_id!r}; give an email to "
                                                  f"create one")
    if org is None:
        raise LineError("organisation", f"{who.email} is a new contact: name their "
                                         f"organisation")
    contact = Contact(name=who.name or who.email, email=who.email.strip().lower(),
                      organisation=org, external_id=who.external_id, language=who.language)
    try:
        contact.full_clean()
    except DjangoValidationError as exc:
        name, messages = next(iter(exc.message_dict.items()))
        raise LineError(f"requester.{name}", "; ".join(messages)) from None
    contact.save()
    return contact
