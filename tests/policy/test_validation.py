"""A malformed pack is reported with the exact path and a message a manager can act on."""

from pathlib import Path

import pytest

from tierdesk.policy import PackError, PackInvalid, check_pack, load_pack
from tierdesk.policy.durations import format_duration, parse_duration

FIXTURES = Path(__file__).parent / "fixtures"


def errors_of(name: str) -> list[str]:
    return [str(e) for e in check_pack(FIXTURES / name)]


def test_wrong_type_names_the_field_and_the_value():
    assert errors_of("wrong_type.yaml") == [
        "version: Input should be a valid integer, unable to parse string as an integer"
        " (got 'three')"
    ]


def test_unknown_priority_in_a_target_map_points_at_its_key():
    assert errors_of("unknown_priority.yaml") == [
        "sla_policies[2].targets.first_response.P5: unknown priority; valid: P1, P2"
    ]


def test_overlapping_hours_name_the_weekday_and_both_ranges():
    assert errors_of("overlapping_hours.yaml") == [
        "calendars.office.week: overlapping hours: wed 09:00-17:00 overlaps 16:00-20:00"
    ]


def test_unknown_calendar_is_reported_where_it_is_used():
    assert errors_of("unknown_calendar.yaml") == [
        "sla_policies[0].calendar: unknown calendar 'weekend'; valid: office"
    ]


def test_bad_duration_explains_the_notation():
    assert errors_of("bad_duration.yaml") == [
        "sla_policies[0].targets.first_response: invalid duration '2 hours';"
        " use a number and a unit: 15m, 2h, 1d (= 24h), 1h30m, 90s"
    ]


def test_unknown_time_zone_is_rejected():
    assert errors_of("unknown_timezone.yaml") == [
        "calendars.office.timezone: unknown time zone 'Europe/Londres';"
        " use an IANA name such as Europe/London"
    ]


def test_unknown_field_is_an_error_not_ignored():
    assert errors_of("unknown_field.yaml") == ["priorities[0].colour: unknown field"]


def test_yaml_syntax_error_gives_line_and_column():
    assert errors_of("yaml_syntax.yaml") == [
        "line 5, column 10: YAML syntax error: expected ',' or '}', but got ':'"
    ]


def test_several_errors_in_one_file_are_all_reported():
    assert errors_of("several_errors.yaml") == [
        "timezone: unknown time zone 'Atlantis/Capital'; use an IANA name such as Europe/London",
        "sla_policies[0].when.priority: unknown priority 'P7'; valid: P1",
        "rules[0].do[0].send_template: unknown template 'welcome'; the pack declares no templates",
    ]


def test_load_pack_raises_with_every_error():
    with pytest.raises(PackInvalid) as caught:
        load_pack(FIXTURES / "several_errors.yaml")
    assert len(caught.value.errors) == 3
    assert isinstance(caught.value.errors[0], PackError)


MINI = """
name: mini
title: Mini
priorities: [{code: P1, name: High}]
calendars:
  office: {week: {mon-fri: "09:00-17:00"}}
"""


def check_text(extra: str) -> list[str]:
    from tierdesk.policy.loader import validate_data_text

    return [str(e) for e in validate_data_text(MINI + extra)[1]]


def test_on_and_no_stay_words_not_booleans():
    pack = load_pack(
        MINI
        + "rules: [{name: r, on: created, do: [{add_tags: [x]}]}]\n"
        + "channels: {phone: {description: 'NO'}}\n"
    )
    assert pack.rules[0].on == ["created"]


def test_duplicate_yaml_keys_are_an_error():
    assert check_text("title: Again\n") == [
        "line 7, column 1: YAML syntax error: duplicate key 'title'"
    ]


def test_an_action_names_exactly_one_thing_to_do():
    errors = check_text("rules: [{name: r, on: time, do: [{escalate: L2, add_tags: [x]}]}]\n")
    assert errors[0].startswith("rules[0].do[0]: an action names exactly one of: escalate,")


def test_a_role_outside_the_platform_needs_based_on():
    assert check_text("roles: [agent, lead_technical]\n") == [
        "roles[1]: 'lead_technical' is not a platform role; add based_on: one of agent,"
        " specialist, engineer, support_manager, finance_director, qa_lead, kb_specialist,"
        " director, admin"
    ]


def test_templates_need_the_default_language_and_only_declared_ones():
    errors = check_text("templates: {hi: {body: {fr: 'Bonjour {customer_name}'}}}\n")
    assert errors == [
        "templates.hi.body.fr: unknown language; valid: en",
        "templates.hi.body: missing the default language 'en'",
    ]


def test_a_sla_target_in_seconds_is_refused():
    errors = check_text(
        "sla_policies: [{name: x, calendar: office, targets: {first_response: 90s}}]\n"
    )
    assert errors == [
        "sla_policies[0].targets.first_response: SLA targets are counted in whole minutes,"
        " got '90s'"
    ]


def test_duplicate_priority_codes_are_reported_on_the_second():
    assert check_text("") == []
    errors = [
        str(e)
        for e in check_pack_text(
            "name: x\ntitle: X\npriorities: [{code: P1, name: A}, {code: P1, name: B}]\n"
        )
    ]
    assert errors == ["priorities[1].code: duplicate priority 'P1'"]


def check_pack_text(text: str) -> list[PackError]:
    from tierdesk.policy.loader import validate_data_text

    return validate_data_text(text)[1]


@pytest.mark.parametrize(
    ("text", "minutes"),
    [("15m", 15), ("2h", 120), ("1d", 1440), ("1h30m", 90), ("90s", 1.5)],
)
def test_durations_read_like_the_handbook_and_1d_is_24_hours(text, minutes):
    assert parse_duration(text).total_seconds() / 60 == minutes


@pytest.mark.parametrize("text", ["0m", "2 hours", "h", "", "1m1h"])
def test_invalid_durations_are_refused(text):
    with pytest.raises(ValueError):
        parse_duration(text)


def test_durations_print_in_hours_for_sla_reading():
    assert format_duration(parse_duration("3d")) == "72h"
    assert format_duration(parse_duration("1h30m")) == "1h30m"
