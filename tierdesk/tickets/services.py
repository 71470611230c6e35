"""Ticket services: the only code that changes tickets. One transaction per call, each
change written as a ``TicketEvent`` and any mail queued in the outbox for after commit."""

import hashlib
import json
import re
from collections.abc import Iterable
from typing import Any

import nh3
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from tierdesk import clock
from tierdesk.common import prepared
from tierdesk.common.errors import Conflict, Forbidden, ServiceError
from tierdesk.customers.models import Contact
from tierdesk.languages.detection import UNDETERMINED, detect_for_pack
from tierdesk.outbox import services as outbox
from tierdesk.packs.selectors import active_pack, active_version
from tierdesk.people.access import Viewer
from tierdesk.people.models import Agent, Group
from tierdesk.rules import engine as rules
from tierdesk.sla import services as sla
from tierdesk.tickets import batch, events, priorities, search
from tierdesk.tickets.channel_rules import check_channel
from tierdesk.tickets.classification import classify_new_ticket
from tierdesk.tickets.close_rules import check_close
from tierdesk.tickets.group_moves import check_group_move
from tierdesk.tickets.locking import locked
from tierdesk.tickets.mail_templates import acknowledgement
from tierdesk.tickets.models import Channel, IdempotencyKey, Message, Ticket
from tierdesk.tickets.statuses import CLOSED, NEW, OPEN, PENDING, SOLVED, check_transition

TAG_RE = re.compile(r"^[a-z0-9][a-z0-9_\-:.]{0,63}$")
EDITABLE_FIELDS = (
    "subject", "priority", "status", "category", "error_code", "language", "tags",
    "custom_fields", "group", "assignee", "tier",
)


def normalise_tags(tags: Iterable[str]) -> list[str]:
    """Return lower-case, de-duplicated tags in input order; refuse malformed ones."""
    out: list[str] = []
    for raw in tags:
        tag = str(raw).strip().lower()
        if not TAG_RE.match(tag):
            raise ServiceError(
                f"tag {raw!r} must be 1-64 characters of a-z, 0-9, '_', '-', ':', '.'",
                field="tags",
            )
        if tag not in out:
            out.append(tag)
    return out


def request_fingerprint(data: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()


def _require_agent(viewer: Viewer, action: str) -> None:
    if not viewer.is_agent:
        raise Forbidden(f"only agents may {action}")


def ticket_create(
    *,
    viewer: Viewer,
    subject: str,
    body: str,
    requester: Contact,
    channel: str = Channel.PORTAL,
    body_html: str = "",
    priority: str = "",
    category: str = "",
    error_code: str = "",
    language: str = "",
    tags: Iterable[str] = (),
    custom_fields: dict[str, Any] | None = None,
    group: Group | None = None,
    idempotency_key: str | None = None,
    fingerprint: str = "",
    route_language: bool = False,
) -> tuple[Ticket, bool]:
    """Open a ticket with its first message; return ``(ticket, created)``.

    With an ``idempotency_key`` a retried call returns the first ticket (``created`` is
    False) instead of making a second one; the same key with a different request is a
    conflict, as in Stripe's API. With ``route_language`` (customer intake: the portal,
    the API, mail) the ticket's language is read from its text when neither the requester
    nor their organisation chose one, and it goes to an agent who speaks it
    (``tierdesk.languages``).
    """
    fields = _create_fields(
        viewer=viewer, subject=subject, body=body, body_html=body_html, requester=requester,
        channel=channel, priority=priority, category=category, error_code=error_code,
        language=language, tags=tags, custom_fields=custom_fields, group=group)
    fields["route_language"] = route_language
    try:
        return _ticket_create_atomic(viewer=viewer, idempotency_key=idempotency_key,
                                     fingerprint=fingerprint, **fields)
    except IntegrityError:
        # A concurrent request with the same key committed first (PostgreSQL): answer
        # with its ticket.
        if idempotency_key is None:
            raise
        existing = _replay(viewer, idempotency_key, fingerprint)
        if existing is None:
            raise
        return existing, False


def create(*, viewer: Viewer, subject: str, body: str, requester: Contact,
           channel: str = Channel.PORTAL, body_html: str = "", language: str = "",
           tags: Iterable[str] = (), priority: str = "",
           route_language: bool = False) -> Ticket:
    """``ticket_create`` for intake services that compose it inside their own transaction
    (the mail intake stores the mail's files and thread with the ticket; a chat, a Slack
    thread or a phone call their own rows), all or nothing."""
    return create_with_message(
        viewer=viewer, subject=subject, body=body, requester=requester, channel=channel,
        body_html=body_html, language=language, tags=tags, priority=priority,
        route_language=route_language)[0]


def create_with_message(*, viewer: Viewer, subject: str, body: str, requester: Contact,
                        channel: str = Channel.PORTAL, body_html: str = "",
                        language: str = "", tags: Iterable[str] = (), priority: str = "",
                        route_language: bool = False) -> tuple[Ticket, Message]:
    """``create``, also returning the first message (the mail intake files the mail's
    attachments on it)."""
    fields = _create_fields(
        viewer=viewer, subject=subject[:300], body=body, body_html=body_html,
        requester=requester, channel=channel, priority=priority, category="", error_code="",
        language=language, tags=tags, custom_fields=None, group=None)
    fields["route_language"] = route_language
    with batch.writing():
        return _ticket_create_rows(viewer=viewer, idempotency_key=None, fingerprint="",
                                   **fields)


def _create_fields(*, viewer: Viewer, subject: str, body: str, body_html: str,
                   requester: Contact, channel: str, priority: str, category: str,
                   error_code: str, language: str, tags: Iterable[str],
                   custom_fields: dict[str, Any] | None, group: Group | None) -> dict[str, Any]:
    """Check a new ticket's fields (nothing written yet); return them cleaned."""
    if viewer.is_customer and requester.organisation_id != viewer.organisation_id:
        raise Forbidden("customers may only open tickets for their own organisation")
    if viewer.is_customer and (priority or group or custom_fields):
        raise Forbidden("customers cannot set priority, group or custom fields")
    if not subject.strip():
        raise ServiceError(_("subject must not be empty"), field="subject")
    if not body.strip():
        raise ServiceError(_("body must not be empty"), field="body")
    if channel not in Channel.values:
        raise ServiceError(f"unknown channel {channel!r}", field="channel")
    if priority:
        priorities.check(priority)
    clean_tags = normalise_tags(tags)
    return dict(
        subject=subject.strip(), body=body, body_html=body_html,
        requester=requester, channel=channel, priority=priority, category=category,
        error_code=error_code.strip().upper(), tags=clean_tags,
        # "" still: the create reads the text (``route_language``), else the organisation's
        language=language or requester.language,
        custom_fields=custom_fields or {}, group=group,
    )


def _org_language(requester: Contact) -> str:
    return requester.organisation.language if requester.organisation_id else "en"


def _replay(viewer: Viewer, key: str, fingerprint: str) -> Ticket | None:
    row = IdempotencyKey.objects.filter(user=viewer.user, key=key).select_related("ticket").first()
    if row is None:
        return None
    if fingerprint and row.fingerprint != fingerprint:
        raise Conflict(
            "this Idempotency-Key was already used with a different request",
            field="Idempotency-Key",
        )
    return row.ticket


@transaction.atomic(durable=True)
def _ticket_create_atomic(
    *, viewer: Viewer, idempotency_key: str | None, fingerprint: str, body: str,
    body_html: str, **fields: Any,
) -> tuple[Ticket, bool]:
    if idempotency_key is not None:
        existing = _replay(viewer, idempotency_key, fingerprint)
        if existing is not None:
            return existing, False
    with batch.writing():
        ticket, _message = _ticket_create_rows(
            viewer=viewer, idempotency_key=idempotency_key, fingerprint=fingerprint,
            body=body, body_html=body_html, **fields)
    return ticket, True


def _ticket_create_rows(
    *, viewer: Viewer, idempotency_key: str | None, fingerprint: str, body: str,
    body_html: str, **fields: Any,
) -> tuple[Ticket, Message]:
    now = clock.now()
    requester: Contact = fields["requester"]
    pack = active_pack()
    # Only a pack serving several languages has a choice to make: one language costs nothing.
    by_language = fields.pop("route_language", False) and _multilingual(pack)
    if not fields["language"]:
        # The organisation's language when it chose one (DataFlow: Spanish for Enterprise
        # customers); every organisation starts on the pack's default, which the text beats.
        declared = _org_language(requester)
        read = by_language and declared == pack.default_language
        fields["language"] = (_detected(body, pack) if read else "") or declared
    fields.update(classify_new_ticket(fields, body))
    # Refused before the first write: the priority is known now, the ticket not yet made.
    check_channel(pack=pack, channel=fields["channel"],
                  priority=fields.get("priority") or "",
                  organisation=requester.organisation, now=now)
    version = active_version()
    if version is not None:
        fields["sla_pack_version"] = version  # set by the SLA refresh below; saves an UPDATE
    ticket = prepared.create(
        Ticket, organisation=requester.organisation, created_at=now, updated_at=now,
        status=NEW, created_by=viewer.user, **fields,
    )
    batch.hold(ticket, created=True)
    message = prepared.create(
        Message, ticket=ticket, kind=Message.Kind.REPLY, author=viewer.user, body_text=body,
        body_html=nh3.clean(body_html) if body_html else "", channel=ticket.channel,
        created_at=now,
    )
    org = requester.organisation if requester.organisation_id else None
    group_code, group_name, _tier = events.named(ticket.group)
    search.index_new_ticket(ticket, body)
    created_event = events.created(
        ticket, viewer.user, now, subject=ticket.subject, channel=ticket.channel,
        priority=ticket.priority, priority_name=events.priority_name(ticket.priority),
        status=ticket.status, requester=requester.pk, requester_name=requester.name,
        organisation=ticket.organisation_id, organisation_name=org.name if org else None,
        group=group_code, group_name=group_name, message_id=message.pk,
        classified_by=ticket.classified_by, category=ticket.category,
    )
    if idempotency_key is not None:
        IdempotencyKey.objects.create(
            user=viewer.user, key=idempotency_key, fingerprint=fingerprint, ticket=ticket,
            created_at=now,
        )
    # Exactly one acknowledgement: the pack's template when it declares one.
    ack = acknowledgement(pack=active_pack() if version is not None else None, ticket=ticket)
    outbox.enqueue_email(to=requester.email, ticket_id=ticket.pk, template=ack.template,
                         subject=ack.subject, body=ack.body, at=now)
    sla.sla_refresh(ticket=ticket, now=now, reason="created", actor=viewer.user,
                    created=created_event)
    rules.on_event(ticket=ticket, event="created", now=now, fresh=True)
    if by_language and ticket.language != pack.default_language:
        # Every agent speaks the pack's own language: only a ticket in another one needs a
        # speaker picked (and the queue keeps the rest for whoever takes them next).
        # languages builds on tickets: imported here, as the KB is (tickets.knowledge)
        from tierdesk.languages.services import route_by_language

        route_by_language(ticket=ticket)
    return ticket, message


def _multilingual(pack: Any) -> bool:
    return pack is not None and len(set(pack.languages or ())) > 1


def _detected(body: str, pack: Any) -> str:
    """Return the language of ``body`` among the pack's (lingua reads its first 4,000
    characters), or "" when too short to tell."""
    found = detect_for_pack(body, pack)
    return "" if found == UNDETERMINED else found


@transaction.atomic(durable=True)
def ticket_reply(*, ticket: Ticket, viewer: Viewer, body: str, body_html: str = "",
                 channel: str = Channel.PORTAL, external_id: str | None = None) -> Message:
    """Add a public reply. An agent's first reply opens a new ticket; a customer's reply
    re-opens a pending or solved one (its SLA clock runs again)."""
    return reply(ticket=ticket, viewer=viewer, body=body, body_html=body_html,
                 channel=channel, external_id=external_id)


@batch.writes
def reply(*, ticket: Ticket, viewer: Viewer, body: str, body_html: str = "",
          channel: str = Channel.PORTAL, external_id: str | None = None) -> Message:
    """``ticket_reply`` for services that compose it inside their own transaction."""
    if not body.strip():
        raise ServiceError(_("body must not be empty"), field="body")
    ticket = locked(ticket)
    if ticket.status == CLOSED:
        raise ServiceError(_("a closed ticket takes no replies; open a follow-up ticket"),
                           field="ticket_id")
    now = clock.now()
    message = prepared.create(
        Message, ticket=ticket, kind=Message.Kind.REPLY, author=viewer.user, body_text=body,
        body_html=nh3.clean(body_html) if body_html else "", channel=channel,
        external_id=external_id, created_at=now,
    )
    search.index_ticket(ticket)
    events.message_added(ticket, viewer.user, now, message.pk, "reply",
                         by="agent" if viewer.is_agent else "customer")
    changes: dict[str, Any] = {"updated_at": now}
    if viewer.is_agent:
        if ticket.first_responded_at is None:
            changes["first_responded_at"] = now
        if ticket.status == NEW:
            changes["status"] = OPEN
        outbox.enqueue_email(
            to=ticket.requester.email, ticket_id=ticket.pk, template="agent_reply",
            subject=f"[Ticket #{ticket.pk}] {ticket.subject}", body=body, at=now,
            from_name=str(viewer.agent) if viewer.agent is not None else "",
        )
    elif ticket.status in (PENDING, SOLVED):
        changes["status"] = OPEN
    after_change(ticket=ticket, viewer=viewer, now=now, changes=changes, reason="reply",
                 event="replied", sla_reason="reply")
    return message


@transaction.atomic(durable=True)
def ticket_add_note(*, ticket: Ticket, viewer: Viewer, body: str) -> Message:
    """Add an internal note: agents only, never shown or mailed to the requester."""
    return add_note(ticket=ticket, viewer=viewer, body=body)


@batch.writes
def add_note(*, ticket: Ticket, viewer: Viewer, body: str) -> Message:
    """``ticket_add_note`` for services that compose it inside their own transaction."""
    _require_agent(viewer, "add internal notes")
    if not body.strip():
        raise ServiceError("body must not be empty", field="body")
    ticket = locked(ticket)
    now = clock.now()
    message = prepared.create(
        Message, ticket=ticket, kind=Message.Kind.NOTE, author=viewer.user, body_text=body,
        created_at=now,
    )
    search.index_ticket(ticket)
    events.message_added(ticket, viewer.user, now, message.pk, "note", by="agent")
    _apply(ticket, viewer, now, {"updated_at": now})
    return message


@transaction.atomic(durable=True)
def ticket_update(*, ticket: Ticket, viewer: Viewer, changes: dict[str, Any],
                  reason: str = "") -> Ticket:
    """Change any editable fields at once; one event per field that really changed."""
    return update(ticket=ticket, viewer=viewer, changes=changes, reason=reason)


@batch.writes
def update(*, ticket: Ticket, viewer: Viewer, changes: dict[str, Any],
           reason: str = "") -> Ticket:
    """``ticket_update`` for services that compose it inside their own transaction."""
    _require_agent(viewer, "edit tickets")
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ServiceError(f"field {sorted(unknown)[0]!r} cannot be changed",
                           field=sorted(unknown)[0])
    ticket = locked(ticket)
    now = clock.now()
    clean = dict(changes)
    if "priority" in clean:
        priorities.check(clean["priority"])
    if "tags" in clean:
        clean["tags"] = normalise_tags(clean["tags"])
    if "group" in clean and getattr(clean["group"], "pk", None) != ticket.group_id:
        check_group_move(viewer=viewer, group=clean["group"])
    if "subject" in clean and not str(clean["subject"]).strip():
        raise ServiceError("subject must not be empty", field="subject")
    if "status" in clean and clean["status"] != ticket.status:
        check_transition(ticket.status, clean["status"])
        if clean["status"] == SOLVED:
            clean["solved_at"] = now
        elif clean["status"] == CLOSED:
            check_close(pack=active_pack(), ticket=ticket, viewer=viewer)
            clean["closed_at"] = now
        elif ticket.status == SOLVED:
            clean["solved_at"] = None
    clean["updated_at"] = now
    after_change(ticket=ticket, viewer=viewer, now=now, changes=clean, reason=reason)
    if search.INDEXED_FIELDS & clean.keys():
        search.index_ticket(ticket, messages_changed=False)
    return ticket


# What an SLA policy can match on (policy.when) or what moves its clocks (status).
SLA_FIELDS = ("priority", "status", "category", "channel", "language")


def after_change(*, ticket: Ticket, viewer: Viewer, now, changes: dict[str, Any],
                 reason: str = "", event: str = "updated", sla_reason: str = "") -> list[str]:
    """Save ``changes`` with their events, then let the SLA and the pack's rules react.

    Every service that changes a ticket ends here, so no change escapes the audit log,
    the SLA clocks or the rules.
    """
    changed = _apply(ticket, viewer, now, changes, reason=reason)
    why = sla_reason or ", ".join(f"{f} changed" for f in changed if f in SLA_FIELDS)
    if why:
        sla.sla_refresh(ticket=ticket, now=now, reason=why, actor=viewer.user)
    if changed or event != "updated":
        rules.on_event(ticket=ticket, event=event, now=now)
    if "status" in changed and ticket.status == CLOSED:
        rules.on_event(ticket=ticket, event="closed", now=now)
    return changed


def ticket_assign(*, ticket: Ticket, viewer: Viewer, assignee: Agent | None,
                  group: Group | None = None) -> Ticket:
    """Give the ticket to an agent (and optionally a group); ``assignee=None`` unassigns."""
    changes: dict[str, Any] = {"assignee": assignee}
    if group is not None:
        changes["group"] = group
    elif (assignee is not None and ticket.group_id is not None
          and not assignee.groups.filter(pk=ticket.group_id).exists()):
            raise ServiceError(f"{assignee} is not a member of group {ticket.group}",
                               field="assignee_id")
    return ticket_update(ticket=ticket, viewer=viewer, changes=changes)


def ticket_change_priority(*, ticket: Ticket, viewer: Viewer, priority: str,
                           reason: str = "") -> Ticket:
    return ticket_update(ticket=ticket, viewer=viewer, changes={"priority": priority},
                         reason=reason)


def ticket_change_status(*, ticket: Ticket, viewer: Viewer, status: str) -> Ticket:
    return ticket_update(ticket=ticket, viewer=viewer, changes={"status": status})


def ticket_close(*, ticket: Ticket, viewer: Viewer) -> Ticket:
    """Close a solved ticket; closing is final."""
    return ticket_update(ticket=ticket, viewer=viewer, changes={"status": CLOSED})


def ticket_reopen(*, ticket: Ticket, viewer: Viewer) -> Ticket:
    """Reopen a solved ticket; a closed one stays closed (a follow-up is a new ticket)."""
    return ticket_update(ticket=ticket, viewer=viewer, changes={"status": OPEN},
                         reason="reopened")


@transaction.atomic(durable=True)
def ticket_merge(*, source: Ticket, target: Ticket, viewer: Viewer) -> Ticket:
    """Fold ``source`` into ``target``: its messages move over, it is closed and linked."""
    _require_agent(viewer, "merge tickets")
    if source.pk == target.pk:
        raise ServiceError("a ticket cannot be merged into itself", field="target_id")
    source, target = locked(source), locked(target)
    if target.status == CLOSED:
        raise ServiceError("cannot merge into a closed ticket", field="target_id")
    if source.status == CLOSED:
        raise ServiceError("a closed ticket cannot be merged", field="ticket_id")
    now = clock.now()
    moved = Message.objects.filter(ticket=source).update(ticket=target)
    Message.objects.create(
        ticket=source, kind=Message.Kind.NOTE, author=viewer.user, created_at=now,
        body_text=f"Merged into ticket #{target.pk}.",
    )
    events.record(source, "merged_into", viewer.user, now, target=target.pk, messages=moved)
    events.record(target, "merged", viewer.user, now, source=source.pk, messages=moved)
    target.tags = normalise_tags([*target.tags, *source.tags])
    target.updated_at = now
    target.save(update_fields=["tags", "updated_at"])
    after_change(ticket=source, viewer=viewer, now=now, reason="merged", changes={
        "merged_into": target, "status": CLOSED, "closed_at": now, "updated_at": now})
    search.index_ticket(source)
    search.index_ticket(target)
    return target


def _apply(ticket: Ticket, viewer: Viewer, now, changes: dict[str, Any],
           reason: str = "") -> list[str]:
    """Save changed fields, write one event per audited field; return the changed fields."""
    silent = {"updated_at", "first_responded_at", "solved_at", "closed_at"}
    changed: list[str] = []
    for field, new in changes.items():
        old = getattr(ticket, field)
        if old == new:
            continue
        setattr(ticket, field, new)
        changed.append(field)
        if field in silent:
            continue
        extra = {"reason": reason} if reason else {}
        events.field_changed(ticket, viewer.user, now, field, old, new, **extra)
    batch.save_fields(ticket, changed)
    return changed
