"""Erlang C as contact centres size staff with it, and the simulator agreeing with it on a
month where the answer is known: one agent, Poisson arrivals, exponential handling."""

import math
import random
import statistics
from datetime import UTC, datetime

import pytest

from tierdesk.policy import PACKS_DIR, load_pack
from tierdesk.simulation import engine, erlang
from tierdesk.simulation.model import Arrival, prepare
from tierdesk.simulation.plan import load_plan
from tierdesk.simulation.run import handling_times


def test_one_agent_waits_with_probability_equal_to_its_load():
    assert erlang.erlang_c(1, 0.7) == pytest.approx(0.7)


def test_textbook_three_agents_two_erlangs():
    # C(3, 2) = (8/6 * 3) / (1 + 2 + 2 + 8/6 * 3) = 4/9
    assert erlang.erlang_c(3, 2.0) == pytest.approx(4 / 9)


def test_agents_needed_is_the_fewest_meeting_the_goal():
    rate, aht = 100 / 3600, 180.0  # 100 calls an hour, 3 minutes each: 5 erlangs
    needed = erlang.agents_needed(rate, aht, target=20, goal=0.8)
    assert erlang.service_level(needed, rate, aht, 20) >= 0.8
    assert erlang.service_level(needed - 1, rate, aht, 20) < 0.8
    assert needed == 8  # the classic worked example (80/20 with 5 erlangs)


def test_an_overloaded_queue_never_meets_a_target():
    assert erlang.erlang_c(2, 2.5) == 1.0
    assert erlang.service_level(2, 1 / 60, 150, 60) == 0.0
    assert math.isinf(erlang.mean_wait(2, 1 / 60, 150))


def _batch_ci(values: list[float], batches: int = 30) -> tuple[float, float]:
    """Mean and 99% half-width by batch means (waits in a queue are correlated)."""
    size = len(values) // batches
    means = [statistics.fmean(values[i * size:(i + 1) * size]) for i in range(batches)]
    half = 2.756 * statistics.stdev(means) / math.sqrt(batches)  # t(0.995, 29)
    return statistics.fmean(means), half


def test_simulated_month_with_one_agent_agrees_with_erlang_c():
    """A month of Poisson arrivals (one every 10 minutes) handled in 7 minutes on average
    (exponential) by one agent on shift around the clock: M/M/1 with load 0.7."""
    pack = load_pack(PACKS_DIR / "fire22.yaml")  # an always-open calendar
    plan = load_plan("""
agents: [{name: solo, count: 1, shift: {days: mon-sun, hours: "00:00-24:00"}}]
handling: {mean: 7m, distribution: exponential, cap: 30d}
""")
    rng = random.Random(2026)
    start = datetime(2026, 11, 1, tzinfo=UTC).timestamp()
    end = start + 30 * 86400
    rate, aht = 1 / 600, 420.0
    arrivals, t = [], start
    while (t := t + rng.expovariate(rate)) < end:
        arrivals.append(Arrival(at=t, subject="Question", channel="email"))
    tickets = prepare(arrivals, pack)
    handling = handling_times(arrivals, tickets, plan, seed=11)
    outcome = engine.run(tickets, handling, plan, start=start, end=end, timezone="UTC",
                         priority_order=list(pack.priority_codes))
    waits = [outcome.pickup[i] - a.at for i, a in enumerate(arrivals)]
    mean, half = _batch_ci(waits)
    assert abs(mean - erlang.mean_wait(1, rate, aht)) <= half, (mean, half)
    target = 300
    within, half = _batch_ci([1.0 if w <= target else 0.0 for w in waits])
    assert abs(within - erlang.service_level(1, rate, aht, target)) <= half, (within, half)
    agent = outcome.agents[0]
    assert agent.busy_seconds / agent.shift_seconds == pytest.approx(0.7, abs=0.05)
