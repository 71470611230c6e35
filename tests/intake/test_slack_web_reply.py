"""An agent answering a Slack ticket from the workspace's reply box is heard in the
customer's Slack thread, exactly as through the API (NexaCore's V-VIP channel: "agent
replies ... posted back", issue 12 section 4), and no mail goes to a Slack-only person."""

from django.test import Client

from tests.factories import AgentFactory, UserFactory
from tests.intake.conftest import message_event, post_slack
from tierdesk import clock
from tierdesk.outbox.models import OutboxMessage
from tierdesk.outbox.services import deliver_due
from tierdesk.people.models import Role
from tierdesk.tickets.models import Message, Ticket


def _slack_ticket_and_agent():
    created = post_slack(message_event("Payments API down", ts="1764576000.000100")).json()
    agent = AgentFactory(user=UserFactory(username="omar"), role=Role.SUPPORT_MANAGER)
    client = Client()
    client.force_login(agent.user)
    return Ticket.objects.get(pk=created["ticket_id"]), client


def test_a_reply_from_the_ticket_page_is_posted_in_the_customers_thread(vvip, slack_api):
    ticket, agent = _slack_ticket_and_agent()
    mails_before = OutboxMessage.objects.filter(ticket_id=ticket.pk, kind="email").count()

    r = agent.post(f"/agent/tickets/{ticket.pk}/reply/",
                   {"body": "We are on it: the gateway is being restarted."})
    deliver_due(now=clock.now())

    assert r.status_code == 302, r.content
    (post,) = slack_api.posts
    assert post.json["channel"] == "C0GULFBANK"
    assert post.json["thread_ts"] == "1764576000.000100"
    assert post.json["text"] == "We are on it: the gateway is being restarted."
    ticket.refresh_from_db()
    assert ticket.first_responded_at == clock.now()
    last = Message.objects.filter(ticket=ticket).order_by("-id").first()
    assert (last.channel, last.body_text) == ("slack", "We are on it: the gateway is being "
                                                       "restarted.")
    assert OutboxMessage.objects.filter(ticket_id=ticket.pk,
                                        kind="email").count() == mails_before


def test_a_file_cannot_go_to_slack_and_nothing_is_sent(vvip, slack_api):
    from django.core.files.uploadedfile import SimpleUploadedFile

    ticket, agent = _slack_ticket_and_agent()
    messages = Message.objects.filter(ticket=ticket).count()

    r = agent.post(f"/agent/tickets/{ticket.pk}/reply/", {
        "body": "Logs attached", "files": SimpleUploadedFile("log.txt", b"boom")})
    deliver_due(now=clock.now())

    assert r.status_code == 400
    assert "Files cannot be posted to Slack" in r.content.decode()
    assert Message.objects.filter(ticket=ticket).count() == messages
    assert slack_api.posts == []
