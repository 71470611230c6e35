"""CI runs every seed pack's handbook scenarios, as `tierdesk policy test` would."""

import re

import pytest

from tests.policy_tests.conftest import SEED_PACKS, run_tierdesk
from tierdesk.policy import PACKS_DIR
from tierdesk.policy_tests.scenarios import load_scenarios, scenario_file_for


@pytest.mark.parametrize("pack", SEED_PACKS, ids=[p.stem for p in SEED_PACKS])
def test_every_seed_pack_keeps_its_handbook_promises(pack):
    run = run_tierdesk("policy", "test", str(pack))
    assert run.returncode == 0, run.stdout + run.stderr
    assert re.search(r"(\d+) of \1 case\(s\) pass, 0 fail", run.stdout), run.stdout


@pytest.mark.parametrize("pack", SEED_PACKS, ids=[p.stem for p in SEED_PACKS])
def test_every_seed_pack_ships_scenarios_quoting_the_handbook(pack):
    scenarios = load_scenarios(scenario_file_for(pack))
    minimum = 15 if pack.stem in ("dataflow", "nexacore") else 3
    assert len(scenarios.cases) >= minimum
    assert all(len(case.handbook) > 10 for case in scenarios.cases)


def test_dataflow_enterprise_p1_at_8h_fails_the_weekend_case_in_handbook_words(tmp_path):
    """One line of the pack changed (Enterprise P1 4 h -> 8 h): the scenario that states
    the 4-hour promise fails, saying what the handbook expected and what the pack did."""
    source = (PACKS_DIR / "dataflow.yaml").read_text()
    changed = source.replace("first_response: {P1: 4h, P2: 12h, P3: 24h}",
                             "first_response: {P1: 8h, P2: 12h, P3: 24h}")
    assert changed != source
    pack = tmp_path / "dataflow-8h.yaml"
    pack.write_text(changed)
    run = run_tierdesk("policy", "test", str(pack),
                       str(PACKS_DIR / "dataflow.scenarios.yaml"))
    assert run.returncode == 1
    assert ("FAIL  enterprise-p1-weekend: first_response due expected Mon 2026-11-30 13:00 "
            "GMT, got Mon 2026-11-30 17:00 GMT (policy Enterprise, calendar "
            "customer-business-hours)") in run.stdout
    assert "fail" in run.stdout.splitlines()[-1]


def test_a_pack_without_scenarios_beside_it_is_held_to_its_seed_packs(tmp_path):
    pack = tmp_path / "my-edit.yaml"
    pack.write_text((PACKS_DIR / "escalation-basic.yaml").read_text())
    run = run_tierdesk("policy", "test", str(pack))
    assert run.returncode == 0, run.stdout + run.stderr
    assert "escalation-basic.scenarios.yaml" in run.stdout
