"""escalation-basic's resolution rules, held when a ticket closes (issue 9 item 3).

"Tier 1 Support will communicate the resolution to the customer and ensure their
satisfaction. The issue ticket will be closed" and "Engineering ... Update the knowledge
base with any new findings, fixes, or improvements."
"""

from datetime import UTC, datetime, timedelta

import pytest

from tierdesk import clock
from tierdesk.people.models import Role
from tierdesk.tickets.models import TicketEvent

T0 = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)
HANDOFF = {"symptoms": "Exports fail", "replication_steps": "Export any report",
           "error_messages": "500", "recent_changes": "v2.5", "steps_taken": "Logs read",
           "findings": "Null pointer in exporter", "workaround": "Export as CSV"}


@pytest.fixture
def team(apply_pack, staff, api):
    apply_pack("escalation-basic")
    people = staff(tina=(Role.AGENT, "T1", ["T1"]), tom=(Role.SPECIALIST, "T2", ["T2"]),
                   erin=(Role.ENGINEER, "ENG", ["ENG"]),
                   maria=(Role.SUPPORT_MANAGER, None, []))
    return {name: api(agent) for name, agent in people.items()}


def open_ticket(client, contact):
    clock.freeze(T0)
    r = client.post("/api/v1/tickets", {"subject": "Exports fail", "body": "Every report",
                                        "requester_id": contact.pk})
    assert r.status_code == 201, r.content
    return f"/api/v1/tickets/{r.json()['id']}", r.json()["id"]


def later(minutes):
    clock.freeze(T0 + timedelta(minutes=minutes))


def escalate_to_engineering(team, url):
    later(10)
    assert team["tina"].post(f"{url}/escalations", {"to": "T2", "criteria": ["potential_bug"],
                                                    "handoff": HANDOFF}).status_code == 201
    later(20)
    assert team["tom"].post(f"{url}/escalations", {"to": "ENG", "criteria": ["code_change"],
                                                   "handoff": HANDOFF}).status_code == 201


def test_a_specialist_or_engineer_closing_is_refused_tier_1_closes(team, contact):
    url, _ = open_ticket(team["tina"], contact)
    team["tina"].patch(url, {"status": "solved"})
    for who in ("tom", "erin"):
        r = team[who].patch(url, {"status": "closed"})
        assert r.status_code == 403
        assert r.json()["message"].startswith("tier T1 closes tickets in this handbook")
    assert team["tina"].patch(url, {"status": "closed"}).json()["status"] == "closed"


def test_tier_1_closes_an_escalated_ticket_only_after_communicating_the_resolution(
        team, contact):
    """"Communicated" = a public agent reply at or after the last (de-)escalation."""
    url, _ = open_ticket(team["tina"], contact)
    later(5)
    team["tina"].post(f"{url}/replies", {"body": "Looking into it"})  # before: does not count
    later(10)
    team["tina"].post(f"{url}/escalations", {"to": "T2", "criteria": ["deeper_knowledge"],
                                             "handoff": HANDOFF})
    later(30)
    team["tom"].patch(url, {"status": "solved"})  # the pack hands it back to Tier 1
    refused = team["tina"].patch(url, {"status": "closed"})
    assert refused.status_code == 409
    assert refused.json()["code"] == "resolution_incomplete"
    assert refused.json()["message"].startswith("tier T1 communicates the resolution before")
    later(40)
    team["tina"].post(f"{url}/replies", {"body": "Fixed: re-run the export"})
    team["tina"].patch(url, {"status": "solved"})
    assert team["tina"].patch(url, {"status": "closed"}).status_code == 200


def test_a_code_fix_closes_only_with_a_kb_article_or_a_waiver(team, contact):
    url, ticket_id = open_ticket(team["tina"], contact)
    escalate_to_engineering(team, url)
    later(60)
    r = team["erin"].post(f"{url}/resolution", {"message": "Fixed in v2.5.1"})
    assert (r.json()["status"], r.json()["tier"]) == ("solved", "T1")

    refused = team["tina"].patch(url, {"status": "closed"})
    assert refused.status_code == 409
    assert "must update the knowledge base" in refused.json()["message"]
    assert refused.json()["details"] == {"link": f"/api/v1/tickets/{ticket_id}/knowledge"}

    waived = team["erin"].post(f"{url}/knowledge",
                               {"waiver": "Covered by the v2.5.1 release notes"})
    assert waived.status_code == 201
    assert team["tina"].patch(url, {"status": "closed"}).status_code == 200
    event = TicketEvent.objects.get(ticket_id=ticket_id, type="kb_article_waived")
    assert event.data == {"reason": "Covered by the v2.5.1 release notes"}
    assert event.actor.username == "erin"


def test_a_linked_kb_article_is_recorded(team, contact):
    """The article is one of Tierdesk's own KB, named by its reference or its URL."""
    url, ticket_id = open_ticket(team["tina"], contact)
    created = team["erin"].post("/api/v1/kb/articles",
                                {"title": "Exports fail with 500", "body": "Re-run it."})
    article = created.json()["id"]
    r = team["erin"].post(f"{url}/knowledge", {"article": f"https://desk.example/agent/kb/{article}/"})
    assert r.status_code == 201
    assert r.json()["type"] == "kb_article_linked"
    assert r.json()["data"] == {"article": f"KB-{article}", "article_id": article,
                                "title": "Exports fail with 500", "status": "draft"}
    refused = team["erin"].post(f"{url}/knowledge", {"article": "https://kb.example/exports"})
    assert refused.status_code == 400 and refused.json()["field"] == "article"


@pytest.mark.parametrize("body", [{}, {"article": "KB-1", "waiver": "and a reason"},
                                  {"waiver": "   "}])
def test_the_kb_link_takes_exactly_one_of_article_or_waiver(team, contact, body):
    url, ticket_id = open_ticket(team["tina"], contact)
    r = team["tina"].post(f"{url}/knowledge", body)
    assert r.status_code == 400
    assert r.json()["field"] == "article"
    assert not TicketEvent.objects.filter(ticket_id=ticket_id,
                                          type__startswith="kb_article").exists()


def test_a_support_manager_may_close_what_tier_1_would(team, contact):
    url, _ = open_ticket(team["tina"], contact)
    team["tina"].patch(url, {"status": "solved"})
    assert team["maria"].patch(url, {"status": "closed"}).status_code == 200
