"""`make run`'s demo: every escalation path of the DataFlow pack reaches someone, and a
manager signing in finds QA reviews, risk register entries and the chart filled in."""

from datetime import UTC, datetime

import pytest
from django.contrib.auth import get_user_model

from tests.conftest import Api
from tierdesk import clock
from tierdesk.customers.models import Contact
from tierdesk.demo import load_demo
from tierdesk.escalation.staffing import routing_warnings
from tierdesk.packs.selectors import active_pack

T0 = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)  # a Tuesday, business hours in New York
HANDOFF = {"error_code": "DB-2003", "customer_id": "1001",
           "replication_steps": "Open the sales dashboard"}


@pytest.fixture
def demo(db):
    clock.freeze(T0)
    load_demo()
    return {u.username: Api(u) for u in get_user_model().objects.all()}


@pytest.mark.parametrize(("to", "receiver"), [
    ("ENG", "eve"),       # "P1 (Major Issue): Escalate to Engineering"
    ("devops", "eve"),    # "P0 (Outage): Escalate to DevOps"
    ("product", "priya"),  # "P2–P3 (Minor/Feature): Escalate to Product Team"
])
def test_demo_escalation_path_reaches_an_agent_who_can_open_the_ticket(demo, to, receiver):
    alice = demo["alice"]
    requester = Contact.objects.get(organisation__external_id="1001")
    ticket = alice.post("/api/v1/tickets", {
        "subject": "Sales dashboard is slow", "body": "Takes a minute to load",
        "requester_id": requester.pk, "error_code": "DB-2003"}).json()
    up = alice.post(f"/api/v1/tickets/{ticket['id']}/escalations",
                    {"to": to, "handoff": HANDOFF})
    assert up.status_code == 201, up.content

    opened = demo[receiver].get(f"/api/v1/tickets/{ticket['id']}")

    assert opened.status_code == 200, opened.content
    assert opened.json()["group"] is not None
    mine = demo[receiver].get(f"/api/v1/tickets?group_id={opened.json()['group']['id']}")
    assert ticket["id"] in [t["id"] for t in mine.json()["items"]]


def test_demo_has_no_escalation_destination_without_members(demo):
    assert routing_warnings(active_pack()) == []


def test_demo_p0_outage_tickets_sit_in_devops_where_its_engineers_see_them(demo):
    outages = demo["eve"].get("/api/v1/tickets?priority=P0").json()["items"]
    assert {t["organisation"]["external_id"] for t in outages} == {"1003", "1036"}
    assert {t["group"]["name"] for t in outages} == {"DevOps"}


def _page_as(username: str, url: str) -> str:
    from django.test import Client

    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    page = client.get(url)
    assert page.status_code == 200, (url, page.status_code)
    return page.content.decode()


def test_demo_manager_sees_the_qa_reviews_on_the_qa_page(demo):
    page = _page_as("maria", "/agent/qa/")
    assert page.count("% by") >= 3  # "#12 · Alice Agent · 93.3% by Quinn QA"
    assert "Quinn QA" in page and "Alice Agent" in page


def test_demo_agent_sees_her_own_qa_scores(demo):
    mine = demo["alice"].get("/api/v1/qa/reviews/mine").json()
    assert sorted(r["total"] for r in mine["reviews"]) == [56.0, 96.0]  # weighted 2:1:2


def test_demo_manager_sees_the_risk_register(demo):
    risks = demo["maria"].get("/api/v1/risks").json()
    assert {(r["category"], r["score"]) for r in risks} == {("outage", 9), ("churn", 6)}
    page = _page_as("maria", "/agent/risks/")
    assert "DB-2002 outages on all workspaces" in page


def test_demo_chart_places_the_demos_people(demo):
    chart = demo["maria"].get("/api/v1/org/chart").json()
    director = chart["structure"][0]
    assert [h["username"] for h in director["holders"]] == ["dan"]
    manager = next(b for b in director["reports"] if b["code"] == "support_manager")
    assert [h["username"] for h in manager["holders"]] == ["maria"]
    assert {b["code"] for b in manager["reports"]} >= {"qa_reviewer", "agents"}
    page = _page_as("maria", "/agent/org/")
    assert "Maria Manager" in page and "Support Manager" in page


def test_demo_chart_leaves_only_the_vacant_cto_to_report(demo):
    """The demo has no CTO; the Support Director covers the box."""
    from tierdesk.org.checks import chart_warnings

    assert chart_warnings(active_pack()) == [
        "organisation.positions[1] (cto, CTO): nobody on this instance holds it; whoever "
        "covers it stands in"]
