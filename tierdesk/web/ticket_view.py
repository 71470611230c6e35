"""What the ticket page shows, read once per request: one timeline of replies, notes and
audit events; the SLA clocks with their state; the requester's card; the pack's forms."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache, cached_property
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.db import connection
from django.template import Context
from django.template.base import render_value_in_context
from django.template.defaultfilters import filesizeformat, linebreaksbr
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from tierdesk.common import prepared
from tierdesk.mail.models import InboundMail
from tierdesk.mail.selectors import quoted_texts
from tierdesk.packs.models import PolicyPackVersion
from tierdesk.packs.selectors import active_pack
from tierdesk.people.access import Viewer
from tierdesk.sla.models import SlaTarget
from tierdesk.sla.services import sla_state
from tierdesk.tickets.models import (
    Attachment,
    Channel,
    Message,
    Ticket,
    TicketEvent,
    TicketEventType,
)
from tierdesk.tickets.statuses import UNRESOLVED
from tierdesk.web.badges import sla_badge, time_tag

# These events only say "a message was added"; the message itself is in the timeline.
MESSAGE_EVENTS = {TicketEventType.REPLIED, TicketEventType.NOTE_ADDED}


@dataclass(frozen=True)
class Entry:
    """One line of the timeline: a message (``kind`` "reply" or "note") or an audit event,
    as plain values (no model instances: a long timeline built hundreds of them)."""

    kind: str  # "reply", "note" or "event"
    at: datetime
    author: str
    event_type: str = ""
    data: dict = field(default_factory=dict)
    event_id: int = 0  # the audit event behind the entry (a message's "replied" event)
    actor_id: int | None = None
    message_id: int | None = None
    body: str = ""
    quoted: str = ""  # what the sender's mail client quoted under a mailed message
    files: tuple[tuple[int, str, int], ...] = ()  # attachments: id, filename, size

    @cached_property
    def when(self) -> str:
        """The entry's ``<time>`` tag, built once in Python (two date filters per entry
        were a good part of a long timeline's render)."""
        return time_tag(self.at, css="")

    @cached_property
    def body_html(self) -> str:
        """The message as ``{{ body|linebreaksbr }}`` renders it (escaped)."""
        return linebreaksbr(self.body, autoescape=True)

    @cached_property
    def quoted_html(self) -> str:
        return linebreaksbr(self.quoted, autoescape=True) if self.quoted else ""


def _name(first: str | None, last: str | None, username: str | None) -> str:
    """``User.get_full_name() or username`` from the joined columns; no user: the system."""
    if username is None:
        return "Tierdesk"
    return f"{first} {last}".strip() or username


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


@cache
def _timeline_statements(vendor: str) -> tuple[str, str, tuple, tuple]:
    """The two reads of a timeline, built once: the events with their actor's name, and
    the messages with their author's name, their files and (mailed ones) the quoted text,
    one row per file. Plain ``ORDER BY`` id; the ORM's querysets and prefetches cost more
    CPU than the rows (profiled on a 44-entry timeline)."""
    quote = connection.ops.quote_name
    user = get_user_model()
    user_table = quote(user._meta.db_table)
    names = ("first_name", "last_name", "username")
    events = prepared.Columns(TicketEvent, "e", names=("id", "type", "actor", "data",
                                                       "created_at"))
    actor = prepared.Columns(user, "u", names=names)
    events_sql = (
        f"SELECT {events.sql}, {actor.sql} FROM {quote(TicketEvent._meta.db_table)} e"
        f" LEFT OUTER JOIN {user_table} u ON u.{quote(user._meta.pk.column)}"
        f" = e.{quote('actor_id')} WHERE e.{quote('ticket_id')} = %s ORDER BY e.{quote('id')}"
    )
    messages = prepared.Columns(Message, "m", names=("id", "kind", "author", "body_text",
                                                     "created_at"))
    author = prepared.Columns(user, "u", names=names)
    files = prepared.Columns(Attachment, "a", names=("id", "filename", "size"))
    mail = prepared.Columns(InboundMail, "q", names=("quoted_text",))
    messages_sql = (
        f"SELECT {messages.sql}, {author.sql}, {files.sql}, {mail.sql}"
        f" FROM {quote(Message._meta.db_table)} m"
        f" LEFT OUTER JOIN {user_table} u ON u.{quote(user._meta.pk.column)}"
        f" = m.{quote('author_id')}"
        f" LEFT OUTER JOIN {quote(Attachment._meta.db_table)} a"
        f" ON a.{quote('message_id')} = m.{quote('id')}"
        f" LEFT OUTER JOIN {quote(InboundMail._meta.db_table)} q"
        f" ON q.{quote('ticket_message_id')} = m.{quote('id')}"
        f" AND m.{quote('channel')} = %s AND q.{quote('quoted_text')} <> ''"
        f" WHERE m.{quote('ticket_id')} = %s"
    )
    return events_sql, messages_sql, (events, actor), (messages, author, files, mail)


def _rows(sql: str, params: list, parts: tuple) -> list[list]:
    """Each row as the Python values of its parts, one after the other."""
    out = []
    for row in prepared.fetch_all(sql, params):
        values, start = [], 0
        for cols in parts:
            values += cols.values(row, start)
            start += cols.width
        out.append(values)
    return out


@dataclass(frozen=True)
class Timeline:
    entries: list[Entry]
    version: int
    events: list[tuple[str, datetime, dict]]  # every event: type, created_at, data


def timeline_and_version(*, viewer: Viewer, ticket: Ticket) -> tuple[list[Entry], int]:
    """Return replies, notes (agents only) and audit events (agents only) in time order,
    and the ticket's version: the id of its last audit event, which a reply form carries
    so the server can tell the ticket changed while the agent was writing."""
    read = read_timeline(viewer=viewer, ticket=ticket)
    return read.entries, read.version


def read_timeline(*, viewer: Viewer, ticket: Ticket) -> Timeline:
    """Return the timeline and version (``timeline_and_version``) and the ticket's events
    in id order (``sla_view`` replays them): two statements whatever the length."""
    quote = connection.ops.quote_name
    events_sql, messages_sql, event_parts, message_parts = _timeline_statements(
        connection.vendor)
    events = _rows(events_sql, [ticket.pk], event_parts) if viewer.is_agent else []
    version = max((e[0] for e in events), default=0)
    message_event = {data.get("message_id"): pk for pk, type_, _a, data, *_ in events
                     if type_ in MESSAGE_EVENTS}
    sql, params = messages_sql, [Channel.EMAIL.value, ticket.pk]
    if not viewer.is_agent:
        sql, params = f"{sql} AND m.{quote('kind')} = %s", [*params, Message.Kind.REPLY.value]
    messages: dict[int, dict] = {}
    order = f" ORDER BY m.{quote('id')}, a.{quote('id')}"
    for (pk, kind, author_id, body, at, first, last, username, file_id, filename, size,
         quoted) in _rows(sql + order, params, message_parts):
        message = messages.get(pk)
        if message is None:
            message = messages[pk] = {
                "kind": kind, "at": at, "author": _name(first, last, username), "body": body,
                "actor_id": author_id, "quoted": quoted or "", "files": {}}
        if file_id is not None:
            message["files"][file_id] = (file_id, filename, size)
        if quoted and not message["quoted"]:
            message["quoted"] = quoted
    entries = [
        Entry(kind=m["kind"], at=m["at"], author=m["author"], message_id=pk, body=m["body"],
              quoted=m["quoted"], files=tuple(m["files"].values()),
              event_id=message_event.get(pk, 0), actor_id=m["actor_id"])
        for pk, m in messages.items()
    ]
    entries += [
        Entry(kind="event", at=at, author=_name(first, last, username), event_type=type_,
              data=data, event_id=pk, actor_id=actor_id)
        for pk, type_, actor_id, data, at, first, last, username in events
        if type_ not in MESSAGE_EVENTS
    ]
    entries.sort(key=lambda e: (e.at, 0 if e.kind != "event" else 1, e.event_id))
    return Timeline(entries=entries, version=version,
                    events=[(type_, at, data) for _pk, type_, _a, data, at, *_ in events])


@dataclass(frozen=True)
class Choices:
    """The properties form's lists: agents (id, name), queues (id, name), tiers (id, code,
    name), each in the order the models sort by."""

    agents: list[tuple[int, str]]
    groups: list[tuple[int, str]]
    tiers: list[tuple[int, str, str]]


@cache
def _choices_statements(vendor: str) -> tuple[str, str]:
    """One statement for the three lists (they were three ORM queries compiled per page):
    active agents of the viewer's groups (``every``: of all groups), every queue, every
    tier. Column 6 orders tiers by rank; names and usernames sort in column 3."""
    from tierdesk.people.models import Agent, Group, Tier

    quote = connection.ops.quote_name
    user = get_user_model()
    memberships = quote(Agent.groups.through._meta.db_table)
    agents = (
        f"SELECT 'a' AS kind, a.{quote('id')} AS id, u.{quote('username')} AS k,"
        f" u.{quote('first_name')} AS f, u.{quote('last_name')} AS l, 0 AS r"
        f" FROM {quote(Agent._meta.db_table)} a INNER JOIN {quote(user._meta.db_table)} u"
        f" ON u.{quote(user._meta.pk.column)} = a.{quote('user_id')}"
        f" WHERE a.{quote('is_active')}"
    )
    in_groups = (
        f" AND EXISTS (SELECT 1 FROM {memberships} m WHERE m.{quote('agent_id')}"
        f" = a.{quote('id')} AND m.{quote('group_id')} IN (SELECT v.{quote('group_id')}"
        f" FROM {memberships} v WHERE v.{quote('agent_id')} = %s))"
    )
    rest = (
        f" UNION ALL SELECT 'g', g.{quote('id')}, g.{quote('name')}, '', '', 0"
        f" FROM {quote(Group._meta.db_table)} g"
        f" UNION ALL SELECT 't', t.{quote('id')}, t.{quote('code')}, t.{quote('name')}, '',"
        f" t.{quote('rank')} FROM {quote(Tier._meta.db_table)} t"
        f" ORDER BY 1, 6, 3, 2"
    )
    return agents + rest, agents + in_groups + rest


def form_choices(*, viewer: Viewer) -> Choices:
    """Return the agents a ticket can be assigned to (managers: every active agent; an
    agent: the active agents of its own groups), the queues and the tiers."""
    every, in_groups = _choices_statements(connection.vendor)
    rows = (prepared.fetch_all(every, []) if viewer.is_manager
            else prepared.fetch_all(in_groups, [viewer.agent.pk]))
    agents, groups, tiers = [], [], []
    for kind, pk, key, first, last, _rank in rows:
        if kind == "a":
            agents.append((pk, f"{first} {last}".strip() or key))
        elif kind == "g":
            groups.append((pk, key))
        else:
            tiers.append((pk, key, first))
    return Choices(agents=agents, groups=groups, tiers=tiers)


# The timeline's markup is built here, once per entry: as template tags (four ``if``s,
# lookups and filters per entry) it was the part of the page that grew with the timeline
# (``bench_pages.py --profile``). The output is the markup the template had; every value
# is escaped as a ``{{ }}`` would.
_AS_TEMPLATE = Context(autoescape=True)


def timeline_html(entries: list[Entry], *, changed: list[Entry], ticket_id: int) -> SafeString:
    """Return the ``<li>`` of every entry; entries in ``changed`` are marked new."""
    new = {(e.kind, e.event_id, e.message_id) for e in changed}
    note = escape(gettext("Internal note"))
    show_quoted = escape(gettext("Show quoted text"))
    files_label = escape(gettext("Attachments"))
    file_url = None
    out = []
    for e in entries:
        mark = " entry-new" if (e.kind, e.event_id, e.message_id) in new else ""
        if e.kind == "event":
            data = "".join(f"<dt>{_shown(k)}</dt><dd dir=\"auto\">{_shown(v)}</dd>"
                           for k, v in e.data.items())
            out.append(f'<li class="entry entry-event{mark}"><details><summary>{e.when} · '
                       f"<bdi>{escape(e.author)}</bdi> · {escape(e.event_type)}</summary>\n"
                       f'      <dl class="event-data">{data}</dl></details></li>')
            continue
        head = (f'<strong><bdi>{escape(e.author)}</bdi></strong>'
                + (f' <span class="tag tag-note">{note}</span>' if e.kind == "note" else "")
                + f" · {e.when}")
        parts = [f'<li class="entry entry-{escape(e.kind)}{mark}">\n'
                 f'      <p class="entry-head">{head}</p>\n'
                 f'      <div class="body" dir="auto">{e.body_html}</div>']
        if e.quoted:
            parts.append(f'<details class="quoted"><summary>{show_quoted}</summary>'
                         f'<div class="body quoted-text" dir="auto">{e.quoted_html}</div>'
                         f"</details>")
        if e.files:
            if file_url is None:
                file_url = reverse("web:attachment", args=[ticket_id, 987654321]).split(
                    "987654321")
            links = "".join(
                f'<li><a href="{file_url[0]}{pk}{file_url[1]}" download>{escape(name)}</a>'
                f' <span class="muted">({filesizeformat(size)})</span></li>'
                for pk, name, size in e.files)
            parts.append(f'<ul class="files" aria-label="{files_label}">{links}</ul>')
        parts.append("\n    </li>")
        out.append("\n      ".join(parts[:-1]) + parts[-1])
    return mark_safe("\n    ".join(out))


def _shown(value: Any) -> str:
    """``{{ value }}`` in a template: localized (numbers, dates), then escaped."""
    return render_value_in_context(value, _AS_TEMPLATE)


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


@cache
def _clocks_statement(vendor: str) -> tuple[str, prepared.Columns, prepared.Columns]:
    quote = connection.ops.quote_name
    clocks = prepared.Columns(SlaTarget, "s")
    versions = PolicyPackVersion._meta
    version = prepared.Columns(PolicyPackVersion, "v", names=("id", "name", "version"))
    sql = (f"SELECT {clocks.sql}, {version.sql} FROM {quote(SlaTarget._meta.db_table)} s"
           f" LEFT OUTER JOIN {quote(versions.db_table)} v"
           f" ON v.{quote(versions.pk.column)} = s.{quote('pack_version_id')}"
           f" WHERE s.{quote('ticket_id')} = %s ORDER BY s.{quote('metric')}")
    return sql, clocks, version


def _clocks(ticket: Ticket) -> list[SlaTarget]:
    """``SlaTarget.objects.filter(ticket=ticket).select_related("pack_version")`` (the
    version's name and number only), prepared once."""
    sql, clocks, version = _clocks_statement(connection.vendor)
    rows = []
    for row in prepared.fetch_all(sql, [ticket.pk]):
        clock = clocks.build(row)
        SlaTarget._meta.get_field("pack_version").set_cached_value(
            clock, version.build(row, clocks.width))
        rows.append(clock)
    return rows


def sla_view(*, ticket: Ticket, now: datetime,
             events: list[tuple[str, datetime, dict]] | None = None) -> SlaView:
    """Return the ticket's SLA clocks, each with the colour state the page shows; the
    calendar's name is replayed from ``events`` (``read_timeline``) when given."""
    rows = _clocks(ticket)
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
        calendar = (sla_state(ticket, events=events).calendar or {}).get("name")
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


@cache
def _open_count_statement(vendor: str) -> tuple[str, list[str]]:
    """``org.tickets.filter(status__in=UNRESOLVED)[:OPEN_CAP].count()``, prepared once."""
    quote = connection.ops.quote_name
    statuses = sorted(UNRESOLVED)
    sql = (f"SELECT COUNT(*) FROM (SELECT 1 FROM {quote(Ticket._meta.db_table)} t"
           f" WHERE t.{quote('organisation_id')} = %s AND t.{quote('status')} IN"
           f" ({prepared.marks(statuses)}) LIMIT {OPEN_CAP}) c")
    return sql, statuses


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
        sql, statuses = _open_count_statement(connection.vendor)
        open_count = prepared.fetch_one(sql, [org.pk, *statuses])[0]
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
