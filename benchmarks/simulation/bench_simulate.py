"""Benchmark: a simulated month of 30,000 tickets with 20 agents (target < 30 s, one core).

Run: .venv/bin/python -m benchmarks.simulation.bench_simulate
Both packs (the DataFlow pack and a candidate with Enterprise P1 at 8 h) are simulated,
as `tierdesk simulate` does; the time of one pack's run is printed too.
"""

import os
import time
from datetime import UTC, datetime

from benchmarks.simulation.month import constructed_month
from tierdesk.policy import PACKS_DIR, load_pack
from tierdesk.simulation.model import prepare
from tierdesk.simulation.plan import load_plan
from tierdesk.simulation.run import handling_times, simulate

PLAN = """
name: twenty agents
timezone: UTC
agents:
  - {name: early, count: 6, tier: L1, shift: {days: mon-sun, hours: "06:00-14:00"}}
  - {name: late, count: 8, tier: L1, shift: {days: mon-sun, hours: "12:00-20:00"}}
  - {name: night, count: 3, tier: L1, shift: {days: mon-sun, hours: "20:00-24:00"}}
  - {name: small-hours, count: 3, tier: L1, shift: {days: mon-sun, hours: "00:00-06:00"}}
handling: {mean: 7m}
"""


def main() -> None:
    os.environ.setdefault("PYTHONHASHSEED", "0")
    source = (PACKS_DIR / "dataflow.yaml").read_text()
    current = load_pack(source)
    candidate = load_pack(source.replace("first_response: {P1: 4h, P2: 12h, P3: 24h}",
                                         "first_response: {P1: 8h, P2: 12h, P3: 24h}"))
    plan = load_plan(PLAN)
    arrivals = constructed_month(30_000, seed=7)
    start = datetime(2026, 11, 1, tzinfo=UTC).timestamp()
    end = datetime(2026, 12, 1, tzinfo=UTC).timestamp()
    began = time.process_time()
    wall = time.perf_counter()
    handling = handling_times(arrivals, prepare(arrivals, current), plan, seed=1)
    one = time.process_time()
    runs = [simulate(arrivals, pack, plan, start=start, end=end, handling=handling,
                     label=label) for label, pack in (("current", current),
                                                      ("candidate", candidate))]
    cpu, elapsed = time.process_time() - began, time.perf_counter() - wall
    print(f"{len(arrivals)} tickets, {sum(g.count for g in plan.agents)} agents, one month, "
          f"two packs: {cpu:.1f} s CPU ({elapsed:.1f} s wall); handling draw "
          f"{one - began:.1f} s; load average {os.getloadavg()[0]:.2f}")
    for run in runs:
        print(f"  {run['label']}: first response met {run['first_response_met_pct']}%, "
              f"resolution met {run['resolution_met_pct']}%, escalations "
              f"{run['escalations']}, mean wait {run['mean_wait_minutes']} min, "
              f"utilisation {[u['utilisation_pct'] for u in run['utilisation']]}")


if __name__ == "__main__":
    main()
