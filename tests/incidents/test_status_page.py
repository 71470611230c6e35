"""The public status page: open public incidents with their public updates, nothing else."""

from datetime import timedelta

import pytest
from django.test import Client

from tests.incidents.conftest import IncidentFactory, IncidentUpdateFactory, link
from tierdesk import clock


@pytest.fixture
def page(db):
    def get(path="/status"):
        response = Client().get(path)
        assert response.status_code == 200
        return response

    return get


@pytest.fixture
def board(world, frozen):
    """One incident of each kind the page must tell apart, tickets linked to all of them."""
    older = IncidentFactory(title="Dashboard exports slow", severity="P2",
                            started_at=frozen - timedelta(hours=3))
    outage = IncidentFactory(title="API gateway outage", summary="API calls time out.")
    private = IncidentFactory(title="Billing job stuck", public=False)
    resolved = IncidentFactory(title="Login outage last week", status="resolved",
                               resolved_at=frozen - timedelta(days=6))
    for incident in (older, outage, private, resolved):
        link(incident, world.ticket, world.foreign_ticket)
    IncidentUpdateFactory(incident=outage, body="Investigating timeouts.",
                          status="investigating", at=frozen + timedelta(minutes=5))
    IncidentUpdateFactory(incident=outage, body="lb-3 vendor case 4411", public=False,
                          status="identified", at=frozen + timedelta(minutes=10))
    IncidentUpdateFactory(incident=outage, body="Load balancer replaced; monitoring.",
                          status="monitoring", at=frozen + timedelta(minutes=20))
    IncidentUpdateFactory(incident=private, body="Restarted the billing worker.")
    IncidentUpdateFactory(incident=resolved, body="Logins work again.", status="resolved")
    return {"older": older, "outage": outage, "private": private, "resolved": resolved}


def test_with_no_open_incident_the_page_says_all_systems_operational(page):
    html = page().content.decode()
    assert "All systems operational" in html
    assert '<meta charset="utf-8">' in html


def test_the_page_needs_no_login_and_is_utf8_html(page):
    response = page()
    assert response["Content-Type"] == "text/html; charset=utf-8"
    assert "max-age=30" in response["Cache-Control"]


def test_the_page_lists_open_public_incidents_newest_first(page, board):
    html = page().content.decode()
    assert "All systems operational" not in html
    assert html.index("API gateway outage") < html.index("Dashboard exports slow")
    assert "API calls time out." in html


def test_the_page_hides_private_and_resolved_incidents(page, board):
    html = page().content.decode()
    assert "Billing job stuck" not in html
    assert "Restarted the billing worker." not in html
    assert "Login outage last week" not in html
    assert "Logins work again." not in html


def test_the_page_shows_public_updates_newest_first_and_hides_internal_ones(page, board):
    html = page().content.decode()
    assert html.index("Load balancer replaced; monitoring.") < html.index(
        "Investigating timeouts.")
    assert "lb-3 vendor case 4411" not in html


def test_the_page_shows_no_ticket_or_customer_data(page, board, world):
    for response in (page("/status"), page("/status.json")):
        text = response.content.decode()
        for secret in (world.ticket.subject, world.customer.email, world.org.name,
                       world.foreign_customer.email, world.other_org.name):
            assert secret not in text


def test_update_text_is_escaped_not_rendered(page, frozen):
    incident = IncidentFactory(title="<b>Bold</b> outage")
    IncidentUpdateFactory(incident=incident, body="<script>alert(1)</script>")
    html = page().content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;b&gt;Bold&lt;/b&gt; outage" in html


def test_status_json_reports_operational_with_no_incidents(page):
    assert page("/status.json").json() == {"status": "operational", "incidents": []}


def test_status_json_shape(page, board, frozen):
    body = page("/status.json").json()
    assert body["status"] == "degraded"
    assert [i["title"] for i in body["incidents"]] == ["API gateway outage",
                                                       "Dashboard exports slow"]
    outage = body["incidents"][0]
    assert set(outage) == {"id", "title", "status", "severity", "summary", "started_at",
                           "updated_at", "updates"}
    assert outage["severity"] == "P0"
    assert outage["status"] == "investigating"
    assert outage["updated_at"] == (frozen + timedelta(minutes=20)).isoformat()
    assert outage["updates"] == [
        {"status": "monitoring", "body": "Load balancer replaced; monitoring.",
         "at": (frozen + timedelta(minutes=20)).isoformat()},
        {"status": "investigating", "body": "Investigating timeouts.",
         "at": (frozen + timedelta(minutes=5)).isoformat()},
    ]
    assert body["incidents"][1]["updates"] == []


def test_the_page_costs_the_same_queries_however_many_incidents(page, frozen,
                                                                 django_assert_max_num_queries):
    for n in range(5):
        incident = IncidentFactory(started_at=clock.now() - timedelta(minutes=n))
        IncidentUpdateFactory.create_batch(3, incident=incident)
    with django_assert_max_num_queries(2):
        page("/status.json")
    with django_assert_max_num_queries(2):
        page("/status")


def test_the_status_page_refuses_writes(db):
    assert Client().post("/status").status_code == 405
    assert Client().post("/status.json").status_code == 405
