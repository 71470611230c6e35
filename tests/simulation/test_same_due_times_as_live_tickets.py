"""The simulator's due times are the live SLA clocks' (the same calendars and policy
matching), not a re-implementation: a ticket opened through the services and the same
arrival simulated agree to the second."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from tests.factories import AgentFactory, ContactFactory, OrganisationFactory
from tierdesk import clock
from tierdesk.packs.selectors import active_pack
from tierdesk.packs.services import pack_apply
from tierdesk.people.access import viewer_for
from tierdesk.people.models import Role
from tierdesk.policy import PACKS_DIR
from tierdesk.simulation.model import Arrival, prepare
from tierdesk.sla.models import SlaTarget
from tierdesk.tickets import services

pytestmark = pytest.mark.django_db

CASES = [
    ("dataflow", "Enterprise", "GB", "Europe/London", datetime(2026, 11, 28, 10, 0),
     {"error_code": "SSO-9001"}),
    ("dataflow", "Starter", "US", "America/New_York", datetime(2026, 11, 25, 13, 0),
     {"error_code": "DS-1002"}),
    ("dataflow", "Professional", "US", "America/Los_Angeles", datetime(2026, 11, 28, 3, 0),
     {"error_code": "DB-2002"}),
    ("nexacore", "Enterprise", "AE", "Asia/Dubai", datetime(2026, 12, 1, 10, 0),
     {"priority": "P4", "channel": "portal"}),
]


@pytest.mark.parametrize("pack,plan,country,zone,local,fields", CASES)
def test_simulated_due_times_equal_the_live_clocks(pack, plan, country, zone, local, fields):
    pack_apply(source=(PACKS_DIR / f"{pack}.yaml").read_text())
    at = local.replace(tzinfo=ZoneInfo(zone))
    org = OrganisationFactory(plan=plan, country=country, timezone=zone)
    manager = AgentFactory(role=Role.SUPPORT_MANAGER)
    clock.freeze(at)
    ticket, _ = services.ticket_create(
        viewer=viewer_for(manager.user), requester=ContactFactory(organisation=org),
        subject="Help", body="see subject", channel=fields.get("channel", "email"),
        error_code=fields.get("error_code", ""), priority=fields.get("priority", ""))
    live = {t.metric: t.due_at.timestamp() for t in SlaTarget.objects.filter(ticket=ticket)}
    [simulated] = prepare([Arrival(
        at=at.timestamp(), subject="Help", channel=fields.get("channel", "email"),
        error_code=fields.get("error_code", ""), priority=fields.get("priority", ""),
        plan=plan, country=country, timezone=zone, organisation=org.external_id)],
        active_pack())
    assert simulated.priority == ticket.priority
    assert simulated.fr_due == live["first_response"]
    assert simulated.res_due == live["resolution"]
