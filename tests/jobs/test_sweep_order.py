"""One sweep pass runs the apps' jobs in the order the handbook's promises need."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.factories import AgentFactory, ContactFactory, OrganisationFactory, UserFactory
from tierdesk import clock
from tierdesk.jobs.scheduler import SweepScheduler
from tierdesk.outbox.models import OutboxMessage
from tierdesk.packs.services import pack_apply
from tierdesk.people.access import viewer_for
from tierdesk.people.models import Role
from tierdesk.policy import PACKS_DIR
from tierdesk.sla.models import SlaTarget
from tierdesk.tickets import services
from tierdesk.tickets.models import TicketEvent

NY = ZoneInfo("America/New_York")
T0 = datetime(2026, 12, 1, 9, 0, tzinfo=NY)
DATAFLOW = (PACKS_DIR / "dataflow.yaml").read_text()
ENTERPRISE_P1_4H = "first_response: {P1: 4h, P2: 12h, P3: 24h}"

pytestmark = pytest.mark.django_db


@pytest.fixture
def enterprise_p1_ticket():
    """DataFlow applied; an Enterprise P1 opened at 09:00 New York (first response due 13:00)."""
    pack_apply(source=DATAFLOW)
    manager = AgentFactory(role=Role.SUPPORT_MANAGER,
                           user=UserFactory(username="mgr", email="mgr@dataflow.example"))
    org = OrganisationFactory(external_id="1018", plan="Enterprise", country="US",
                              timezone="America/New_York")
    contact = ContactFactory(organisation=org, user=UserFactory(username="c1018"),
                             email="it@1018.example.com", name="Rita Redwood")
    clock.freeze(T0)
    ticket, _ = services.ticket_create(viewer=viewer_for(manager.user), requester=contact,
                                       subject="SSO-9001: Login Failure",
                                       body="Nobody can log in", error_code="SSO-9001")
    OutboxMessage.objects.all().delete()
    return ticket


def test_a_breach_and_its_apology_actions_happen_in_the_same_pass(enterprise_p1_ticket):
    """Delivery runs after the SLA sweep, so the breach's actions do not wait a pass."""
    clock.freeze(T0 + timedelta(hours=4))

    SweepScheduler(interval=0).run_once()

    assert TicketEvent.objects.filter(ticket=enterprise_p1_ticket, type="sla_breached").exists()
    (batch,) = OutboxMessage.objects.filter(kind="sla_actions")
    assert batch.state == OutboxMessage.State.DELIVERED
    apology = OutboxMessage.objects.get(kind="email", payload__template="sla_breach_apology")
    assert apology.payload["to"] == ["it@1018.example.com"]


def test_a_pack_that_extends_the_target_is_adopted_before_the_old_deadline_is_swept(
        enterprise_p1_ticket):
    """Pack adoption runs first: a deadline the new handbook moved is never breached."""
    pack_apply(source=DATAFLOW.replace(ENTERPRISE_P1_4H,
                                       "first_response: {P1: 6h, P2: 12h, P3: 24h}"))
    clock.freeze(T0 + timedelta(hours=4))

    SweepScheduler(interval=0).run_once()

    assert not TicketEvent.objects.filter(ticket=enterprise_p1_ticket,
                                          type="sla_breached").exists()
    first_response = SlaTarget.objects.get(ticket=enterprise_p1_ticket, metric="first_response")
    assert first_response.due_at == T0 + timedelta(hours=6)
