"""An agent opens the tickets of its own queues, the unrouted triage inbox, and the ones it
holds, opened or follows; any other ticket is "not found", as if it did not exist. A
manager opens every ticket. The page reads the ticket with its people in one statement."""

import pytest

from tests.factories import AgentFactory, GroupFactory, TicketFactory, UserFactory
from tierdesk.common.errors import NotFound
from tierdesk.people.access import viewer_for
from tierdesk.people.models import Role
from tierdesk.tickets.models import TicketFollower
from tierdesk.tickets.selectors import ticket_get, tickets_visible_to


@pytest.fixture
def scope(db):
    mine, theirs = GroupFactory(name="Support"), GroupFactory(name="Billing")
    agent = AgentFactory(user=UserFactory(username="alice", first_name="Alice"),
                         groups=[mine])
    other = AgentFactory(user=UserFactory(username="bob"), groups=[theirs])
    tickets = {
        "my queue": TicketFactory(group=mine),
        "triage": TicketFactory(group=None),
        "assigned to me": TicketFactory(group=theirs, assignee=agent),
        "opened by me": TicketFactory(group=theirs, created_by=agent.user),
        "followed": TicketFactory(group=theirs),
        "another queue": TicketFactory(group=theirs, assignee=other),
    }
    TicketFollower.objects.create(ticket=tickets["followed"], user=agent.user,
                                  since=tickets["followed"].created_at)
    return agent, tickets


def test_an_agent_opens_its_queues_triage_and_what_it_holds_opened_or_follows(scope):
    agent, tickets = scope
    viewer = viewer_for(agent.user)
    for name, ticket in tickets.items():
        if name == "another queue":
            with pytest.raises(NotFound):
                ticket_get(viewer=viewer, ticket_id=ticket.pk)
        else:
            assert ticket_get(viewer=viewer, ticket_id=ticket.pk).pk == ticket.pk, name
    visible = set(tickets_visible_to(viewer).values_list("pk", flat=True))
    assert visible == {t.pk for n, t in tickets.items() if n != "another queue"}


def test_a_manager_opens_every_ticket_and_a_missing_one_is_not_found(scope):
    _, tickets = scope
    manager = viewer_for(AgentFactory(role=Role.SUPPORT_MANAGER).user)
    for ticket in tickets.values():
        assert ticket_get(viewer=manager, ticket_id=ticket.pk).pk == ticket.pk
    with pytest.raises(NotFound):
        ticket_get(viewer=manager, ticket_id=max(t.pk for t in tickets.values()) + 1)


def test_the_ticket_comes_with_its_requester_queue_and_assignee_in_one_query(
        scope, django_assert_num_queries):
    agent, tickets = scope
    viewer = viewer_for(agent.user)
    with django_assert_num_queries(1):
        ticket = ticket_get(viewer=viewer, ticket_id=tickets["assigned to me"].pk)
        names = (ticket.requester.name, ticket.organisation.name, ticket.group.name,
                 ticket.assignee.user.first_name, ticket.tier)
    assert names[2:4] == ("Billing", "Alice") and names[4] is None
