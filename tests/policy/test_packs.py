"""The five shipped packs are valid and say what their handbooks say."""

from datetime import date, timedelta

import pytest

from tierdesk.policy import builtin_pack_names, check_pack, load_builtin_pack, pack_summary
from tierdesk.policy.loader import PACKS_DIR

SHIPPED = ["csu", "dataflow", "escalation-basic", "fire22", "nexacore"]


def test_all_five_handbooks_ship_as_packs():
    assert builtin_pack_names() == SHIPPED


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_pack_passes_check(name):
    assert check_pack(PACKS_DIR / f"{name}.yaml") == []


def _items_without_comment(text: str, section: str) -> list[str]:
    """Return the first line of each list item in ``section`` with no comment on it or
    on the line just above it."""
    lines = text.splitlines()
    start = lines.index(f"{section}:")
    end = next((i for i in range(start + 1, len(lines)) if lines[i][:1].isalpha()), len(lines))
    starts = [i for i in range(start + 1, end) if lines[i].startswith("  - ")] + [end]
    bare = []
    for first, nxt in zip(starts, starts[1:], strict=False):
        window = lines[first - 1 : nxt]
        if not any("#" in line for line in window):
            bare.append(lines[first])
    return bare


@pytest.mark.parametrize("name", SHIPPED)
def test_every_sla_policy_and_rule_cites_the_handbook_or_states_a_default(name):
    text = (PACKS_DIR / f"{name}.yaml").read_text(encoding="utf-8")
    sections = [s for s in ("sla_policies", "rules") if f"\n{s}:" in text]
    assert sections
    assert [line for s in sections for line in _items_without_comment(text, s)] == []


def test_dataflow_customer_hours_follow_the_customers_zone_and_country():
    pack = load_builtin_pack("dataflow")
    resolved = pack.calendars["customer-business-hours"].resolve(
        default_timezone=pack.timezone, customer_timezone="Europe/London", customer_country="GB"
    )
    assert resolved.timezone == "Europe/London"
    assert resolved.holiday_country == "GB"
    assert resolved.week[0] == [(9 * 60, 17 * 60)]
    assert resolved.week[5] == []


def test_nexacore_portal_runs_sunday_to_thursday_in_dubai():
    pack = load_builtin_pack("nexacore")
    week = pack.calendars["portal-hours"].week_minutes()
    assert pack.calendar_timezone("portal-hours") == "Asia/Dubai"
    assert [day for day, ranges in week.items() if ranges] == [0, 1, 2, 3, 6]
    assert week[6] == [(0, 24 * 60)]


def test_nexacore_templates_exist_in_english_and_arabic():
    pack = load_builtin_pack("nexacore")
    assert all(set(t.body) == {"en", "ar"} for t in pack.templates.values())


def test_csu_emergency_support_responds_in_15_minutes_around_the_clock():
    pack = load_builtin_pack("csu")
    emergency = pack.sla_policies[0]
    assert emergency.name == "Emergency Support"
    assert emergency.calendar == "always"
    assert emergency.targets.first_response == {"other": timedelta(minutes=15)}


def test_csu_security_incidents_escalate_from_support_manager_to_security_director():
    unit = next(u for u in load_builtin_pack("csu").units if u.code == "security")
    assert (unit.escalate_from, unit.escalate_to) == ("support_manager", "Security Director")


def test_escalation_basic_tier_2_to_engineering_requires_the_workaround():
    esc = load_builtin_pack("escalation-basic").escalation
    assert esc is not None
    to_eng = next(p for p in esc.paths if p.to == "ENG")
    assert "workaround" in (to_eng.handoff_requires or [])
    assert "workaround" not in esc.handoff_requires
    assert esc.resolution is not None and esc.resolution.closed_by == "T1"


def test_summary_names_priorities_and_counts_policies():
    lines = pack_summary(load_builtin_pack("dataflow"))
    assert (
        "priorities: P0 (Critical outage), P1 (High impact), P2 (Moderate impact), P3 (Low impact)"
        in lines
    )
    assert any(line.startswith("4 sla policies: P0 critical outage, Enterprise") for line in lines)


def test_extra_holiday_dates_are_read_as_dates():
    from tierdesk.policy import load_pack

    pack = load_pack(
        "name: x\ntitle: X\npriorities: [{code: P1, name: A}]\n"
        "calendars:\n  c: {week: {'sat,sun': closed, mon-fri: '08:00-12:00'},"
        " holidays: {country: 'NO', dates: [2025-12-24]}}\n"
    )
    assert pack.calendars["c"].holidays.dates == [date(2025, 12, 24)]
