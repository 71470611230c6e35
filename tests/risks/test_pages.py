"""The risk pages: an agent flags a ticket with the form; the risk manager finds it in the
weekly risk review."""

from datetime import UTC, datetime

from django.test import Client

from tests.factories import TicketFactory
from tierdesk import clock


def _client(agent) -> Client:
    client = Client()
    client.force_login(agent.user)
    return client


def test_a_risk_flagged_with_the_form_appears_in_the_weekly_risk_review(csu):
    clock.freeze(datetime(2026, 12, 9, 10, 0, tzinfo=UTC))
    ticket = TicketFactory(requester=csu["customer"], group=csu["support"])
    response = _client(csu["al"]).post("/agent/risks/new/", {
        "ticket_id": str(ticket.pk), "category": "compliance", "likelihood": "possible",
        "impact": "severe", "description": "Customer says invoices show other clients' names"})
    assert response.status_code == 302
    page = _client(csu["rita"]).get("/agent/risks/").content.decode()
    new = page.split('id="review-new"')[1].split("</section>")[0]
    assert "invoices show other clients" in new and "Rita Risk" in new
    assert "invoices show other clients" not in _client(csu["tess"]).get(
        "/agent/risks/").content.decode()


def test_the_risk_manager_marks_a_risk_reviewed_from_the_weekly_review(csu):
    from tierdesk.risks.models import Risk

    clock.freeze(datetime(2026, 12, 9, 10, 0, tzinfo=UTC))
    ticket = TicketFactory(requester=csu["customer"], group=csu["support"])
    _client(csu["al"]).post("/agent/risks/new/", {
        "ticket_id": str(ticket.pk), "category": "operational", "likelihood": "likely",
        "impact": "minor", "description": "Backups late"})
    risk = Risk.objects.get()
    assert _client(csu["rita"]).post(f"/agent/risks/{risk.pk}/reviewed/",
                                     {"close": "1"}).status_code == 302
    risk.refresh_from_db()
    assert risk.status == "closed"


def test_the_ticket_page_links_to_the_flag_form_filled_with_the_ticket(csu):
    ticket = TicketFactory(requester=csu["customer"], group=csu["support"])
    page = _client(csu["al"]).get(f"/agent/tickets/{ticket.pk}/").content.decode()
    assert f"/agent/risks/new/?ticket_id={ticket.pk}" in page
    form = _client(csu["al"]).get(f"/agent/risks/new/?ticket_id={ticket.pk}").content.decode()
    assert f'value="{ticket.pk}"' in form
