"""`tierdesk policy check --instance` compares the pack's organisation chart with who this
instance places in it, each line naming the pack field it is about."""

import io
from contextlib import redirect_stdout

from tierdesk.cli import main
from tierdesk.org.models import Placement
from tierdesk.people.models import Agent, Role


def _check() -> list[str]:
    out = io.StringIO()
    with redirect_stdout(out):
        assert main(["policy", "check", "--instance"]) == 0
    return out.getvalue().splitlines()


def test_csu_positions_nobody_holds_are_listed_with_their_path(csu):
    lines = _check()
    assert lines[0].startswith("csu v1 (active) on this instance:")
    # CSU's chart: "CSM --> LAS", "CSM --> KBS"; nobody is placed there in the fixture.
    assert ("warning: organisation.positions[3] (lead_account, Lead Account Support): "
            "nobody on this instance holds it; whoever covers it stands in") in lines
    assert ("warning: organisation.positions[5] (kb_specialist, Knowledge Base Specialist): "
            "nobody on this instance holds it; whoever covers it stands in") in lines
    assert ("warning: organisation.positions[12] (operations_manager, Operations Manager): "
            "nobody on this instance holds it") in lines
    assert ("warning: organisation.positions[8] (working_groups, CS Working Groups): "
            "nobody is placed in it") in lines
    held = ("director", "manager", "lead_technical", "qa_lead", "risk_manager",
            "security_director", "technical_team")
    assert not [line for line in lines if any(f"({code}," in line for code in held)], lines


def test_a_position_whose_holders_are_all_away_and_uncovered_is_listed(csu):
    """The Security Director's contact box has no cover in the CSU pack."""
    Placement.objects.filter(agent=csu["sam"]).update(away=True)
    assert ("warning: organisation.positions[11] (security_director, Security Director): "
            "everyone holding it (sam) is away or inactive; nobody covers it") in _check()


def test_a_holder_without_the_positions_role_is_listed(csu):
    Agent.objects.filter(pk=csu["mo"].pk).update(role=Role.AGENT)
    assert ("warning: organisation.positions[1] (manager, Customer Support Manager).role: mo "
            "holds it with role agent, but the position acts as support_manager") in _check()


def test_a_placement_in_a_position_the_pack_no_longer_draws_is_listed(csu):
    Placement.objects.filter(agent=csu["quinn"]).update(position="qa_manager")
    assert ("warning: organisation.positions: quinn is placed in 'qa_manager', a position "
            "the pack does not draw") in _check()


def test_fire22_team_size_is_checked_against_the_handbooks_22(fire22):
    """Fire22: "Team Size: 22 total members including specialists and representatives"."""
    assert not [line for line in _check() if "headcount" in line]
    Placement.objects.filter(agent=fire22["team"][0]).delete()
    lines = _check()
    assert ("warning: organisation.headcount: the handbook counts 22, this instance places "
            "21 in the department") in lines
    assert ("warning: organisation.positions[0] (customer_success_director, Customer Success "
            "Director).headcount: the handbook counts 22, this instance places 21 in it and "
            "below it") in lines

