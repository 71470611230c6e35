"""Ticket replies queue mail to the requester in the reply's transaction, sent after commit."""

import pytest
from django.db import transaction

from tierdesk.outbox import services as outbox
from tierdesk.outbox.models import OutboxMessage
from tierdesk.tickets.services import ticket_reply


def test_agent_reply_queues_exactly_one_email_to_the_requester(world, smtp_server,
                                                               django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        ticket_reply(ticket=world.ticket, viewer=world.viewer(world.agent),
                     body="Please try signing in again now.")

    (queued,) = OutboxMessage.objects.all()
    assert queued.kind == OutboxMessage.Kind.EMAIL
    assert queued.ticket_id == world.ticket.pk
    assert queued.payload["to"] == [world.customer.email]
    assert queued.payload["subject"] == f"[Ticket #{world.ticket.pk}] SSO-9001: Login Failure"
    assert queued.payload["body"] == "Please try signing in again now."


def test_agent_reply_email_is_sent_only_after_commit(world, smtp_server,
                                                     django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as on_commit:
        ticket_reply(ticket=world.ticket, viewer=world.viewer(world.agent),
                     body="Please try signing in again now.")
    assert smtp_server.offered == []  # nothing is sent from inside the transaction
    assert len(on_commit) == 1  # the worker is woken when the reply commits

    for callback in on_commit:  # commit
        callback()
    outbox.deliver_due()

    (received,) = smtp_server.messages
    assert received["To"] == world.customer.email
    assert received.get_content().strip() == "Please try signing in again now."


def test_customer_reply_sends_no_email_to_the_requester(world, smtp_server,
                                                        django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as on_commit:
        ticket_reply(ticket=world.ticket, viewer=world.viewer(world.customer),
                     body="It still fails for me.")

    assert not OutboxMessage.objects.exists()
    assert on_commit == []


@pytest.mark.django_db
def test_nothing_is_queued_when_the_transaction_rolls_back(smtp_server,
                                                           django_capture_on_commit_callbacks):
    with (django_capture_on_commit_callbacks(execute=True) as on_commit,
          pytest.raises(RuntimeError), transaction.atomic()):
        outbox.enqueue_email(to="ann@customer.example.com", subject="Reply",
                             body="Please try again.")
        raise RuntimeError("the reply failed after queuing its mail")

    assert not OutboxMessage.objects.exists()
    assert on_commit == []
    assert outbox.deliver_due() == 0
    assert smtp_server.offered == []
