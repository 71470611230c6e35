"""Jira issues open through the outbox with the real jira client against a fake REST API."""

import base64
from datetime import timedelta

import pytest

from tests.integrations.conftest import T0
from tierdesk import clock
from tierdesk.integrations.models import JiraLink
from tierdesk.outbox import services as outbox
from tierdesk.outbox.models import DeliveryAttempt, OutboxMessage
from tierdesk.rules.engine import rules_sweep
from tierdesk.tickets.models import TicketEvent

pytestmark = pytest.mark.django_db


class WorkerDied(BaseException):
    """Stands for a worker process killed mid-delivery (not an ``Exception``: uncaught)."""


def escalate_p1_after_two_hours(open_ticket):
    """Open a DataFlow P1 ticket and run the time rules when its 2 hours are up."""
    ticket = open_ticket("SSO-9001", subject="SSO-9001: Login Failure")
    assert ticket.priority == "P1"
    clock.freeze(T0 + timedelta(hours=2))
    assert rules_sweep(now=clock.now()) == 1
    return ticket


def test_dataflow_p1_rule_opens_a_jira_issue_in_eng_and_links_it(jira, open_ticket):
    ticket = escalate_p1_after_two_hours(open_ticket)

    outbox.deliver_due()

    assert [r.path for r in jira.requests] == ["/rest/api/2/issue"]
    fields = jira.created[0].json["fields"]
    assert fields["project"] == {"key": "ENG"}
    assert fields["issuetype"] == {"name": "Bug"}
    assert fields["summary"] == f"[Ticket #{ticket.pk}] SSO-9001: Login Failure"
    assert "P1" in fields["description"]
    credentials = base64.b64encode(b"tierdesk-bot@dataflow.example:jira-api-token").decode()
    assert jira.created[0].headers["authorization"] == f"Basic {credentials}"
    message = OutboxMessage.objects.get(kind="jira", ticket_id=ticket.pk)
    link = JiraLink.objects.get(ticket=ticket)
    assert (link.issue_key, link.outbox_message_id) == ("ENG-1", message.pk)
    event = TicketEvent.objects.get(ticket=ticket, type="jira_issue_opened")
    assert event.data == {"key": "ENG-1", "outbox_message_id": message.pk}
    assert event.created_at == T0 + timedelta(hours=2)
    message.refresh_from_db()
    assert message.state == OutboxMessage.State.DELIVERED


def test_p1_rule_records_jira_as_skipped_when_jira_is_not_configured(open_ticket):
    ticket = escalate_p1_after_two_hours(open_ticket)

    skipped = TicketEvent.objects.get(ticket=ticket, type="action_skipped")
    assert skipped.data["action"] == "jira"
    assert not OutboxMessage.objects.filter(kind="jira").exists()


def test_retry_after_the_worker_died_before_marking_delivery_opens_no_second_issue(
        jira, open_ticket, monkeypatch):
    ticket = escalate_p1_after_two_hours(open_ticket)

    def die(message, now):
        raise WorkerDied

    # Given a worker that opened and linked the issue, then died before marking the
    # message delivered (so the message is still pending once its claim runs out)
    with monkeypatch.context() as patched:
        patched.setattr(outbox, "_record_success", die)
        with pytest.raises(WorkerDied):
            outbox.deliver_due()
    message = OutboxMessage.objects.get(kind="jira", ticket_id=ticket.pk)
    assert message.state == OutboxMessage.State.PENDING
    assert JiraLink.objects.filter(outbox_message_id=message.pk).count() == 1

    # When another worker picks the same message up after the claim expires
    clock.advance(timedelta(seconds=outbox.CLAIM_SECONDS))
    assert outbox.deliver_due() == 1

    # Then Jira saw one create, the ticket has one link and one event, and it is delivered
    assert len(jira.created) == 1
    assert JiraLink.objects.filter(ticket=ticket).count() == 1
    assert TicketEvent.objects.filter(ticket=ticket, type="jira_issue_opened").count() == 1
    message.refresh_from_db()
    assert message.state == OutboxMessage.State.DELIVERED


def test_redelivering_a_delivered_jira_message_opens_no_second_issue(jira, open_ticket):
    ticket = escalate_p1_after_two_hours(open_ticket)
    outbox.deliver_due()
    message = OutboxMessage.objects.get(kind="jira", ticket_id=ticket.pk)

    outbox._send(message)  # the same message id delivered again

    assert len(jira.created) == 1
    assert list(JiraLink.objects.values_list("issue_key", flat=True)) == ["ENG-1"]


def test_jira_refusing_the_issue_is_logged_and_retried_without_a_link(jira, open_ticket):
    ticket = escalate_p1_after_two_hours(open_ticket)
    jira.answer_next((500, {"errorMessages": ["Internal server error"]}))

    assert outbox.deliver_due() == 0
    message = OutboxMessage.objects.get(kind="jira", ticket_id=ticket.pk)
    assert "JIRAError" in message.last_error and "500" in message.last_error
    assert not JiraLink.objects.exists()

    clock.advance(outbox.backoff(1))
    assert outbox.deliver_due() == 1
    assert [a.ok for a in DeliveryAttempt.objects.filter(message=message)] == [False, True]
    assert list(JiraLink.objects.values_list("issue_key", flat=True)) == ["ENG-1"]
