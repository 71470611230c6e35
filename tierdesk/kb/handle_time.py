"""Handle time: the time an agent actively spends on a ticket, recorded on the ticket's
audit log as ``time_logged`` events (seconds, agent, source).

Two ways in: the ticket page's heartbeat (the workspace script beats while the tab is
visible and the agent has touched keyboard or mouse within the last minute) and an
explicit log (API, "I spent 20 minutes on the phone"). Heartbeats gather in a
``HandleSession`` and are written as one event per few minutes of work, so the audit
log is not one line per beat. A gap longer than ``IDLE_AFTER`` ends a session.
"""

from datetime import timedelta

from django.db import transaction

from tierdesk import clock
from tierdesk.common.errors import Forbidden, ServiceError
from tierdesk.kb.models import HandleSession
from tierdesk.people.access import Viewer
from tierdesk.tickets import events
from tierdesk.tickets.models import Ticket, TicketEvent

TIME_LOGGED = "time_logged"
BEAT_SECONDS = 30  # how often the page beats while the agent is active
MAX_BEAT = timedelta(seconds=BEAT_SECONDS * 2)  # credited at most per beat (a late beat)
IDLE_AFTER = timedelta(minutes=2)  # no beat for this long: the session has ended
FLUSH_SECONDS = 300  # write an event every 5 minutes of gathered work
MAX_LOG_MINUTES = 24 * 60


def _agent(viewer: Viewer):
    if not viewer.is_agent or viewer.agent is None:
        raise Forbidden("only agents log handle time")
    return viewer.agent


def _write(ticket: Ticket, agent, seconds: int, at, source: str, note: str = "") -> None:
    data = {"seconds": seconds, "agent": agent.pk, "agent_name": str(agent), "source": source}
    if note:
        data["note"] = note
    events.record(ticket, TIME_LOGGED, agent.user, at, **data)


@transaction.atomic(durable=True)
def time_log(*, ticket: Ticket, viewer: Viewer, minutes: int, note: str = "") -> TicketEvent:
    """Record ``minutes`` of work on ``ticket`` by the viewer (an explicit log)."""
    agent = _agent(viewer)
    if not 1 <= minutes <= MAX_LOG_MINUTES:
        raise ServiceError(f"minutes must be between 1 and {MAX_LOG_MINUTES}", field="minutes")
    if len(note) > 500:
        raise ServiceError("note is longer than 500 characters", field="note")
    now = clock.now()
    return events.record(ticket, TIME_LOGGED, agent.user, now, seconds=minutes * 60,
                         agent=agent.pk, agent_name=str(agent), source="manual",
                         **({"note": note.strip()} if note.strip() else {}))


@transaction.atomic(durable=True)
def heartbeat(*, ticket: Ticket, viewer: Viewer) -> int:
    """Credit the time since the agent's last beat on ``ticket`` (at most ``MAX_BEAT``;
    nothing after an idle gap); return the seconds gathered and not yet logged."""
    agent = _agent(viewer)
    now = clock.now()
    session = (HandleSession.objects.select_for_update()
               .filter(ticket=ticket, agent=agent).first())
    if session is None:
        session = HandleSession.objects.create(ticket=ticket, agent=agent, started_at=now,
                                               last_beat_at=now, seconds=0)
        return 0
    gap = now - session.last_beat_at
    if gap > IDLE_AFTER:
        if session.seconds:
            _write(ticket, agent, session.seconds, session.last_beat_at, "workspace")
        session.started_at, session.seconds = now, 0
    elif gap > timedelta(0):
        session.seconds += int(min(gap, MAX_BEAT).total_seconds())
    session.last_beat_at = now
    if session.seconds >= FLUSH_SECONDS:
        _write(ticket, agent, session.seconds, now, "workspace")
        session.seconds = 0
    session.save()
    return session.seconds


def close_idle_sessions(now) -> int:
    """Write the gathered time of sessions idle past ``IDLE_AFTER`` (the sweep does)."""
    done = 0
    for pk in list(HandleSession.objects.filter(last_beat_at__lt=now - IDLE_AFTER)
                   .values_list("pk", flat=True)[:500]):
        with transaction.atomic():
            session = (HandleSession.objects.select_for_update(skip_locked=True)
                       .select_related("ticket", "agent__user").filter(pk=pk).first())
            if session is None or session.last_beat_at >= now - IDLE_AFTER:
                continue
            if session.seconds:
                _write(session.ticket, session.agent, session.seconds, session.last_beat_at,
                       "workspace")
            session.delete()
            done += 1
    return done


def handle_seconds(ticket: Ticket) -> dict[int, int]:
    """Return seconds logged on ``ticket`` per agent id."""
    totals: dict[int, int] = {}
    for data in TicketEvent.objects.filter(ticket=ticket, type=TIME_LOGGED) \
            .values_list("data", flat=True):
        agent = data.get("agent")
        if agent is not None:
            totals[agent] = totals.get(agent, 0) + int(data.get("seconds") or 0)
    return totals
