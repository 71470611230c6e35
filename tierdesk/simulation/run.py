"""One simulation run: arrivals + pack + plan -> a summary of what would have happened
(pure: no Django; the CLI brings the arrivals and packs)."""

from __future__ import annotations

import math
import random
import statistics
from collections import defaultdict
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from tierdesk.simulation import engine, erlang
from tierdesk.simulation.model import Arrival, Prepared, prepare
from tierdesk.simulation.plan import StaffingPlan

DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
DEFAULT_GOAL = 0.95


def handling_times(arrivals: list[Arrival], prepared: list[Prepared], plan: StaffingPlan,
                   seed: int) -> list[float]:
    """One handling time per arrival, drawn once and used under every pack compared (common
    random numbers: the packs differ, the work does not).

    An arrival with its own handling time from history replays it; else one is drawn from
    the history's handling times of the same category, priority and tier (then priority
    alone), else from the plan's distribution. Everything is capped at the plan's ``cap``.
    """
    from tierdesk.policy.durations import parse_duration

    rng = random.Random(seed)
    cap = parse_duration(plan.handling.cap).total_seconds()
    pools: dict[tuple, list[float]] = defaultdict(list)
    for a, p in zip(arrivals, prepared, strict=True):
        if a.handling is not None and a.handling > 0:
            value = min(a.handling, cap)
            pools[(p.category, p.priority, p.tier)].append(value)
            pools[("*", p.priority, "*")].append(value)
    out: list[float] = []
    for a, p in zip(arrivals, prepared, strict=True):
        if a.handling is not None and a.handling > 0:
            out.append(min(a.handling, cap))
            continue
        pool = pools.get((p.category, p.priority, p.tier)) or pools.get(("*", p.priority, "*"))
        if pool:
            out.append(rng.choice(pool))
            continue
        mean = plan.handling.mean_for(p.priority, p.category)
        value = mean if plan.handling.distribution == "fixed" else rng.expovariate(1 / mean)
        out.append(min(value, cap))
    return out


def simulate(arrivals: list[Arrival], pack: Any, plan: StaffingPlan, *, start: float,
             end: float, handling: list[float], label: str) -> dict[str, Any]:
    """Run the simulation of ``arrivals`` under ``pack`` and summarise it."""
    order = sorted(range(len(arrivals)), key=lambda i: arrivals[i].at)
    arrivals = [arrivals[i] for i in order]
    handling = [handling[i] for i in order]
    tickets = prepare(arrivals, pack)
    timezone = plan.timezone or pack.timezone
    outcome = engine.run(tickets, handling, plan, start=start, end=end, timezone=timezone,
                         priority_order=list(pack.priority_codes))
    return summarise(tickets, handling, outcome, pack, plan, timezone, label)


def _goal(pack: Any) -> float:
    for kpi in pack.kpis or []:
        if kpi.metric == "sla_compliance" and kpi.at_least is not None:
            text = str(kpi.at_least).strip()
            value = float(text.rstrip("%"))
            return value / 100 if text.endswith("%") or value > 1 else value
    return DEFAULT_GOAL


def summarise(tickets: list[Prepared], handling: list[float], outcome: engine.Outcome,
              pack: Any, plan: StaffingPlan, timezone: str, label: str) -> dict[str, Any]:
    zone = ZoneInfo(timezone)
    start, end = outcome.start, outcome.end
    inside = [t for t in tickets if start <= t.at < end]
    compliance: dict[tuple, list[int]] = defaultdict(lambda: [0, 0, 0])  # tickets, met, late
    escalations = 0
    waits_by_hour: dict[int, list[float]] = defaultdict(list)
    week: dict[tuple[int, int], dict[str, Any]] = defaultdict(
        lambda: {"arrivals": 0, "handling": [], "allowance": [], "met": 0, "due": 0})
    unanswered = 0
    for t in inside:
        picked, finished = outcome.pickup[t.index], outcome.done[t.index]
        if picked is None:
            unanswered += 1
        local = datetime.fromtimestamp(t.at, zone)
        if picked is not None:
            waits_by_hour[local.hour].append(picked - t.at)
        cell = week[(local.weekday(), local.hour)]
        cell["arrivals"] += 1
        cell["handling"].append(handling[t.index])
        for metric, due, when in (("first_response", t.fr_due, picked),
                                  ("resolution", t.res_due, finished)):
            if due is None:
                continue
            row = compliance[(t.plan or "-", t.priority, metric)]
            row[0] += 1
            met = when is not None and when <= due
            row[1 if met else 2] += 1
            if metric == "first_response":
                cell["allowance"].append(due - t.at)
                cell["due"] += 1
                cell["met"] += met
        resolved_after = (finished - t.at) if finished is not None else math.inf
        if t.escalate_now or any(resolved_after >= s for s in t.escalate_after):
            escalations += 1
    weeks = max((end - start) / (7 * 86400), 1e-9)
    goal = _goal(pack)
    entry_tier = pack.tiers[0].code if pack.tiers else None
    on_shift = _planned_by_hour_of_week(plan, start, end, timezone, entry_tier)
    agents_needed = []
    for day in range(7):
        for hour in range(24):
            cell = week.get((day, hour))
            rate = (cell["arrivals"] / weeks) / 3600 if cell else 0.0
            aht = statistics.fmean(cell["handling"]) if cell and cell["handling"] else 0.0
            target = statistics.median(cell["allowance"]) if cell and cell["allowance"] else 0
            needed = erlang.agents_needed(rate, aht, target, goal) if target else (
                math.ceil(rate * aht) if rate else 0)
            agents_needed.append({
                "day": DAYS[day], "hour": hour, "arrivals_per_hour": round(rate * 3600, 2),
                "aht_minutes": round(aht / 60, 1), "target_minutes": round(target / 60, 1),
                "erlang_c_agents": needed, "planned_agents": on_shift[day * 24 + hour],
                "simulated_first_response_met_pct": (
                    round(100 * cell["met"] / cell["due"], 1) if cell and cell["due"] else None),
            })
    rows = [{"plan": k[0], "priority": k[1], "metric": k[2], "tickets": v[0], "met": v[1],
             "breached": v[2], "met_pct": round(100 * v[1] / v[0], 1) if v[0] else None}
            for k, v in sorted(compliance.items(), key=lambda kv: (
                kv[0][0], list(pack.priority_codes).index(kv[0][1])
                if kv[0][1] in pack.priority_codes else 99, kv[0][2]))]
    groups: dict[str, dict[str, float]] = defaultdict(lambda: {"agents": 0, "busy": 0.0,
                                                               "shift": 0.0})
    for agent in outcome.agents:
        g = groups[agent.group]
        g["agents"] += 1
        g["busy"] += agent.busy_seconds
        g["shift"] += agent.shift_seconds
    waits_all = [w for ws in waits_by_hour.values() for w in ws]
    return {
        "label": label, "pack": f"{pack.name} v{pack.version}", "plan": plan.name,
        "timezone": timezone, "tickets": len(inside), "unanswered": unanswered,
        "goal_pct": round(goal * 100, 1),
        "first_response_met_pct": _pct(rows, "first_response"),
        "resolution_met_pct": _pct(rows, "resolution"),
        "breaches": {m: sum(r["breached"] for r in rows if r["metric"] == m)
                     for m in ("first_response", "resolution")},
        "escalations": escalations,
        "mean_wait_minutes": round(statistics.fmean(waits_all) / 60, 1) if waits_all else None,
        "compliance": rows,
        "waits_by_hour": [{
            "hour": h, "tickets": len(waits_by_hour.get(h, [])),
            "mean_wait_minutes": round(statistics.fmean(waits_by_hour[h]) / 60, 1)
            if waits_by_hour.get(h) else None,
            "p90_wait_minutes": round(_quantile(waits_by_hour[h], 0.9) / 60, 1)
            if waits_by_hour.get(h) else None} for h in range(24)],
        "utilisation": [{"group": name, "agents": int(g["agents"]),
                         "busy_hours": round(g["busy"] / 3600, 1),
                         "shift_hours": round(g["shift"] / 3600, 1),
                         "utilisation_pct": round(100 * g["busy"] / g["shift"], 1)
                         if g["shift"] else None} for name, g in groups.items()],
        "agents_needed": agents_needed,
    }


def _pct(rows: list[dict], metric: str) -> float | None:
    total = sum(r["tickets"] for r in rows if r["metric"] == metric)
    met = sum(r["met"] for r in rows if r["metric"] == metric)
    return round(100 * met / total, 1) if total else None


def _quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _planned_by_hour_of_week(plan: StaffingPlan, start: float, end: float,
                             timezone: str, tier: str | None) -> list[float]:
    """Agents on shift who take new tickets (of the entry tier, or of any tier) at the
    middle of each hour of the week, averaged over the period."""
    zone = ZoneInfo(timezone)
    totals = [0.0] * 168
    counts = [0] * 168
    intervals = [(g.count, engine.shift_intervals(plan, i, start, end, timezone))
                 for i, g in enumerate(plan.agents) if g.tier in (None, tier)]
    t = start - (start % 3600) + 1800
    while t < end:
        local = datetime.fromtimestamp(t, zone)
        slot = local.weekday() * 24 + local.hour
        counts[slot] += 1
        totals[slot] += sum(n for n, spans in intervals if any(a <= t < b for a, b in spans))
        t += 3600
    return [round(totals[i] / counts[i], 1) if counts[i] else 0.0 for i in range(168)]
