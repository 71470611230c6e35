"""Every list endpoint answers in a number of queries that does not grow with the data
(the peer helpdesk's list runs one query per ticket: 2 s a page at 10,000 tickets)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import (
    AgentFactory,
    ContactFactory,
    GroupFactory,
    MessageFactory,
    OrganisationFactory,
    TicketFactory,
)
from tests.incidents.conftest import IncidentFactory, link
from tierdesk import clock
from tierdesk.escalation.models import Escalation
from tierdesk.tickets import events


def add_organisations(world, n):
    for _ in range(n):
        ContactFactory(organisation=OrganisationFactory())


def add_agents(world, n):
    for _ in range(n):
        AgentFactory(groups=[GroupFactory(), world.group])


def add_messages(world, n):
    for _ in range(n):
        MessageFactory(ticket=world.ticket)


def add_events(world, n):
    for i in range(n):
        events.record(world.ticket, "field_changed", world.agent.user, clock.now(), n=i)


def add_escalations(world, n):
    for _ in range(n):
        Escalation.objects.create(ticket=world.ticket, direction="up", to="L2",
                                  actor=world.agent.user, at=clock.now())


def add_tickets(world, n):
    for _ in range(n):
        TicketFactory(requester=ContactFactory(), group=world.group, assignee=world.agent,
                      tags=["x"])


def add_incidents(world, n):
    for _ in range(n):
        link(IncidentFactory(), TicketFactory(requester=world.customer, group=world.group))


LISTS = [
    ("/api/v1/tickets?limit=50", add_tickets),
    ("/api/v1/organisations", add_organisations),
    ("/api/v1/contacts", add_organisations),
    ("/api/v1/agents", add_agents),
    ("/api/v1/tickets/{ticket}/messages", add_messages),
    ("/api/v1/tickets/{ticket}/events", add_events),
    ("/api/v1/tickets/{ticket}/escalations", add_escalations),
    ("/api/v1/incidents", add_incidents),
]


@pytest.mark.parametrize(("path", "grow"), LISTS, ids=[p for p, _ in LISTS])
def test_list_endpoint_query_count_is_constant(world, api_as, path, grow):
    api = api_as(world.manager)
    url = path.format(ticket=world.ticket.pk)

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            response = api.get(url)
        assert response.status_code == 200, response.content
        return len(ctx.captured_queries)

    grow(world, 2)
    few = queries()
    grow(world, 12)
    assert queries() == few
