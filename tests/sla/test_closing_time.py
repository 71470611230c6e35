"""A due time that falls exactly at a closing time is shown as that closing time, and the
sweep, the warnings and the replay agree on it (issue 9, "Clocks as people read them").

DataFlow: "Resolution Target: ... P2–P3 within 72 hours", on the customer's business hours
(Monday-Friday 09:00-17:00 local): 72 business hours from Monday 09:00 are nine working
days, used up at Thursday 17:00 the week after."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.factories import AgentFactory, ContactFactory, OrganisationFactory, UserFactory
from tierdesk import clock
from tierdesk.packs.services import adopt_active_pack, pack_apply
from tierdesk.people.models import Role
from tierdesk.policy import PACKS_DIR
from tierdesk.sla.models import SlaTarget
from tierdesk.sla.services import sla_state
from tierdesk.sla.sweep import sla_sweep
from tierdesk.tickets.models import Ticket, TicketEvent

NY = ZoneInfo("America/New_York")
MONDAY_0900 = datetime(2026, 12, 7, 9, 0, tzinfo=NY)
THURSDAY_1700 = datetime(2026, 12, 17, 17, 0, tzinfo=NY)
DATAFLOW = (PACKS_DIR / "dataflow.yaml").read_text()
DATAFLOW_V2 = DATAFLOW.replace("first_response: {P1: 4h, P2: 12h, P3: 24h}",
                               "first_response: {P1: 2h, P2: 12h, P3: 24h}")


@pytest.fixture
def desk(db, api_as):
    pack_apply(source=DATAFLOW)
    manager = AgentFactory(role=Role.SUPPORT_MANAGER, user=UserFactory(username="lead"))
    org = OrganisationFactory(external_id="1018", plan="Enterprise", country="US",
                              timezone="America/New_York")
    return api_as(manager), ContactFactory(organisation=org)


@pytest.fixture
def p2_from_monday(desk) -> int:
    api, requester = desk
    assert MONDAY_0900.strftime("%A") == "Monday" and THURSDAY_1700.strftime("%A") == "Thursday"
    clock.freeze(MONDAY_0900)
    created = api.post("/api/v1/tickets", {"subject": "Reports export slowly", "body": "x",
                                           "requester_id": requester.pk, "priority": "P2"})
    assert created.status_code == 201, created.content
    return created.json()["id"]


def resolution(desk, ticket_id: int) -> dict:
    sla = desk[0].get(f"/api/v1/tickets/{ticket_id}/sla").json()
    return next(c for c in sla["clocks"] if c["metric"] == "resolution")


def iso(at: datetime) -> str:
    return at.astimezone(ZoneInfo("UTC")).isoformat().replace("+00:00", "Z")


def replayed_due(ticket_id: int) -> datetime:
    due = sla_state(Ticket.objects.get(pk=ticket_id)).clocks["resolution"].due_at
    return datetime.fromtimestamp(due, NY)


def test_enterprise_p2_resolution_from_monday_0900_is_due_thursday_1700(desk, p2_from_monday):
    clock_ = resolution(desk, p2_from_monday)
    assert clock_["target_minutes"] == 72 * 60
    assert clock_["due_at"] == iso(THURSDAY_1700)
    # warn_before 25%: with 18 business hours left, Tuesday 15:00 the week after.
    assert clock_["warn_at"] == iso(datetime(2026, 12, 15, 15, 0, tzinfo=NY))


def test_the_sweep_breaches_it_at_thursday_1700_not_friday_0900(desk, p2_from_monday):
    sla_sweep(now=THURSDAY_1700 - timedelta(seconds=1))
    breaches = TicketEvent.objects.filter(ticket_id=p2_from_monday, type="sla_breached",
                                          data__metric="resolution")
    assert not breaches.exists()
    sla_sweep(now=THURSDAY_1700)
    assert breaches.get().data["due_at"] == "2026-12-17T22:00:00+00:00"
    assert resolution(desk, p2_from_monday)["breached_at"] == iso(THURSDAY_1700)


def test_re_evaluated_in_the_evening_it_still_reads_due_thursday_1700(desk, p2_from_monday):
    """A pack applied at 18:30 re-evaluates every open ticket; the time ran out at 17:00."""
    sla_sweep(now=THURSDAY_1700)
    clock.freeze(THURSDAY_1700 + timedelta(hours=1, minutes=30))
    pack_apply(source=DATAFLOW_V2)
    assert adopt_active_pack() == 1
    clock_ = resolution(desk, p2_from_monday)
    assert (clock_["due_at"], clock_["breached"]) == (iso(THURSDAY_1700), True)
    assert clock_["remaining_business_minutes"] == 0
    assert replayed_due(p2_from_monday) == THURSDAY_1700
    stored = SlaTarget.objects.get(ticket_id=p2_from_monday, metric="resolution")
    assert (stored.due_at, stored.breached_at) == (THURSDAY_1700, THURSDAY_1700)


def test_paused_after_the_deadline_and_resumed_next_morning_it_stays_due_thursday_1700(
        desk, p2_from_monday):
    api, _ = desk
    sla_sweep(now=THURSDAY_1700)
    clock.freeze(THURSDAY_1700 + timedelta(minutes=30))
    api.patch(f"/api/v1/tickets/{p2_from_monday}", {"status": "pending"})
    clock.freeze(datetime(2026, 12, 18, 8, 0, tzinfo=NY))  # Friday, before opening
    api.patch(f"/api/v1/tickets/{p2_from_monday}", {"status": "open"})
    clock_ = resolution(desk, p2_from_monday)
    assert (clock_["state"], clock_["due_at"], clock_["breached"]) == (
        "running", iso(THURSDAY_1700), True)
    assert replayed_due(p2_from_monday) == THURSDAY_1700
    assert TicketEvent.objects.filter(ticket_id=p2_from_monday, type="sla_breached",
                                      data__metric="resolution").count() == 1


def test_a_shortened_target_already_used_up_is_due_when_the_new_target_ran_out(
        desk, p2_from_monday):
    """Raised to P1 (24h to resolve) on Friday: 24 business hours from Monday 09:00 ran
    out on Wednesday at 17:00, and that is its due time (not Friday, when it was raised)."""
    api, _ = desk
    clock.freeze(datetime(2026, 12, 11, 10, 0, tzinfo=NY))
    api.patch(f"/api/v1/tickets/{p2_from_monday}", {"priority": "P1"})
    clock_ = resolution(desk, p2_from_monday)
    assert clock_["due_at"] == iso(datetime(2026, 12, 9, 17, 0, tzinfo=NY))
    assert clock_["breached"] is True
