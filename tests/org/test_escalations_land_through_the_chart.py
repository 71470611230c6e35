"""Escalation targets resolve through the organisation chart: an escalation to a unit
lands on the person holding its contact box, an escalation to a tier on the holder of the
position that tier is worked by, and on whoever covers them when they are away."""

import pytest

from tests.factories import GroupFactory
from tierdesk.org.models import Placement
from tierdesk.people.access import viewer_for
from tierdesk.people.models import Agent, Tier
from tierdesk.tickets.models import Ticket, TicketEvent
from tierdesk.tickets.services import ticket_create

HANDOFF = {"description": "Export fails on large reports", "steps_taken": "Cleared cache"}


def _escalated(ticket: Ticket) -> dict:
    return TicketEvent.objects.filter(ticket=ticket, type="escalated").latest("id").data


@pytest.fixture
def tiers(csu):
    """Tier 2 worked by Sid in "Technical Specialists", Tier 3 by Tess (the Lead Technical
    Support) in "Advanced Resolution"."""
    t2, t3 = Tier.objects.get(code="T2"), Tier.objects.get(code="T3")
    specialists = GroupFactory(name="Technical Specialists", code="T2", tier=t2)
    advanced = GroupFactory(name="Advanced Resolution", code="T3", tier=t3)
    Agent.objects.filter(pk=csu["sid"].pk).update(tier=t2)
    Agent.objects.filter(pk=csu["tess"].pk).update(tier=t3)
    csu["sid"].groups.add(specialists)
    csu["tess"].groups.add(advanced)
    return {"T2": specialists, "T3": advanced}


def _at_tier_2(csu) -> Ticket:
    ticket, _ = ticket_create(viewer=viewer_for(csu["al"].user), subject="Report export",
                              body="The export stops at 10,000 rows",
                              requester=csu["customer"])
    from tierdesk.escalation.services import ticket_escalate

    ticket_escalate(ticket=ticket, viewer=viewer_for(csu["al"].user), to="T2", criteria=[],
                    handoff=HANDOFF)
    ticket.refresh_from_db()
    return ticket


def test_security_incident_lands_on_the_security_director(csu):
    """CSU: "Security | Security incidents, data concerns | Support Manager → Security
    Director"."""
    ticket, _ = ticket_create(viewer=viewer_for(csu["al"].user), subject="Phishing email",
                              body="We received a phishing email in your name",
                              requester=csu["customer"])
    ticket.refresh_from_db()
    assert ticket.group.code == "security"
    assert ticket.assignee == csu["sam"]
    event = _escalated(ticket)
    assert (event["assignee"], event["position"]) == ("sam", "Security Director")


def test_security_incident_waits_in_the_security_queue_when_its_director_is_away(csu):
    Placement.objects.filter(agent=csu["sam"]).update(away=True)
    ticket, _ = ticket_create(viewer=viewer_for(csu["al"].user), subject="Phishing email",
                              body="We received a phishing email in your name",
                              requester=csu["customer"])
    ticket.refresh_from_db()
    assert ticket.group.code == "security"  # Sam is still a member: the queue is staffed
    assert ticket.assignee is None
    assert "assignee" not in _escalated(ticket)


def test_tier_3_advanced_resolution_lands_on_the_lead_technical_support(csu, tiers, api_as):
    """CSU: "Lead Technical Support: Oversees technical support team and complex technical
    issues"; the pack's Tier 3 is worked in the lead_technical role."""
    ticket = _at_tier_2(csu)
    assert ticket.assignee is None  # Tier 2: no box of the chart carries the specialist role

    up = api_as(csu["sid"]).post(f"/api/v1/tickets/{ticket.pk}/escalations",
                                 {"to": "T3", "handoff": HANDOFF})

    assert up.status_code == 201, up.content
    ticket.refresh_from_db()
    assert (ticket.tier.code, ticket.group, ticket.assignee) == ("T3", tiers["T3"], csu["tess"])
    body = api_as(csu["tess"]).get(f"/api/v1/tickets/{ticket.pk}").json()
    assert body["assignee"]["id"] == csu["tess"].pk


def test_when_the_lead_technical_support_is_away_the_manager_covers_tier_3(csu, tiers,
                                                                          api_as):
    """The pack: Lead Technical Support ``covered_by: manager`` (handbook silent on cover)."""
    placement = Placement.objects.get(agent=csu["tess"], position="lead_technical")
    assert api_as(csu["mo"]).patch(f"/api/v1/org/placements/{placement.pk}",
                                   {"away": True}).status_code == 200
    ticket = _at_tier_2(csu)

    up = api_as(csu["sid"]).post(f"/api/v1/tickets/{ticket.pk}/escalations",
                                 {"to": "T3", "handoff": HANDOFF})

    assert up.status_code == 201, up.content
    ticket.refresh_from_db()
    assert ticket.assignee == csu["mo"]
    assert ticket.group == tiers["T3"]
    event = _escalated(ticket)
    assert event["position"] == "Customer Support Manager"
    assert event["covering"] == "Lead Technical Support"


def test_an_escalation_to_a_chart_holder_goes_through_even_without_a_staffed_queue(csu,
                                                                                  tiers):
    """The Development Manager holds the chart's contact box for Development but sits in
    no queue (placed before the queue existed): the bug report still reaches him."""
    from tests.factories import AgentFactory, UserFactory

    dev = AgentFactory(user=UserFactory(username="devon", first_name="Devon",
                                        last_name="Developer"))
    Placement.objects.create(agent=dev, position="development_manager",
                             since="2026-01-01T00:00Z")
    ticket, _ = ticket_create(viewer=viewer_for(csu["al"].user), subject="Export button",
                              body="broken", requester=csu["customer"], tags=["bug"])
    ticket.refresh_from_db()
    assert ticket.assignee == dev
    assert ticket.group.code == "development"
    assert _escalated(ticket)["position"] == "Development Manager"


def test_a_pack_without_a_chart_leaves_escalations_unassigned_in_the_queue(db):
    from tests.factories import AgentFactory, CustomerContactFactory, UserFactory
    from tierdesk.escalation.services import ticket_escalate
    from tierdesk.packs.services import pack_apply
    from tierdesk.people.models import Group, Role
    from tierdesk.policy import PACKS_DIR

    pack_apply(source=(PACKS_DIR / "dataflow.yaml").read_text())
    eng = Tier.objects.get(code="ENG")
    queue = GroupFactory(name="Engineering", code="ENG", tier=eng)
    AgentFactory(user=UserFactory(username="eve"), role=Role.ENGINEER, tier=eng,
                 groups=[queue])
    alice = AgentFactory(user=UserFactory(username="alice"), role=Role.AGENT,
                         tier=Tier.objects.get(code="L1"),
                         groups=[Group.objects.get_or_create(code="support")[0]])
    ticket, _ = ticket_create(viewer=viewer_for(alice.user), subject="Slow dashboard",
                              body="DB-2003", requester=CustomerContactFactory())
    ticket_escalate(ticket=ticket, viewer=viewer_for(alice.user), to="ENG", criteria=[],
                    handoff={"error_code": "DB-2003", "customer_id": "1001",
                             "replication_steps": "Open it"})
    ticket.refresh_from_db()
    assert (ticket.group, ticket.assignee) == (queue, None)


def test_readiness_does_not_warn_about_a_tier_the_chart_hands_to_a_person(csu):
    """Tier 3 has no queue, but its Lead Technical Support takes escalations in person;
    Tier 4 has neither, and is still reported."""
    from tierdesk.escalation.staffing import routing_warnings

    warnings = routing_warnings(csu["pack"])
    assert not [w for w in warnings if w.startswith("escalation to T3:")]
    assert [w for w in warnings if w.startswith("escalation to T4:")]


def test_the_person_an_escalation_lands_on_is_told_by_mail(csu, tiers, api_as):
    from tierdesk.outbox.models import OutboxMessage

    Placement.objects.filter(agent=csu["tess"]).update(away=True)
    ticket = _at_tier_2(csu)
    api_as(csu["sid"]).post(f"/api/v1/tickets/{ticket.pk}/escalations",
                            {"to": "T3", "handoff": HANDOFF})

    mail = OutboxMessage.objects.get(payload__template="escalation:assigned")
    assert mail.payload["to"] == [csu["mo"].user.email]
    assert "as Customer Support Manager, covering for the Lead Technical Support" in (
        mail.payload["body"])


@pytest.mark.parametrize(("away", "assignee"), [(False, "tess"), (True, "mo")])
def test_a_rule_assigning_to_a_role_gives_the_ticket_to_its_holder_or_their_cover(
        csu, away, assignee):
    """``assign: {role: lead_technical}`` reaches CSU's one Lead Technical Support (not
    every specialist), and the Customer Support Manager who covers the box when away."""
    from tierdesk import clock
    from tierdesk.policy.schema_rules import Action
    from tierdesk.rules.actions import run_actions

    Placement.objects.filter(agent=csu["tess"]).update(away=away)
    ticket, _ = ticket_create(viewer=viewer_for(csu["al"].user), subject="Report export",
                              body="The export stops at 10,000 rows",
                              requester=csu["customer"])
    done = run_actions(pack=csu["pack"], ticket=ticket, at=clock.now(), cause="test rule",
                       actions=[Action.model_validate({"assign": {"role": "lead_technical"}})])
    ticket.refresh_from_db()
    assert ticket.assignee == csu[assignee], done
