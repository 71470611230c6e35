"""Scenario steps for a survey answer and a refund request (DataFlow sections 8 and 6):
a pack that drifts from the handbook fails the case that quotes the line, in its words."""

from tests.policy_tests.conftest import run_tierdesk
from tierdesk.policy import PACKS_DIR

SCENARIOS = PACKS_DIR / "dataflow.scenarios.yaml"


def _dataflow_with(tmp_path, old: str, new: str):
    source = (PACKS_DIR / "dataflow.yaml").read_text()
    assert old in source
    pack = tmp_path / "dataflow-edited.yaml"
    pack.write_text(source.replace(old, new))
    return pack


def test_a_follow_up_given_a_day_instead_of_12_hours_fails_the_1008_case(tmp_path):
    """ "Escalate negative feedback (<3/5) to Support Manager within 12 hours." """
    pack = _dataflow_with(tmp_path, "follow_up_within: 12h", "follow_up_within: 24h")
    run = run_tierdesk("policy", "test", str(pack), str(SCENARIOS),
                       "--case", "low-score-1008-manager-follow-up-within-12h",
                       "--case", "survey-24h-after-closure")
    assert run.returncode == 1, run.stdout + run.stderr
    assert ("FAIL  low-score-1008-manager-follow-up-within-12h: tasks expected "
            "[support_manager due Wed 2026-11-25 04:00 EST (surveys) open], got "
            "[support_manager due Wed 2026-11-25 16:00 EST (surveys: Low satisfaction (2/5) "
            "on ticket #1: follow up)] after survey at Tue 2026-11-24 16:00 EST") in run.stdout
    assert "1 of 2 case(s) pass, 1 fail" in run.stdout


def test_a_survey_sent_early_fails_the_24_hour_case(tmp_path):
    """ "Send survey via Zendesk 24 hours after ticket closure" """
    pack = _dataflow_with(tmp_path, "send_after: 24h ", "send_after: 12h ")
    run = run_tierdesk("policy", "test", str(pack), str(SCENARIOS),
                       "--case", "survey-24h-after-closure")
    assert run.returncode == 1
    assert ("FAIL  survey-24h-after-closure: then[2] survey at Tue 2026-11-24 11:29 EST "
            "expected a refusal saying 'no satisfaction survey was mailed', but it was done"
            ) in run.stdout


def test_the_enterprise_credit_is_given_once_at_the_packs_amount(tmp_path):
    """ "For Enterprise customers ... offer a $100 credit for scores <3/5" """
    pack = _dataflow_with(tmp_path, "do: [{issue_credit: {amount: 100, currency: USD}}",
                          "do: [{issue_credit: {amount: 50, currency: USD}}")
    run = run_tierdesk("policy", "test", str(pack), str(SCENARIOS),
                       "--case", "enterprise-low-score-100-credit-once")
    assert run.returncode == 1
    assert ("FAIL  enterprise-low-score-100-credit-once: credits expected [100], got [50] "
            "after survey at Wed 2026-11-25 13:00 CST") in run.stdout


def test_an_agent_limit_raised_past_149_fails_the_ladder_case(tmp_path):
    """ "Agent (Level 1): Approve refunds <30 days for Starter/Professional ($49–$149)" """
    pack = _dataflow_with(tmp_path, "max_amount: 149, max_days: 30",
                          "max_amount: 200, max_days: 30")
    run = run_tierdesk("policy", "test", str(pack), str(SCENARIOS),
                       "--case", "agent-limit-is-149",
                       "--case", "starter-refund-1002-by-agent-template-4")
    assert run.returncode == 1
    assert ("FAIL  agent-limit-is-149: refunds expected [routed to support_manager], got "
            "[$149.01 refund approved by agent under refunds.limits[0] (agent: refund up to "
            "200 USD within 30 days of the charge for Starter/Professional)] after refund at "
            "Mon 2026-11-23 11:00 EST") in run.stdout
    assert ("agent-limit-is-149: templates expected [initial_response], got "
            "[initial_response, refund_confirmation]") in run.stdout
    assert "1 of 2 case(s) pass, 1 fail" in run.stdout


def test_a_finance_director_line_lost_fails_the_routing_cases(tmp_path):
    """ "Finance Director (Level 3): Approve refunds >$1,000 or contract disputes" """
    pack = _dataflow_with(
        tmp_path, "- {role: finance_director, kinds: [refund, credit], contract_disputes: true}",
        "- {role: finance_director, kinds: [credit], contract_disputes: true}")
    run = run_tierdesk("policy", "test", str(pack), str(SCENARIOS),
                       "--case", "refund-over-1000-to-finance-director")
    assert run.returncode == 1
    assert ("FAIL  refund-over-1000-to-finance-director: then[0] refund at Mon 2026-11-23 "
            "11:00 EST was refused: no line of the pack's refund ladder allows a Enterprise "
            "refund like this one") in run.stdout
