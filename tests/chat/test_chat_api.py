"""A chat through the widget's API: it is a ticket with its transcript from the first
line, the first agent message stops the first-response clock, and the pack decides who
may chat (issue 12, section 3)."""

from datetime import timedelta

import pytest

from tests.factories import ContactFactory, OrganisationFactory
from tierdesk import clock
from tierdesk.chat.models import ChatSession
from tierdesk.customers.models import Contact
from tierdesk.people.access import viewer_for
from tierdesk.sla.models import SlaTarget
from tierdesk.sla.sweep import sla_sweep
from tierdesk.tickets.models import Message, Ticket, TicketEvent


def agent_says(agent, session_id: int, text: str):
    from tierdesk.chat import services

    session = ChatSession.objects.get(pk=session_id)
    return services.chat_post_agent(session=session, viewer=viewer_for(agent.user), text=text)


def test_a_chat_started_in_the_widget_is_a_chat_ticket_with_the_first_line(
        fire22, frozen, widget):
    r = widget.start("My deposit has not arrived since yesterday")
    assert r.status_code == 201, r.content
    ticket = Ticket.objects.get(pk=r.json()["ticket_id"])
    assert ticket.channel == "chat"
    assert ticket.subject == "Chat: My deposit has not arrived since yesterday"
    assert ticket.category == "payment"  # the pack's classification ran
    assert [m.body_text for m in ticket.messages.all()] == [
        "My deposit has not arrived since yesterday"]
    assert r.json()["messages"][0]["by"] == "customer"
    assert Contact.objects.get(email="jo@visitor.example").name == "Jo Visitor"


def test_the_transcript_is_the_tickets_conversation_in_order(fire22, frozen, widget, agent):
    widget.start("Hello, my account is locked")
    sid = widget.session_id
    agent_says(agent, sid, "Hi Jo, I can help. What is your username?")
    assert widget.say("jo22", client_id="m-1").status_code == 201
    lines = widget.read().json()["messages"]
    assert [(m["by"], m["author"], m["text"]) for m in lines] == [
        ("customer", "Jo Visitor", "Hello, my account is locked"),
        ("agent", "Alice", "Hi Jo, I can help. What is your username?"),
        ("customer", "Jo Visitor", "jo22"),
    ]
    ticket = ChatSession.objects.get(pk=sid).ticket
    assert list(ticket.messages.values_list("body_text", flat=True)) == [
        m["text"] for m in lines]


def test_a_retried_line_with_the_same_client_id_is_written_once(fire22, frozen, widget):
    widget.start("Payment failed")
    first = widget.say("card ending 4242", client_id="abc-1").json()
    again = widget.say("card ending 4242", client_id="abc-1").json()
    assert first["id"] == again["id"]
    assert Message.objects.filter(body_text="card ending 4242").count() == 1


def test_the_first_agent_message_stops_the_first_response_clock_within_2_minutes(
        fire22, frozen, widget, agent):
    widget.start("Withdrawal stuck")
    ticket = ChatSession.objects.get(pk=widget.session_id).ticket
    clock.freeze(frozen + timedelta(seconds=70))
    agent_says(agent, widget.session_id, "Looking at it now")
    ticket.refresh_from_db()
    assert ticket.first_responded_at == frozen + timedelta(seconds=70)
    target = SlaTarget.objects.get(ticket=ticket, metric="first_response")
    assert (target.policy, target.target_minutes, target.state) == ("Live chat", 2, "met")
    assert target.breached_at is None


def test_fire22_chat_unanswered_for_2_minutes_breaches_first_response(
        fire22, frozen, widget):
    widget.start("Nobody answers?")
    ticket = ChatSession.objects.get(pk=widget.session_id).ticket
    target = SlaTarget.objects.get(ticket=ticket, metric="first_response")
    assert target.due_at == frozen + timedelta(minutes=2)
    sla_sweep(now=frozen + timedelta(minutes=1, seconds=59))
    target.refresh_from_db()
    assert target.breached_at is None
    sla_sweep(now=frozen + timedelta(minutes=2, seconds=1))
    target.refresh_from_db()
    assert target.breached_at is not None
    assert TicketEvent.objects.filter(ticket=ticket, type="sla_breached",
                                      data__metric="first_response").exists()


def test_customer_lines_do_not_stop_the_clock(fire22, frozen, widget):
    widget.start("Hello?")
    widget.say("Anyone there?")
    ticket = ChatSession.objects.get(pk=widget.session_id).ticket
    assert ticket.first_responded_at is None


@pytest.mark.parametrize("plan", ["Starter", ""])
def test_dataflow_refuses_chat_to_plans_the_pack_excludes(dataflow, frozen, widget, plan):
    org = OrganisationFactory(plan=plan)
    ContactFactory(organisation=org, email="it@starter.example", name="IT")
    before = (Ticket.objects.count(), ChatSession.objects.count())
    r = widget.start("Dashboards do not load", name="IT", email="it@starter.example")
    assert r.status_code == 422, r.content
    assert r.json()["code"] == "channel_refused"
    assert "Professional and Enterprise plans only" in r.json()["message"]
    assert (Ticket.objects.count(), ChatSession.objects.count()) == before


def test_dataflow_takes_chat_from_a_professional_customer(dataflow, frozen, widget):
    org = OrganisationFactory(plan="Professional")
    ContactFactory(organisation=org, email="ops@pro.example", name="Ops")
    r = widget.start("Dashboards do not load", name="Ops", email="ops@pro.example")
    assert r.status_code == 201, r.content
    assert Ticket.objects.get(pk=r.json()["ticket_id"]).organisation == org


def test_a_wrong_chat_token_sees_nothing_and_writes_nothing(fire22, frozen, widget):
    widget.start("Secret issue")
    widget.token = "tdc_forged"
    assert widget.read().status_code == 404
    assert widget.say("injected").status_code == 404
    assert not Message.objects.filter(body_text="injected").exists()


def test_an_empty_line_is_refused_naming_the_field(fire22, frozen, widget):
    widget.start("hello there")
    r = widget.say("   ")
    assert r.status_code == 400
    assert r.json()["field"] == "text"


def test_starting_without_an_email_names_the_field(fire22, frozen, widget):
    r = widget.start("help", name="Jo", email="")
    assert (r.status_code, r.json()["field"]) == (400, "email")
    assert not Ticket.objects.exists()


def test_an_ended_chat_takes_no_more_lines(fire22, frozen, widget):
    widget.start("Quick question")
    assert widget.end().json()["state"] == "ended"
    r = widget.say("one more thing")
    assert r.status_code == 400
    assert TicketEvent.objects.filter(type="chat_ended").count() == 1


def test_a_long_poll_with_news_answers_at_once(fire22, frozen, widget, agent):
    widget.start("Hi")
    agent_says(agent, widget.session_id, "Hello!")
    first_id = widget.read().json()["messages"][0]["id"]
    r = widget.read(after=first_id, wait=5)
    assert [m["text"] for m in r.json()["messages"]] == ["Hello!"]


def test_a_wait_longer_than_20_seconds_is_refused(fire22, frozen, widget):
    widget.start("Hi")
    r = widget.read(wait=60)
    assert (r.status_code, r.json()["field"]) == (400, "wait")


def test_when_every_spare_thread_is_waiting_a_long_poll_answers_at_once(
        fire22, frozen, widget, settings):
    """A process keeps four threads for the rest of the API: with no thread to lend (a
    sync worker here), the long-poll answers now and tells the widget when to ask again."""
    settings.WEB_THREADS = 1
    widget.start("Hi")
    first = widget.read().json()["last_id"]
    r = widget.read(after=first, wait=20)
    assert r.status_code == 200
    assert (r.json()["messages"], r.json()["retry_ms"]) == ([], 1000)
