"""What the ticket page shows, read once per request: one timeline of replies, notes and
audit events; the SLA clocks with their state; the requester's card; the pack's forms."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Any
from zoneinfo import ZoneInfo

from tierdesk.mail.selectors import quoted_texts
from tierdesk.packs.selectors import active_pack
from tierdesk.people.access import Viewer
from tierdesk.sla.models import SlaTarget
from tierdesk.sla.services import sla_state
from tierdesk.tickets.models import Channel, Message, Ticket, TicketEventType
from tierdesk.tickets.selectors import ticket_events, ticket_messages
from tierdesk.tickets.statuses import UNRESOLVED
from tierdesk.web.badges import sla_badge, time_tag

# These events only say "a message was added"; the message itself is in the timeline.
MESSAGE_EVENTS = {TicketEventType.REPLIED, TicketEventType.NOTE_ADDED}


@dataclass(frozen=True)
class Entry:
    kind: str  # "reply", "note" or "event"
    at: datetime
    author: str
    message: Message | None = None
    event_type: str = ""
    data: dict = field(default_factory=dict)
    event_id: int = 0  # the audit event behind the entry (a message's "replied" event)
    actor_id: int | None = None

    @cached_property
    def when(self) -> str:
        """The entry's ``<time>`` tag, built once in Python (two date filters per entry
        were a good part of a long timeline's render)."""
        return time_tag(self.at, css="")


def _name(user) -> str:
    if user is None:
        return "Tierdesk"
    return user.get_full_name() or user.username


def with_quoted_history(messages: Iterable[Message]) -> list[Message]:
    """Return the messages, each carrying ``quoted_text``: what the sender's mail client
    quoted under a mailed message (kept apart at intake, shown collapsed; "" for the
    rest). One query, and only when a message came by mail."""
    messages = list(messages)
    quoted = quoted_texts(message_ids=[m.pk for m in messages if m.channel == Channel.EMAIL])
    for m in messages:
        m.quoted_text = quoted.get(m.pk, "")
    return messages


def timeline(*, viewer: Viewer, ticket: Ticket) -> list[Entry]:
    return timeline_and_version(viewer=viewer, ticket=ticket)[0]


def timeline_and_version(*, viewer: Viewer, ticket: Ticket) -> tuple[list[Entry], int]:
    """Return replies, notes (agents only) and audit events (agents only) in time order,
    and the ticket's version: the id of its last audit event, which a reply form carries
    so the server can tell the ticket changed while the agent was writing."""
    events = list(ticket_events(ticket=ticket)) if viewer.is_agent else []
    version = max((e.pk for e in events), default=0)
    message_event = {e.data.get("message_id"): e.pk for e in events
                     if e.type in MESSAGE_EVENTS}
    entries = [
        Entry(kind=m.kind, at=m.created_at, author=_name(m.author), message=m,
              event_id=message_event.get(m.pk, 0), actor_id=m.author_id)
        for m in ticket_messages(viewer=viewer, ticket=ticket).select_related("author")
    ]
    entries += [
        Entry(kind="event", at=e.created_at, author=_name(e.actor), event_type=e.type,
              data=e.data, event_id=e.pk, actor_id=e.actor_id)
        for e in events if e.type not in MESSAGE_EVENTS
    ]
    entries.sort(key=lambda e: (e.at, 0 if e.kind != "event" else 1, e.event_id))
    return entries, version


# Clock bookkeeping changes nothing an agent writing a reply needs to re-read.
QUIET_EVENTS = ("sla_",)


def changed_since(*, entries: list[Entry], seen: int, viewer: Viewer) -> list[Entry]:
    """Return what others (people, rules) did to the ticket after version ``seen``."""
    return [e for e in entries
            if e.event_id > seen and e.actor_id != viewer.user.pk
            and not e.event_type.startswith(QUIET_EVENTS)]


@dataclass(frozen=True)
class ClockView:
    metric: str
    state: str  # "ok", "warned", "breached", "met", "paused"
    due_at: datetime | None
    breached_at: datetime | None
    met_at: datetime | None
    target_minutes: int
    badge: str = ""  # the state's badge and the due time, as HTML (tierdesk.web.badges)
    due_tag: str = ""


@dataclass(frozen=True)
class SlaView:
    policy: str | None
    calendar: str | None
    pack: str | None
    clocks: list[ClockView]


def sla_view(*, ticket: Ticket, now: datetime) -> SlaView:
    """Return the ticket's SLA clocks, each with the colour state the page shows."""
    rows = list(SlaTarget.objects.filter(ticket=ticket).select_related("pack_version"))
    clocks = []
    for row in rows:
        if row.breached_at and row.met_at is None:
            state = "breached"
        elif row.met_at is not None:
            state = "met"
        elif row.state == SlaTarget.State.PAUSED:
            state = "paused"
        elif row.warned_at is not None or (row.warn_at and row.warn_at <= now):
            state = "warned"
        elif row.due_at and row.due_at <= now:
            state = "breached"
        else:
            state = "ok"
        clocks.append(ClockView(metric=row.metric, state=state, due_at=row.due_at,
                                breached_at=row.breached_at, met_at=row.met_at,
                                target_minutes=row.target_minutes,
                                badge=sla_badge(state, row.due_at, now),
                                due_tag=time_tag(row.due_at) if row.due_at else ""))
    version = rows[0].pack_version if rows else None
    calendar = None
    if rows:
        calendar = (sla_state(ticket).calendar or {}).get("name")
    return SlaView(
        policy=rows[0].policy if rows else None, calendar=calendar,
        pack=f"{version.name} v{version.version}" if version else None, clocks=clocks,
    )


OPEN_CAP = 100


@dataclass(frozen=True)
class CustomerCard:
    name: str
    email: str
    organisation: Any
    local_time: datetime | None
    open_tickets: int
    open_cap: int = OPEN_CAP


def customer_card(*, ticket: Ticket, viewer: Viewer, now: datetime) -> CustomerCard:
    org = ticket.organisation
    local = None
    open_count = 0
    if org is not None:
        try:
            local = now.astimezone(ZoneInfo(org.timezone))
        except (KeyError, ValueError):
            local = None
        # Counted up to OPEN_CAP ("100+"): a big customer's backlog is not read per page.
        open_count = org.tickets.filter(status__in=UNRESOLVED)[:OPEN_CAP].count()
    return CustomerCard(name=ticket.requester.name, email=ticket.requester.email,
                        organisation=org, local_time=local, open_tickets=open_count)


@dataclass(frozen=True)
class PackForms:
    templates: list[str]
    priorities: list[tuple[str, str]]
    tiers: list[str]
    destinations: list[tuple[str, str]]
    criteria: list[tuple[str, str]]
    handoff_fields: list[tuple[str, str, bool]]  # code, label, required


def pack_forms(*, ticket: Ticket) -> PackForms:
    """Return what the active pack offers on this ticket: templates, priorities, tiers,
    where it may be escalated and the handoff record that needs."""
    from tierdesk.escalation.services import required_handoff

    pack = active_pack()
    if pack is None:
        return PackForms([], [], [], [], [], [])
    tiers = [t.code for t in pack.tiers]
    current = ticket.tier.code if ticket.tier_id else (tiers[0] if tiers else None)
    esc = pack.escalation
    paths = [p for p in (esc.paths if esc else []) if p.from_ == current]
    if paths:
        targets = [p.to for p in paths]
    else:
        above = tiers[tiers.index(current) + 1:] if current in tiers else tiers
        targets = above + [u.code for u in pack.units]
    names = {t.code: t.name for t in pack.tiers} | {u.code: u.name for u in pack.units}
    destinations = [(code, f"{names.get(code, code)} ({code})") for code in targets]
    required = set(required_handoff(pack, current, targets[0])) if targets else set()
    fields = [(code, label, code in required)
              for code, label in (esc.handoff_fields.items() if esc else [])]
    return PackForms(
        templates=sorted(pack.templates),
        priorities=[(p.code, f"{p.code} · {p.name}") for p in pack.priorities],
        tiers=tiers, destinations=destinations,
        criteria=[(c.code, c.label) for c in (esc.criteria if esc else [])],
        handoff_fields=fields,
    )
