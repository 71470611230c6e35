"""Slack posts go through the outbox with the real slack_sdk client to a fake Web API."""

import pytest

from tierdesk import clock
from tierdesk.integrations import outbound
from tierdesk.outbox import services as outbox
from tierdesk.outbox.models import DeliveryAttempt, OutboxMessage
from tierdesk.tickets.models import TicketEvent

pytestmark = pytest.mark.django_db


def test_dataflow_p0_rule_posts_the_ticket_to_the_incident_channel(slack, open_ticket):
    ticket = open_ticket("DB-2002", subject="Error 503: Service Unavailable")
    assert ticket.priority == "P0"

    assert outbox.deliver_due() >= 1

    assert len(slack.posts) == 1
    post = slack.posts[0]
    assert post.json["channel"] == "#incident-channel"
    assert f"#{ticket.pk}" in post.json["text"]
    assert "P0" in post.json["text"]
    assert post.headers["authorization"] == "Bearer xoxb-test-token"
    message = OutboxMessage.objects.get(kind="slack", ticket_id=ticket.pk)
    assert message.state == OutboxMessage.State.DELIVERED
    assert [a.ok for a in message.log.all()] == [True]


def test_delivered_slack_post_is_not_sent_again_by_later_sweeps(slack, open_ticket):
    open_ticket("DB-2002")
    outbox.deliver_due()
    clock.advance(outbox.backoff(8))

    outbox.deliver_due()

    assert len(slack.posts) == 1


def test_p0_rule_records_slack_as_skipped_when_slack_is_not_configured(open_ticket):
    ticket = open_ticket("DB-2002")

    skipped = TicketEvent.objects.get(ticket=ticket, type="action_skipped")
    assert skipped.data["action"] == "slack"
    assert "not configured" in skipped.data["reason"]
    assert not OutboxMessage.objects.filter(kind="slack").exists()


def test_slack_answer_that_is_not_ok_is_logged_and_retried(slack, frozen_clock):
    slack.answer_next((200, {"ok": False, "error": "ratelimited"}))
    message = _queue_post()

    assert outbox.deliver_due() == 0
    message.refresh_from_db()
    assert message.state == OutboxMessage.State.PENDING
    assert "ratelimited" in message.last_error
    assert message.next_attempt_at == frozen_clock + outbox.backoff(1)

    clock.advance(outbox.backoff(1))
    assert outbox.deliver_due() == 1
    assert [a.ok for a in DeliveryAttempt.objects.filter(message=message)] == [False, True]
    assert len(slack.posts) == 1


def test_slack_http_error_is_logged_and_retried(slack, frozen_clock):
    slack.answer_next((503, {"ok": False, "error": "service_unavailable"}))
    message = _queue_post()

    outbox.deliver_due()
    clock.advance(outbox.backoff(1))
    outbox.deliver_due()

    message.refresh_from_db()
    assert message.state == OutboxMessage.State.DELIVERED
    assert [r.status for r in slack.requests] == [503, 200]
    assert "SlackApiError" in DeliveryAttempt.objects.filter(message=message).first().error


def test_slack_post_with_a_revoked_token_ends_as_a_dead_letter(slack, settings, frozen_clock):
    message = _queue_post()
    settings.SLACK_BOT_TOKEN = "xoxb-revoked"

    for _ in range(outbox.MAX_ATTEMPTS + 2):
        message.refresh_from_db()
        clock.freeze(max(clock.now(), message.next_attempt_at))
        outbox.deliver_due()

    message.refresh_from_db()
    assert message.state == OutboxMessage.State.DEAD
    assert message.attempts == outbox.MAX_ATTEMPTS
    assert "invalid_auth" in message.last_error
    assert slack.posts == []


def _queue_post() -> OutboxMessage:
    assert outbound.post_slack(channel="#incident-channel", text="[Ticket #7] P0 outage",
                               ticket_id=None, at=clock.now())
    return OutboxMessage.objects.get(kind="slack")
