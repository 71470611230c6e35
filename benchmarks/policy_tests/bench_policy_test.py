"""Benchmark: `tierdesk policy test` running 100 cases (target < 10 s).

Run: .venv/bin/python -m benchmarks.policy_tests.bench_policy_test
The DataFlow scenario file's cases are repeated (renamed) up to 100 and run as a user runs
them: one `tierdesk policy test` process, which prints its own run time (instance built
from the cached migrated database, then every case in a transaction rolled back after
it). The process's wall and CPU time, Django start-up included, and the load average
before and after are printed too (on the shared machine the load decides the wall time).
"""

import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

from tierdesk.policy import PACKS_DIR

CASES = 100


def main() -> None:
    data = yaml.safe_load((PACKS_DIR / "dataflow.scenarios.yaml").read_text())
    cases = []
    while len(cases) < CASES:
        for case in data["cases"]:
            if len(cases) < CASES:
                cases.append({**case, "name": f"{case['name']}-{len(cases)}"})
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "hundred.scenarios.yaml"
        path.write_text(yaml.safe_dump({"cases": cases}, allow_unicode=True))
        command = [sys.executable, "-m", "tierdesk.cli", "policy", "test",
                   str(PACKS_DIR / "dataflow.yaml"), str(path)]
        subprocess.run(command, capture_output=True, check=False)  # warm the migrated cache
        load_before = os.getloadavg()[0]
        cpu_before = _children_cpu()
        began = time.perf_counter()
        run = subprocess.run(command, capture_output=True, text=True, check=False)
        wall = time.perf_counter() - began
        cpu = _children_cpu() - cpu_before
    print(run.stdout.strip().splitlines()[-1])
    print(f"{CASES} cases: process wall {wall:.1f} s, CPU {cpu:.1f} s; load average "
          f"{load_before:.2f} before, {os.getloadavg()[0]:.2f} after")


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


if __name__ == "__main__":
    main()
