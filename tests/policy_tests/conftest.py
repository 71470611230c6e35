import os
import subprocess
import sys
from pathlib import Path

import pytest

from tierdesk.policy import PACKS_DIR

SEED_PACKS = sorted(p for p in PACKS_DIR.glob("*.yaml") if not p.name.endswith(".scenarios.yaml"))


def run_tierdesk(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run `tierdesk ...` in a process of its own, as a user would."""
    return subprocess.run([sys.executable, "-m", "tierdesk.cli", *args], capture_output=True,
                          text=True, check=False, env={**os.environ, **(env or {})},
                          cwd=Path(__file__).resolve().parents[2])


@pytest.fixture
def tierdesk_cmd():
    return run_tierdesk
