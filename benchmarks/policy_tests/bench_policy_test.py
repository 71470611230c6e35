"""Benchmark: `tierdesk policy test` running 100 cases (target < 10 s).

Run: .venv/bin/python -m benchmarks.policy_tests.bench_policy_test
The DataFlow scenario file's cases are repeated (renamed) up to 100 and run as a user runs
them: one `tierdesk policy test` process, which prints its own run time (instance built
from the cached migrated database, then every case on a fresh copy). The process's wall
time, Django start-up included, is printed too.
"""

import os
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
        began = time.perf_counter()
        run = subprocess.run(command, capture_output=True, text=True, check=False)
        wall = time.perf_counter() - began
    print(run.stdout.strip().splitlines()[-1])
    print(f"{CASES} cases: process wall {wall:.1f} s; load average "
          f"{os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
