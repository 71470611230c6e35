"""Fake Slack and Jira servers on loopback, configured in settings, plus DataFlow tickets."""

from datetime import UTC, datetime

import pytest

from tests.factories import AgentFactory, ContactFactory, OrganisationFactory
from tests.integrations.fakes import FakeJira, FakeSlack
from tierdesk import clock
from tierdesk.packs.services import pack_apply
from tierdesk.people.access import viewer_for
from tierdesk.people.models import Role
from tierdesk.policy import PACKS_DIR
from tierdesk.tickets import services as tickets

T0 = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)  # a Tuesday
SLACK_TOKEN = "xoxb-test-token"
JIRA_SECRET = "jira-webhook-shared-secret"


def configure_slack(settings, api_url: str) -> None:
    settings.SLACK_BOT_TOKEN = SLACK_TOKEN
    settings.SLACK_API_URL = api_url


def configure_jira(settings, base_url: str) -> None:
    settings.JIRA_URL = base_url
    settings.JIRA_USER = "tierdesk-bot@dataflow.example"
    settings.JIRA_TOKEN = "jira-api-token"


@pytest.fixture(autouse=True)
def _integrations_off(settings):
    """Start every test with all integrations off, whatever the environment says."""
    settings.SLACK_BOT_TOKEN = ""
    settings.JIRA_URL = ""
    settings.JIRA_WEBHOOK_SECRET = ""
    settings.WEBHOOK_SECRET = ""


@pytest.fixture
def frozen_clock():
    clock.freeze(T0)
    return T0


@pytest.fixture
def slack(settings):
    """A fake Slack Web API that the real ``slack_sdk`` client talks to."""
    server = FakeSlack().start()
    configure_slack(settings, server.api_url)
    yield server
    server.stop()


@pytest.fixture
def jira(settings):
    """A fake Jira REST API that the real ``jira`` client talks to."""
    server = FakeJira().start()
    configure_jira(settings, server.base_url)
    yield server
    server.stop()


@pytest.fixture
def dataflow(db):
    """The DataFlow pack applied, with an agent to open tickets as."""
    pack_apply(source=(PACKS_DIR / "dataflow.yaml").read_text())
    return AgentFactory(role=Role.AGENT)


@pytest.fixture
def open_ticket(dataflow, frozen_clock):
    """Open a DataFlow ticket the way an agent would, classified by its error code."""

    def make(error_code: str, subject: str = "Dashboards are down"):
        org = OrganisationFactory(plan="Enterprise")
        ticket, _ = tickets.ticket_create(
            viewer=viewer_for(dataflow.user), requester=ContactFactory(organisation=org),
            subject=subject, body="Nothing loads since this morning.", error_code=error_code)
        return ticket

    return make
