"""The incidents API end to end, and bad input: every refusal is 4xx JSON naming the field,
and changes nothing."""

import pytest

from tests.incidents.conftest import IncidentFactory, link
from tierdesk import clock
from tierdesk.incidents.models import Incident, IncidentTicket, IncidentUpdate, PostIncidentReview
from tierdesk.outbox.models import OutboxMessage
from tierdesk.tickets.models import TicketEvent


@pytest.fixture
def agent_api(world, api_as):
    return api_as(world.agent)


@pytest.fixture
def incident(world):
    incident = IncidentFactory(title="API gateway outage")
    link(incident, world.ticket)
    return incident


def snapshot():
    """Everything an incidents call could write."""
    return (Incident.objects.count(), IncidentTicket.objects.count(),
            IncidentUpdate.objects.count(), PostIncidentReview.objects.count(),
            TicketEvent.objects.count(), OutboxMessage.objects.count(),
            list(Incident.objects.order_by("id").values_list("status", flat=True)))


def test_the_dataflow_outage_from_declaration_to_review(world, outage, api_as):
    agent, manager = api_as(world.agent), api_as(world.manager)
    # Given an agent declares a public P0 incident and links the 7 affected tickets
    created = agent.post("/api/v1/incidents", {"title": "API gateway outage", "severity": "P0",
                                               "summary": "API calls time out.", "public": True})
    assert created.status_code == 201, created.content
    iid = created.json()["id"]
    linked = agent.post(f"/api/v1/incidents/{iid}/tickets",
                        {"ticket_ids": [t.pk for t in outage.tickets]})
    assert linked.status_code == 200, linked.content
    assert linked.json()["ticket_count"] == 7
    assert linked.json()["organisation_count"] == 3
    assert linked.json()["requester_count"] == 4
    # When it posts an update and later resolves
    update = agent.post(f"/api/v1/incidents/{iid}/updates",
                        {"body": "Replacing lb-3.", "status": "identified", "public": True})
    assert update.status_code == 201
    assert update.json()["notified"] == 4
    resolved = agent.post(f"/api/v1/incidents/{iid}/resolve", {"body": "Fixed.", "public": True})
    assert resolved.json()["status"] == "resolved"
    assert resolved.json()["resolved_at"] is not None
    # Then the timeline has both updates and a manager can review it once
    timeline = agent.get(f"/api/v1/incidents/{iid}/updates").json()
    assert [u["status"] for u in timeline] == ["identified", "resolved"]
    review = manager.post(f"/api/v1/incidents/{iid}/review", {
        "root_cause": "lb-3 firmware", "fix": "replaced lb-3",
        "kb_article_url": "https://help.dataflow.test/kb/42", "follow_ups": ["alerting"]})
    assert review.status_code == 201, review.content
    detail = agent.get(f"/api/v1/incidents/{iid}").json()
    assert detail["review"]["kb_article_url"] == "https://help.dataflow.test/kb/42"
    again = manager.post(f"/api/v1/incidents/{iid}/review", {"root_cause": "x", "fix": "y"})
    assert again.status_code == 409
    assert OutboxMessage.objects.filter(payload__template="incident_update").count() == 8


def test_the_list_filters_open_incidents_and_pages_with_a_cursor(world, agent_api):
    done = IncidentFactory(status="resolved", resolved_at=clock.now())
    live = [IncidentFactory() for _ in range(3)]
    first = agent_api.get("/api/v1/incidents?open=true&limit=2").json()
    assert [i["id"] for i in first["items"]] == [live[2].pk, live[1].pk]
    rest = agent_api.get(f"/api/v1/incidents?open=true&limit=2&cursor={first['next_cursor']}")
    assert [i["id"] for i in rest.json()["items"]] == [live[0].pk]
    assert rest.json()["next_cursor"] is None
    resolved = agent_api.get("/api/v1/incidents?status=resolved").json()["items"]
    assert [i["id"] for i in resolved] == [done.pk]


def test_an_unknown_ticket_id_is_a_404_and_links_nothing(world, agent_api, incident):
    before = snapshot()
    r = agent_api.post(f"/api/v1/incidents/{incident.pk}/tickets",
                       {"ticket_ids": [world.ticket.pk, 999_999]})
    assert r.status_code == 404
    assert r.json()["code"] == "not_found"
    assert r.json()["field"] == "ticket_ids[1]"
    assert snapshot() == before


def test_a_ticket_outside_the_agents_queues_is_a_404_and_links_nothing(world, agent_api,
                                                                        incident):
    before = snapshot()
    r = agent_api.post(f"/api/v1/incidents/{incident.pk}/tickets",
                       {"ticket_ids": [world.foreign_ticket.pk]})
    assert r.status_code == 404
    assert str(world.other_org.external_id) not in r.content.decode()
    assert snapshot() == before


def test_an_empty_ticket_list_is_a_422(world, agent_api, incident):
    r = agent_api.post(f"/api/v1/incidents/{incident.pk}/tickets", {"ticket_ids": []})
    assert r.status_code == 422
    assert r.json()["field"] == "ticket_ids"


def test_an_unknown_field_is_a_422_naming_it(world, agent_api):
    before = snapshot()
    r = agent_api.post("/api/v1/incidents", {"title": "x", "severity": "P0", "sevrity": "P1"})
    assert r.status_code == 422
    assert r.json()["errors"] == [{"field": "sevrity", "message": "unknown field"}]
    assert snapshot() == before


def test_a_wrong_status_value_is_a_422_and_changes_nothing(world, agent_api, incident):
    before = snapshot()
    r = agent_api.post(f"/api/v1/incidents/{incident.pk}/updates",
                       {"body": "x", "status": "fixed", "public": True})
    assert r.status_code == 422
    assert r.json()["field"] == "status"
    assert snapshot() == before


def test_an_update_must_say_whether_it_is_public(world, agent_api, incident):
    before = snapshot()
    r = agent_api.post(f"/api/v1/incidents/{incident.pk}/updates",
                       {"body": "x", "status": "identified"})
    assert r.status_code == 422
    assert r.json()["errors"] == [{"field": "public", "message": "field required"}]
    assert snapshot() == before


def test_an_unknown_severity_is_a_400_naming_it(world, agent_api):
    before = snapshot()
    r = agent_api.post("/api/v1/incidents", {"title": "x", "severity": "SEV-1"})
    assert r.status_code == 400
    assert r.json()["field"] == "severity"
    assert snapshot() == before


def test_an_unknown_incident_is_a_404(world, agent_api):
    r = agent_api.get("/api/v1/incidents/999999")
    assert r.status_code == 404
    assert r.json()["field"] == "incident_id"


def test_updating_a_resolved_incident_is_a_409_and_changes_nothing(world, agent_api):
    done = IncidentFactory(status="resolved", resolved_at=clock.now())
    before = snapshot()
    r = agent_api.post(f"/api/v1/incidents/{done.pk}/updates",
                       {"body": "again", "status": "monitoring", "public": True})
    assert r.status_code == 409
    assert r.json()["field"] == "status"
    assert snapshot() == before


def test_reviewing_an_open_incident_is_a_409(world, api_as, incident):
    before = snapshot()
    r = api_as(world.manager).post(f"/api/v1/incidents/{incident.pk}/review",
                                   {"root_cause": "a", "fix": "b"})
    assert r.status_code == 409
    assert snapshot() == before


def test_a_bad_kb_link_is_a_400_naming_it(world, api_as):
    done = IncidentFactory(status="resolved", resolved_at=clock.now())
    before = snapshot()
    r = api_as(world.manager).post(f"/api/v1/incidents/{done.pk}/review", {
        "root_cause": "a", "fix": "b", "kb_article_url": "javascript:alert(1)"})
    assert r.status_code == 400
    assert r.json()["field"] == "kb_article_url"
    assert snapshot() == before


def test_malformed_json_is_a_400(world, agent_api, incident):
    before = snapshot()
    r = agent_api.post(f"/api/v1/incidents/{incident.pk}/updates", raw='{"body": ')
    assert r.status_code == 400
    assert r.json()["field"] == "body"
    assert snapshot() == before


def test_the_endpoints_are_in_the_openapi_spec(world, agent_api):
    paths = agent_api.get("/api/v1/openapi.json").json()["paths"]
    for path in ("/api/v1/incidents", "/api/v1/incidents/{incident_id}/tickets",
                 "/api/v1/incidents/{incident_id}/updates",
                 "/api/v1/incidents/{incident_id}/resolve",
                 "/api/v1/incidents/{incident_id}/review"):
        assert path in paths
