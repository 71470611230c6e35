"""Apps register who delivers each kind of message; the outbox imports none of them."""

import pytest

from tierdesk.outbox import registry
from tierdesk.outbox import services as outbox
from tierdesk.outbox.models import DeliveryAttempt, OutboxMessage

pytestmark = pytest.mark.django_db


@pytest.fixture
def scratch_handlers(monkeypatch):
    """The real registrations, changed only for this test."""
    monkeypatch.setattr(registry, "_handlers", dict(registry._handlers))
    return registry._handlers


def test_every_kind_the_apps_queue_has_a_registered_sender():
    assert registry.kinds() == {"email", "webhook", "slack", "jira", "sla_actions",
                                "slack_reply", "refund_payment", "report_email"}


def test_a_kind_registered_by_a_new_app_is_delivered_to_its_handler(scratch_handlers,
                                                                     frozen_clock):
    sent = []
    registry.register_handler("sms", lambda message: sent.append(message.payload["text"]))
    message = outbox.enqueue(kind="sms", payload={"text": "Your ticket #7 was answered"})

    assert outbox.deliver_due() == 1

    assert sent == ["Your ticket #7 was answered"]
    message.refresh_from_db()
    assert message.state == OutboxMessage.State.DELIVERED


def test_a_message_whose_sender_is_not_installed_is_a_dead_letter_at_once(scratch_handlers,
                                                                           frozen_clock):
    del scratch_handlers["slack"]  # as if the integrations app were not installed
    message = outbox.enqueue(kind="slack", payload={"channel": "#support", "text": "P1"})

    assert outbox.deliver_due() == 0

    message.refresh_from_db()
    assert message.state == OutboxMessage.State.DEAD
    assert message.attempts == 1
    assert "no delivery handler is registered for outbox kind 'slack'" in message.last_error
    assert [a.ok for a in DeliveryAttempt.objects.filter(message=message)] == [False]


def test_queuing_a_kind_nobody_delivers_is_refused_and_writes_nothing():
    with pytest.raises(registry.UnknownKind, match="cannot queue outbox kind 'fax'"):
        outbox.enqueue(kind="fax", payload={"to": "+1 555 0100"})

    assert not OutboxMessage.objects.exists()


def test_a_second_sender_for_a_registered_kind_is_refused(scratch_handlers):
    with pytest.raises(ValueError, match="'email' already has a handler: "
                                         "tierdesk.outbox.services.send_email"):
        registry.register_handler("email", lambda message: None)
