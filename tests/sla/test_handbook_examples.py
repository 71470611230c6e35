"""SLA targets and clocks, written from the handbooks' own examples."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.factories import AgentFactory, ContactFactory, GroupFactory, OrganisationFactory
from tierdesk import clock
from tierdesk.people.access import viewer_for
from tierdesk.people.models import Role
from tierdesk.sla.models import SlaTarget
from tierdesk.tickets import services
from tierdesk.tickets.models import TicketEvent

NY = ZoneInfo("America/New_York")
DUBAI = ZoneInfo("Asia/Dubai")


@pytest.fixture
def manager(db):
    return AgentFactory(role=Role.SUPPORT_MANAGER)


def customer(external_id, plan, country, tz, **kw):
    org = OrganisationFactory(external_id=external_id, plan=plan, country=country, timezone=tz,
                              **kw)
    return ContactFactory(organisation=org)


def open_ticket(manager, requester, at, **kwargs):
    clock.freeze(at)
    kwargs.setdefault("body", "see subject")
    ticket, _ = services.ticket_create(viewer=viewer_for(manager.user), requester=requester,
                                       channel=kwargs.pop("channel", "email"), **kwargs)
    return ticket


def clock_of(ticket, metric):
    return SlaTarget.objects.get(ticket=ticket, metric=metric)


def test_enterprise_p1_first_response_due_4_business_hours_later(apply_pack, manager):
    """DataFlow: "Customer 1018 on Enterprise plan receives a 4-hour P1 response for
    SSO-9001: Login Failure"."""
    apply_pack("dataflow")
    requester = customer("1018", "Enterprise", "US", "America/New_York")
    ticket = open_ticket(manager, requester, datetime(2026, 11, 24, 10, 0, tzinfo=NY),
                         subject="SSO-9001: Login Failure", error_code="SSO-9001")
    assert (ticket.priority, ticket.classified_by) == ("P1", "error_code")
    first = clock_of(ticket, "first_response")
    assert first.target_minutes == 240
    assert first.due_at == datetime(2026, 11, 24, 14, 0, tzinfo=NY)
    assert first.policy == "Enterprise"


def test_enterprise_p1_opened_after_hours_is_due_4_hours_after_the_next_opening(
        apply_pack, manager):
    apply_pack("dataflow")
    requester = customer("1018", "Enterprise", "US", "America/New_York")
    ticket = open_ticket(manager, requester, datetime(2026, 11, 24, 16, 0, tzinfo=NY),
                         subject="SSO-9001 again", error_code="SSO-9001")
    # 1 hour left on Tuesday (16:00-17:00), 3 more from Wednesday 09:00.
    assert clock_of(ticket, "first_response").due_at == datetime(2026, 11, 25, 12, 0, tzinfo=NY)


def test_customer_1003_db_2002_outage_is_p0_with_a_1_hour_24_7_clock(apply_pack, manager):
    """DataFlow: "Customer 1003 reports Error 503: Service Unavailable (DB-2002)": P0,
    "Response Time: 1 hour", whatever the day."""
    apply_pack("dataflow")
    requester = customer("1003", "Starter", "US", "America/Los_Angeles")
    saturday_night = datetime(2026, 11, 28, 3, 0, tzinfo=UTC)
    ticket = open_ticket(manager, requester, saturday_night,
                         subject="Error 503: Service Unavailable", error_code="DB-2002")
    assert ticket.priority == "P0"
    first = clock_of(ticket, "first_response")
    assert first.policy == "P0 critical outage"
    assert first.due_at == saturday_night + timedelta(hours=1)


def test_uk_customer_p1_clock_starts_at_0900_gmt(apply_pack, manager):
    """DataFlow: "For international customers (e.g., UK, Customer 1009), adjust response
    times for time zones (e.g., 4-hour P1 SLA starts at 9 AM GMT)"."""
    apply_pack("dataflow")
    requester = customer("1009", "Enterprise", "GB", "Europe/London")
    ticket = open_ticket(manager, requester, datetime(2027, 1, 12, 3, 0, tzinfo=UTC),
                         subject="DS-1001 on our warehouse", error_code="DS-1001")
    assert clock_of(ticket, "first_response").due_at == datetime(2027, 1, 12, 13, 0,
                                                                 tzinfo=UTC)


def test_uk_bank_holiday_is_skipped(apply_pack, manager):
    apply_pack("dataflow")
    requester = customer("1009", "Enterprise", "GB", "Europe/London")
    christmas_eve = datetime(2026, 12, 24, 15, 0, tzinfo=UTC)  # Thursday, 2 hours left
    ticket = open_ticket(manager, requester, christmas_eve, subject="SSO-9001",
                         error_code="SSO-9001")
    # Christmas (Fri 25) and the weekend are closed; Boxing Day falls on Saturday and its
    # substitute Monday 28 is a bank holiday too: 2 more hours on Tuesday 29.
    assert clock_of(ticket, "first_response").due_at == datetime(2026, 12, 29, 11, 0,
                                                                 tzinfo=UTC)


def test_nexacore_ticket_opened_thursday_2200_resumes_sunday_0000_dubai(apply_pack, manager):
    """NexaCore: "Portal Ticket (Primary) ... (Sunday 00:00 - Thursday 23:59)"."""
    apply_pack("nexacore")
    requester = customer("N-1", "Enterprise", "AE", "Asia/Dubai")
    thursday_22 = datetime(2026, 11, 26, 22, 0, tzinfo=DUBAI)
    ticket = open_ticket(manager, requester, thursday_22, subject="Workflow stuck",
                         priority="P2", channel="portal")
    first = clock_of(ticket, "first_response")
    assert first.target_minutes == 240
    # 2 hours run on Thursday; the other 2 from Sunday 00:00 Dubai.
    assert first.due_at == datetime(2026, 11, 29, 2, 0, tzinfo=DUBAI)


def test_nexacore_clock_does_not_run_over_the_weekend(apply_pack, manager, api_client_for):
    apply_pack("nexacore")
    requester = customer("N-1", "Enterprise", "AE", "Asia/Dubai")
    ticket = open_ticket(manager, requester, datetime(2026, 11, 26, 22, 0, tzinfo=DUBAI),
                         subject="Workflow stuck", priority="P2", channel="portal")
    clock.freeze(datetime(2026, 11, 28, 12, 0, tzinfo=DUBAI))  # Saturday noon
    sla = api_client_for(manager).get(f"/api/v1/tickets/{ticket.pk}/sla").json()
    first = next(c for c in sla["clocks"] if c["metric"] == "first_response")
    assert first["elapsed_business_minutes"] == 120
    assert first["remaining_business_minutes"] == 120
    assert sla["pack"] == "nexacore"


def test_a_ticket_set_to_pending_stops_its_clock(apply_pack, manager):
    apply_pack("dataflow")
    requester = customer("1018", "Enterprise", "US", "America/New_York")
    viewer = viewer_for(manager.user)
    t0 = datetime(2026, 12, 1, 9, 0, tzinfo=NY)  # a Tuesday; no holiday that week
    ticket = open_ticket(manager, requester, t0, subject="SSO-9001", error_code="SSO-9001")
    assert clock_of(ticket, "resolution").due_at == datetime(2026, 12, 3, 17, 0, tzinfo=NY)
    clock.freeze(t0 + timedelta(hours=1))
    services.ticket_change_status(ticket=ticket, viewer=viewer, status="pending")
    resolution = clock_of(ticket, "resolution")
    assert (resolution.state, resolution.due_at) == ("paused", None)
    assert resolution.elapsed_seconds == 3600
    # The customer answers two business hours later: the deadline moves 2 business hours.
    clock.freeze(t0 + timedelta(hours=3))
    services.ticket_reply(ticket=ticket, viewer=viewer_for(requester_user(requester)),
                          body="logs attached")
    resolution = clock_of(ticket, "resolution")
    assert resolution.state == "running"
    assert resolution.due_at == datetime(2026, 12, 4, 11, 0, tzinfo=NY)


def requester_user(contact):
    from tests.factories import UserFactory

    if contact.user_id is None:
        contact.user = UserFactory()
        contact.save()
    return contact.user


def test_agent_reply_meets_the_first_response_target(apply_pack, manager):
    apply_pack("dataflow")
    requester = customer("1018", "Enterprise", "US", "America/New_York")
    t0 = datetime(2026, 11, 24, 9, 0, tzinfo=NY)
    ticket = open_ticket(manager, requester, t0, subject="SSO-9001", error_code="SSO-9001")
    clock.freeze(t0 + timedelta(minutes=30))
    services.ticket_reply(ticket=ticket, viewer=viewer_for(manager.user), body="On it")
    first = clock_of(ticket, "first_response")
    assert (first.state, first.met_at, first.breached_at) == (
        "met", t0 + timedelta(minutes=30), None)


def test_priority_override_by_an_agent_is_audited_and_moves_the_deadline(apply_pack, manager):
    apply_pack("dataflow")
    requester = customer("1018", "Enterprise", "US", "America/New_York")
    t0 = datetime(2026, 11, 24, 9, 0, tzinfo=NY)
    ticket = open_ticket(manager, requester, t0, subject="MOB-6006: App Not Loading",
                         error_code="MOB-6006")
    assert ticket.priority == "P2"
    assert clock_of(ticket, "first_response").target_minutes == 12 * 60
    services.ticket_change_priority(ticket=ticket, viewer=viewer_for(manager.user),
                                    priority="P1", reason="whole sales team blocked")
    assert clock_of(ticket, "first_response").due_at == datetime(2026, 11, 24, 13, 0, tzinfo=NY)
    change = TicketEvent.objects.get(ticket=ticket, type="priority_changed")
    assert change.data["reason"] == "whole sales team blocked"
    recomputed = TicketEvent.objects.filter(ticket=ticket, type="sla_targets_set").last()
    assert recomputed.data["reason"] == "priority changed"
    assert recomputed.data["targets"]["first_response"] == 240


def test_plan_upgrade_recomputes_open_tickets_with_an_event_saying_why(apply_pack, manager):
    from tierdesk.customers.services import organisation_update

    apply_pack("dataflow")
    requester = customer("1001", "Starter", "US", "America/New_York")
    t0 = datetime(2026, 11, 24, 9, 0, tzinfo=NY)
    ticket = open_ticket(manager, requester, t0, subject="DS-1001", error_code="DS-1001")
    assert clock_of(ticket, "first_response").target_minutes == 24 * 60
    organisation_update(viewer=viewer_for(manager.user), organisation=requester.organisation,
                        data={"plan": "Enterprise"})
    assert clock_of(ticket, "first_response").target_minutes == 4 * 60
    event = TicketEvent.objects.filter(ticket=ticket, type="sla_targets_set").last()
    assert event.data["reason"] == "organisation plan changed"


def test_solving_meets_resolution_and_reopening_resumes_it(apply_pack, manager):
    apply_pack("dataflow")
    requester = customer("1018", "Enterprise", "US", "America/New_York")
    viewer = viewer_for(manager.user)
    t0 = datetime(2026, 12, 1, 9, 0, tzinfo=NY)
    ticket = open_ticket(manager, requester, t0, subject="SSO-9001", error_code="SSO-9001")
    clock.freeze(t0 + timedelta(hours=2))
    services.ticket_change_status(ticket=ticket, viewer=viewer, status="solved")
    assert clock_of(ticket, "resolution").state == "met"
    clock.freeze(t0 + timedelta(hours=5))
    services.ticket_reopen(ticket=ticket, viewer=viewer)
    resolution = clock_of(ticket, "resolution")
    assert resolution.state == "running"
    # 2 business hours were used before solving; 22 remain from the reopening.
    assert resolution.elapsed_seconds == 2 * 3600
    assert resolution.due_at == datetime(2026, 12, 4, 12, 0, tzinfo=NY)


def test_us_thanksgiving_stops_a_us_customers_clock(apply_pack, manager):
    apply_pack("dataflow")
    requester = customer("1018", "Enterprise", "US", "America/New_York")
    t0 = datetime(2026, 11, 24, 9, 0, tzinfo=NY)
    ticket = open_ticket(manager, requester, t0, subject="SSO-9001", error_code="SSO-9001")
    # 24 business hours: Tuesday, Wednesday, (Thanksgiving Thursday closed), Friday.
    assert clock_of(ticket, "resolution").due_at == datetime(2026, 11, 27, 17, 0, tzinfo=NY)


def test_ticket_remembers_the_pack_version_that_set_its_targets(apply_pack, manager):
    version = apply_pack("dataflow")
    requester = customer("1018", "Enterprise", "US", "America/New_York")
    ticket = open_ticket(manager, requester, datetime(2026, 11, 24, 9, 0, tzinfo=NY),
                         subject="SSO-9001", error_code="SSO-9001")
    ticket.refresh_from_db()
    assert ticket.sla_pack_version == version
    assert clock_of(ticket, "first_response").pack_version == version


def test_without_a_pack_tickets_have_no_sla(db, manager):
    requester = customer("1", "Starter", "US", "UTC")
    ticket = open_ticket(manager, requester, datetime(2026, 11, 24, 9, 0, tzinfo=UTC),
                         subject="x", priority="P2")
    assert not SlaTarget.objects.filter(ticket=ticket).exists()


@pytest.fixture
def api_client_for(db):
    from tests.conftest import Api

    return lambda agent: Api(agent.user)


def test_group_factory_names_are_unique(db):
    assert GroupFactory().name != GroupFactory().name
