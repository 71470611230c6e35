"""A November worked under the DataFlow pack, built so every figure is known by hand.

Ten tickets from a Professional customer in New York, all P2 (the pack's default):
- seven answered once and solved at first contact (first reply 30 minutes after arrival);
- one answered, escalated to DevOps, then solved;
- one answered and solved, reopened by the customer, answered again and solved;
- one opened Friday 20 November at 16:00 and first answered Monday 23 November at 10:00:
  66 hours on the calendar, 2 business hours (Fri 16-17, Mon 9-10), still open.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.factories import AgentFactory, CustomerContactFactory, OrganisationFactory, UserFactory
from tests.outbox.fixtures import _threads_release_db_connections, smtp_server  # noqa: F401
from tierdesk import clock
from tierdesk.escalation.services import ticket_escalate
from tierdesk.packs.services import pack_apply
from tierdesk.people.access import viewer_for
from tierdesk.people.models import Group, Role, Tier
from tierdesk.policy import PACKS_DIR
from tierdesk.tickets.services import ticket_create, ticket_reply, ticket_update

NEW_YORK = ZoneInfo("America/New_York")
FIRST_CONTACT_DAYS = [2, 3, 4, 5, 6, 9, 10]  # weekdays of November 2026


@dataclass
class History:
    tickets: list
    alice: object
    oscar: object
    maria: object
    customer: object


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=NEW_YORK)


PROFESSIONAL_TARGETS = "first_response: {P1: 12h, P2: 24h, P3: 48h}"


@pytest.fixture
def november(db) -> History:
    return build_november()


@pytest.fixture
def november_with_pack_change(db) -> History:
    """The same month, but on Monday 16 November a stricter pack (Professional P2 first
    response in 1 business hour) goes live: only the weekend ticket, which came after it,
    is held to it, and its 2 business hours breach."""
    return build_november(stricter_pack_from=at(16, 9))


def build_november(stricter_pack_from: datetime | None = None) -> History:
    clock.freeze(at(1, 9))
    pack_apply(source=(PACKS_DIR / "dataflow.yaml").read_text())
    l1 = Tier.objects.get_or_create(code="L1", defaults={"name": "Support agents"})[0]
    support = Group.objects.create(name="Support", code="support", tier=l1)
    alice = AgentFactory(user=UserFactory(username="alice"), groups=[support], tier=l1)
    oscar = AgentFactory(user=UserFactory(username="oscar"),
                         groups=[Group.objects.get(code="devops")])
    maria = AgentFactory(user=UserFactory(username="maria"), role=Role.SUPPORT_MANAGER,
                         groups=[support])
    org = OrganisationFactory(name="Quill Books", plan="Professional", country="US",
                              timezone="America/New_York")
    customer = CustomerContactFactory(organisation=org, user=UserFactory(username="quill"))
    agent, them = viewer_for(alice.user), viewer_for(customer.user)
    manager = viewer_for(maria.user)

    def opened(when: datetime, subject: str):
        clock.freeze(when)
        ticket, _ = ticket_create(viewer=them, subject=subject, body="Please help.",
                                  requester=customer)
        return ticket_update(ticket=ticket, viewer=manager, changes={"group": support})

    def answer(ticket, when: datetime, solve: bool = True):
        clock.freeze(when)
        ticket_reply(ticket=ticket, viewer=agent, body="Here is the fix.")
        if solve:
            ticket.refresh_from_db()
            ticket_update(ticket=ticket, viewer=agent, changes={"status": "solved"})

    tickets = []
    for day in FIRST_CONTACT_DAYS:
        t = opened(at(day, 10), f"Export question {day}")
        answer(t, at(day, 10, 30))
        tickets.append(t)

    escalated = opened(at(13, 10), "Dashboard down")
    answer(escalated, at(13, 10, 30), solve=False)
    clock.freeze(at(13, 11))
    escalated.refresh_from_db()
    ticket_escalate(ticket=escalated, viewer=agent, to="devops", criteria=[], handoff={
        "error_code": "DS-1001", "customer_id": "1004", "replication_steps": "Open it"})
    clock.freeze(at(13, 12))
    escalated.refresh_from_db()
    ticket_update(ticket=escalated, viewer=viewer_for(oscar.user), changes={"status": "solved"})
    tickets.append(escalated)

    reopened = opened(at(12, 10), "Invoice wrong")
    answer(reopened, at(12, 10, 30))
    clock.freeze(at(12, 14))
    reopened.refresh_from_db()
    ticket_reply(ticket=reopened, viewer=them, body="Still wrong.")
    answer(reopened, at(12, 15))
    tickets.append(reopened)

    if stricter_pack_from is not None:
        clock.freeze(stricter_pack_from)
        source = (PACKS_DIR / "dataflow.yaml").read_text()
        assert PROFESSIONAL_TARGETS in source
        pack_apply(source=source.replace(PROFESSIONAL_TARGETS,
                                         "first_response: {P1: 12h, P2: 1h, P3: 48h}"))

    weekend = opened(at(20, 16), "Sync stalled")
    answer(weekend, at(23, 10), solve=False)
    tickets.append(weekend)

    clock.freeze(at(30, 12) + timedelta(days=1))
    return History(tickets, alice, oscar, maria, customer)
