"""SLA services: keep each ticket's clocks in step with its events, and sweep for what is
due. Targets come from the active policy pack; every (re)computation is an event saying why.
"""

import logging
from collections.abc import Iterable
from datetime import UTC, datetime
from functools import cache
from typing import Any

from django.db import transaction

from tierdesk import clock
from tierdesk.common import prepared
from tierdesk.packs import selectors as packs
from tierdesk.policy import match_sla_policy
from tierdesk.sla import replay
from tierdesk.sla.calendars import calendar_for_spec, calendar_spec
from tierdesk.sla.models import SlaTarget
from tierdesk.tickets import batch, events
from tierdesk.tickets.models import Ticket, TicketEvent

log = logging.getLogger(__name__)
SLA_EVENT_TYPES = ("created", "sla_targets_set", "replied", "status_changed")


def _epoch(value: datetime) -> float:
    return value.timestamp()


def _dt(epoch: float | None) -> datetime | None:
    return None if epoch is None else datetime.fromtimestamp(epoch, UTC)


def ticket_facts(ticket: Ticket) -> dict[str, Any]:
    org = ticket.organisation
    return {
        "priority": ticket.priority, "channel": ticket.channel, "category": ticket.category,
        "plan": org.plan if org else None, "organisation": org.external_id if org else None,
        "vip": bool(org and org.vip), "language": ticket.language,
        "error_code": ticket.error_code or None, "status": ticket.status,
        "tier": ticket.tier.code if ticket.tier_id else None, "tags": set(ticket.tags),
    }


def desired_targets(ticket: Ticket, pack: Any, version_id: int,
                    version_number: int | None = None) -> dict[str, Any]:
    """Return what the pack says this ticket's SLA is (policy, calendar, minutes).

    The pack is named as people know it (``dataflow`` version 2, as ``/sla`` shows it);
    ``pack_version_id`` is the applied row the clocks point at.
    """
    named = {"pack": pack.name, "pack_version": version_number, "pack_version_id": version_id}
    match = match_sla_policy(pack, ticket_facts(ticket))
    if match is None or not match.targets:
        return {"policy": None, **named, "calendar": None, "targets": {}, "warn": {}}
    org = ticket.organisation
    return {
        "policy": match.policy, **named,
        "calendar": calendar_spec(pack, match.calendar, timezone=org.timezone if org else None,
                                  country=org.country if org else None),
        "targets": dict(match.targets), "warn": dict(match.warn_before),
    }


@cache
def _events_statement(vendor: str) -> tuple[str, prepared.Columns]:
    from django.db import connection

    q = connection.ops.quote_name
    cols = prepared.Columns(TicketEvent, "e", names=("type", "created_at", "data"))
    return (f"SELECT {cols.sql} FROM {q(TicketEvent._meta.db_table)} e"
            f" WHERE e.{q('ticket_id')} = %s AND e.{q('type')} IN"
            f" ({prepared.marks(SLA_EVENT_TYPES)}) ORDER BY e.{q('id')}"), cols


def event_views(ticket: Ticket) -> list[replay.Event]:
    """Return the ticket's SLA events, oldest first (one prepared statement: every reply
    and change replays them, and compiling the ORM query cost more than running it)."""
    from django.db import connection

    batch.flush_events()
    sql, cols = _events_statement(connection.vendor)
    rows = prepared.fetch_all(sql, [ticket.pk, *SLA_EVENT_TYPES])
    return [replay.Event(t, _epoch(at), data) for t, at, data in map(cols.values, rows)]


def sla_state(ticket: Ticket, calendar_override=None, *,
              events: Iterable[tuple[str, datetime, dict]] | None = None) -> replay.SlaState:
    """Replay the ticket's audit events; ``calendar_override(spec)`` can swap calendars
    (for instance to re-evaluate history after a holiday list was corrected).

    ``events``: the ticket's events as (type, created_at, data) in id order, when the
    caller has read them already (the ticket page's timeline); others are skipped."""
    if events is None:
        views = event_views(ticket)
    else:
        views = [replay.Event(t, _epoch(at), data) for t, at, data in events
                 if t in SLA_EVENT_TYPES]
    return replay.evaluate(views, calendar_override or calendar_for_spec)


def sla_refresh(*, ticket: Ticket, now: datetime, reason: str, actor=None,
                created: TicketEvent | None = None) -> None:
    """Recompute targets and clocks after a change; call inside the change's transaction.

    1. Ask the active pack for the ticket's targets; if they differ from the ones last
       recorded, write a ``sla_targets_set`` event naming ``reason``.
    2. Replay the events into clocks and store them (keeping sweep results).

    ``created`` (the ticket's first event, at creation) says the history is just that
    event: nothing to read back, which saves three queries on every new ticket.
    """
    version = packs.active_version()
    if version is None:
        return
    pack = packs.active_pack()
    desired = desired_targets(ticket, pack, version.pk, version.version)
    # The history is read once: the targets last recorded are its newest
    # ``sla_targets_set``, and a new one is replayed from memory (as at creation).
    history = [] if created is not None else event_views(ticket)
    last = next((e.data for e in reversed(history) if e.type == "sla_targets_set"), None)
    current = {k: v for k, v in (last or {}).items() if k != "reason"}
    recorded = None
    if last is None and not desired["targets"]:
        pass  # no SLA now and none before: nothing to record
    elif desired != current:
        recorded = events.record(ticket, "sla_targets_set", actor, now, reason=reason,
                                 **desired)
    if created is not None and recorded is not None:
        history = [replay.Event(e.type, _epoch(e.created_at), e.data)
                   for e in (created, recorded)]
        _store(ticket, replay.evaluate(history, calendar_for_spec), version.pk, now,
               existing={})
    elif last is not None or desired["targets"]:
        if recorded is not None:
            history.append(replay.Event(recorded.type, _epoch(recorded.created_at),
                                        recorded.data))
        _store(ticket, replay.evaluate(history, calendar_for_spec), version.pk, now)
    if ticket.sla_pack_version_id != version.pk:
        ticket.sla_pack_version_id = version.pk
        batch.save_fields(ticket, ["sla_pack_version"])


def _store(ticket: Ticket, state: replay.SlaState, version_id: int, now: datetime,
           existing: dict[str, SlaTarget] | None = None) -> None:
    if existing is None:
        existing = {t.metric: t for t in _stored_targets(ticket)}
    now_s = _epoch(now)
    new: list[SlaTarget] = []  # a new ticket's clocks: one insert
    for metric, c in state.clocks.items():
        if c.target_s is None:
            if metric in existing:
                existing[metric].delete()
            continue
        row = existing.get(metric) or SlaTarget(ticket=ticket, metric=metric)
        before = _stored_values(row) if row.pk is not None else None
        row.state = c.state
        row.policy = state.policy or ""
        row.pack_version_id = state.pack_version_id or version_id
        row.target_minutes = int(c.target_s // 60)
        row.elapsed_seconds = c.elapsed_s
        row.resumed_at = _dt(c.resumed_at)
        row.started_at = _dt(c.started_at)
        row.due_at = _dt(c.due_at)
        row.warn_at = _dt(c.warn_at)
        row.met_at = _dt(c.met_at)
        if c.state == replay.RUNNING and row.due_at and row.due_at > now:
            row.breached_at = None  # a longer target or a resumed clock: not breached (yet)
            if row.warn_at and row.warn_at > now:
                row.warned_at = None
        elif c.state != replay.RUNNING and c.breached(now_s) and row.breached_at is None:
            # Met (or paused) after using more than the target: the sweep never saw it
            # running overdue, so record the breach here (a running one is the sweep's).
            row.breached_at = now
            events.record(ticket, "sla_breached", None, now, metric=metric,
                          policy=state.policy, late=True)
        if row.pk is None:
            new.append(row)
        else:
            # A chat line replays the clocks on every line and mostly finds them as they
            # were: write only the columns that moved, or nothing.
            after = _stored_values(row)
            changed = [name for name, old in before.items() if after[name] != old]
            if changed:
                row.save(update_fields=changed)
    if new:
        prepared.insert_many(new)


@cache
def _targets_statement(vendor: str) -> tuple[str, prepared.Columns]:
    from django.db import connection

    q = connection.ops.quote_name
    cols = prepared.Columns(SlaTarget, "s")
    return (f"SELECT {cols.sql} FROM {q(SlaTarget._meta.db_table)} s"
            f" WHERE s.{q('ticket_id')} = %s"), cols


def _stored_targets(ticket: Ticket) -> list[SlaTarget]:
    """``SlaTarget.objects.filter(ticket=ticket)`` as a prepared statement (every reply
    and change reads them)."""
    from django.db import connection

    sql, cols = _targets_statement(connection.vendor)
    return [cols.build(row) for row in prepared.fetch_all(sql, [ticket.pk])]


_STORED = ("state", "policy", "pack_version_id", "target_minutes", "elapsed_seconds",
           "resumed_at", "started_at", "due_at", "warn_at", "met_at", "breached_at",
           "warned_at")


def _stored_values(row: SlaTarget) -> dict[str, Any]:
    return {name: getattr(row, name) for name in _STORED}


@transaction.atomic
def recompute(*, ticket: Ticket, reason: str, actor=None) -> None:
    """Re-evaluate one ticket against the active pack (after a pack or plan change)."""
    ticket = Ticket.objects.select_for_update(of=("self",)).select_related(
        "organisation", "requester", "tier").get(pk=ticket.pk)
    sla_refresh(ticket=ticket, now=clock.now(), reason=reason, actor=actor)
