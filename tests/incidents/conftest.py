"""Incident factories and the DataFlow API-outage scenario the tests share.

DataFlow's handbook: "For multi-customer P0 issues (e.g., API outage affecting 100+
customers) ... notify all via status.dataflow.com", and it names customers 1036 and 1048
in a shared P0 outage. The outage here spans three organisations; one contact has three
tickets about it, so "one mail per person, not per ticket" is visible.
"""

from dataclasses import dataclass, field
from datetime import UTC, datetime

import factory
import pytest

from tests.factories import ContactFactory, OrganisationFactory, TicketFactory, UserFactory
from tierdesk import clock
from tierdesk.incidents.models import Incident, IncidentStatus, IncidentTicket, IncidentUpdate

T0 = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)


class IncidentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Incident

    title = factory.Sequence(lambda n: f"Incident {n}")
    severity = "P0"
    status = IncidentStatus.INVESTIGATING
    public = True
    summary = ""
    started_at = factory.LazyFunction(clock.now)
    updated_at = factory.LazyAttribute(lambda i: i.started_at)
    created_by = factory.SubFactory(UserFactory)


class IncidentUpdateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IncidentUpdate

    incident = factory.SubFactory(IncidentFactory)
    body = factory.Sequence(lambda n: f"Update {n}")
    status = factory.LazyAttribute(lambda u: u.incident.status)
    public = True
    author = factory.LazyAttribute(lambda u: u.incident.created_by)
    at = factory.LazyFunction(clock.now)


def link(incident: Incident, *tickets) -> None:
    """Link tickets directly (set-up only; the behaviour is tested through the service)."""
    for ticket in tickets:
        IncidentTicket.objects.create(incident=incident, ticket=ticket,
                                      linked_by=incident.created_by, linked_at=clock.now())


@dataclass
class Outage:
    orgs: list
    contacts: dict
    tickets: list = field(default_factory=list)

    def tickets_of(self, contact_name: str) -> list:
        contact = self.contacts[contact_name]
        return [t for t in self.tickets if t.requester_id == contact.pk]


@pytest.fixture
def frozen():
    clock.freeze(T0)
    return T0


@pytest.fixture
def outage(world, frozen) -> Outage:
    """Three organisations hit by the API outage; tickets sit in the agent's Support queue.

    Per contact: priya (1036) 3 tickets, liam (1036) 1, chen (1048) 2, ana (1001) 1.
    """
    orgs = [OrganisationFactory(name=name, external_id=ext, plan="Enterprise")
            for name, ext in (("Northwind", "1036"), ("Helios Retail", "1048"),
                              ("Acme Analytics", "1001"))]
    contacts = {
        "priya": ContactFactory(organisation=orgs[0], name="Priya", email="priya@northwind.test"),
        "liam": ContactFactory(organisation=orgs[0], name="Liam", email="liam@northwind.test"),
        "chen": ContactFactory(organisation=orgs[1], name="Chen", email="chen@helios.test"),
        "ana": ContactFactory(organisation=orgs[2], name="Ana", email="ana@acme.test"),
    }
    scenario = Outage(orgs=orgs, contacts=contacts)
    for name, count in (("priya", 3), ("liam", 1), ("chen", 2), ("ana", 1)):
        for n in range(count):
            scenario.tickets.append(TicketFactory(
                requester=contacts[name], group=world.group, priority="P0",
                subject=f"API-5003: gateway timeouts ({name} {n + 1})",
            ))
    return scenario
