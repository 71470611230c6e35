"""Example staffing plans, one per seed pack that has one."""

from pathlib import Path

PLANS_DIR = Path(__file__).parent
