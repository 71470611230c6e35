"""The manager's SLA board: open work by priority, breaching now and within the hour, per
queue and per agent, and the pack version in force; the htmx poll gets the fragment."""

from datetime import timedelta

from tests.web.conftest import OPENED
from tierdesk import clock
from tierdesk.people.access import viewer_for
from tierdesk.sla.sweep import sla_sweep
from tierdesk.tickets.services import ticket_assign


def test_board_shows_the_p1_breaching_within_the_hour_then_breached_after_the_sweep(desk):
    client = desk.client(desk.maria)
    clock.freeze(OPENED + timedelta(hours=3, minutes=30))
    html = client.get("/agent/sla/").content.decode()
    assert "1 open · 0 breached now · 1 breaching within the hour" in html
    assert "Pack in force: dataflow v1" in html
    clock.freeze(OPENED + timedelta(hours=4, minutes=1))
    sla_sweep(now=clock.now())
    html = client.get("/agent/sla/").content.decode()
    assert "1 open · 1 breached now · 0 breaching within the hour" in html
    breached = html.split("Breaching now")[1].split("Breaching within the hour")[0]
    assert desk.ticket.subject in breached


def test_board_counts_agent_load_and_queues(desk):
    ticket_assign(ticket=desk.ticket, viewer=viewer_for(desk.maria.user), assignee=desk.alice)
    html = desk.client(desk.maria).get("/agent/sla/").content.decode()
    assert '<bdi>Alice Agent</bdi></th><td><meter min="0" max="20" value="1">' in html
    assert f'href="/agent/queues/{desk.support.pk}/">Support</a></th><td>1</td><td>0</td>' in html


def test_the_htmx_poll_gets_only_the_board_fragment(desk):
    response = desk.client(desk.maria).get("/agent/sla/", HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "<html" not in html and 'id="board-status"' in html


def test_the_board_page_polls_itself(desk):
    html = desk.client(desk.maria).get("/agent/sla/").content.decode()
    assert 'hx-get="/agent/sla/" hx-trigger="every 15s"' in html
