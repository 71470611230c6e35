"""Figures other domains feed the reports: refunds, handle time, risks; and the list of
metrics a pack may name agrees with what the reports compute."""

from tierdesk.kb.handle_time import time_log
from tierdesk.people.access import viewer_for
from tierdesk.policy.schema import METRIC_UNITS
from tierdesk.policy.schema_reports import REPORT_METRICS
from tierdesk.refunds.services import refund_request
from tierdesk.reports.period import parse_period
from tierdesk.reports.registry import METRICS
from tierdesk.reports.scope import Filters, Scope

NOVEMBER = parse_period("2026-11", "America/New_York")


def value(name, **filters):
    return METRICS[name].value(Scope(NOVEMBER, Filters.of(**filters)))


def test_every_computed_metric_may_be_named_in_a_packs_scheduled_report():
    assert set(METRICS) <= set(REPORT_METRICS)


def test_every_kpi_goal_a_pack_may_declare_is_computed_in_its_unit():
    assert set(METRIC_UNITS) <= set(METRICS)
    for name in METRIC_UNITS:
        assert METRICS[name].unit == METRIC_UNITS[name], name


def test_one_refunded_ticket_in_ten_is_a_10_percent_refund_rate(november):
    ticket = november.tickets[0]
    refund_request(viewer=viewer_for(november.alice.user), ticket=ticket, kind="refund",
                   amount="99.00", currency="USD", reason="charged twice",
                   days_since_charge=5, plan="Professional")
    assert value("refund_rate") == 10.0
    assert value("refund_rate", plan="Enterprise") is None  # no tickets: nothing to measure


def test_handle_time_is_averaged_over_the_tickets_agents_logged_time_on(november):
    alice = viewer_for(november.alice.user)
    time_log(ticket=november.tickets[0], viewer=alice, minutes=60)
    time_log(ticket=november.tickets[1], viewer=alice, minutes=20)
    time_log(ticket=november.tickets[1], viewer=alice, minutes=10)
    assert value("handle_time_avg") == (3600 + 1800) / 2


def test_no_survey_sent_is_no_csat_rather_than_zero(november):
    assert value("csat_score") is None
    assert value("survey_response_rate") is None
    assert value("risk_identification_rate") == 0.0
