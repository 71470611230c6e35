"""Files on messages: stored through Django's storage, visible like their message."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tierdesk.people.services import token_create
from tierdesk.tickets import services
from tierdesk.tickets.models import Attachment, TicketEvent


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def client_for(user) -> Client:
    _, secret = token_create(user=user)
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


def upload(client, ticket, message, name="logs.txt", content=b"ERROR DB-2003 at 10:02\n"):
    return client.post(f"/api/v1/tickets/{ticket.pk}/messages/{message.pk}/attachments",
                       data={"file": SimpleUploadedFile(name, content, "text/plain")})


def test_customer_attaches_logs_to_their_reply_and_the_agent_downloads_them(world):
    reply = services.ticket_reply(ticket=world.ticket, viewer=world.viewer(world.customer.user),
                                  body="logs attached")
    r = upload(client_for(world.customer.user), world.ticket, reply)
    assert r.status_code == 201, r.content
    assert r.json()["filename"] == "logs.txt"
    assert r.json()["size"] == 23
    download = client_for(world.agent.user).get(
        f"/api/v1/tickets/{world.ticket.pk}/attachments/{r.json()['id']}")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"ERROR DB-2003 at 10:02\n"
    assert "attachment" in download["Content-Disposition"]
    assert download["Content-Type"] == "application/octet-stream"
    event = TicketEvent.objects.get(ticket=world.ticket, type="attachment_added")
    assert event.data["filename"] == "logs.txt"
    messages = client_for(world.agent.user).get(
        f"/api/v1/tickets/{world.ticket.pk}/messages").json()
    assert messages[-1]["attachments"][0]["filename"] == "logs.txt"


def test_a_path_in_the_file_name_is_stripped(world):
    note = services.ticket_add_note(ticket=world.ticket, viewer=world.viewer(world.agent),
                                    body="trace")
    r = upload(client_for(world.agent.user), world.ticket, note, name="../../etc/passwd")
    assert r.json()["filename"] == "passwd"
    stored = Attachment.objects.get()
    assert ".." not in stored.file.name


def test_internal_note_files_are_hidden_from_customers(world):
    note = services.ticket_add_note(ticket=world.ticket, viewer=world.viewer(world.agent),
                                    body="internal trace")
    r = upload(client_for(world.agent.user), world.ticket, note)
    url = f"/api/v1/tickets/{world.ticket.pk}/attachments/{r.json()['id']}"
    assert client_for(world.customer.user).get(url).status_code == 404


def test_customers_cannot_attach_to_someone_elses_message(world):
    agent_reply = services.ticket_reply(ticket=world.ticket, viewer=world.viewer(world.agent),
                                        body="try this")
    r = upload(client_for(world.customer.user), world.ticket, agent_reply)
    assert r.status_code == 403
    assert not Attachment.objects.exists()


def test_another_organisation_cannot_reach_the_file(world):
    reply = services.ticket_reply(ticket=world.ticket, viewer=world.viewer(world.customer.user),
                                  body="logs")
    r = upload(client_for(world.customer.user), world.ticket, reply)
    url = f"/api/v1/tickets/{world.ticket.pk}/attachments/{r.json()['id']}"
    assert client_for(world.foreign_customer.user).get(url).status_code == 404
    assert Client().get(url).status_code == 401


def test_an_empty_or_missing_file_is_refused(world):
    note = services.ticket_add_note(ticket=world.ticket, viewer=world.viewer(world.agent),
                                    body="x")
    client = client_for(world.agent.user)
    assert upload(client, world.ticket, note, content=b"").status_code == 400
    missing = client.post(f"/api/v1/tickets/{world.ticket.pk}/messages/{note.pk}/attachments")
    assert missing.status_code == 422
    assert not Attachment.objects.exists()


def test_a_message_of_another_ticket_is_not_found(world):
    other = services.ticket_add_note(ticket=world.foreign_ticket,
                                     viewer=world.viewer(world.manager), body="x")
    r = upload(client_for(world.agent.user), world.ticket, other)
    assert r.status_code == 404
    assert r.json()["field"] == "message_id"
