"""NexaCore's "Dedicated Slack Channel | High-Value Clients (V-VIP)": the Events API
endpoint checks Slack's signature, a message in a customer's shared channel becomes a
ticket (thread replies add to it), and the agent's reply goes back into the thread."""

import time
from datetime import timedelta

from django.test import Client

from tests.factories import AgentFactory, OrganisationFactory, UserFactory
from tests.intake.conftest import message_event, post_slack, slack_signature
from tierdesk import clock
from tierdesk.intake.models import SlackChannel, SlackThread
from tierdesk.outbox.services import deliver_due
from tierdesk.people.models import Role
from tierdesk.people.services import token_create
from tierdesk.tickets.models import Message, Ticket


def counts():
    return Ticket.objects.count(), Message.objects.count(), SlackThread.objects.count()


def test_slacks_url_check_is_answered_with_the_challenge(vvip, slack_api):
    r = post_slack({"type": "url_verification", "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3"})
    assert r.json() == {"challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3"}


def test_a_message_in_the_shared_channel_opens_a_slack_ticket(vvip, slack_api):
    r = post_slack(message_event("Our payments API returns 502 since 11:40",
                                 ts="1764576000.000100"))
    assert r.status_code == 200, r.content
    assert r.json()["result"] == "created"
    ticket = Ticket.objects.get(pk=r.json()["ticket_id"])
    assert (ticket.channel, ticket.organisation) == ("slack", vvip)
    assert ticket.requester.email == "fatima@gulfbank.example"  # from Slack's users.info
    assert ticket.requester.name == "Fatima Al Mansouri"
    assert ticket.messages.get().body_text == "Our payments API returns 502 since 11:40"


def test_a_reply_in_the_thread_is_a_message_on_the_same_ticket(vvip, slack_api):
    first = post_slack(message_event("Payments API down", ts="1764576000.000100")).json()
    r = post_slack(message_event("Still failing, 30% of calls", ts="1764576060.000200",
                                 thread_ts="1764576000.000100"))
    assert r.json() == {"result": "threaded", "ticket_id": first["ticket_id"], "why": ""}
    assert list(Ticket.objects.get(pk=first["ticket_id"]).messages.values_list(
        "body_text", flat=True)) == ["Payments API down", "Still failing, 30% of calls"]


def test_slacks_retry_of_the_same_message_changes_nothing(vvip, slack_api):
    post_slack(message_event("Payments API down", ts="1764576000.000100"))
    before = counts()
    r = post_slack(message_event("Payments API down", ts="1764576000.000100"))
    assert r.json()["result"] == "duplicate"
    assert counts() == before


def test_a_bad_signature_gets_401_and_changes_nothing(vvip, slack_api):
    before = counts()
    r = post_slack(message_event("forged", ts="1764576000.000900"), secret="not-the-secret")
    assert r.status_code == 401
    assert r.json()["code"] == "bad_signature"
    assert counts() == before


def test_a_missing_or_stale_signature_gets_401(vvip, slack_api):
    payload = message_event("replayed", ts="1764576000.000901")
    assert post_slack(payload, signature="").status_code == 401
    stale = str(int(time.time()) - 3600)
    assert post_slack(payload, timestamp=stale).status_code == 401
    assert not Ticket.objects.exists()


def test_a_message_from_an_unknown_channel_is_refused_clearly(vvip, slack_api):
    r = post_slack(message_event("hello", ts="1764576000.000300", channel="C0UNKNOWN"))
    assert r.status_code == 404
    assert r.json()["code"] == "unknown_slack_channel"
    assert "C0UNKNOWN is not linked to a customer" in r.json()["message"]
    assert counts() == (0, 0, 0)


def test_a_non_vip_customers_channel_is_refused_by_the_pack(vvip, slack_api):
    plain = OrganisationFactory(name="Small Co", vip=False)
    SlackChannel.objects.create(channel_id="C0SMALL", organisation=plain)
    r = post_slack(message_event("hello", ts="1764576000.000400", channel="C0SMALL"))
    assert r.status_code == 422
    assert "V-VIP organisations only" in r.json()["message"]
    assert counts() == (0, 0, 0)


def test_out_of_hours_the_slack_channel_is_closed(vvip, slack_api):
    clock.freeze(clock.now() + timedelta(hours=10))  # 22:00 in Dubai
    r = post_slack(message_event("hello at night", ts="1764576000.000500"))
    assert r.status_code == 422
    assert "closed now" in r.json()["message"]
    assert not Ticket.objects.exists()


def test_our_own_bot_posts_and_edits_are_ignored(vvip, slack_api):
    r = post_slack(message_event("Agent reply", ts="1764576000.000600", bot_id="B0TIER"))
    assert r.json()["result"] == "ignored"
    r = post_slack(message_event("edited", ts="1764576000.000700", subtype="message_changed"))
    assert r.json()["result"] == "ignored"
    assert not Ticket.objects.exists()


def test_a_body_that_is_not_json_gets_400_and_changes_nothing(vvip, slack_api):
    body, ts = b"not json", str(int(time.time()))
    r = Client().post("/api/v1/channels/slack/events", body, content_type="application/json",
                      HTTP_X_SLACK_REQUEST_TIMESTAMP=ts,
                      HTTP_X_SLACK_SIGNATURE=slack_signature(body, ts))
    assert (r.status_code, r.json()["field"]) == (400, "body")


def test_an_empty_message_is_refused_naming_the_field(vvip, slack_api):
    r = post_slack(message_event("", ts="1764576000.000800"))
    assert (r.status_code, r.json()["field"]) == (400, "event.text")
    assert not Ticket.objects.exists()


def test_the_agents_reply_is_posted_back_in_the_customers_thread(vvip, slack_api):
    created = post_slack(message_event("Payments API down", ts="1764576000.000100")).json()
    agent = AgentFactory(user=UserFactory(username="omar"), role=Role.SUPPORT_MANAGER)
    _, secret = token_create(user=agent.user)
    r = Client().post(f"/api/v1/channels/slack/tickets/{created['ticket_id']}/replies",
                      '{"text": "We are on it: the gateway is being restarted."}',
                      content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert r.status_code == 201, r.content
    deliver_due(now=clock.now())
    posts = slack_api.posts
    assert len(posts) == 1
    assert posts[0].json["channel"] == "C0GULFBANK"
    assert posts[0].json["thread_ts"] == "1764576000.000100"
    assert posts[0].json["text"] == "We are on it: the gateway is being restarted."
    ticket = Ticket.objects.get(pk=created["ticket_id"])
    assert ticket.first_responded_at == clock.now()
