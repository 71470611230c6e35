"""Every bad input gets a 4xx JSON answer naming the field, and changes nothing."""

import pytest

from tierdesk.tickets.models import Ticket


@pytest.fixture
def agent_api(world, api_as):
    return api_as(world.agent)


def assert_nothing_created(before):
    assert Ticket.objects.count() == before


def test_malformed_json_is_a_400_naming_the_body(world, agent_api):
    before = Ticket.objects.count()
    r = agent_api.post("/api/v1/tickets", raw='{"subject": "x",')
    assert r.status_code == 400
    assert r.json()["code"] == "malformed_json"
    assert r.json()["field"] == "body"
    assert_nothing_created(before)


def test_unknown_field_is_a_422_naming_it(world, agent_api):
    before = Ticket.objects.count()
    r = agent_api.post("/api/v1/tickets", {"subject": "x", "body": "y",
                                           "requester_id": world.customer.pk, "sevrity": 1})
    assert r.status_code == 422
    assert r.json()["field"] == "sevrity"
    assert r.json()["errors"] == [{"field": "sevrity", "message": "unknown field"}]
    assert_nothing_created(before)


def test_wrong_types_are_a_422_listing_every_field_at_fault(world, agent_api):
    r = agent_api.post("/api/v1/tickets", {"subject": ["x"], "body": "y",
                                           "requester_id": "someone"})
    assert r.status_code == 422
    fields = {e["field"] for e in r.json()["errors"]}
    assert fields == {"subject", "requester_id"}


def test_missing_required_field_is_named(world, agent_api):
    r = agent_api.post("/api/v1/tickets", {"body": "y", "requester_id": world.customer.pk})
    assert r.status_code == 422
    assert r.json()["errors"] == [{"field": "subject", "message": "field required"}]


def test_a_json_array_instead_of_an_object_is_a_422(world, agent_api):
    r = agent_api.post("/api/v1/tickets", raw="[1, 2]")
    assert r.status_code == 422


def test_oversized_body_is_a_413_and_creates_nothing(world, agent_api, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    before = Ticket.objects.count()
    r = agent_api.post("/api/v1/tickets", {"subject": "x", "body": "a" * 20_000,
                                           "requester_id": world.customer.pk})
    assert r.status_code == 413
    assert r.json()["code"] == "too_large"
    assert_nothing_created(before)


def test_unknown_ticket_id_is_a_404(world, agent_api):
    r = agent_api.get("/api/v1/tickets/987654")
    assert r.status_code == 404
    assert r.json() == {"code": "not_found", "message": "ticket 987654 not found",
                        "field": "ticket_id",
                        "errors": [{"field": "ticket_id", "message": "ticket 987654 not found"}]}


def test_unknown_requester_id_is_a_404_naming_the_field(world, agent_api):
    r = agent_api.post("/api/v1/tickets", {"subject": "x", "body": "y", "requester_id": 99999})
    assert r.status_code == 404
    assert r.json()["field"] == "requester_id"


def test_unknown_assignee_is_a_404(world, agent_api):
    r = agent_api.post(f"/api/v1/tickets/{world.ticket.pk}/assign", {"assignee_id": 99999})
    assert r.status_code == 404
    assert r.json()["field"] == "assignee_id"


def test_illegal_status_change_is_a_409_and_changes_nothing(world, agent_api):
    r = agent_api.patch(f"/api/v1/tickets/{world.ticket.pk}", {"status": "closed"})
    assert r.status_code == 409
    assert r.json()["code"] == "invalid_transition"
    world.ticket.refresh_from_db()
    assert world.ticket.status == "new"


def test_unknown_status_value_is_a_422(world, agent_api):
    r = agent_api.patch(f"/api/v1/tickets/{world.ticket.pk}", {"status": "archived"})
    assert r.status_code == 422
    assert r.json()["field"] == "status"


def test_null_for_a_required_field_is_refused(world, agent_api):
    r = agent_api.patch(f"/api/v1/tickets/{world.ticket.pk}", {"priority": None})
    assert r.status_code == 400
    assert r.json()["field"] == "priority"


def test_bad_cursor_is_refused(world, agent_api):
    r = agent_api.get("/api/v1/tickets?cursor=not-a-cursor")
    assert r.status_code == 400
    assert r.json()["field"] == "cursor"


def test_limit_out_of_range_is_a_422(world, agent_api):
    assert agent_api.get("/api/v1/tickets?limit=0").status_code == 422
    assert agent_api.get("/api/v1/tickets?limit=5000").status_code == 422


def test_non_integer_path_id_is_a_404_not_a_500(world, agent_api):
    assert agent_api.get("/api/v1/tickets/abc").status_code == 404


def test_no_credentials_is_a_401(world, api_as):
    r = api_as(None).get("/api/v1/tickets")
    assert r.status_code == 401
    assert r.json()["code"] == "unauthenticated"


def test_revoked_or_wrong_token_is_a_401(world, api_as):
    api = api_as(None)
    r = api.get("/api/v1/tickets", HTTP_AUTHORIZATION="Bearer td_wrong")
    assert r.status_code == 401


@pytest.mark.parametrize("payload", [
    "null", "1", '"text"', "{}", '{"subject": ""}', '{"subject": "x", "body": ""}',
    '{"subject": "x", "body": "y", "requester_id": 1.5}',
    '{"subject": "x", "body": "y", "tags": "notalist"}',
    '{"subject": "x", "body": "y", "custom_fields": []}',
    '{"subject": "x", "body": "y", "channel": "pigeon"}',
    '{"subject": "' + "x" * 301 + '", "body": "y"}',
])
def test_no_malformed_create_produces_a_500(world, agent_api, payload):
    r = agent_api.post("/api/v1/tickets", raw=payload)
    assert 400 <= r.status_code < 500, r.content
    assert "message" in r.json()


@pytest.mark.parametrize("url", [
    "/api/v1/tickets?assignee_id=99999999999999999999999",
    "/api/v1/contacts?offset=87081979344845553664",
    "/api/v1/organisations?offset=-1",
])
def test_numbers_out_of_range_are_a_4xx_not_a_500(world, agent_api, url):
    """Found by fuzzing the OpenAPI schema (schemathesis)."""
    response = agent_api.get(url)
    assert response.status_code == 422, response.content


def test_a_huge_requester_id_is_refused(world, agent_api):
    r = agent_api.post("/api/v1/tickets", {"subject": "x", "body": "y",
                                           "requester_id": 10**30})
    assert r.status_code == 422
    assert r.json()["field"] == "requester_id"
