"""A support desk under the DataFlow pack: a Support queue (tier L1) with Alice in it,
Oscar in DevOps only, Maria the manager, and an Enterprise customer in New York whose P1
ticket was opened on Monday 30 November 2026 at 09:00 local time (first response due
13:00, four business hours later)."""

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from tests.factories import AgentFactory, CustomerContactFactory, OrganisationFactory, UserFactory
from tierdesk import clock
from tierdesk.packs.services import pack_apply
from tierdesk.people.access import viewer_for
from tierdesk.people.models import Group, Role, Tier
from tierdesk.policy import PACKS_DIR
from tierdesk.tickets.services import ticket_create, ticket_update

NEW_YORK = ZoneInfo("America/New_York")
OPENED = datetime(2026, 11, 30, 9, 0, tzinfo=NEW_YORK)


@dataclass
class Desk:
    support: object
    devops: object
    alice: object
    oscar: object
    maria: object
    customer: object
    other_customer: object
    ticket: object

    def client(self, persona) -> Client:
        client = Client()
        client.force_login(persona.user)
        return client


@pytest.fixture
def dataflow(db):
    return pack_apply(source=(PACKS_DIR / "dataflow.yaml").read_text()).version


@pytest.fixture
def desk(dataflow) -> Desk:
    l1 = Tier.objects.get_or_create(code="L1", defaults={"name": "Support agents"})[0]
    support = Group.objects.create(name="Support", tier=l1)
    devops = Group.objects.get(code="devops")  # the pack's DevOps unit has a queue
    alice = AgentFactory(user=UserFactory(username="alice", first_name="Alice",
                                          last_name="Agent"), groups=[support], tier=l1)
    oscar = AgentFactory(user=UserFactory(username="oscar"), groups=[devops])
    # Engineering works the ENG queue (escalations go only to queues someone works)
    eng = Tier.objects.get(code="ENG")
    AgentFactory(user=UserFactory(username="eve"), tier=eng, role=Role.ENGINEER,
                 groups=[Group.objects.get_or_create(code="ENG", defaults={
                     "name": "Engineering", "tier": eng})[0]])
    maria = AgentFactory(user=UserFactory(username="maria", first_name="Maria"),
                         role=Role.SUPPORT_MANAGER, groups=[support])
    bank = OrganisationFactory(name="Redwood Bank", external_id="1018", plan="Enterprise",
                               country="US", timezone="America/New_York", vip=True)
    other = OrganisationFactory(name="Cobalt Logistics", external_id="1003", plan="Starter")
    customer = CustomerContactFactory(organisation=bank, name="Rita Redwood",
                                      user=UserFactory(username="customer1018"))
    other_customer = CustomerContactFactory(organisation=other,
                                            user=UserFactory(username="customer1003"))
    clock.freeze(OPENED)
    ticket, _ = ticket_create(
        viewer=viewer_for(customer.user), subject="SSO-9001: Login Failure for all staff",
        body="Nobody can sign in since this morning.", requester=customer,
        error_code="SSO-9001", group=None)
    ticket_update(ticket=ticket, viewer=viewer_for(maria.user), changes={"group": support})
    return Desk(support, devops, alice, oscar, maria, customer, other_customer, ticket)
