"""The queue and ticket pages cost the same number of SQL queries however long the list or
the timeline grows (no query per row or per entry)."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import ContactFactory
from tierdesk.people.access import viewer_for
from tierdesk.tickets.services import ticket_add_note, ticket_create, ticket_reply


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
