"""Maria runs an outage from the workspace: declares the incident, links the affected
tickets, posts a public update (on the status page, mailed to the requesters once),
publishes a summary and resolves it."""

from tierdesk.incidents.models import Incident, IncidentStatus
from tierdesk.outbox.models import OutboxMessage
from tierdesk.tickets.models import TicketEvent


def test_maria_declares_links_updates_publishes_and_resolves_an_outage(desk):
    maria = desk.client(desk.maria)
    response = maria.post("/agent/incidents/new/", {
        "title": "SSO login failures", "severity": "P1", "summary": ""})
    incident = Incident.objects.get()
    assert response["Location"] == f"/agent/incidents/{incident.pk}/"
    assert not incident.public

    maria.post(f"/agent/incidents/{incident.pk}/link/", {"tickets": f"#{desk.ticket.pk}"})
    assert incident.links.filter(ticket=desk.ticket).exists()

    maria.post(f"/agent/incidents/{incident.pk}/publish/", {
        "public": "1", "summary": "Some customers cannot sign in with SSO."})
    status = maria.get("/status").content.decode()
    assert "SSO login failures" in status
    assert "Some customers cannot sign in with SSO." in status

    maria.post(f"/agent/incidents/{incident.pk}/update/", {
        "status": "identified", "body": "A certificate expired; renewing it.",
        "public": "1", "notify": "1"})
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.IDENTIFIED
    assert "A certificate expired; renewing it." in maria.get("/status").content.decode()
    mails = [m.payload["to"] for m in OutboxMessage.objects.all()
             if m.payload.get("template") == "incident_update"]
    assert mails == [[desk.customer.email.lower()]]  # one mail to the one requester
    assert TicketEvent.objects.filter(ticket=desk.ticket, type="incident_update").exists()

    page = maria.get(f"/agent/incidents/{incident.pk}/").content.decode()
    assert "A certificate expired; renewing it." in page and desk.ticket.subject in page

    maria.post(f"/agent/incidents/{incident.pk}/resolve/", {
        "body": "Certificate renewed; sign-in works again.", "public": "1"})
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.RESOLVED
    assert "All systems operational" in maria.get("/status").content.decode()


def test_a_public_incident_without_a_summary_is_refused_next_to_the_summary(desk):
    maria = desk.client(desk.maria)
    maria.post("/agent/incidents/new/", {"title": "API slow", "severity": "P2"})
    incident = Incident.objects.get()
    response = maria.post(f"/agent/incidents/{incident.pk}/publish/", {"public": "1"})
    assert response.status_code == 400
    assert 'id="publish-error"' in response.content.decode()
    incident.refresh_from_db()
    assert not incident.public


def test_an_update_without_a_message_changes_nothing(desk):
    maria = desk.client(desk.maria)
    maria.post("/agent/incidents/new/", {"title": "API slow", "severity": "P2"})
    incident = Incident.objects.get()
    response = maria.post(f"/agent/incidents/{incident.pk}/update/",
                          {"status": "monitoring", "body": " "})
    assert response.status_code == 400
    assert "body must not be empty" in response.content.decode()
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.INVESTIGATING


def test_linking_a_ticket_maria_cannot_see_links_nothing(desk):
    maria = desk.client(desk.maria)
    maria.post("/agent/incidents/new/", {"title": "API slow", "severity": "P2"})
    incident = Incident.objects.get()
    response = maria.post(f"/agent/incidents/{incident.pk}/link/",
                          {"tickets": f"{desk.ticket.pk}, 999999"})
    assert response.status_code == 400
    assert "No ticket #999999 you can see." in response.content.decode()
    assert not incident.links.exists()


def test_the_board_lists_open_incidents(desk):
    maria = desk.client(desk.maria)
    maria.post("/agent/incidents/new/", {"title": "Dashboards down", "severity": "P1"})
    assert "Dashboards down" in maria.get("/agent/sla/").content.decode()
