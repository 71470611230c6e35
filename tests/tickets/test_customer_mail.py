"""What customers receive reads right: one acknowledgement per new ticket, every
placeholder filled from the ticket, its plan, its SLA clock, its error code and the pack's
roles, in the customer's language when the pack has it. Mail goes out through the real
outbox to a real SMTP server on loopback."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.factories import (
    AgentFactory,
    ContactFactory,
    GroupFactory,
    OrganisationFactory,
    TicketFactory,
    UserFactory,
)
from tierdesk import clock
from tierdesk.outbox.services import deliver_due
from tierdesk.packs.services import pack_apply
from tierdesk.people.models import Role
from tierdesk.policy.loader import PACKS_DIR
from tierdesk.sla.models import SlaTarget
from tierdesk.sla.sweep import sla_sweep

NY = ZoneInfo("America/New_York")
MONDAY_9 = datetime(2026, 11, 30, 9, 0, tzinfo=NY)


@pytest.fixture
def dataflow(db):
    pack_apply(source=(PACKS_DIR / "dataflow.yaml").read_text(encoding="utf-8"))


@pytest.fixture
def staff(db):
    manager = AgentFactory(role=Role.SUPPORT_MANAGER, user=UserFactory(
        username="maria", first_name="Maria", last_name="Lopez", email="maria@df.example"))
    agent = AgentFactory(user=UserFactory(username="alice", email="alice@df.example"))
    # the Product Team works the queue DataFlow's bug rule escalates to (routing refuses
    # a queue nobody works)
    product = AgentFactory(user=UserFactory(username="priya", email="priya@df.example"))
    product.groups.set([GroupFactory(name="Product Team", code="product")])
    return manager, agent


def customer(plan="Enterprise", language="en", name="Rita Redwood"):
    org = OrganisationFactory(plan=plan, language=language, country="US",
                              timezone="America/New_York")
    return ContactFactory(organisation=org, name=name, user=UserFactory(),
                          email=f"{name.split()[0].lower()}@{plan.lower()}.example")


def open_ticket(api_as, agent, contact, **fields):
    clock.freeze(fields.pop("at", MONDAY_9))
    body = {"subject": "Cannot sign in", "body": "Nobody can sign in",
            "requester_id": contact.pk, **fields}
    r = api_as(agent).post("/api/v1/tickets", body)
    assert r.status_code == 201, r.content
    return r.json()["id"]


def received(smtp_server, at=None):
    deliver_due(now=at or clock.now())
    return smtp_server.messages


def test_new_dataflow_ticket_gets_exactly_one_acknowledgement_template_1_filled_in(
        dataflow, staff, api_as, smtp_server):
    """DataFlow 5: "Template 1: Initial Response" ... "within [SLA, e.g., 4 hours] per your
    [plan] plan", sent once (no second, generic receipt)."""
    _, agent = staff
    rita = customer()
    ticket_id = open_ticket(api_as, agent, rita, error_code="SSO-9001")

    (mail,) = received(smtp_server)
    assert mail["To"] == rita.email
    assert mail["Subject"] == f"[Ticket #{ticket_id}] Your Support Request"
    body = mail.get_content()
    assert body.splitlines()[:5] == [
        "Dear Rita Redwood,",
        f"Thank you for contacting DataFlow Support. We’ve received your ticket (#{ticket_id}) "
        "regarding SSO-9001: Login failure. A support agent will respond within 4 business "
        "hours per your Enterprise plan.",
        "Please try the steps in the troubleshooting guide, SSO-9001. For urgent issues, "
        "call +1-800-555-1234.",
        "Best regards,",
        "The support team, DataFlow Support",
    ]
    assert "{" not in body


def test_acknowledgement_without_an_error_code_points_to_the_matching_section(
        dataflow, staff, api_as, smtp_server):
    _, agent = staff
    ticket_id = open_ticket(api_as, agent, customer(plan="Starter"), priority="P3")
    (mail,) = received(smtp_server)
    body = mail.get_content()
    assert (f"received your ticket (#{ticket_id}) regarding Cannot sign in. A support agent "
            "will respond within 72 business hours per your Starter plan.") in body
    assert "troubleshooting guide, the section that matches your issue." in body


def test_p0_outage_acknowledgement_counts_wall_clock_hours(dataflow, staff, api_as,
                                                           smtp_server):
    """"P0: Critical Outage ... Response Time: 1 hour" on the always-on calendar."""
    _, agent = staff
    open_ticket(api_as, agent, customer(), error_code="DB-2002",
                subject="Error 503: Service Unavailable")
    acks = [m for m in received(smtp_server) if m["Subject"].endswith("] Your Support Request")]
    assert len(acks) == 1
    assert "will respond within 1 hour per your Enterprise plan" in acks[0].get_content()


def test_acknowledgement_is_in_spanish_for_a_spanish_speaking_customer(
        dataflow, staff, api_as, smtp_server):
    """DataFlow 5.2: "Spanish, French: Available for Enterprise customers"."""
    _, agent = staff
    open_ticket(api_as, agent, customer(language="es", name="Lucia Garcia"),
                error_code="SSO-9001")
    (mail,) = received(smtp_server)
    assert "Su solicitud de soporte" in mail["Subject"]
    body = mail.get_content()
    assert body.startswith("Estimado/a Lucia Garcia:")
    assert "Un agente le responderá en un plazo de 4 horas hábiles según su plan Enterprise." \
        in body
    assert "El equipo de soporte, Soporte de DataFlow" in body


def test_acknowledgement_falls_back_to_the_pack_default_for_a_language_it_lacks(
        dataflow, staff, api_as, smtp_server):
    _, agent = staff
    open_ticket(api_as, agent, customer(language="ar", name="Omar Haddad"),
                error_code="SSO-9001")
    (mail,) = received(smtp_server)
    body = mail.get_content()
    assert body.startswith("Dear Omar Haddad,")
    assert "within 4 business hours" in body


@pytest.mark.django_db
def test_without_a_pack_a_new_ticket_gets_the_generic_acknowledgement(staff, api_as,
                                                                      smtp_server):
    _, agent = staff
    ticket_id = open_ticket(api_as, agent, customer())
    (mail,) = received(smtp_server)
    assert mail["Subject"] == f"[Ticket #{ticket_id}] Cannot sign in"
    assert mail.get_content().strip() == \
        f"We have received your request #{ticket_id} and will reply soon."


def test_sla_breach_apology_names_the_target_the_credit_the_update_time_and_the_manager(
        dataflow, staff, api_as, smtp_server):
    """DataFlow Template 3: "We apologize for not responding ... within [SLA, e.g., 12
    hours] ... will provide an update by [time]. As a gesture, we’ve credited [e.g., $50]
    ... [Support Manager Name]"."""
    _, agent = staff
    ticket_id = open_ticket(api_as, agent, customer(), error_code="SSO-9001")
    breach = MONDAY_9 + timedelta(hours=4)
    sla_sweep(now=breach)
    deliver_due(now=breach)  # runs the breach actions, which queue the apology
    mails = {m["Subject"]: m for m in received(smtp_server, breach)}
    apology = mails[f"[Ticket #{ticket_id}] Apology for Delayed Response"].get_content()
    # The update comes by the resolution deadline, 24 business hours on, in New York time.
    resolution = SlaTarget.objects.get(ticket_id=ticket_id, metric="resolution").due_at
    assert resolution.astimezone(NY).date() == datetime(2026, 12, 2).date()
    update_by = f"{resolution.astimezone(NY):%Y-%m-%d %H:%M} America/New_York"
    assert (f"We apologize for not responding to your ticket (#{ticket_id}) within 4 "
            "business hours. We’re prioritizing your issue (SSO-9001: Login failure) and "
            f"will provide an update by {update_by}. As a gesture, "
            "we’ve credited $50 to your account.") in apology
    assert "Maria Lopez, DataFlow Support" in apology


def test_escalation_notice_names_the_team_and_when_the_next_update_comes(
        dataflow, staff, api_as, smtp_server):
    """DataFlow Template 2: "escalating your ticket ... to our [Engineering/Product] team
    ... You’ll receive an update within [time, e.g., 24 hours]. See api_documentation.json
    for [related details, e.g., Rate Limits]"."""
    _, agent = staff
    ticket_id = open_ticket(api_as, agent, customer(plan="Professional"), priority="P2",
                            error_code="API-4004", tags=["bug"])
    mails = {m["Subject"]: m for m in received(smtp_server)}
    notice = mails[f"[Ticket #{ticket_id}] Update on Your Support Request"].get_content()
    assert (f"We’re escalating your ticket (#{ticket_id}) for API-4004: Too many requests to "
            "our Product team for deeper investigation. You’ll receive an update within 72 "
            "business hours. See the API documentation for Too many requests.") in notice
    assert "{" not in notice


@pytest.mark.django_db(transaction=True)
def test_the_escalation_notice_names_the_team_after_the_batch_wrote_the_escalation(dataflow):
    """A new ticket's escalation may already be written when Template 2 is filled (any read
    of events writes what the batch gathered): the notice still names the team."""
    from django.db import transaction

    from tierdesk.packs.selectors import active_pack
    from tierdesk.tickets import batch, events
    from tierdesk.tickets.mail_templates import _Filler
    from tierdesk.tickets.models import TicketEvent

    ticket = TicketFactory(requester=ContactFactory(organisation=OrganisationFactory()))
    with transaction.atomic(), batch.writing():
        batch.hold(ticket, created=True)
        events.record(ticket, "escalated", None, clock.now(), to="product")
        TicketEvent.objects.filter(ticket=ticket).exists()  # writes the gathered events
        assert _Filler(active_pack(), ticket, {}).team("team") == "Product"
