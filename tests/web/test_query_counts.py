"""The queue and ticket pages cost the same number of SQL queries however long the list or
the timeline grows (no query per row or per entry)."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import ContactFactory
from tierdesk.people.access import viewer_for
from tierdesk.tickets.services import (
    ticket_add_note,
    ticket_create,
    ticket_reply,
    ticket_update,
)


def queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def add_tickets(desk, n: int) -> None:
    viewer = viewer_for(desk.maria.user)
    for i in range(n):
        ticket_create(viewer=viewer, subject=f"Problem {i}", body="b", group=desk.support,
                      requester=ContactFactory(organisation=desk.customer.organisation))


def test_queue_page_queries_do_not_grow_with_the_number_of_tickets(desk):
    client = desk.client(desk.alice)
    queries(client, "/agent/")  # warm the session and the pack cache
    add_tickets(desk, 2)
    few = queries(client, "/agent/")
    add_tickets(desk, 10)
    assert queries(client, "/agent/") == few


def test_queue_rows_with_assignees_cost_no_query_per_row(desk):
    """A row shows its assignee's name and organisation: loaded with the page, not per
    row (the rows load only the fields they show)."""
    from tierdesk.tickets.models import Ticket

    client = desk.client(desk.maria)
    queries(client, "/agent/")
    few = queries(client, "/agent/")
    add_tickets(desk, 5)
    maria = viewer_for(desk.maria.user)
    for ticket in Ticket.objects.filter(assignee__isnull=True):
        ticket_update(ticket=ticket, viewer=maria, changes={"assignee": desk.alice})
    html = client.get("/agent/").content.decode()
    assert queries(client, "/agent/") == few
    assert str(desk.alice) in html and desk.customer.organisation.name in html


def test_ticket_page_queries_do_not_grow_with_the_timeline(desk):
    client = desk.client(desk.alice)
    url = f"/agent/tickets/{desk.ticket.pk}/"
    queries(client, url)
    short = queries(client, url)
    alice = viewer_for(desk.alice.user)
    for i in range(5):
        ticket_reply(ticket=desk.ticket, viewer=alice, body=f"reply {i}")
        ticket_add_note(ticket=desk.ticket, viewer=alice, body=f"note {i}")
    assert queries(client, url) == short


def test_board_queries_do_not_grow_with_the_number_of_tickets(desk):
    client = desk.client(desk.maria)
    queries(client, "/agent/sla/")
    few = queries(client, "/agent/sla/")
    add_tickets(desk, 10)
    assert queries(client, "/agent/sla/") == few


def test_ticket_page_queries_do_not_grow_with_files_incidents_or_heartbeats(desk, settings,
                                                                           tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tierdesk.incidents.services import incident_link_tickets, incident_open
    from tierdesk.tickets.attachments import ticket_reply_with_files
    from tierdesk.workspace.services import presence_heartbeat

    settings.MEDIA_ROOT = tmp_path
    client = desk.client(desk.alice)
    url = f"/agent/tickets/{desk.ticket.pk}/"
    queries(client, url)
    short = queries(client, url)
    alice, maria = viewer_for(desk.alice.user), viewer_for(desk.maria.user)
    for i in range(3):
        ticket_reply_with_files(ticket=desk.ticket, viewer=alice, body=f"reply {i}", files=[
            SimpleUploadedFile(f"log{i}.txt", b"x"), SimpleUploadedFile(f"more{i}.txt", b"y")])
        incident = incident_open(viewer=maria, title=f"Outage {i}", severity="P1")
        incident_link_tickets(incident=incident, viewer=maria, tickets=[desk.ticket])
    presence_heartbeat(ticket=desk.ticket, viewer=maria)
    assert queries(client, url) == short


def test_sidebar_counts_cost_one_query_however_many_saved_filters_and_tickets(desk):
    from tierdesk.workspace.services import saved_filter_create

    client = desk.client(desk.alice)
    url = "/agent/?counts=1"

    def counted() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url, HTTP_HX_REQUEST="true").status_code == 200
        return len(captured.captured_queries)

    counted()
    few = counted()
    alice = viewer_for(desk.alice.user)
    for view in ("mine", "soon", "breached"):
        saved_filter_create(viewer=alice, name=view, view=view)
    add_tickets(desk, 10)
    assert counted() == few


def test_incident_page_queries_do_not_grow_with_linked_tickets_and_updates(desk):
    from tierdesk.incidents.services import (
        incident_link_tickets,
        incident_open,
        incident_post_update,
    )
    from tierdesk.tickets.models import Ticket

    maria = viewer_for(desk.maria.user)
    incident = incident_open(viewer=maria, title="Outage", severity="P1")
    incident_link_tickets(incident=incident, viewer=maria, tickets=[desk.ticket])
    client = desk.client(desk.maria)
    url = f"/agent/incidents/{incident.pk}/"
    queries(client, url)
    short = queries(client, url)
    add_tickets(desk, 5)
    incident_link_tickets(incident=incident, viewer=maria, tickets=list(Ticket.objects.all()))
    for i in range(3):
        incident_post_update(incident=incident, viewer=maria, body=f"update {i}",
                             status="identified", public=True)
    assert queries(client, url) == short
