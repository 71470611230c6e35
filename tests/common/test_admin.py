"""The admin cannot bypass the handbook (issue 9 item 9): domain records are read-only
there, and what it may still change goes through the same services as the API."""

from datetime import UTC, datetime

import pytest
from django.test import Client

from tests.factories import (
    AgentFactory,
    ContactFactory,
    GroupFactory,
    OrganisationFactory,
    TicketFactory,
    UserFactory,
)
from tierdesk import clock
from tierdesk.escalation.models import Escalation
from tierdesk.packs.services import pack_apply
from tierdesk.people.access import viewer_for
from tierdesk.people.models import OnCallShift, Role
from tierdesk.policy import PACKS_DIR
from tierdesk.tickets import services as tickets
from tierdesk.tickets.models import TicketEvent

T0 = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)


@pytest.fixture
def admin_client(db):
    user = UserFactory(username="root", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(user)
    return client


def test_add_escalation_in_the_admin_is_refused_and_writes_nothing(admin_client):
    """Today's bug: "Add escalation" accepted to=NOWHERE with no handoff and no event."""
    ticket = TicketFactory()
    assert admin_client.get("/admin/escalation/escalation/add/").status_code == 403
    r = admin_client.post("/admin/escalation/escalation/add/", {
        "ticket": ticket.pk, "direction": "up", "from_tier": "", "to": "NOWHERE",
        "criteria": "[]", "handoff": "{}", "note": "", "at_0": "2026-12-01",
        "at_1": "10:00:00"})
    assert r.status_code == 403
    assert not Escalation.objects.exists()
    assert not TicketEvent.objects.exists()


@pytest.mark.parametrize("model", [
    "tickets/ticket", "tickets/ticketevent", "escalation/escalation", "incidents/incident",
    "packs/policypackversion", "outbox/outboxmessage", "integrations/jiralink",
    "people/tier",
])
def test_domain_records_cannot_be_added_in_the_admin(admin_client, model):
    assert admin_client.get(f"/admin/{model}/add/").status_code == 403


def test_a_ticket_cannot_be_changed_or_deleted_in_the_admin(admin_client):
    ticket = TicketFactory(subject="SSO-9001", priority="P1")
    r = admin_client.post(f"/admin/tickets/ticket/{ticket.pk}/change/",
                          {"subject": "edited", "priority": "P3", "status": "closed"})
    assert r.status_code == 403
    assert admin_client.post(f"/admin/tickets/ticket/{ticket.pk}/delete/",
                             {"post": "yes"}).status_code == 403
    ticket.refresh_from_db()
    assert (ticket.subject, ticket.priority, ticket.status) == ("SSO-9001", "P1", "new")
    # Browsing still works.
    assert admin_client.get(f"/admin/tickets/ticket/{ticket.pk}/change/").status_code == 200


def test_sla_targets_and_rule_states_have_no_admin_to_edit_them(admin_client):
    for model in ("sla/slatarget", "rules/rulestate"):
        assert admin_client.get(f"/admin/{model}/add/").status_code == 404


def test_a_plan_changed_in_the_admin_moves_open_tickets_slas_like_the_api(admin_client):
    """The admin's organisation form calls ``organisation_update``: same checks, events."""
    pack_apply(source=(PACKS_DIR / "dataflow.yaml").read_text())
    clock.freeze(T0)
    org = OrganisationFactory(plan="Starter", external_id="1002", timezone="America/Chicago")
    manager = AgentFactory(role=Role.SUPPORT_MANAGER)
    ticket, _ = tickets.ticket_create(viewer=viewer_for(manager.user),
                                      requester=ContactFactory(organisation=org),
                                      subject="SSO-9001", body="b", error_code="SSO-9001",
                                      channel="email")
    r = admin_client.post(f"/admin/customers/organisation/{org.pk}/change/", {
        "name": org.name, "external_id": "1002", "plan": "Enterprise", "country": "US",
        "timezone": "America/Chicago", "language": "en", "churn_risk": org.churn_risk})
    assert r.status_code == 302, r.content.decode()[:2000]
    org.refresh_from_db()
    assert org.plan == "Enterprise"
    reasons = [e.data.get("reason") for e in TicketEvent.objects.filter(
        ticket=ticket, type="sla_targets_set")]
    assert "organisation plan changed" in reasons


def test_a_bad_time_zone_is_refused_by_the_admin_form(admin_client):
    org = OrganisationFactory(timezone="UTC")
    r = admin_client.post(f"/admin/customers/organisation/{org.pk}/change/", {
        "name": org.name, "external_id": org.external_id, "plan": org.plan, "country": "US",
        "timezone": "Mars/Olympus", "language": "en", "churn_risk": org.churn_risk})
    assert r.status_code == 200
    assert "unknown time zone" in r.content.decode()
    org.refresh_from_db()
    assert org.timezone == "UTC"


def test_an_overlapping_on_call_shift_is_refused_by_the_admin(admin_client):
    group, agent = GroupFactory(name="l3-on-call"), AgentFactory()
    form = {"group": group.pk, "agent": agent.pk, "starts_at_0": "2026-12-01",
            "starts_at_1": "00:00:00", "ends_at_0": "2026-12-08", "ends_at_1": "00:00:00"}
    assert admin_client.post("/admin/people/oncallshift/add/", form).status_code == 302
    again = admin_client.post("/admin/people/oncallshift/add/",
                              {**form, "starts_at_0": "2026-12-05"})
    assert again.status_code == 200
    assert "already has a shift" in again.content.decode()
    assert OnCallShift.objects.count() == 1

