"""A handbook test run never touches the live database nor reads the system clock."""

from tests.policy_tests.conftest import run_tierdesk
from tierdesk.policy import PACKS_DIR

CASE = """
cases:
  - name: weekend-ticket
    handbook: "| Enterprise | 1 hr | 4 hr | 12 hr| 24 hr|"
    customer: {plan: Enterprise, country: GB, timezone: Europe/London}
    ticket: {at: Sat 2026-11-28 10:00, error_code: SSO-9001}
    expect: {clocks: {first_response: {due: Mon 2026-11-30 13:00}}}
    then:
      - {at: Mon 2027-03-01 09:00, expect: {clocks: {first_response: {breached: true}}}}
"""


def test_runs_in_a_throwaway_instance_whatever_database_is_configured(tmp_path):
    scenarios = tmp_path / "s.yaml"
    scenarios.write_text(CASE)
    live = tmp_path / "live"
    run = run_tierdesk("policy", "test", str(PACKS_DIR / "dataflow.yaml"), str(scenarios),
                       env={"TIERDESK_DATABASE_URL": "postgres://nobody@127.0.0.1:1/live",
                            "TIERDESK_DATA_DIR": str(live)})
    assert run.returncode == 0, run.stdout + run.stderr
    assert "1 of 1 case(s) pass" in run.stdout
    assert not (live / "tierdesk.sqlite3").exists()


def test_a_scenario_mistake_names_its_path_and_nothing_runs(tmp_path):
    scenarios = tmp_path / "s.yaml"
    scenarios.write_text(CASE.replace("Sat 2026-11-28", "Sat 2026-11-29")
                         .replace("do: reply", "do: repyl"))
    run = run_tierdesk("policy", "test", str(PACKS_DIR / "dataflow.yaml"), str(scenarios))
    assert run.returncode == 2
    assert "cases[0].ticket.at: 'Sat 2026-11-29 10:00': 2026-11-29 is a Sun, not a Sat" \
        in run.stderr
