"""Outbox delivery against real receivers on loopback: retries, backoff, dead letters."""

from datetime import timedelta

import pytest

from tierdesk import clock
from tierdesk.outbox import services as outbox
from tierdesk.outbox.models import DeliveryAttempt, OutboxMessage

pytestmark = pytest.mark.django_db


def _email(**overrides) -> OutboxMessage:
    fields = {"to": "ann@customer.example.com", "subject": "[Ticket #7] Login failure",
              "body": "We are looking into it."}
    return outbox.enqueue_email(**{**fields, **overrides})


def _webhook(url: str, secret: str = "") -> OutboxMessage:
    payload = {"url": url, "body": {"event": "ticket.updated", "ticket_id": 7}}
    if secret:
        payload["secret"] = secret
    return outbox.enqueue(kind=OutboxMessage.Kind.WEBHOOK, payload=payload, ticket_id=7)


def _sweep_until_settled(message: OutboxMessage, sweeps: int) -> None:
    """Run ``sweeps`` sweeps, moving the clock past the message's backoff before each."""
    for _ in range(sweeps):
        message.refresh_from_db()
        if message.next_attempt_at > clock.now():
            clock.freeze(message.next_attempt_at)
        outbox.deliver_due()


def test_delivery_that_fails_twice_then_succeeds_is_delivered_once(smtp_server, frozen_clock):
    smtp_server.refuse_next(2)
    message = _email()

    assert outbox.deliver_due() == 0
    clock.advance(outbox.backoff(1))
    assert outbox.deliver_due() == 0
    clock.advance(outbox.backoff(2))
    assert outbox.deliver_due() == 1
    clock.advance(timedelta(hours=2))
    assert outbox.deliver_due() == 0

    assert [m["Subject"] for m in smtp_server.messages] == ["[Ticket #7] Login failure"]
    message.refresh_from_db()
    assert message.state == OutboxMessage.State.DELIVERED
    assert message.attempts == 3
    assert message.delivered_at == frozen_clock + outbox.backoff(1) + outbox.backoff(2)
    assert [a.ok for a in DeliveryAttempt.objects.filter(message=message)] == [False, False, True]


def test_webhook_that_fails_twice_then_succeeds_is_delivered_once(webhook_receiver, frozen_clock):
    webhook_receiver.fail_next(2, status=500)
    message = _webhook(webhook_receiver.url)

    _sweep_until_settled(message, sweeps=5)

    assert [r.status for r in webhook_receiver.requests] == [500, 500, 200]
    assert len(webhook_receiver.accepted) == 1
    message.refresh_from_db()
    assert message.state == OutboxMessage.State.DELIVERED
    assert message.attempts == 3
    attempts = list(DeliveryAttempt.objects.filter(message=message))
    assert [a.ok for a in attempts] == [False, False, True]
    assert attempts[0].error == "DeliveryError: HTTP 500"


def test_a_batch_of_mail_goes_out_over_one_smtp_connection(smtp_server, frozen_clock):
    for n in range(3):
        _email(subject=f"[Ticket #{n}] Acknowledged")

    assert outbox.deliver_due() == 3

    assert len(smtp_server.messages) == 3
    assert len(set(smtp_server.connections)) == 1


def test_a_refused_mail_in_a_batch_is_retried_and_the_rest_still_go_out(smtp_server,
                                                                        frozen_clock):
    first, *rest = [_email(subject=f"[Ticket #{n}] Acknowledged") for n in range(3)]
    smtp_server.refuse_next(1)

    assert outbox.deliver_due() == 2

    first.refresh_from_db()
    assert first.state == OutboxMessage.State.PENDING and first.attempts == 1
    assert [m["Subject"] for m in smtp_server.messages] == [
        "[Ticket #1] Acknowledged", "[Ticket #2] Acknowledged"]
    # the refusal left the connection in an unknown state: the next mail opened another
    assert len(set(smtp_server.connections)) == 2


def test_failed_message_is_not_retried_before_its_backoff_has_passed(smtp_server, frozen_clock):
    smtp_server.refuse_next(1)
    message = _email()
    outbox.deliver_due()

    clock.advance(outbox.backoff(1) - timedelta(seconds=1))
    assert outbox.deliver_due() == 0
    assert len(smtp_server.offered) == 1

    clock.advance(timedelta(seconds=1))
    assert outbox.deliver_due() == 1
    message.refresh_from_db()
    assert message.attempts == 2


def test_failed_message_records_why_it_failed(smtp_server, frozen_clock):
    smtp_server.refuse_next(1, reply="451 4.3.0 Mailbox busy, try again later")
    message = _email()

    outbox.deliver_due()

    message.refresh_from_db()
    assert message.state == OutboxMessage.State.PENDING
    assert "Mailbox busy" in message.last_error
    assert "Mailbox busy" in DeliveryAttempt.objects.get(message=message).error


def test_backoff_doubles_from_thirty_seconds_and_is_capped_at_an_hour():
    waits = [outbox.backoff(attempts).total_seconds() for attempts in range(1, 11)]

    assert waits == [30, 60, 120, 240, 480, 960, 1920, 3600, 3600, 3600]


def test_retry_waits_grow_between_attempts(webhook_receiver, frozen_clock):
    webhook_receiver.fail_next(4)
    message = _webhook(webhook_receiver.url)
    waits = []
    for _ in range(4):
        message.refresh_from_db()
        clock.freeze(message.next_attempt_at)
        outbox.deliver_due()
        message.refresh_from_db()
        waits.append((message.next_attempt_at - clock.now()).total_seconds())

    assert waits == [30, 60, 120, 240]


def test_message_is_dead_after_max_attempts_and_no_longer_tried(webhook_receiver, frozen_clock):
    webhook_receiver.fail_next(100, status=503)
    message = _webhook(webhook_receiver.url)

    _sweep_until_settled(message, sweeps=outbox.MAX_ATTEMPTS + 3)

    message.refresh_from_db()
    assert message.state == OutboxMessage.State.DEAD
    assert message.attempts == outbox.MAX_ATTEMPTS
    assert len(webhook_receiver.requests) == outbox.MAX_ATTEMPTS
    assert DeliveryAttempt.objects.filter(message=message, ok=False).count() == outbox.MAX_ATTEMPTS
    assert message.last_error == "DeliveryError: HTTP 503"


def test_retry_dead_requeues_a_dead_message_and_it_is_delivered(smtp_server, frozen_clock):
    smtp_server.refuse_next(outbox.MAX_ATTEMPTS, reply="550 5.1.1 Mailbox unavailable")
    message = _email()
    _sweep_until_settled(message, sweeps=outbox.MAX_ATTEMPTS)
    message.refresh_from_db()
    assert message.state == OutboxMessage.State.DEAD

    clock.advance(timedelta(days=1))
    outbox.retry_dead(message_id=message.pk)
    message.refresh_from_db()
    assert message.state == OutboxMessage.State.PENDING
    assert message.attempts == 0

    assert outbox.deliver_due() == 1
    assert len(smtp_server.messages) == 1
    message.refresh_from_db()
    assert message.state == OutboxMessage.State.DELIVERED


def test_mail_waits_untried_while_email_is_disabled(smtp_server, settings, frozen_clock):
    settings.EMAIL_ENABLED = False
    message = _email()

    clock.advance(timedelta(hours=6))
    assert outbox.deliver_due() == 0

    assert smtp_server.offered == []
    message.refresh_from_db()
    assert message.state == OutboxMessage.State.PENDING
    assert message.attempts == 0
    assert not DeliveryAttempt.objects.filter(message=message).exists()


def test_mail_queued_while_email_was_disabled_is_sent_once_it_is_enabled(
    smtp_server, settings, frozen_clock
):
    settings.EMAIL_ENABLED = False
    message = _email()
    outbox.deliver_due()

    settings.EMAIL_ENABLED = True
    assert outbox.deliver_due() == 1

    assert len(smtp_server.messages) == 1
    message.refresh_from_db()
    assert message.attempts == 1


def test_webhooks_still_go_out_while_email_is_disabled(webhook_receiver, settings, frozen_clock):
    settings.EMAIL_ENABLED = False
    _webhook(webhook_receiver.url)

    assert outbox.deliver_due() == 1
    assert len(webhook_receiver.accepted) == 1


def test_email_reaches_the_recipient_with_subject_body_and_sender(smtp_server, frozen_clock):
    _email(to="ann@customer.example.com", subject="[Ticket #7] Login failure",
           body="We are looking into it.")

    outbox.deliver_due()

    (received,) = smtp_server.messages
    assert received["To"] == "ann@customer.example.com"
    assert received["X-Envelope-To"] == "ann@customer.example.com"
    assert received["From"] == "support@tierdesk.localhost"
    assert received["Subject"] == "[Ticket #7] Login failure"
    assert received.get_content().strip() == "We are looking into it."


def test_email_message_id_is_derived_from_the_outbox_id_and_stable_across_retries(
    smtp_server, frozen_clock
):
    smtp_server.refuse_next(1)
    message = _email()

    _sweep_until_settled(message, sweeps=2)

    expected = f"<outbox-{message.pk}@tierdesk.localhost>"
    assert [m["Message-ID"] for m in smtp_server.offered] == [expected, expected]


def test_webhook_delivery_id_is_stable_across_retries(webhook_receiver, frozen_clock):
    webhook_receiver.fail_next(1)
    message = _webhook(webhook_receiver.url)

    _sweep_until_settled(message, sweeps=2)

    ids = [r.headers["x-tierdesk-delivery"] for r in webhook_receiver.requests]
    assert ids == [str(message.pk), str(message.pk)]


def test_webhook_signature_header_verifies_over_timestamp_and_body(webhook_receiver,
                                                                   frozen_clock):
    _webhook(webhook_receiver.url, secret="whsec_redwood")

    outbox.deliver_due()

    (request,) = webhook_receiver.requests
    timestamp = request.headers["x-tierdesk-timestamp"]
    signature = request.headers["x-tierdesk-signature"]
    assert signature == "sha256=" + outbox.webhook_signature("whsec_redwood", timestamp,
                                                             request.body)
    assert signature != "sha256=" + outbox.webhook_signature("another-secret", timestamp,
                                                             request.body)
    assert request.headers["content-type"] == "application/json"


def test_webhook_without_a_secret_is_sent_unsigned(webhook_receiver, frozen_clock):
    _webhook(webhook_receiver.url)

    outbox.deliver_due()

    (request,) = webhook_receiver.requests
    assert "x-tierdesk-signature" not in request.headers
    assert request.body == b'{"event": "ticket.updated", "ticket_id": 7}'
