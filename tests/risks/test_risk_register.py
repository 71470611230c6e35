"""CSU "Risk Management Integration": any agent flags a ticket as a risk; it enters the
register with an owner and a review date, the risk manager sees it, and the weekly risk
review lists it."""

from datetime import UTC, datetime, timedelta

from tests.factories import TicketFactory
from tierdesk import clock
from tierdesk.jobs.registry import run
from tierdesk.outbox.models import OutboxMessage
from tierdesk.risks.models import Risk

WEDNESDAY = datetime(2026, 12, 9, 10, 0, tzinfo=UTC)


def _ticket(csu, **kw):
    return TicketFactory(requester=csu["customer"], group=csu["support"], **kw)


def _flag(api, ticket, **kw):
    return api.post("/api/v1/risks", {
        "ticket_id": ticket.pk, "category": "operational", "likelihood": "likely",
        "impact": "major", "description": "Customer reports nightly exports silently fail",
        **kw})


def test_an_agents_risk_flag_appears_in_the_weekly_risk_review(csu, api_as):
    clock.freeze(WEDNESDAY)
    ticket = _ticket(csu)
    response = _flag(api_as(csu["al"]), ticket)
    assert response.status_code == 201, response.content
    risk = response.json()
    assert risk["owner"] == "Rita Risk"  # "Support Manager → Risk Manager"
    assert risk["score"] == 16  # likely (4) x major (4)
    assert risk["review_at"].startswith("2026-12-16")  # "Weekly risk review meeting"
    review = api_as(csu["rita"]).get("/api/v1/risks/review").json()
    assert review["since"].startswith("2026-12-07")  # Monday, the last review day
    assert [r["id"] for r in review["new"]] == [risk["id"]]
    assert [r["id"] for r in review["open"]] == [risk["id"]]


def test_the_flagged_ticket_is_tagged_and_its_audit_log_says_so(csu, api_as):
    ticket = _ticket(csu)
    _flag(api_as(csu["al"]), ticket)
    ticket.refresh_from_db()
    assert "risk" in ticket.tags
    assert ticket.events.filter(type="risk_flagged").count() == 1


def test_the_risk_manager_hears_of_it(csu, api_as):
    _flag(api_as(csu["al"]), _ticket(csu))
    to = [m.payload["to"] for m in OutboxMessage.objects.filter(kind="email",
                                                                 payload__template="risk:flagged")]
    assert to == [[csu["rita"].user.email]]


def test_a_security_risk_is_owned_by_the_security_director_and_the_ticket_goes_to_security(
        csu, api_as):
    ticket = _ticket(csu)
    response = _flag(api_as(csu["al"]), ticket, category="security")
    assert response.status_code == 201
    assert response.json()["owner"] == "Sam Security"
    ticket.refresh_from_db()
    assert ticket.group.code == "security"


def test_the_register_is_the_risk_managers_and_other_agents_see_only_their_own(csu, api_as):
    _flag(api_as(csu["al"]), _ticket(csu))
    assert len(api_as(csu["rita"]).get("/api/v1/risks").json()) == 1
    assert len(api_as(csu["mo"]).get("/api/v1/risks").json()) == 1
    assert len(api_as(csu["al"]).get("/api/v1/risks").json()) == 1  # flagged it
    assert api_as(csu["tess"]).get("/api/v1/risks").json() == []
    review = api_as(csu["tess"]).get("/api/v1/risks/review").json()
    assert review["new"] == [] and review["open"] == []


def test_a_bad_category_or_scale_value_is_refused_by_name_and_nothing_is_registered(
        csu, api_as):
    api = api_as(csu["al"])
    ticket = _ticket(csu)
    bad = _flag(api, ticket, category="weather")
    assert bad.status_code == 400 and bad.json()["field"] == "category"
    assert _flag(api, ticket, likelihood="often").json()["field"] == "likelihood"
    assert _flag(api, ticket, impact="huge").json()["field"] == "impact"
    assert not Risk.objects.exists()
    ticket.refresh_from_db()
    assert "risk" not in ticket.tags


def test_an_agent_cannot_flag_a_ticket_they_cannot_see(csu, api_as):
    from tests.factories import GroupFactory

    hidden = TicketFactory(requester=csu["customer"], group=GroupFactory(name="Elsewhere"))
    assert _flag(api_as(csu["al"]), hidden).status_code == 404


def test_the_owner_is_reminded_once_when_the_review_date_comes(csu, api_as):
    clock.freeze(WEDNESDAY)
    _flag(api_as(csu["al"]), _ticket(csu))
    assert run("risk_reviews_due") == 0
    clock.freeze(WEDNESDAY + timedelta(days=7, minutes=1))
    assert run("risk_reviews_due") == 1
    assert run("risk_reviews_due") == 0


def test_reviewing_a_risk_moves_its_review_date_a_week_on(csu, api_as):
    clock.freeze(WEDNESDAY)
    risk = _flag(api_as(csu["al"]), _ticket(csu)).json()
    clock.freeze(WEDNESDAY + timedelta(days=5))
    response = api_as(csu["rita"]).patch(f"/api/v1/risks/{risk['id']}", {"reviewed": True})
    assert response.status_code == 200, response.content
    assert response.json()["review_at"].startswith("2026-12-21")
    refused = api_as(csu["tess"]).patch(f"/api/v1/risks/{risk['id']}", {"status": "closed"})
    assert refused.status_code == 404


def test_the_risk_identification_rate_counts_flagged_tickets_per_hundred(csu, api_as):
    clock.freeze(WEDNESDAY)
    tickets = [_ticket(csu, created_at=WEDNESDAY - timedelta(days=1)) for _ in range(4)]
    _flag(api_as(csu["al"]), tickets[0])
    _flag(api_as(csu["al"]), tickets[0], category="compliance")
    report = api_as(csu["mo"]).get("/api/v1/risks/report").json()
    assert (report["tickets"], report["tickets_flagged"], report["risks_flagged"],
            report["rate_percent"]) == (4, 1, 2, 25.0)
    assert report["by_category"] == {"operational": 1, "compliance": 1}
    assert api_as(csu["al"]).get("/api/v1/risks/report").status_code == 403


def test_an_incident_can_be_flagged_as_a_risk_and_enters_the_review(csu, api_as):
    """CSU: "Joint incident response for customer-impacting issues"."""
    from tierdesk.incidents.services import incident_open
    from tierdesk.people.access import viewer_for

    incident = incident_open(viewer=viewer_for(csu["mo"].user), title="EU region down",
                             severity="P1")
    response = api_as(csu["al"]).post("/api/v1/risks", {
        "incident_id": incident.pk, "category": "operational", "likelihood": "almost_certain",
        "impact": "severe", "description": "Repeat outages breach Premium SLAs"})
    assert response.status_code == 201, response.content
    assert response.json()["score"] == 25
    review = api_as(csu["rita"]).get("/api/v1/risks/review").json()
    assert [r["incident_id"] for r in review["new"]] == [incident.pk]


def test_a_risk_needs_a_ticket_or_an_incident(csu, api_as):
    response = api_as(csu["al"]).post("/api/v1/risks", {
        "category": "operational", "likelihood": "likely", "impact": "major",
        "description": "vague unease"})
    assert response.status_code == 400 and response.json()["field"] == "ticket_id"
