"""``periodic_update`` targets: a clock from creation, warned and breached like the others,
restarted by each agent public reply (issue 9, "Clocks as people read them").

CSU: "Emergency Support | Critical issues affecting operations" (the pack chooses hourly
updates); NexaCore: a P1 incident (the pack chooses updates every 2 hours)."""

from datetime import UTC, datetime, timedelta

import pytest

from tests.factories import AgentFactory, ContactFactory, OrganisationFactory, UserFactory
from tierdesk import clock
from tierdesk.people.models import Role
from tierdesk.sla.sweep import sla_sweep
from tierdesk.tickets.models import TicketEvent

T0 = datetime(2026, 12, 2, 10, 0, tzinfo=UTC)  # a Wednesday


@pytest.fixture
def desk(db, api_as):
    manager = AgentFactory(role=Role.SUPPORT_MANAGER, user=UserFactory(username="lead"))
    org = OrganisationFactory(plan="Enterprise", country="US", timezone="UTC")
    requester = ContactFactory(organisation=org)
    return api_as(manager), requester


def open_p1(desk, subject="Production is down") -> int:
    api, requester = desk
    clock.freeze(T0)
    created = api.post("/api/v1/tickets", {"subject": subject, "body": "everything is down",
                                           "requester_id": requester.pk, "priority": "P1"})
    assert created.status_code == 201, created.content
    return created.json()["id"]


def periodic(desk, ticket_id: int) -> dict:
    api, _ = desk
    sla = api.get(f"/api/v1/tickets/{ticket_id}/sla").json()
    return next(c for c in sla["clocks"] if c["metric"] == "periodic_update")


def at(delta: timedelta) -> datetime:
    clock.freeze(T0 + delta)
    return T0 + delta


def test_csu_emergency_ticket_owes_its_first_update_within_1_hour_of_creation(
        apply_pack, desk):
    apply_pack("csu")
    ticket_id = open_p1(desk)
    update = periodic(desk, ticket_id)
    assert update["state"] == "running"
    assert update["target_minutes"] == 60
    assert update["due_at"] == "2026-12-02T11:00:00Z"
    assert update["warn_at"] == "2026-12-02T10:45:00Z"  # warn_before: 25%


def test_nexacore_p1_owes_an_update_every_2_hours(apply_pack, desk):
    apply_pack("nexacore")
    ticket_id = open_p1(desk)
    update = periodic(desk, ticket_id)
    assert (update["target_minutes"], update["due_at"]) == (120, "2026-12-02T12:00:00Z")


def test_csu_emergency_update_is_warned_then_breached_by_the_sweep(apply_pack, desk):
    apply_pack("csu")
    ticket_id = open_p1(desk)
    sla_sweep(now=at(timedelta(minutes=46)))
    warned = TicketEvent.objects.filter(ticket_id=ticket_id, type="sla_warning",
                                        data__metric="periodic_update")
    assert warned.count() == 1
    sla_sweep(now=at(timedelta(hours=1)))
    breached = TicketEvent.objects.get(ticket_id=ticket_id, type="sla_breached",
                                       data__metric="periodic_update")
    assert breached.data["due_at"] == "2026-12-02T11:00:00+00:00"
    update = periodic(desk, ticket_id)
    assert update["breached"] is True
    assert update["breached_at"] == "2026-12-02T11:00:00Z"


def test_each_agent_public_reply_restarts_the_update_period(apply_pack, desk):
    api, _ = desk
    apply_pack("csu")
    ticket_id = open_p1(desk)
    at(timedelta(minutes=50))
    assert api.post(f"/api/v1/tickets/{ticket_id}/replies",
                    {"body": "We are on it; next update within the hour."}).status_code == 201
    update = periodic(desk, ticket_id)
    assert (update["state"], update["due_at"]) == ("running", "2026-12-02T11:50:00Z")
    assert update["breached"] is False
    sla_sweep(now=at(timedelta(hours=1)))  # the first period's deadline has passed: met
    assert not TicketEvent.objects.filter(ticket_id=ticket_id, type="sla_breached",
                                          data__metric="periodic_update").exists()


def test_an_update_after_a_breach_starts_a_fresh_period(apply_pack, desk):
    api, _ = desk
    apply_pack("csu")
    ticket_id = open_p1(desk)
    sla_sweep(now=at(timedelta(hours=1, minutes=5)))
    assert periodic(desk, ticket_id)["breached"] is True
    at(timedelta(hours=1, minutes=10))
    api.post(f"/api/v1/tickets/{ticket_id}/replies", {"body": "Update: failover running."})
    update = periodic(desk, ticket_id)
    assert (update["due_at"], update["breached"], update["warned_at"]) == (
        "2026-12-02T12:10:00Z", False, None)
    sla_sweep(now=at(timedelta(hours=2, minutes=10)))
    assert TicketEvent.objects.filter(ticket_id=ticket_id, type="sla_breached",
                                      data__metric="periodic_update").count() == 2


def test_an_internal_note_is_not_an_update_to_the_customer(apply_pack, desk):
    api, _ = desk
    apply_pack("csu")
    ticket_id = open_p1(desk)
    at(timedelta(minutes=30))
    api.post(f"/api/v1/tickets/{ticket_id}/notes", {"body": "checking the load balancer"})
    assert periodic(desk, ticket_id)["due_at"] == "2026-12-02T11:00:00Z"


def test_a_solved_ticket_owes_no_more_updates(apply_pack, desk):
    api, _ = desk
    apply_pack("csu")
    ticket_id = open_p1(desk)
    at(timedelta(minutes=20))
    api.post(f"/api/v1/tickets/{ticket_id}/replies", {"body": "Fixed: the database is back."})
    api.patch(f"/api/v1/tickets/{ticket_id}", {"status": "solved"})
    update = periodic(desk, ticket_id)
    assert (update["state"], update["due_at"]) == ("stopped", None)
    assert sla_sweep(now=at(timedelta(hours=3))) == 0


def test_a_priority_without_an_update_target_shows_no_update_clock(apply_pack, desk):
    api, requester = desk
    apply_pack("csu")
    clock.freeze(T0)
    created = api.post("/api/v1/tickets", {"subject": "How do I export?", "body": "question",
                                           "requester_id": requester.pk, "priority": "P3"})
    sla = api.get(f"/api/v1/tickets/{created.json()['id']}/sla").json()
    assert "periodic_update" not in {c["metric"] for c in sla["clocks"]}
