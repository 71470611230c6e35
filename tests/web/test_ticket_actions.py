"""From the ticket page: merge a duplicate, link the ticket to an incident, attach files to
a reply and download them; the customer attaches and downloads in the portal, and never
gets an internal note's file."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tierdesk.incidents.models import IncidentTicket
from tierdesk.incidents.services import incident_open
from tierdesk.people.access import viewer_for
from tierdesk.tickets.models import Attachment, Message, Status, TicketEvent
from tierdesk.tickets.services import ticket_create, ticket_update


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def duplicate(desk):
    ticket, _ = ticket_create(viewer=viewer_for(desk.customer.user), requester=desk.customer,
                              subject="Still cannot log in", body="Same as this morning.")
    ticket_update(ticket=ticket, viewer=viewer_for(desk.maria.user),
                  changes={"group": desk.support})
    return ticket


def test_alice_merges_a_duplicate_into_the_first_ticket(desk):
    dup = duplicate(desk)
    response = desk.client(desk.alice).post(f"/agent/tickets/{dup.pk}/merge/",
                                            {"target": f"#{desk.ticket.pk}"})
    assert response["Location"] == f"/agent/tickets/{desk.ticket.pk}/"
    dup.refresh_from_db()
    assert dup.status == Status.CLOSED and dup.merged_into_id == desk.ticket.pk
    assert Message.objects.filter(ticket=desk.ticket, body_text="Same as this morning.").exists()
    assert TicketEvent.objects.filter(ticket=desk.ticket, type="merged").exists()
    page = desk.client(desk.alice).get(f"/agent/tickets/{desk.ticket.pk}/").content.decode()
    assert "Same as this morning." in page


def test_merging_into_a_ticket_alice_cannot_see_is_refused_next_to_the_field(desk):
    hidden, _ = ticket_create(viewer=viewer_for(desk.customer.user), requester=desk.customer,
                              subject="Ops only", body="b")
    ticket_update(ticket=hidden, viewer=viewer_for(desk.maria.user),
                  changes={"group": desk.devops})
    response = desk.client(desk.alice).post(f"/agent/tickets/{desk.ticket.pk}/merge/",
                                            {"target": str(hidden.pk)})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="merge-error"' in html and f"Ticket #{hidden.pk} is not one you can see." in html
    desk.ticket.refresh_from_db()
    assert desk.ticket.merged_into_id is None


def test_alice_links_the_ticket_to_the_open_sso_incident(desk):
    incident = incident_open(viewer=viewer_for(desk.maria.user), title="SSO outage",
                             severity="P1")
    client = desk.client(desk.alice)
    page = client.get(f"/agent/tickets/{desk.ticket.pk}/").content.decode()
    assert f'<option value="{incident.pk}">P1 · SSO outage</option>' in page
    client.post(f"/agent/tickets/{desk.ticket.pk}/incident/", {"incident": incident.pk})
    assert IncidentTicket.objects.filter(incident=incident, ticket=desk.ticket).exists()
    assert TicketEvent.objects.filter(ticket=desk.ticket, type="incident_linked").exists()
    page = client.get(f"/agent/tickets/{desk.ticket.pk}/").content.decode()
    assert "Not linked to an incident." not in page and "SSO outage" in page



def test_the_incident_card_lists_linked_incidents_newest_first_and_offers_only_open_ones(
        desk):
    from tierdesk.incidents.services import incident_link_tickets, incident_resolve

    maria = viewer_for(desk.maria.user)
    older = incident_open(viewer=maria, title="Mail delays", severity="P2")
    newer = incident_open(viewer=maria, title="SSO outage", severity="P1")
    over = incident_open(viewer=maria, title="Old VPN outage", severity="P2")
    for incident in (older, newer):
        incident_link_tickets(incident=incident, viewer=maria, tickets=[desk.ticket])
    incident_resolve(incident=over, viewer=maria, body="Fixed.", public=False)
    page = desk.client(desk.alice).get(f"/agent/tickets/{desk.ticket.pk}/").content.decode()
    card = page[page.index('id="incident-title"'):]
    linked = card[:card.index("</ul>")]
    assert linked.index("SSO outage") < linked.index("Mail delays")
    offered = card[card.index('id="link-incident"'):card.index("</select>")]
    assert offered.index(f'value="{newer.pk}"') < offered.index(f'value="{older.pk}"')
    assert "Old VPN outage" not in card


def test_a_reply_with_files_shows_them_and_both_sides_download_them(desk):
    client = desk.client(desk.alice)
    client.post(f"/agent/tickets/{desk.ticket.pk}/reply/", {
        "body": "Here is the fix.", "files": [
            SimpleUploadedFile("fix-steps.txt", b"1. clear cookies", "text/plain"),
            SimpleUploadedFile("../../etc/passwd", b"root", "text/plain")]})
    files = list(Attachment.objects.order_by("id"))
    assert [f.filename for f in files] == ["fix-steps.txt", "passwd"]
    assert files[0].message.body_text == "Here is the fix."
    assert TicketEvent.objects.filter(ticket=desk.ticket, type="attachment_added").count() == 2
    page = client.get(f"/agent/tickets/{desk.ticket.pk}/").content.decode()
    url = f"/agent/tickets/{desk.ticket.pk}/attachments/{files[0].pk}/"
    assert url in page
    download = client.get(url)
    assert b"".join(download.streaming_content) == b"1. clear cookies"
    assert download["Content-Disposition"].startswith("attachment;")
    assert download["Content-Type"] == "application/octet-stream"
    customer = desk.client(desk.customer)
    portal_url = f"/portal/tickets/{desk.ticket.pk}/attachments/{files[0].pk}/"
    assert portal_url in customer.get(f"/portal/tickets/{desk.ticket.pk}/").content.decode()
    assert b"".join(customer.get(portal_url).streaming_content) == b"1. clear cookies"


def test_an_empty_file_sends_no_reply_at_all(desk):
    before = Message.objects.count()
    response = desk.client(desk.alice).post(f"/agent/tickets/{desk.ticket.pk}/reply/", {
        "body": "See attached.", "files": [SimpleUploadedFile("empty.log", b"")]})
    assert response.status_code == 400
    assert "the file &#x27;empty.log&#x27; is empty" in response.content.decode()
    assert Message.objects.count() == before and not Attachment.objects.exists()


def test_the_customer_attaches_a_screenshot_to_a_new_request_and_a_reply(desk):
    customer = desk.client(desk.customer)
    response = customer.post("/portal/new/", {
        "subject": "Export fails", "body": "See the screenshot.",
        "files": [SimpleUploadedFile("screen.png", b"\x89PNG....", "image/png")]})
    assert response.status_code == 302
    first = Attachment.objects.get()
    assert first.filename == "screen.png" and first.message.author == desk.customer.user
    ticket_id = first.message.ticket_id
    customer.post(f"/portal/tickets/{ticket_id}/reply/", {
        "body": "And the log.", "files": [SimpleUploadedFile("export.log", b"ERR 42")]})
    assert Attachment.objects.filter(filename="export.log",
                                     message__body_text="And the log.").exists()


def test_the_customer_never_downloads_a_file_on_an_internal_note(desk, settings):
    from tierdesk.tickets.attachments import attachment_add
    from tierdesk.tickets.services import ticket_add_note

    note = ticket_add_note(ticket=desk.ticket, viewer=viewer_for(desk.alice.user),
                           body="internal dump")
    file = attachment_add(ticket=desk.ticket, message=note, viewer=viewer_for(desk.alice.user),
                          upload=SimpleUploadedFile("dump.txt", b"secret"))
    customer = desk.client(desk.customer)
    assert customer.get(
        f"/portal/tickets/{desk.ticket.pk}/attachments/{file.pk}/").status_code == 404
    assert "dump.txt" not in customer.get(f"/portal/tickets/{desk.ticket.pk}/").content.decode()
