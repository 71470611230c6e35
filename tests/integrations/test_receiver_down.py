"""A receiver that is down for a while gets each message exactly once when it comes back.

Nothing listens on the port at first (connection refused); the fake then starts on that
same port. The clock moves past each backoff between sweeps, as a real worker would wait.
"""

import pytest

from tests.factories import TicketFactory
from tests.integrations.conftest import configure_jira, configure_slack
from tests.integrations.fakes import FakeJira, FakeSlack, free_port
from tierdesk import clock
from tierdesk.integrations import outbound
from tierdesk.integrations.models import JiraLink
from tierdesk.outbox import services as outbox
from tierdesk.outbox.models import DeliveryAttempt, OutboxMessage

pytestmark = pytest.mark.django_db


def _sweep_while_down(message: OutboxMessage, sweeps: int) -> None:
    for attempt in range(1, sweeps + 1):
        assert outbox.deliver_due() == 0
        message.refresh_from_db()
        assert message.attempts == attempt
        assert message.state == OutboxMessage.State.PENDING
        clock.advance(outbox.backoff(attempt))


def test_slack_that_was_down_gets_the_post_once_when_it_is_back(settings, frozen_clock):
    port = free_port()
    configure_slack(settings, f"http://127.0.0.1:{port}/api/")
    outbound.post_slack(channel="#incident-channel", text="[Ticket #7] P0 outage",
                        ticket_id=None, at=clock.now())
    message = OutboxMessage.objects.get(kind="slack")

    _sweep_while_down(message, sweeps=3)
    slack = FakeSlack(port=port).start()
    try:
        assert outbox.deliver_due() == 1
        clock.advance(outbox.backoff(outbox.MAX_ATTEMPTS))
        assert outbox.deliver_due() == 0
    finally:
        slack.stop()

    assert len(slack.posts) == 1
    assert slack.posts[0].json == {"channel": "#incident-channel",
                                   "text": "[Ticket #7] P0 outage"}
    attempts = list(DeliveryAttempt.objects.filter(message=message))
    assert [a.ok for a in attempts] == [False, False, False, True]
    assert "Connection refused" in attempts[0].error


def test_jira_that_was_down_gets_one_issue_when_it_is_back(settings, frozen_clock):
    port = free_port()
    configure_jira(settings, f"http://127.0.0.1:{port}")
    ticket = TicketFactory(priority="P1")
    outbound.open_jira(project="ENG", issue_type="Bug", summary="Login failure",
                       description="P1", ticket_id=ticket.pk, at=clock.now())
    message = OutboxMessage.objects.get(kind="jira")

    _sweep_while_down(message, sweeps=2)
    assert not JiraLink.objects.exists()
    jira = FakeJira(port=port).start()
    try:
        assert outbox.deliver_due() == 1
        clock.advance(outbox.backoff(outbox.MAX_ATTEMPTS))
        assert outbox.deliver_due() == 0
    finally:
        jira.stop()

    assert len(jira.created) == 1
    assert JiraLink.objects.get(ticket=ticket).issue_key == "ENG-1"
    assert [a.ok for a in DeliveryAttempt.objects.filter(message=message)] == [False, False, True]
