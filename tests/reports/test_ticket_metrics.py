"""Each metric on the constructed November (see conftest): figures worked out by hand."""

from tierdesk.reports.period import parse_period
from tierdesk.reports.registry import METRICS
from tierdesk.reports.scope import Filters, Scope

NOVEMBER = parse_period("2026-11", "America/New_York")


def value(name, period=NOVEMBER, **filters):
    return METRICS[name].value(Scope(period, Filters.of(**filters)))


def test_seven_of_ten_solved_at_first_contact_is_70_percent(november):
    assert value("tickets_created") == 10
    assert value("first_contact_resolution") == 70.0


def test_one_escalated_ticket_in_ten_is_a_10_percent_escalation_rate(november):
    assert value("escalation_rate") == 10.0
    assert value("escalation_accuracy") == 100.0  # nobody sent it back down


def test_a_solved_ticket_reopened_by_the_customer_counts_once_among_nine_solved(november):
    assert value("reopen_rate") == round(100 / 9, 2)


def test_first_response_is_averaged_on_the_calendar_and_in_business_hours(november):
    # nine answered after 30 minutes, one after 66 calendar hours (Fri 16:00 - Mon 10:00)
    assert value("first_response_time_avg") == (9 * 1800 + 66 * 3600) / 10
    # ...which is 2 business hours (Fri 16-17, Mon 9-10) on the customer's calendar
    assert value("first_response_business_avg") == (9 * 1800 + 2 * 3600) / 10


def test_the_weekend_ticket_kept_its_first_response_sla_in_business_time(november):
    # P2 Professional first response is due within the pack's target; 2 business hours
    # meets it, although 66 hours passed on the calendar
    assert value("sla_compliance") == 100.0
    assert value("sla_breaches") == 0


def test_an_empty_period_reports_nothing_to_measure_rather_than_zero(november):
    october = parse_period("2026-10", "America/New_York")
    assert value("tickets_created", october) == 0
    assert value("first_contact_resolution", october) is None
    assert value("first_response_time_avg", october) is None


def test_filters_narrow_the_cohort(november):
    assert value("tickets_created", plan="Enterprise") == 0
    assert value("tickets_created", plan="Professional") == 10
    assert value("tickets_created", group="support") == 9  # one now sits with DevOps
    assert value("tickets_created", group="devops") == 1
    assert value("tickets_created", agent=[november.alice.pk]) == 0  # nobody assigned
    assert value("channel_distribution") == {"portal": 10}


def test_a_week_holds_only_its_own_tickets(november):
    week = parse_period("2026-W46", "America/New_York")  # 9-15 November
    assert value("tickets_created", week) == 4  # 9, 10, 12 (reopened), 13 (escalated)
    assert value("first_contact_resolution", week) == 50.0


def test_a_pack_change_mid_month_holds_each_ticket_to_the_targets_it_had(
        november_with_pack_change):
    # the nine tickets before 16 November kept their 24-hour target; the weekend ticket
    # after it had 1 hour and took 2 business hours
    assert value("sla_compliance") == 90.0
    assert value("sla_breaches") == 1
    assert value("sla_breach_rate") == 10.0
    assert value("sla_compliance_by_plan") == {"Professional": 90.0}


def test_a_customer_back_on_the_same_topic_within_a_week_is_a_repeat_contact(november):
    # all ten tickets are one customer's, in the pack's default category: each one
    # opened within 7 days of their previous ticket is a repeat (2, 3, 4, 5, 6 Nov, then
    # 9, 10, 12, 13 Nov follow within a week; 20 Nov comes 7 days after 13 Nov 10:00
    # at 16:00, beyond the window): 8 of 10
    assert value("repeat_contact_rate") == 80.0
    week = parse_period("2026-W47", "America/New_York")  # 16-22 Nov: only the 20th
    assert value("repeat_contact_rate", week) == 0.0
