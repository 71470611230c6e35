"""One matrix: every incidents endpoint and status page x persona (DESIGN.md, "Who may do
what"). Agents run incidents, managers also review them, customers read /status only.

The target incident is open and has the Support queue's ticket linked; the review target
is a resolved incident. The outsider agent works another queue, so it may run incidents but
cannot link a Support ticket it cannot see."""

import pytest

from tests.incidents.conftest import IncidentFactory, link
from tests.matrix import cases, fill, persona_user
from tierdesk import clock

DENIED = [401, 403, 403]  # anonymous, customer, foreign customer

# (name, method, path template, body, expected status per persona in PERSONAS order)
MATRIX = [
    ("list incidents", "get", "/api/v1/incidents", None, [*DENIED, 200, 200, 200]),
    ("open incident", "post", "/api/v1/incidents", {"title": "API outage", "severity": "P0"},
     [*DENIED, 201, 201, 201]),
    ("read incident", "get", "/api/v1/incidents/{incident}", None, [*DENIED, 200, 200, 200]),
    ("link tickets", "post", "/api/v1/incidents/{incident}/tickets",
     {"ticket_ids": ["{sibling}"]}, [*DENIED, 200, 404, 200]),
    ("post update", "post", "/api/v1/incidents/{incident}/updates",
     {"body": "Found it", "status": "identified", "public": True}, [*DENIED, 201, 201, 201]),
    ("read timeline", "get", "/api/v1/incidents/{incident}/updates", None,
     [*DENIED, 200, 200, 200]),
    ("resolve", "post", "/api/v1/incidents/{incident}/resolve", {"body": "Fixed", "public": True},
     [*DENIED, 200, 200, 200]),
    ("review", "post", "/api/v1/incidents/{resolved}/review",
     {"root_cause": "lb-3", "fix": "replaced", "kb_article_url": "https://kb.test/a"},
     [*DENIED, 403, 403, 201]),
    ("status page", "get", "/status", None, [200] * 6),
    ("status json", "get", "/status.json", None, [200] * 6),
]

CASES = cases(MATRIX)


@pytest.mark.parametrize(("name", "method", "path", "body", "persona", "expected"), CASES)
def test_incidents_authorization_matrix(world, api_as, name, method, path, body, persona,
                                        expected):
    from tests.factories import TicketFactory

    incident = IncidentFactory(title="API gateway outage")
    link(incident, world.ticket)
    resolved = IncidentFactory(status="resolved", resolved_at=clock.now())
    sibling = TicketFactory(requester=world.customer, group=world.group)
    ids = {"incident": incident.pk, "resolved": resolved.pk, "sibling": sibling.pk}
    api = api_as(persona_user(world, persona))
    response = getattr(api, method)(fill(path, ids), *([fill(body, ids)] if body else []))
    assert response.status_code == expected, response.content
    if expected >= 400 and path.startswith("/api/"):
        assert response["Content-Type"].startswith("application/json")


@pytest.mark.parametrize("persona", ["customer", "foreign_customer"])
def test_a_refused_customer_changes_nothing(world, api_as, persona):
    incident = IncidentFactory()
    link(incident, world.ticket)
    api = api_as(persona_user(world, persona))
    api.post(f"/api/v1/incidents/{incident.pk}/updates",
             {"body": "x", "status": "resolved", "public": True})
    api.post(f"/api/v1/incidents/{incident.pk}/resolve", {"body": "x", "public": True})
    incident.refresh_from_db()
    assert incident.status == "investigating"
    assert not incident.updates.exists()


def test_an_agent_sees_only_the_linked_tickets_of_its_queues(world, api_as):
    incident = IncidentFactory()
    link(incident, world.ticket, world.foreign_ticket)
    mine = api_as(world.agent).get(f"/api/v1/incidents/{incident.pk}").json()
    everything = api_as(world.manager).get(f"/api/v1/incidents/{incident.pk}").json()
    assert mine["ticket_ids"] == [world.ticket.pk]
    assert mine["ticket_count"] == 2
    assert mine["organisation_count"] == 2
    assert everything["ticket_ids"] == sorted([world.ticket.pk, world.foreign_ticket.pk])
