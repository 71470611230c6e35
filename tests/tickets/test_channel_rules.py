"""The packs' channel rules, held at intake: a refused intake is a 4xx and creates nothing."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.conftest import Api
from tests.factories import (
    AgentFactory,
    ContactFactory,
    CustomerContactFactory,
    OrganisationFactory,
    UserFactory,
)
from tierdesk import clock
from tierdesk.outbox.models import OutboxMessage
from tierdesk.packs.services import pack_apply
from tierdesk.people.models import Role
from tierdesk.policy import PACKS_DIR
from tierdesk.tickets.models import Ticket, TicketEvent

DUBAI = ZoneInfo("Asia/Dubai")
TUESDAY_10_DUBAI = datetime(2026, 12, 1, 10, 0, tzinfo=DUBAI)
FRIDAY_10_DUBAI = datetime(2026, 12, 4, 10, 0, tzinfo=DUBAI)


@pytest.fixture
def pack(db):
    def apply(name: str) -> None:
        pack_apply(source=(PACKS_DIR / f"{name}.yaml").read_text())

    return apply


@pytest.fixture
def agent(db):
    return AgentFactory(user=UserFactory(username="lina"), role=Role.AGENT)


def contact(plan="Enterprise", vip=False, tz="Asia/Dubai", country="AE", login=False):
    org = OrganisationFactory(plan=plan, vip=vip, timezone=tz, country=country)
    factory = CustomerContactFactory if login else ContactFactory
    return factory(organisation=org)


def open_ticket(user, requester, at=TUESDAY_10_DUBAI, **body):
    clock.freeze(at)
    return Api(user).post("/api/v1/tickets", {"subject": "Workflows down", "body": "help",
                                               "requester_id": requester.pk, **body})


def assert_nothing_created():
    assert not Ticket.objects.exists()
    assert not TicketEvent.objects.exists()
    assert not OutboxMessage.objects.exists()


def test_nexacore_phone_line_refuses_a_p3_and_points_to_the_portal(pack, agent):
    """NexaCore: "Direct Phone Line | P1 Incidents only"."""
    pack("nexacore")
    r = open_ticket(agent.user, contact(), channel="phone", priority="P3")
    assert r.status_code == 422
    body = r.json()
    assert body["code"] == "channel_refused"
    assert body["field"] == "channel"
    assert body["message"] == ("the phone line is for P1 tickets only (this one is P3); "
                               "please use the portal instead")
    assert body["details"]["use"] == [{"channel": "portal", "address": None}]
    assert_nothing_created()


def test_nexacore_phone_intake_classified_p3_by_the_pack_is_refused(pack, db):
    """A customer cannot set a priority: the pack classifies the call P3 and it is refused."""
    pack("nexacore")
    caller = contact(login=True)
    r = open_ticket(caller.user, caller, channel="phone")
    assert r.status_code == 422
    assert "(this one is P3)" in r.json()["message"]
    assert_nothing_created()


def test_nexacore_phone_line_takes_a_p1_incident(pack, agent):
    pack("nexacore")
    r = open_ticket(agent.user, contact(), channel="phone", priority="P1")
    assert r.status_code == 201, r.content
    assert r.json()["channel"] == "phone"


def test_nexacore_slack_channel_is_for_v_vip_organisations_only(pack, agent):
    """NexaCore: "Dedicated Slack Channel | High-Value Clients (V-VIP)"."""
    pack("nexacore")
    r = open_ticket(agent.user, contact(vip=False), channel="slack")
    assert r.status_code == 422
    assert r.json()["message"] == ("the Slack channel is for V-VIP organisations only; "
                                   "please use the portal instead")
    assert_nothing_created()
    vip = open_ticket(agent.user, contact(vip=True), channel="slack")
    assert vip.status_code == 201, vip.content


def test_nexacore_slack_out_of_business_hours_answers_with_the_next_opening(pack, agent):
    """NexaCore: Slack "(Standard Business Hours)", Sunday-Thursday in Dubai: on a Friday
    the channel says when it opens."""
    pack("nexacore")
    r = open_ticket(agent.user, contact(vip=True), at=FRIDAY_10_DUBAI, channel="slack")
    assert r.status_code == 422
    assert r.json()["message"] == ("the Slack channel is closed now; it opens "
                                   "Sunday 2026-12-06 09:00 (+04)")
    opens = datetime.fromisoformat(r.json()["details"]["opens_at"])
    assert opens == datetime(2026, 12, 6, 9, 0, tzinfo=DUBAI)
    assert_nothing_created()


def test_nexacore_portal_takes_requests_at_any_hour(pack, agent):
    """A queued channel's hours are when it is worked (its SLA calendar), not a refusal."""
    pack("nexacore")
    r = open_ticket(agent.user, contact(), at=FRIDAY_10_DUBAI, channel="portal")
    assert r.status_code == 201, r.content


@pytest.mark.parametrize("channel", ["phone", "chat"])
def test_dataflow_phone_and_live_chat_are_for_professional_and_enterprise(pack, agent,
                                                                          channel):
    """DataFlow 5.3: "Phone: +1-800-555-1234 (Professional/Enterprise)", "Live Chat:
    support.dataflow.com (Professional/Enterprise)"."""
    pack("dataflow")
    starter = contact(plan="Starter", tz="America/Chicago", country="US")
    r = open_ticket(agent.user, starter, channel=channel)
    assert r.status_code == 422
    assert r.json()["message"].startswith(
        f"the {'phone line' if channel == 'phone' else 'live chat'} is for Professional and "
        f"Enterprise plans only (your plan is Starter); please use the email address "
        f"(support@dataflow.com)")
    assert_nothing_created()
    professional = contact(plan="Professional", tz="America/Chicago", country="US")
    assert open_ticket(agent.user, professional, channel=channel).status_code == 201


def test_a_channel_rule_costs_no_query(pack, agent):
    """The check reads the pack and organisation the classification already loaded."""
    pack("dataflow")
    requester = contact(plan="Professional", tz="America/Chicago", country="US")
    api = Api(agent.user)
    counts = {}
    # The first call warms the caches; email has no rule in DataFlow, phone has one.
    for channel in ("email", "email", "phone"):
        clock.freeze(TUESDAY_10_DUBAI)
        with CaptureQueriesContext(connection) as ctx:
            r = api.post("/api/v1/tickets", {"subject": "Dashboards slow", "body": "slow",
                                             "requester_id": requester.pk,
                                             "channel": channel})
        assert r.status_code == 201
        counts[channel] = len(ctx.captured_queries)
    assert counts["phone"] == counts["email"]
