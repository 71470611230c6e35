"""The DataFlow desk (tests/web/conftest.py) with money in it: Fiona the finance director,
a Starter customer (Cobalt Logistics, 1003), a Professional one and the Enterprise bank,
each with a ticket to ask for a refund on."""

from dataclasses import dataclass

import pytest

from tests.factories import (
    AgentFactory,
    CustomerContactFactory,
    OrganisationFactory,
    TicketFactory,
    UserFactory,
)
from tests.web.conftest import dataflow, desk  # noqa: F401 (the same desk as tests/web)
from tierdesk.people.access import viewer_for
from tierdesk.people.models import Role


@dataclass
class Money:
    desk: object
    fiona: object
    starter: object  # a ticket of a Starter customer
    professional: object
    enterprise: object

    def viewer(self, persona):
        return viewer_for(persona.user)


@pytest.fixture
def money(desk) -> Money:  # noqa: F811
    fiona = AgentFactory(user=UserFactory(username="fiona", first_name="Fiona"),
                         role=Role.FINANCE_DIRECTOR)
    starter = TicketFactory(requester=desk.other_customer, group=desk.support,
                            subject="Please refund last month")
    pro_org = OrganisationFactory(name="Lumen Analytics", external_id="1002",
                                  plan="Professional")
    pro = CustomerContactFactory(organisation=pro_org, user=UserFactory(username="customer1002"))
    professional = TicketFactory(requester=pro, group=desk.support, subject="Refund please")
    return Money(desk, fiona, starter, professional, desk.ticket)
