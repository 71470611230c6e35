"""DataFlow's SLA table and classification, read back through the pack."""

from datetime import timedelta

import pytest

from tierdesk.policy import classify, load_builtin_pack, load_pack, match_sla_policy, rules_for


@pytest.fixture(scope="module")
def dataflow():
    return load_builtin_pack("dataflow")


def test_enterprise_p1_first_response_due_in_4_hours(dataflow):
    match = match_sla_policy(dataflow, {"priority": "P1", "plan": "Enterprise"})
    assert match is not None
    assert (match.policy, match.calendar) == ("Enterprise", "customer-business-hours")
    assert match.targets == {"first_response": 240, "resolution": 1440}
    assert match.warn_before == {"first_response": 60, "resolution": 360}


@pytest.mark.parametrize("plan", ["Starter", "Professional", "Enterprise"])
def test_p0_on_any_plan_gets_1_hour_on_the_always_calendar(dataflow, plan):
    match = match_sla_policy(dataflow, {"priority": "P0", "plan": plan})
    assert match is not None
    assert (match.policy, match.calendar) == ("P0 critical outage", "always")
    assert match.targets["first_response"] == 60


def test_starter_p3_first_response_due_in_72_hours(dataflow):
    match = match_sla_policy(dataflow, {"priority": "P3", "plan": "Starter"})
    assert match is not None
    assert match.targets == {"first_response": 72 * 60, "resolution": 72 * 60}


def test_no_policy_matches_a_ticket_without_a_plan(dataflow):
    assert match_sla_policy(dataflow, {"priority": "P2"}) is None


def test_first_matching_policy_wins():
    pack = load_pack(
        """
name: order
title: Order
priorities: [{code: P1, name: High}]
plans: [Gold]
calendars: {always: {always: true}}
sla_policies:
  - {name: Gold customers, when: {plan: Gold}, calendar: always, targets: {first_response: 30m}}
  - {name: High priority, when: {priority: P1}, calendar: always, targets: {first_response: 2h}}
"""
    )
    assert match_sla_policy(pack, {"priority": "P1", "plan": "Gold"}).policy == "Gold customers"
    assert match_sla_policy(pack, {"priority": "P1", "plan": None}).policy == "High priority"


@pytest.mark.parametrize(
    ("customer", "code", "priority"),
    [
        (1018, "SSO-9001", "P1"),
        (1003, "DB-2002", "P0"),
        (1017, "MOB-6006", "P2"),
        (1011, "COL-11001", "P3"),
        (1006, "API-4004", "P1"),
        (1001, "DS-1001", "P1"),
    ],
)
def test_error_codes_set_the_handbook_priority(dataflow, customer, code, priority):
    result = classify(dataflow, {"organisation": customer, "error_code": code})
    assert (result.priority, result.rule) == (priority, "error_code")


def test_customer_1003s_service_unavailable_is_a_p0_outage_by_its_words(dataflow):
    result = classify(dataflow, {"subject": "Error 503: service unavailable on every dashboard"})
    assert (result.priority, result.category, result.rule) == ("P0", "outage", "platform outage")


def test_an_error_code_quoted_in_the_body_is_found(dataflow):
    result = classify(dataflow, {"subject": "Help", "body": "The app says MOB-6006 again"})
    assert (result.priority, result.category) == ("P2", "mobile")


def test_unknown_error_code_falls_back_to_the_default(dataflow):
    result = classify(dataflow, {"error_code": "XYZ-0000", "subject": "Something odd"})
    assert (result.priority, result.category, result.rule) == ("P2", "general", "default")


def test_keywords_match_whole_words_only(dataflow):
    result = classify(dataflow, {"subject": "platform outages report for Q3"})
    assert result.rule == "default"


def test_p1_escalates_to_engineering_only_after_2_hours(dataflow):
    facts = {"priority": "P1", "status": "open", "tier": "L1"}
    early = rules_for(dataflow, "time", {**facts, "since_created": timedelta(minutes=119)})
    late = rules_for(dataflow, "time", {**facts, "since_created": timedelta(hours=2)})
    assert "P1 to Engineering after 2h" not in [r.name for r in early]
    assert "P1 to Engineering after 2h" in [r.name for r in late]


def test_enterprise_low_score_earns_the_100_dollar_credit(dataflow):
    fired = rules_for(dataflow, "survey_answered", {"plan": "Enterprise", "score": 2})
    assert [r.name for r in fired] == ["Enterprise low score credit"]
    assert fired[0].do[0].issue_credit.amount == 100
    assert rules_for(dataflow, "survey_answered", {"plan": "Enterprise", "score": 3}) == []
