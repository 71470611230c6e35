"""Every chat, Slack, social and phone endpoint and page x persona (DESIGN.md, "Who may do
what"), in the shape of tests/api/test_authorization_matrix.py. The chat, the Slack ticket
and the ticket calls are logged on belong to organisation 1018 and sit in the Support
queue. Visitors reach their chat with its secret (tests/chat/test_chat_api.py); Slack and
the social collector with their signatures (tests/intake/)."""

import pytest
from django.test import Client

from tests.factories import TicketFactory
from tests.matrix import cases, fill, persona_user
from tierdesk.chat import services as chat
from tierdesk.intake.models import SlackChannel, SlackThread
from tierdesk.tickets.models import Message, Ticket, TicketEvent

CALL = {"direction": "outbound", "number": "+1 212 555 0100", "duration_seconds": 60,
        "outcome": "answered"}

API = [
    # A signed-in customer starts a chat as themselves; agents answer chats, never start
    # them; an anonymous visitor must give a name and an email (400 names the field).
    ("start a chat", "post", "/api/v1/chat/sessions", {"text": "hello"},
     [400, 201, 201, 403, 403, 403]),
    ("read a chat", "get", "/api/v1/chat/sessions/{chat}/messages", None,
     [401, 404, 404, 200, 404, 200]),
    ("answer a chat", "post", "/api/v1/chat/sessions/{chat}/messages", {"text": "hi"},
     [401, 404, 404, 201, 404, 201]),
    ("end a chat", "post", "/api/v1/chat/sessions/{chat}/end", None,
     [401, 404, 404, 200, 404, 200]),
    ("open chats", "get", "/api/v1/chat/sessions", None, [401, 403, 403, 200, 200, 200]),
    ("reply in Slack", "post", "/api/v1/channels/slack/tickets/{slack_ticket}/replies",
     {"text": "on it"}, [401, 403, 403, 201, 404, 201]),
    ("Slack events without Slack's signature", "post", "/api/v1/channels/slack/events",
     {"type": "url_verification", "challenge": "x"}, [401, 401, 401, 401, 401, 401]),
    ("social message without the signature", "post", "/api/v1/channels/social/inbound",
     {"network": "x", "author": "@a", "text": "t", "message_id": "1"},
     [401, 401, 401, 401, 401, 401]),
    ("log a call", "post", "/api/v1/channels/phone/tickets/{ticket}/calls", CALL,
     [401, 403, 403, 201, 404, 201]),
    ("list calls", "get", "/api/v1/channels/phone/tickets/{ticket}/calls", None,
     [401, 403, 403, 200, 404, 200]),
    ("inbound call opens a ticket", "post", "/api/v1/channels/phone/calls",
     {**CALL, "direction": "inbound", "requester_id": "{contact}", "subject": "Down",
      "summary": "All down"}, [401, 403, 403, 201, 201, 201]),
]

PAGES = [
    ("chat widget", "get", "/chat/widget/", None, [200, 200, 200, 200, 200, 200]),
    ("live chats", "get", "/agent/chats/", None, [302, 403, 403, 200, 200, 200]),
    ("chat console", "get", "/agent/chats/{chat}/", None, [302, 403, 403, 200, 404, 200]),
    ("chat console reply", "post", "/agent/chats/{chat}/say/", {"text": "hi"},
     [302, 403, 403, 302, 404, 302]),
]


@pytest.fixture
def ids(world):
    session, _ = chat.chat_start(contact=world.customer, text="Dashboards down", verified=True,
                                 user=world.customer.user)
    Ticket.objects.filter(pk=session.ticket_id).update(group=world.group)
    slack_ticket = TicketFactory(requester=world.customer, group=world.group, channel="slack")
    channel = SlackChannel.objects.create(channel_id="C0REDWOOD", organisation=world.org)
    SlackThread.objects.create(channel=channel, thread_ts="1.000100", ticket=slack_ticket)
    return {"chat": session.pk, "slack_ticket": slack_ticket.pk, "ticket": world.ticket.pk,
            "contact": world.customer.pk}


@pytest.mark.parametrize(("name", "method", "path", "body", "persona", "expected"), cases(API))
def test_channel_endpoints_authorization(world, api_as, ids, settings, name, method, path,
                                         body, persona, expected):
    settings.SLACK_SIGNING_SECRET = "slack-secret"
    settings.SOCIAL_WEBHOOK_SECRET = "social-secret"
    api = api_as(persona_user(world, persona))
    response = getattr(api, method)(fill(path, ids), *([fill(body, ids)] if body else []))
    assert response.status_code == expected, response.content


@pytest.mark.parametrize(("name", "method", "path", "form", "persona", "expected"),
                         cases(PAGES))
def test_chat_pages_authorization(world, ids, name, method, path, form, persona, expected):
    client = Client()
    user = persona_user(world, persona)
    if user is not None:
        client.force_login(user)
    url = fill(path, ids)
    response = client.post(url, form or {}) if method == "post" else client.get(url)
    assert response.status_code == expected, response.content[:300]


def test_refused_channel_writes_change_nothing(world, api_as, ids):
    before = (Message.objects.count(), TicketEvent.objects.count())
    for persona in ("anonymous", "customer", "foreign_customer", "outsider_agent"):
        api = api_as(persona_user(world, persona))
        api.post(f"/api/v1/chat/sessions/{ids['chat']}/messages", {"text": "x"})
        api.post(f"/api/v1/channels/slack/tickets/{ids['slack_ticket']}/replies", {"text": "x"})
        api.post(f"/api/v1/channels/phone/tickets/{ids['ticket']}/calls", CALL)
    assert (Message.objects.count(), TicketEvent.objects.count()) == before


def test_an_agent_session_answering_a_chat_needs_the_csrf_token(world, ids):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.agent.user)
    refused = client.post(f"/api/v1/chat/sessions/{ids['chat']}/messages", '{"text": "x"}',
                          content_type="application/json")
    assert refused.status_code == 403
    assert not Message.objects.filter(body_text="x").exists()
