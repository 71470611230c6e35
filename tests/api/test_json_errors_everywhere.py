"""Under /api/ every error is the API's JSON shape, wherever it is raised, and text with
NUL bytes is refused on both databases with the field named."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tierdesk.tickets import services
from tierdesk.tickets.models import Message, Ticket


@pytest.fixture
def agent_api(world, api_as):
    return api_as(world.agent)


def assert_error_shape(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"code", "message", "field", "errors"}
    assert body["code"] == code
    assert body["message"]
    return body


def test_an_unknown_api_path_is_a_json_404(world, agent_api):
    assert_error_shape(agent_api.get("/api/v1/no-such-thing"), 404, "not_found")


def test_a_negative_ticket_id_in_the_path_is_a_json_404(world, agent_api):
    assert_error_shape(agent_api.get("/api/v1/tickets/-1"), 404, "not_found")


def test_a_wrong_method_is_a_json_405_naming_the_allowed_ones(world, agent_api):
    r = agent_api.client.delete("/api/v1/tickets", **agent_api.headers)
    body = assert_error_shape(r, 405, "method_not_allowed")
    assert "GET" in r["Allow"] and "POST" in r["Allow"]
    assert "GET" in body["message"]


def test_pages_outside_the_api_keep_their_html_404(world):
    r = Client().get("/no-such-page")
    assert r.status_code == 404
    assert not r["Content-Type"].startswith("application/json")


def test_a_nul_byte_in_a_subject_is_refused_naming_the_field_and_creates_nothing(
        world, agent_api):
    before = Ticket.objects.count()
    r = agent_api.post("/api/v1/tickets", {"subject": "login\u0000fails", "body": "help",
                                           "requester_id": world.customer.pk})
    body = assert_error_shape(r, 422, "invalid")
    assert body["field"] == "subject"
    assert "NUL" in body["message"]
    assert Ticket.objects.count() == before


def test_a_nul_byte_nested_in_a_list_is_named_by_its_path(world, agent_api):
    r = agent_api.post("/api/v1/tickets", {"subject": "x", "body": "y", "tags": ["ok", "b\u0000"],
                                           "requester_id": world.customer.pk})
    assert assert_error_shape(r, 422, "invalid")["field"] == "tags[1]"


def test_a_nul_byte_in_a_reply_body_adds_no_message(world, agent_api):
    before = Message.objects.filter(ticket=world.ticket).count()
    r = agent_api.post(f"/api/v1/tickets/{world.ticket.pk}/replies", {"body": "a\u0000b"})
    assert assert_error_shape(r, 422, "invalid")["field"] == "body"
    assert Message.objects.filter(ticket=world.ticket).count() == before


def test_a_nul_byte_in_a_query_parameter_is_refused(world, agent_api):
    r = agent_api.get("/api/v1/tickets?q=a%00b")
    assert assert_error_shape(r, 422, "invalid")["field"] == "query.q"


def test_an_attachment_whose_file_is_gone_answers_410_with_a_message(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    from tests.tickets.test_attachments import client_for

    reply = services.ticket_reply(ticket=world.ticket, viewer=world.viewer(world.customer.user),
                                  body="logs attached")
    r = client_for(world.customer.user).post(
        f"/api/v1/tickets/{world.ticket.pk}/messages/{reply.pk}/attachments",
        data={"file": SimpleUploadedFile("logs.txt", b"ERROR\n", "text/plain")})
    assert r.status_code == 201
    stored = next((tmp_path / "media").rglob("logs*.txt"))
    stored.unlink()
    download = client_for(world.agent.user).get(
        f"/api/v1/tickets/{world.ticket.pk}/attachments/{r.json()['id']}")
    body = assert_error_shape(download, 410, "gone")
    assert "logs.txt" in body["message"] and "missing" in body["message"]


def test_the_openapi_document_lists_every_operations_error_responses(world):
    schema = Client().get("/api/v1/openapi.json").json()
    assert "Error" in schema["components"]["schemas"]
    create = schema["paths"]["/api/v1/tickets"]["post"]["responses"]
    for status in ("400", "401", "403", "404", "409", "413", "422"):
        assert status in {str(k) for k in create}, status
        ref = create[status] if status in create else create[int(status)]
        assert ref["content"]["application/json"]["schema"]["$ref"].endswith("/Error")


def test_the_api_docs_page_loads_swagger_from_this_server_not_a_cdn(world):
    page = Client().get("/api/v1/docs").content.decode()
    assert "cdn" not in page.lower()
    assert "/static/ninja/swagger-ui-bundle.js" in page
