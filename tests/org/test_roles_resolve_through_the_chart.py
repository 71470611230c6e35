"""Notifications to a role reach the people the chart places there, and whoever covers
them when they are away; a unit's contact (CSU's Security Director) gets its tickets."""

from tierdesk.org.models import Placement
from tierdesk.outbox.models import OutboxMessage
from tierdesk.people.access import viewer_for
from tierdesk.tickets.services import ticket_create


def _emailed(template_prefix: str = "notify:") -> set[str]:
    return {to for m in OutboxMessage.objects.filter(kind="email")
            if m.payload["template"].startswith(template_prefix) for to in m.payload["to"]}


def test_bug_report_notifies_the_lead_technical_support_not_every_specialist(csu):
    ticket_create(viewer=viewer_for(csu["al"].user), subject="Export button", body="broken",
                  requester=csu["customer"], tags=["bug"])
    emailed = _emailed()
    assert csu["tess"].user.email in emailed
    assert csu["sid"].user.email not in emailed


def test_when_the_lead_is_away_the_manager_covers(csu, api_as):
    placement = Placement.objects.get(agent=csu["tess"], position="lead_technical")
    response = api_as(csu["mo"]).patch(f"/api/v1/org/placements/{placement.pk}", {"away": True})
    assert response.status_code == 200, response.content
    ticket_create(viewer=viewer_for(csu["al"].user), subject="Export button", body="broken",
                  requester=csu["customer"], tags=["bug"])
    emailed = _emailed()
    assert csu["mo"].user.email in emailed
    assert csu["tess"].user.email not in emailed


def test_a_phishing_report_routes_to_the_security_director(csu):
    """CSU: "Security | Security incidents, data concerns | Support Manager → Security
    Director"."""
    ticket, _ = ticket_create(viewer=viewer_for(csu["al"].user), subject="Phishing email",
                           body="We received a phishing email in your name",
                           requester=csu["customer"])
    ticket.refresh_from_db()
    assert "security-incident" in ticket.tags
    assert ticket.group.code == "security"
    assert csu["sam"] in ticket.group.agents.all()
    assert csu["sam"].user.email in _emailed()


def test_the_chart_page_data_shows_csu_reporting_lines_and_dotted_lines(csu, api_as):
    body = api_as(csu["al"]).get("/api/v1/org/chart").json()
    director = body["structure"][0]
    assert director["name"] == "Customer Support Director"
    manager = director["reports"][0]
    assert [b["name"] for b in manager["reports"]] == [
        "Lead Technical Support", "Lead Account Support", "Quality Assurance Lead",
        "Knowledge Base Specialist"]
    assert [b["name"] for b in director["dotted"]] == ["CS Working Groups",
                                                       "Voice of Customer Team"]
    assert {c["name"] for c in body["contacts"]} >= {"Security Director", "Risk Manager"}
