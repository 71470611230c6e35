"""Scenario files: times in the customer's zone, mistakes reported with their path."""

from datetime import UTC, datetime

import pytest

from tierdesk.policy_tests.scenarios import ScenarioInvalid, load_scenarios
from tierdesk.policy_tests.times import parse_time, show


def test_a_time_without_a_zone_is_in_the_customers_zone():
    at, zone = parse_time("Sat 2026-11-28 10:00", "America/New_York")
    assert at.astimezone(UTC) == datetime(2026, 11, 28, 15, 0, tzinfo=UTC)
    assert show(at, zone) == "Sat 2026-11-28 10:00 EST"


def test_a_failure_shows_the_time_in_the_zone_the_case_wrote():
    at = datetime(2026, 11, 30, 13, 0, tzinfo=UTC)
    assert show(at, "Europe/London") == "Mon 2026-11-30 13:00 GMT"
    assert show(at, "Asia/Dubai") == "Mon 2026-11-30 17:00 +04"


def test_every_mistake_is_listed_with_its_path():
    text = """
cases:
  - name: a
    handbook: "P1 4 hours"
    ticket: {at: Sat 2026-11-29 10:00, channel: email}
    then:
      - {at: 2026-11-27 10:00 Mars/Olympus, do: dance}
  - name: a
    handbook: "P1 4 hours"
    ticket: {at: 2026-11-28 10:00}
"""
    with pytest.raises(ScenarioInvalid) as caught:
        load_scenarios(text)
    assert any(e.startswith("cases[0].then[0].do") and "unknown action" in e
               for e in caught.value.errors)
    text = text.replace("do: dance", "do: reply")
    with pytest.raises(ScenarioInvalid) as caught:
        load_scenarios(text)
    errors = caught.value.errors
    assert "cases[0].ticket.at: 'Sat 2026-11-29 10:00': 2026-11-29 is a Sun, not a Sat" \
        in errors
    assert any(e.startswith("cases[0].then[0].at") and "Mars/Olympus" in e for e in errors)
    assert "cases: the name 'a' is used twice" in errors


def test_steps_may_not_go_back_in_time():
    text = """
cases:
  - name: a
    handbook: "P1 4 hours"
    ticket: {at: 2026-11-28 10:00}
    then: [{at: 2026-11-28 09:00}]
"""
    with pytest.raises(ScenarioInvalid) as caught:
        load_scenarios(text)
    assert "only moves forward" in caught.value.errors[0]


def test_survey_and_refund_steps_say_what_they_take():
    text = """
cases:
  - name: a
    handbook: "8.1 Process"
    ticket: {at: 2026-11-28 10:00}
    then:
      - {at: 2026-11-29 10:00, do: {survey: {scor: 2}}}
      - {at: 2026-11-29 10:00, do: refund}
      - {at: 2026-11-29 10:00, do: {refund: {amount: 149, by: agent}},
         expect: {refunds: [{status: waiting}], tasks: [{due: 2026-11-30 25:00}]}}
"""
    with pytest.raises(ScenarioInvalid) as caught:
        load_scenarios(text)
    errors = caught.value.errors
    assert any(e.startswith("cases[0].then[0].do") and "survey: score: Field required" in e
               and "{survey: {score: 2, comment: ...}}" in e for e in errors), errors
    assert any(e.startswith("cases[0].then[1].do") and "refund needs a value" in e
               for e in errors), errors
    assert any(e.startswith("cases[0].then[2].expect.refunds[0].status") for e in errors)
    text = text.replace("{scor: 2}", "{score: 2}").replace("do: refund}", "do: wait}") \
        .replace("status: waiting", "status: routed")
    with pytest.raises(ScenarioInvalid) as caught:
        load_scenarios(text)
    assert [e for e in caught.value.errors if "tasks[0].due" in e], caught.value.errors
    load_scenarios(text.replace("25:00", "23:00"))
