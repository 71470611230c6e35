"""The discrete-event simulation: tickets queue, agents on shift take them (pure).

1. Events in time order from one heap: arrivals, an agent finishing, shifts starting and
   ending. Ties break on a sequence number, so a run is fully determined by its inputs.
2. A ticket waits in the queue of its (tier, language); an idle agent on shift whose tier
   and languages fit takes the most urgent head: highest priority, then earliest
   first-response due (what an agent sorting the SLA board does).
3. Taking a ticket is its first response; the agent then works it for its handling time,
   and finishing it resolves it. An agent whose shift ends finishes the ticket in hand.
"""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from tierdesk.simulation.model import Prepared
from tierdesk.simulation.plan import StaffingPlan

ARRIVE, DONE, SHIFT_START, SHIFT_END = 0, 1, 2, 3
DRAIN_DAYS = 14  # after the period, shifts go on this long to answer what is still queued


@dataclass
class Agent:
    id: int
    group: str
    tier: str | None
    languages: frozenset[str] | None
    on_shift: bool = False
    busy: bool = False
    busy_seconds: float = 0.0
    shift_seconds: float = 0.0
    keys: list[tuple] = field(default_factory=list)


@dataclass
class Outcome:
    """What happened to each ticket (by index) and to each agent."""

    pickup: list[float | None]
    done: list[float | None]
    agents: list[Agent]
    start: float
    end: float


def shift_intervals(plan: StaffingPlan, group_index: int, start: float, end: float,
                    timezone: str) -> list[tuple[float, float]]:
    """The group's shifts as epoch intervals covering [start - 1 day, end], merged
    (a 00:00-24:00 shift every day is one long interval), in the plan's zone (DST too)."""
    group = plan.agents[group_index]
    zone = ZoneInfo(timezone)
    days = set(group.shift.day_numbers())
    a, b = group.shift.seconds()
    first = datetime.fromtimestamp(start, zone).date() - timedelta(days=1)
    last = datetime.fromtimestamp(end, zone).date()
    out: list[tuple[float, float]] = []
    day = first
    while day <= last:
        if day.weekday() in days:
            midnight = datetime(day.year, day.month, day.day, tzinfo=zone)
            s = (midnight + timedelta(seconds=a)).timestamp()
            e = (midnight + timedelta(seconds=b)).timestamp()
            if out and s <= out[-1][1]:
                out[-1] = (out[-1][0], max(out[-1][1], e))
            else:
                out.append((s, e))
        day += timedelta(days=1)
    return out


def run(tickets: list[Prepared], handling: list[float], plan: StaffingPlan, *,
        start: float, end: float, timezone: str, priority_order: list[str]) -> Outcome:
    """Simulate ``tickets`` (sorted by arrival) worked by ``plan``'s agents."""
    rank = {code: i for i, code in enumerate(priority_order)}
    heap: list[tuple[float, int, int, int]] = []
    seq = 0

    def push(at: float, kind: int, who: int) -> None:
        nonlocal seq
        seq += 1
        heapq.heappush(heap, (at, kind, seq, who))

    agents: list[Agent] = []
    horizon = end + DRAIN_DAYS * 86400.0
    for g, group in enumerate(plan.agents):
        intervals = shift_intervals(plan, g, start, horizon, timezone)
        for _ in range(group.count):
            agent = Agent(len(agents), group.name, group.tier,
                          frozenset(group.languages) if group.languages else None)
            agents.append(agent)
            for s, e in intervals:
                push(s, SHIFT_START, agent.id)
                push(e, SHIFT_END, agent.id)
    for t in tickets:
        push(t.at, ARRIVE, t.index)

    by_index = {t.index: t for t in tickets}
    pickup: dict[int, float] = {}
    done: dict[int, float] = {}
    queues: dict[tuple, list[tuple[int, float, float, int]]] = {}
    idle: list[set[int]] = []  # per key index: idle agents who can take it
    key_index: dict[tuple, int] = {}
    shift_started: dict[int, float] = {}
    busy_since: dict[int, float | None] = {}

    def fits(agent: Agent, key: tuple) -> bool:
        tier, language = key
        return ((agent.tier is None or agent.tier == tier)
                and (agent.languages is None or language in agent.languages))

    def key_of(t: Prepared) -> int:
        key = (t.tier, t.language)
        k = key_index.get(key)
        if k is None:
            k = key_index[key] = len(idle)
            queues[key] = []
            members = set()
            for agent in agents:
                if fits(agent, key):
                    agent.keys.append(key)
                    if agent.on_shift and not agent.busy:
                        members.add(agent.id)
            idle.append(members)
        return k

    def set_idle(agent: Agent, value: bool) -> None:
        for key in agent.keys:
            members = idle[key_index[key]]
            if value:
                members.add(agent.id)
            else:
                members.discard(agent.id)

    def start_work(agent: Agent, t: Prepared, now: float) -> None:
        agent.busy = True
        set_idle(agent, False)
        pickup[t.index] = now
        busy_since[agent.id] = now
        push(now + handling[t.index], DONE, agent.id)
        done_for[agent.id] = t.index

    def take_next(agent: Agent, now: float) -> bool:
        best = None
        for key in agent.keys:
            queue = queues[key]
            if queue and (best is None or queue[0] < queues[best][0]):
                best = key
        if best is None:
            return False
        _, _, _, index = heapq.heappop(queues[best])
        start_work(agent, by_index[index], now)
        return True

    done_for: dict[int, int] = {}
    while heap:
        now, kind, _, who = heapq.heappop(heap)
        if kind == ARRIVE:
            t = by_index[who]
            k = key_of(t)
            members = idle[k]
            if members:
                start_work(agents[min(members)], t, now)
            else:
                due = t.fr_due if t.fr_due is not None else math.inf
                heapq.heappush(queues[(t.tier, t.language)],
                               (rank.get(t.priority, len(rank)), due, t.at, t.index))
        elif kind == DONE:
            agent = agents[who]
            done[done_for.pop(who)] = now
            since = busy_since.pop(who)
            if since is not None:  # None: overtime after the shift, not counted
                agent.busy_seconds += _overlap(since, now, start, end)
            agent.busy = False
            if agent.on_shift and not take_next(agent, now):
                set_idle(agent, True)
        elif kind == SHIFT_START:
            agent = agents[who]
            agent.on_shift = True
            shift_started[who] = now
            if not agent.busy and not take_next(agent, now):
                set_idle(agent, True)
        else:  # SHIFT_END
            agent = agents[who]
            agent.on_shift = False
            agent.shift_seconds += _overlap(shift_started.pop(who), now, start, end)
            if agent.busy:  # finishes the ticket in hand; utilisation counts the shift
                agent.busy_seconds += _overlap(busy_since[who], now, start, end)
                busy_since[who] = None
            else:
                set_idle(agent, False)
    n = max((t.index for t in tickets), default=-1) + 1
    return Outcome([pickup.get(i) for i in range(n)], [done.get(i) for i in range(n)],
                   agents, start, end)


def _overlap(a: float, b: float, lo: float, hi: float) -> float:
    return max(0.0, min(b, hi) - max(a, lo))
