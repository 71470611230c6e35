"""SLA clocks computed from a ticket's audit events alone (pure: no Django).

The live SLA state is *this* function's answer, stored after every change; so replaying
the events (say, with a corrected holiday calendar) gives the same answer by construction,
and a test checks it does.

Clock rules (the handbooks' "the clock pauses while we wait on the customer"):
1. ``first_response``, ``periodic_update`` and ``resolution`` start when the ticket is
   created (a customer waiting on an incident is owed its first update from the start).
2. An agent's public reply meets ``first_response`` and ``next_response`` and restarts
   ``periodic_update`` (each update owes the next one a full period); a customer's reply
   (after the first response) starts ``next_response``.
3. ``pending`` pauses every running clock; leaving ``pending`` resumes them.
4. ``solved``/``closed`` meet ``resolution`` and stop the others; reopening resumes
   ``resolution`` with the business time it had already used.
5. ``sla_targets_set`` (priority, plan or pack changed) swaps targets and calendar; time
   already used is kept, measured on the calendar that was in force.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

METRICS = ("first_response", "next_response", "periodic_update", "resolution")
RUNNING, PAUSED, MET, STOPPED = "running", "paused", "met", "stopped"
UNRESOLVED = {"new", "open", "pending", "on_hold"}


class Calendar:  # the protocol of tierdesk.calendars.BusinessCalendar this module uses
    def add_epoch(self, start_s: float, seconds: float) -> float: ...
    def between_epoch(self, a_s: float, b_s: float) -> float: ...
    def ran_out_epoch(self, end_s: float, seconds: float = 0.0) -> float: ...


@dataclass(frozen=True)
class Event:
    type: str
    at: float  # POSIX seconds
    data: Mapping[str, Any]


@dataclass
class Clock:
    metric: str
    state: str
    started_at: float
    resumed_at: float | None
    elapsed_s: float = 0.0  # business seconds used up to ``resumed_at`` (or the pause)
    met_at: float | None = None
    target_s: float | None = None
    warn_s: float | None = None
    due_at: float | None = None
    warn_at: float | None = None

    def breached(self, now: float) -> bool:
        """Met late (more business time used than the target), or running past due."""
        if self.target_s is None:
            return False
        if self.state in (MET, STOPPED, PAUSED):
            return self.elapsed_s > self.target_s
        return self.due_at is not None and now >= self.due_at


@dataclass
class SlaState:
    policy: str | None = None
    pack_version_id: int | None = None  # the applied row; older events named it pack_version
    calendar: dict[str, Any] | None = None
    clocks: dict[str, Clock] = field(default_factory=dict)
    status: str = "new"

    def elapsed(self, metric: str, now: float, calendar: Calendar) -> float:
        """Business seconds used so far on ``metric`` (up to ``now`` if it is running)."""
        clock = self.clocks[metric]
        if clock.state == RUNNING and clock.resumed_at is not None:
            return clock.elapsed_s + calendar.between_epoch(clock.resumed_at, now)
        return clock.elapsed_s


CalendarFactory = Callable[[Mapping[str, Any]], Calendar]


def evaluate(events: Iterable[Event], calendar_for: CalendarFactory) -> SlaState:
    """Return the SLA state after ``events`` (ordered oldest first)."""
    state = SlaState()
    targets: dict[str, float] = {}
    warns: dict[str, float] = {}
    calendar: Calendar | None = None

    def accrue(clock: Clock, at: float) -> None:
        if clock.state == RUNNING and clock.resumed_at is not None and calendar is not None:
            clock.elapsed_s += calendar.between_epoch(clock.resumed_at, at)
            clock.resumed_at = at

    def start(metric: str, at: float) -> None:
        state.clocks[metric] = Clock(metric, RUNNING, started_at=at, resumed_at=at)

    def stop(metric: str, at: float, outcome: str) -> None:
        clock = state.clocks.get(metric)
        if clock is None or clock.state in (MET, STOPPED):
            return
        accrue(clock, at)
        clock.state, clock.resumed_at = outcome, None
        if outcome == MET:
            clock.met_at = at

    for event in events:
        t, data = event.at, event.data
        if event.type == "created":
            state.status = data.get("status", "new")
            start("first_response", t)
            start("periodic_update", t)
            start("resolution", t)
        elif event.type == "sla_targets_set":
            for clock in state.clocks.values():
                accrue(clock, t)
            state.policy = data.get("policy")
            state.pack_version_id = data.get("pack_version_id", data.get("pack_version"))
            state.calendar = data.get("calendar")
            targets = {m: float(v) * 60 for m, v in (data.get("targets") or {}).items()}
            warns = {m: float(v) * 60 for m, v in (data.get("warn") or {}).items()}
            calendar = calendar_for(state.calendar) if state.calendar else None
        elif event.type == "replied":
            by = data.get("by")
            if by == "agent":
                stop("first_response", t, MET)
                stop("next_response", t, MET)
                if state.status in UNRESOLVED:
                    start("periodic_update", t)
            elif by == "customer":
                first = state.clocks.get("first_response")
                nxt = state.clocks.get("next_response")
                if first is not None and first.state == MET and (
                        nxt is None or nxt.state in (MET, STOPPED)):
                    start("next_response", t)
        elif event.type == "status_changed":
            old, new = data.get("old"), data.get("new")
            state.status = new
            if new == "pending":
                for clock in state.clocks.values():
                    if clock.state == RUNNING:
                        accrue(clock, t)
                        clock.state, clock.resumed_at = PAUSED, None
            elif new in ("solved", "closed"):
                stop("resolution", t, MET)
                for metric in ("first_response", "next_response", "periodic_update"):
                    stop(metric, t, STOPPED)
            if old == "pending" and new in UNRESOLVED:
                for clock in state.clocks.values():
                    if clock.state == PAUSED:
                        clock.state, clock.resumed_at = RUNNING, t
            if old == "solved" and new in UNRESOLVED:
                clock = state.clocks.get("resolution")
                if clock is not None and clock.state == MET:
                    clock.state, clock.resumed_at, clock.met_at = RUNNING, t, None

    for metric, clock in state.clocks.items():
        clock.target_s = targets.get(metric)
        clock.warn_s = warns.get(metric)
        clock.due_at = clock.warn_at = None
        if clock.target_s is None or calendar is None:
            continue
        remaining = clock.target_s - clock.elapsed_s
        if clock.state == RUNNING and clock.resumed_at is not None:
            clock.due_at = _deadline(calendar, clock.resumed_at, remaining)
            if clock.warn_s:
                clock.warn_at = _deadline(calendar, clock.resumed_at, remaining - clock.warn_s)
    return state


# Business time left below this (float rounding of sums of epoch seconds) is none left.
_EXHAUSTED_S = 1e-3


def _deadline(calendar: Calendar, resumed_at: float, left: float) -> float:
    """When ``left`` business seconds from ``resumed_at`` run out. A budget already used
    up (say, re-evaluated in the evening after it ran out at 17:00, or a target shortened
    below the time used) ran out when the business time did: at that closing time, not
    at the re-evaluation nor at the next opening."""
    if left > _EXHAUSTED_S:
        return calendar.add_epoch(resumed_at, left)
    return calendar.ran_out_epoch(resumed_at, max(-left, 0.0))
