"""The SLA state replayed from audit events equals the live state; the sweep warns and
breaches once, runs the pack's actions, and touches only what is due."""

import threading
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

from tests.factories import AgentFactory, ContactFactory, OrganisationFactory, UserFactory
from tierdesk import clock
from tierdesk.calendars import BusinessCalendar
from tierdesk.outbox.models import OutboxMessage
from tierdesk.outbox.services import deliver_due
from tierdesk.people.access import viewer_for
from tierdesk.people.models import Role
from tierdesk.sla import replay
from tierdesk.sla.calendars import calendar_for_spec
from tierdesk.sla.models import SlaTarget
from tierdesk.sla.services import sla_state
from tierdesk.sla.sweep import sla_sweep
from tierdesk.tickets import services
from tierdesk.tickets.models import TicketEvent

NY = ZoneInfo("America/New_York")
T0 = datetime(2026, 12, 1, 9, 0, tzinfo=NY)


@pytest.fixture
def people(db):
    manager = AgentFactory(role=Role.SUPPORT_MANAGER,
                           user=UserFactory(username="mgr", email="mgr@dataflow.example"))
    org = OrganisationFactory(external_id="1018", plan="Enterprise", country="US",
                              timezone="America/New_York")
    contact = ContactFactory(organisation=org, user=UserFactory(username="c1018"),
                             email="it@1018.example.com", name="Rita Redwood")
    return manager, contact


def create(people, subject="SSO-9001: Login Failure", **kw):
    manager, contact = people
    clock.freeze(kw.pop("at", T0))
    ticket, _ = services.ticket_create(viewer=viewer_for(manager.user), requester=contact,
                                       subject=subject, body="Nobody can log in",
                                       error_code=kw.pop("error_code", "SSO-9001"), **kw)
    return ticket


def live(ticket):
    return {t.metric: (t.state, t.due_at.timestamp() if t.due_at else None,
                       round(t.elapsed_seconds, 3), t.met_at.timestamp() if t.met_at else None)
            for t in SlaTarget.objects.filter(ticket=ticket)}


def replayed(ticket):
    state = sla_state(ticket)
    return {m: (c.state, c.due_at, round(c.elapsed_s, 3), c.met_at)
            for m, c in state.clocks.items() if c.target_s is not None}


def test_replay_from_audit_events_equals_the_live_state(apply_pack, people):
    apply_pack("dataflow")
    manager, contact = people
    agent = viewer_for(manager.user)
    customer = viewer_for(contact.user)
    ticket = create(people)
    steps = [
        (timedelta(minutes=40), lambda: services.ticket_reply(ticket=ticket, viewer=agent,
                                                              body="Looking")),
        (timedelta(hours=1), lambda: services.ticket_change_status(ticket=ticket, viewer=agent,
                                                                   status="pending")),
        (timedelta(hours=20), lambda: services.ticket_reply(ticket=ticket, viewer=customer,
                                                            body="Still broken")),
        (timedelta(hours=2), lambda: services.ticket_change_priority(
            ticket=ticket, viewer=agent, priority="P2", reason="workaround given")),
        (timedelta(hours=1), lambda: services.ticket_change_status(ticket=ticket, viewer=agent,
                                                                   status="solved")),
        (timedelta(hours=30), lambda: services.ticket_reopen(ticket=ticket, viewer=agent)),
    ]
    for delay, step in steps:
        clock.advance(delay)
        step()
        assert replayed(ticket) == live(ticket)
    # DataFlow sets no next-response target, so only these two clocks are kept.
    assert set(live(ticket)) == {"first_response", "resolution"}


def test_a_corrected_holiday_calendar_re_evaluates_history(apply_pack, people):
    """Replaying with a calendar that knows a forgotten closure day moves the deadline."""
    apply_pack("dataflow")
    ticket = create(people)  # Tuesday 09:00: 24 business hours -> Thursday 17:00
    before = sla_state(ticket).clocks["resolution"].due_at
    office_closed = date(2026, 12, 2)  # Wednesday

    def corrected(spec):
        cal = calendar_for_spec(spec)
        return BusinessCalendar(timezone=cal.timezone, week=cal.week,
                                holidays=cal.holidays | {office_closed})

    after = sla_state(ticket, calendar_override=corrected).clocks["resolution"].due_at
    assert datetime.fromtimestamp(before, NY) == datetime(2026, 12, 3, 17, 0, tzinfo=NY)
    assert datetime.fromtimestamp(after, NY) == datetime(2026, 12, 4, 17, 0, tzinfo=NY)


def test_replay_ignores_events_it_does_not_know(apply_pack, people):
    apply_pack("dataflow")
    ticket = create(people)
    events = [replay.Event(e.type, e.created_at.timestamp(), e.data)
              for e in TicketEvent.objects.filter(ticket=ticket).order_by("id")]
    events.insert(1, replay.Event("note_added", T0.timestamp(), {"by": "agent"}))
    state = replay.evaluate(events, calendar_for_spec)
    assert state.clocks["first_response"].state == "running"


def test_sweep_warns_before_and_breaches_at_the_deadline_once(apply_pack, people):
    apply_pack("dataflow")
    ticket = create(people)  # P1 Enterprise: first response due 13:00, warning at 12:00
    assert sla_sweep(now=T0 + timedelta(minutes=59)) == 0
    assert sla_sweep(now=T0 + timedelta(hours=3, minutes=1)) == 1
    warning = TicketEvent.objects.get(ticket=ticket, type="sla_warning")
    assert warning.data["metric"] == "first_response"
    assert sla_sweep(now=T0 + timedelta(hours=3, minutes=30)) == 0
    assert sla_sweep(now=T0 + timedelta(hours=4)) == 1
    breach = TicketEvent.objects.get(ticket=ticket, type="sla_breached")
    assert breach.data == {"metric": "first_response", "policy": "Enterprise",
                           "due_at": "2026-12-01T18:00:00+00:00"}
    assert breach.created_at == T0 + timedelta(hours=4)
    assert sla_sweep(now=T0 + timedelta(hours=5)) == 0
    assert SlaTarget.objects.get(ticket=ticket, metric="first_response").breached_at == \
        T0 + timedelta(hours=4)


def test_breach_sends_template_3_apology_and_notifies_the_support_manager(apply_pack, people):
    """DataFlow: "Notify customers if SLA breach occurs (Section 5, Template 3)"."""
    apply_pack("dataflow")
    ticket = create(people)
    OutboxMessage.objects.all().delete()
    sla_sweep(now=T0 + timedelta(hours=4))
    # The sweep queues the batch's actions; the outbox worker runs them.
    (batch,) = OutboxMessage.objects.filter(kind="sla_actions")
    assert batch.payload["clocks"][0][:2] == [ticket.pk, "first_response"]
    assert deliver_due(now=T0 + timedelta(hours=4)) == 1
    mails = {m.payload["template"]: m.payload for m in
             OutboxMessage.objects.filter(kind="email")}
    apology = mails["sla_breach_apology"]
    assert apology["to"] == ["it@1018.example.com"]
    assert f"#{ticket.pk}" in apology["subject"]
    assert "Rita Redwood" in apology["body"]
    assert "{" not in apology["subject"]
    notify = mails["notify:SLA first response breached"]
    assert notify["to"] == ["mgr@dataflow.example"]


def test_sweep_cost_does_not_grow_with_open_tickets_that_are_not_due(apply_pack, people):
    from django.test.utils import CaptureQueriesContext

    apply_pack("dataflow")

    def queries_of_an_idle_sweep() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert sla_sweep(now=T0 + timedelta(minutes=1)) == 0
        return len(ctx.captured_queries)

    create(people)
    one = queries_of_an_idle_sweep()
    for i in range(30):
        create(people, subject=f"SSO-9001 #{i}")
    assert queries_of_an_idle_sweep() == one


def test_breach_actions_run_once_through_the_outbox(apply_pack, people):
    apply_pack("dataflow")
    create(people)
    sla_sweep(now=T0 + timedelta(hours=4))
    batch = OutboxMessage.objects.get(kind="sla_actions")
    deliver_due(now=T0 + timedelta(hours=4))
    batch.refresh_from_db()
    assert batch.state == "delivered"
    emails = OutboxMessage.objects.filter(kind="email", payload__template="sla_breach_apology")
    assert emails.count() == 1
    sla_sweep(now=T0 + timedelta(hours=5))  # nothing new is due
    assert deliver_due(now=T0 + timedelta(hours=5)) == 0
    assert emails.count() == 1


def test_met_clocks_are_never_breached_by_the_sweep(apply_pack, people):
    apply_pack("dataflow")
    manager, _ = people
    ticket = create(people)
    clock.freeze(T0 + timedelta(hours=1))
    services.ticket_reply(ticket=ticket, viewer=viewer_for(manager.user), body="Fixed?")
    sla_sweep(now=T0 + timedelta(hours=5))
    assert not TicketEvent.objects.filter(ticket=ticket, type="sla_breached",
                                          data__metric="first_response").exists()


def test_a_late_first_reply_is_recorded_as_breached(apply_pack, people):
    apply_pack("dataflow")
    manager, _ = people
    ticket = create(people)
    clock.freeze(T0 + timedelta(hours=5))
    services.ticket_reply(ticket=ticket, viewer=viewer_for(manager.user), body="Sorry")
    first = SlaTarget.objects.get(ticket=ticket, metric="first_response")
    assert first.state == "met"
    assert first.breached_at is not None


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_never_breach_a_clock_twice(apply_pack, people):
    apply_pack("dataflow")
    tickets = [create(people, subject=f"SSO-9001 #{i}") for i in range(20)]
    results: list[int] = []

    def run():
        try:
            results.append(sla_sweep(now=T0 + timedelta(hours=4), batch=5))
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    breaches = TicketEvent.objects.filter(type="sla_breached", data__metric="first_response")
    assert breaches.count() == len(tickets)
    assert sum(results) == len(tickets)
    # Already past due: a breach, never a late warning as well.
    assert not TicketEvent.objects.filter(type="sla_warning").exists()


def test_replay_reads_the_applied_row_from_old_and_new_sla_targets_events():
    """Events written before the audit log named pack versions by number carried the row
    id as ``pack_version``; newer ones say ``pack_version`` (number) and ``pack_version_id``."""
    spec = {"name": "always", "always": True}
    created = replay.Event("created", 0.0, {"status": "new"})
    old = replay.Event("sla_targets_set", 0.0, {"pack_version": 7, "calendar": spec,
                                                "targets": {"resolution": 60}})
    new = replay.Event("sla_targets_set", 0.0, {"pack_version": 2, "pack_version_id": 7,
                                                "calendar": spec,
                                                "targets": {"resolution": 60}})
    for targets in (old, new):
        assert replay.evaluate([created, targets], calendar_for_spec).pack_version_id == 7
