"""`tierdesk sweep --now`: a future instant is refused on live data unless --force, and
--dry-run tells what each sweep would do without writing or sending anything."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.factories import AgentFactory, ContactFactory, OrganisationFactory, UserFactory
from tests.outbox.fixtures import _threads_release_db_connections, smtp_server  # noqa: F401
from tierdesk import clock
from tierdesk.cli import main
from tierdesk.escalation.models import Escalation
from tierdesk.outbox.models import OutboxMessage
from tierdesk.packs.services import pack_apply
from tierdesk.people.access import viewer_for
from tierdesk.people.models import Group, Role, Tier
from tierdesk.policy import PACKS_DIR
from tierdesk.rules.models import RuleState
from tierdesk.sla.models import SlaTarget
from tierdesk.tickets import services
from tierdesk.tickets.models import Ticket, TicketEvent

NY = ZoneInfo("America/New_York")
MONDAY_10 = datetime(2026, 11, 23, 10, 0, tzinfo=NY)  # in the past of the real clock


@pytest.fixture
def p1_ticket(db):
    """DataFlow: customer 1018 (Enterprise) opens an SSO-9001 P1 on Monday 10:00 New York;
    first response due 14:00, and "Escalate to Engineering within 2 hours if unresolved"."""
    pack_apply(source=(PACKS_DIR / "dataflow.yaml").read_text())
    manager = AgentFactory(role=Role.SUPPORT_MANAGER,
                           user=UserFactory(username="maria", email="maria@example.com"))
    engineer = AgentFactory(role=Role.ENGINEER, tier=Tier.objects.get(code="ENG"))
    engineer.groups.set([Group.objects.get_or_create(code="ENG",
                                                     defaults={"name": "Engineering"})[0]])
    org = OrganisationFactory(external_id="1018", plan="Enterprise", country="US",
                              timezone="America/New_York")
    requester = ContactFactory(organisation=org, email="it@redwood.example.com")
    clock.freeze(MONDAY_10)
    ticket, _ = services.ticket_create(
        viewer=viewer_for(manager.user), requester=requester, channel="email",
        subject="SSO-9001: Login Failure", body="nobody can log in", error_code="SSO-9001")
    clock.freeze(None)
    return ticket


def snapshot() -> dict:
    """Everything a sweep writes: audit events, clocks, outbox, escalations, tickets."""
    return {
        "events": list(TicketEvent.objects.values_list("id", "type", "created_at")),
        "clocks": list(SlaTarget.objects.values_list(
            "id", "state", "due_at", "warned_at", "breached_at", "met_at")),
        "outbox": list(OutboxMessage.objects.values_list("id", "kind", "state", "attempts")),
        "escalations": list(Escalation.objects.values_list("id", "to")),
        "tickets": list(Ticket.objects.values_list(
            "id", "status", "tier_id", "group_id", "assignee_id", "rules_check_at")),
        "rule_states": list(RuleState.objects.values_list("id", "active", "fired_count")),
    }


def sweep(capsys, *args) -> tuple[int, str, str]:
    code = main(["sweep", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_sweep_at_a_future_time_is_refused_on_an_instance_with_tickets(p1_ticket, capsys):
    before = snapshot()
    future = (datetime.now(UTC) + timedelta(days=3)).isoformat()
    code, out, err = sweep(capsys, "--now", future)
    assert code == 2
    assert "ahead of the real clock" in err
    assert "--dry-run" in err and "--force" in err
    assert out == ""
    assert snapshot() == before


def test_sweep_at_a_future_time_runs_with_force(p1_ticket, capsys):
    future = datetime.now(UTC) + timedelta(days=3)
    code, out, _ = sweep(capsys, "--now", future.isoformat(), "--force")
    assert code == 0
    assert "sla_sweep: 2" in out  # first response and resolution are both past due then
    breach = TicketEvent.objects.filter(ticket=p1_ticket, type="sla_breached").first()
    assert breach.created_at == future


def test_sweep_within_a_minute_of_the_real_clock_is_not_the_future(p1_ticket, capsys):
    soon = datetime.now(UTC) + timedelta(seconds=30)
    code, _, err = sweep(capsys, "--now", soon.isoformat())
    assert (code, err) == (0, "")


def test_sweep_at_a_future_time_on_an_empty_instance_is_allowed(db, capsys):
    code, out, err = sweep(capsys, "--now", (datetime.now(UTC) + timedelta(days=3)).isoformat())
    assert (code, err) == (0, "")
    assert "sla_sweep: 0" in out


def test_dry_run_prints_the_breach_escalation_and_notifications_and_writes_nothing(
        p1_ticket, capsys):
    before = snapshot()
    at = MONDAY_10 + timedelta(hours=4, minutes=30)  # 14:30: first response overdue
    code, out, err = sweep(capsys, "--now", at.isoformat(), "--dry-run")
    assert (code, err) == (0, "")
    t = f"#{p1_ticket.pk}"
    assert "nothing is written or sent" in out
    assert f"breach first_response on {t} (policy Enterprise" in out
    assert f"escalate {t} to ENG (by rule 'P1 to Engineering after 2h')" in out
    assert f"rule 'P1 to Engineering after 2h' fires on {t}" in out
    # The breach's Template 3 apology and the support manager's notification.
    assert "[sla_breach_apology]" in out
    assert "email to maria@example.com" in out
    assert "deliver_outbox: not run (it sends)" in out
    assert snapshot() == before


def test_dry_run_sends_no_mail_that_the_real_sweep_then_sends(
        p1_ticket, smtp_server, capsys):  # noqa: F811 (the fixture imported above)
    """With mail configured (a real SMTP server on loopback), a dry run lists the mail it
    would send and sends none; the real sweep at the same instant sends it."""
    at = (MONDAY_10 + timedelta(hours=4, minutes=30)).isoformat()
    _, preview, _ = sweep(capsys, "--now", at, "--dry-run")
    assert "send email to it@redwood.example.com" in preview
    assert smtp_server.messages == []
    sweep(capsys, "--now", at)
    assert smtp_server.messages  # the acknowledgement queued at creation, at least


def test_dry_run_at_a_future_time_needs_no_force_and_writes_nothing(p1_ticket, capsys):
    before = snapshot()
    future = (datetime.now(UTC) + timedelta(days=3)).isoformat()
    code, out, err = sweep(capsys, "--now", future, "--dry-run")
    assert (code, err) == (0, "")
    assert f"breach resolution on #{p1_ticket.pk}" in out
    assert snapshot() == before


def test_dry_run_foretells_what_the_real_sweep_then_does(p1_ticket, capsys):
    at = (MONDAY_10 + timedelta(hours=4, minutes=30)).isoformat()
    _, preview, _ = sweep(capsys, "--now", at, "--dry-run")
    code, _, _ = sweep(capsys, "--now", at)
    assert code == 0
    breach = TicketEvent.objects.get(ticket=p1_ticket, type="sla_breached")
    assert f"breach {breach.data['metric']} on #{p1_ticket.pk}" in preview
    assert Escalation.objects.get(ticket=p1_ticket).to == "ENG"
    apology = OutboxMessage.objects.filter(kind="email",
                                           payload__template="sla_breach_apology")
    assert apology.count() == 1


def test_dry_run_cannot_loop(db, capsys):
    code, _, err = sweep(capsys, "--dry-run", "--loop")
    assert code == 2
    assert "--loop" in err
