"""Two agents on one ticket: each sees that the other has it open (heartbeats stored on
the server, so any web worker answers), and a reply written while the ticket changed is
not sent until its author has seen what changed."""

from datetime import timedelta

from tests.web.conftest import OPENED
from tierdesk import clock
from tierdesk.people.access import viewer_for
from tierdesk.tickets.models import Message
from tierdesk.tickets.services import ticket_reply, ticket_update
from tierdesk.workspace.models import TicketPresence


def heartbeat(client, ticket, state="viewing") -> str:
    response = client.post(f"/agent/tickets/{ticket.pk}/presence/", {"state": state},
                           HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    return response.content.decode()


def seen_version(client, ticket) -> str:
    html = client.get(f"/agent/tickets/{ticket.pk}/").content.decode()
    return html.split('name="seen" value="')[1].split('"')[0]


def test_alice_sees_that_maria_is_writing_a_reply_on_the_same_ticket(desk):
    alice, maria = desk.client(desk.alice), desk.client(desk.maria)
    assert "Also on this ticket" not in heartbeat(alice, desk.ticket)
    heartbeat(maria, desk.ticket, state="replying")
    notice = heartbeat(alice, desk.ticket)
    assert "Also on this ticket now:" in notice
    assert "Maria" in notice and "writing a reply" in notice
    assert "Alice" not in notice  # nobody is told about themselves
    # the page itself shows it on first paint too
    assert "writing a reply" in alice.get(f"/agent/tickets/{desk.ticket.pk}/").content.decode()


def test_an_agent_who_closed_the_ticket_40_seconds_ago_is_no_longer_shown(desk):
    alice, maria = desk.client(desk.alice), desk.client(desk.maria)
    heartbeat(maria, desk.ticket)
    clock.freeze(OPENED + timedelta(seconds=41))
    assert "Maria" not in heartbeat(alice, desk.ticket)


def test_heartbeats_keep_one_row_per_agent_and_ticket(desk):
    alice = desk.client(desk.alice)
    for _ in range(3):
        heartbeat(alice, desk.ticket)
    assert TicketPresence.objects.filter(ticket=desk.ticket).count() == 1


def test_an_unknown_presence_state_is_refused_naming_the_field(desk):
    response = desk.client(desk.alice).post(f"/agent/tickets/{desk.ticket.pk}/presence/",
                                            {"state": "dancing"})
    assert response.status_code == 400
    assert "state must be one of" in response.content.decode()
    assert not TicketPresence.objects.exists()


def test_a_reply_written_while_a_colleague_answered_asks_before_sending(desk):
    alice = desk.client(desk.alice)
    seen = seen_version(alice, desk.ticket)
    ticket_reply(ticket=desk.ticket, viewer=viewer_for(desk.maria.user),
                 body="Maria here: we are restarting the SSO service now.")
    ticket_update(ticket=desk.ticket, viewer=viewer_for(desk.maria.user),
                  changes={"priority": "P2"})
    before = Message.objects.count()
    response = alice.post(f"/agent/tickets/{desk.ticket.pk}/reply/",
                          {"body": "Alice here: please try again.", "seen": seen})
    html = response.content.decode()
    assert response.status_code == 409
    assert Message.objects.count() == before  # not sent
    assert "This ticket changed while you were writing" in html
    assert "Maria here: we are restarting the SSO service now." in html
    assert "changed priority from P1 to P2" in html
    assert "Alice here: please try again." in html  # the draft is kept
    assert "Send anyway" in html
    # sending again from the refreshed form (it carries the new version) goes through
    new_seen = html.split('name="seen" value="')[1].split('"')[0]
    assert int(new_seen) > int(seen)
    response = alice.post(f"/agent/tickets/{desk.ticket.pk}/reply/",
                          {"body": "Alice here: please try again.", "seen": new_seen})
    assert response.status_code == 302
    assert Message.objects.filter(body_text="Alice here: please try again.").exists()


def test_an_agents_own_changes_and_the_sla_sweep_do_not_count_as_changed_meanwhile(desk):
    alice = desk.client(desk.alice)
    seen = seen_version(alice, desk.ticket)
    ticket_update(ticket=desk.ticket, viewer=viewer_for(desk.alice.user),
                  changes={"priority": "P2"})
    response = alice.post(f"/agent/tickets/{desk.ticket.pk}/reply/",
                          {"body": "On it.", "seen": seen})
    assert response.status_code == 302
