"""`tierdesk policy diff`: what a new pack changes, in words, down to the field, and which
open tickets it moves or strands, before anyone applies it."""

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tests.factories import AgentFactory, ContactFactory, OrganisationFactory
from tierdesk import clock
from tierdesk.cli import main
from tierdesk.packs.services import pack_apply
from tierdesk.people.access import viewer_for
from tierdesk.people.models import Role
from tierdesk.policy import PACKS_DIR
from tierdesk.tickets import services

NY = ZoneInfo("America/New_York")
DATAFLOW = (PACKS_DIR / "dataflow.yaml").read_text(encoding="utf-8")


def dataflow_with(tmp_path: Path, *changes: tuple[str, str]) -> Path:
    text = DATAFLOW
    for old, new in changes:
        assert old in text, old
        text = text.replace(old, new, 1)
    path = tmp_path / "new.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def diff(capsys, new: Path, *flags: str, old: Path = PACKS_DIR / "dataflow.yaml") -> list[str]:
    assert main(["policy", "diff", str(old), str(new), *flags]) == 0
    return capsys.readouterr().out.splitlines()


@pytest.fixture
def open_tickets(db):
    """Two open DataFlow tickets opened Tuesday 09:00 New York: Enterprise and Starter P1."""
    pack_apply(source=DATAFLOW)
    manager = AgentFactory(role=Role.SUPPORT_MANAGER)
    clock.freeze(datetime(2026, 12, 1, 9, 0, tzinfo=NY))
    made = []
    for plan in ("Enterprise", "Starter"):
        org = OrganisationFactory(plan=plan, country="US", timezone="America/New_York")
        ticket, _ = services.ticket_create(
            viewer=viewer_for(manager.user), requester=ContactFactory(organisation=org),
            subject=f"{plan} SSO down", body="x", error_code="SSO-9001", channel="email")
        made.append(ticket)
    return made


def test_a_tighter_target_reads_in_words_with_how_far_it_moves(tmp_path, capsys):
    new = dataflow_with(tmp_path, ("first_response: {P1: 4h,", "first_response: {P1: 2h,"))
    assert diff(capsys, new) == [
        "~ sla policy 'Enterprise': first_response P1 4 h -> 2 h (2 h earlier)"]


def test_diff_tickets_lists_each_ticket_whose_due_time_moves(open_tickets, tmp_path, capsys):
    """Enterprise P1 first response "4 hr" tightened to 2 h: only the Enterprise ticket moves,
    from 13:00 to 11:00 New York (18:00 -> 16:00 UTC)."""
    enterprise, _ = open_tickets
    new = dataflow_with(tmp_path, ("first_response: {P1: 4h,", "first_response: {P1: 2h,"))
    lines = diff(capsys, new, "--tickets")
    assert lines[2:] == [
        "dry run against 2 open ticket(s): 1 would have due times moved",
        "  1 deadline(s) move 2 h earlier",
        "tickets that move (due times in UTC):",
        f"  #{enterprise.pk} 'Enterprise SSO down' first response: 2026-12-01 18:00 -> "
        "2026-12-01 16:00 (2 h earlier)",
    ]


def test_diff_warns_when_the_new_pack_drops_what_open_tickets_use(open_tickets, capsys):
    """Switching DataFlow to the escalation-basic pack: its priorities are high/normal/low,
    it has no plans and no channels, so open P1 Enterprise email tickets would be stranded."""
    lines = diff(capsys, PACKS_DIR / "escalation-basic.yaml", "--against-open-tickets")
    assert "warning: the new pack drops priority 'P1', which 2 open ticket(s) use" in lines
    assert "warning: the new pack drops plan 'Enterprise', which 1 open ticket(s) use" in lines
    assert "warning: the new pack drops plan 'Starter', which 1 open ticket(s) use" in lines
    assert "warning: the new pack drops channel 'email', which 2 open ticket(s) use" in lines
    assert not any(line.startswith("warning") and "'P0'" in line for line in lines)


def test_calendar_channel_escalation_refund_and_kpi_changes_name_the_field(tmp_path, capsys):
    new = dataflow_with(
        tmp_path,
        ('week: {mon-fri: "09:00-17:00"}', 'week: {mon-fri: "08:00-18:00"}'),
        ("plans: [Professional, Enterprise]}", "plans: [Enterprise]}"),
        ("{from: L1, to: product}", "{from: L1, to: product, handoff_requires: [error_code]}"),
        ("max_amount: 149, max_days: 30", "max_amount: 199, max_days: 30"),
        ("{metric: escalation_rate, below: 10%", "{metric: escalation_rate, below: 8%"),
    )
    assert diff(capsys, new) == [
        "~ calendar 'customer-business-hours': week.mon-fri: 09:00-17:00 -> 08:00-18:00",
        "~ channel 'phone': plans: [Professional, Enterprise] -> [Enterprise]",
        "~ escalation: paths[L1 -> product].handoff_requires: none -> [error_code]",
        "~ refunds: limits[agent].max_amount: 149 -> 199",
        "~ kpis: [Escalation Rate: <10% of tickets].below: 10% -> 8%",
    ]


def test_added_and_removed_items_inside_a_section_are_named(tmp_path, capsys):
    new = dataflow_with(
        tmp_path,
        ("    - {from: L1, to: product}  #", "    #"),
        ("  forum: {address: community.dataflow.com}",
         "  forum: {address: forum.dataflow.com}"),
        ("{metric: kb_articles_per_month, at_least: 10, label: \"Articles Published: 10/month\"}",
         "{metric: kb_articles_per_month, at_least: 12, label: \"Articles Published: 12/month\"}"),
    )
    assert diff(capsys, new) == [
        "~ channel 'forum': address: community.dataflow.com -> forum.dataflow.com",
        "~ escalation: paths[L1 -> product] removed",
        "~ kpis: [Articles Published: 12/month] added: {metric: kb_articles_per_month, "
        "at_least: 12, label: Articles Published: 12/month}",
        "~ kpis: [Articles Published: 10/month] removed",
    ]
