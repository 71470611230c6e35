"""The agent workspace: queues sorted by SLA due time with live counts, and the ticket
page (timeline, SLA clocks, requester card, templates, changes, handoff escalation)."""

from datetime import timedelta

from tests.web.conftest import OPENED
from tierdesk import clock
from tierdesk.people.access import viewer_for
from tierdesk.sla.sweep import sla_sweep
from tierdesk.tickets.models import Message, TicketEvent
from tierdesk.tickets.services import ticket_add_note, ticket_create
from tierdesk.web import queues


def rows(response) -> list[str]:
    """The ticket subjects of a queue page, in the order shown."""
    html = response.content.decode()
    return [part.split("</a>")[0].split(">")[-1]
            for part in html.split('data-open>')[1:]]


def test_enterprise_p1_opened_at_nine_is_breaching_soon_at_half_past_twelve(desk):
    clock.freeze(OPENED + timedelta(hours=3, minutes=30))
    response = desk.client(desk.alice).get("/agent/?view=soon")
    assert rows(response) == ["SSO-9001: Login Failure for all staff"]
    assert "Due in 30" in response.content.decode()
    assert "1 breached" not in response.content.decode()


def test_after_the_sweep_at_half_past_one_the_ticket_is_in_breached_not_soon(desk):
    clock.freeze(OPENED + timedelta(hours=4, minutes=30))
    sla_sweep(now=clock.now())
    client = desk.client(desk.alice)
    assert rows(client.get("/agent/?view=breached")) == [desk.ticket.subject]
    assert rows(client.get("/agent/?view=soon")) == []
    assert "1 breached, 0 breaching soon" in client.get("/agent/").content.decode()


def test_queue_is_sorted_by_the_next_sla_due_time(desk):
    viewer = viewer_for(desk.customer.user)
    clock.freeze(OPENED + timedelta(minutes=10))
    p3, _ = ticket_create(viewer=viewer, subject="COL-11001: comments do not load",
                          body="b", requester=desk.customer, error_code="COL-11001")
    p0, _ = ticket_create(viewer=viewer, subject="DB-2002: everything is down", body="b",
                          requester=desk.customer, error_code="DB-2002")
    subjects = rows(desk.client(desk.maria).get("/agent/"))
    assert subjects == [p0.subject, desk.ticket.subject, p3.subject]


def test_breached_tickets_are_listed_by_their_next_due_time_before_and_after_the_sweep(desk):
    viewer = viewer_for(desk.customer.user)
    clock.freeze(OPENED + timedelta(minutes=10))
    p3, _ = ticket_create(viewer=viewer, subject="COL-11001: comments do not load",
                          body="b", requester=desk.customer, error_code="COL-11001")
    p0, _ = ticket_create(viewer=viewer, subject="DB-2002: everything is down", body="b",
                          requester=desk.customer, error_code="DB-2002")
    client = desk.client(desk.maria)
    soonest_first = rows(client.get("/agent/"))
    assert soonest_first == [p0.subject, desk.ticket.subject, p3.subject]
    clock.freeze(OPENED + timedelta(days=30))  # every clock ran out
    assert rows(client.get("/agent/?view=breached")) == soonest_first
    sla_sweep(now=clock.now())
    assert rows(client.get("/agent/?view=breached")) == soonest_first
    board = client.get("/agent/sla/").content.decode()
    listed = board.split("Breaching now")[1].split("Breaching within the hour")[0]
    assert [listed.index(s) for s in soonest_first] == sorted(
        listed.index(s) for s in soonest_first)


def test_an_agent_outside_the_support_group_sees_neither_its_queue_nor_its_tickets(desk):
    client = desk.client(desk.oscar)
    assert rows(client.get("/agent/")) == []
    assert client.get(f"/agent/queues/{desk.support.pk}/").status_code == 404
    assert client.get(f"/agent/tickets/{desk.ticket.pk}/").status_code == 404


def counts(client, url: str = "/agent/") -> str:
    """The sidebar's counts, as the page's htmx request loads them after the page."""
    joiner = "&" if "?" in url else "?"
    return client.get(f"{url}{joiner}counts=1", HTTP_HX_REQUEST="true").content.decode()


def test_sidebar_counts_each_view_queue_and_priority(desk):
    html = counts(desk.client(desk.alice))
    assert 'Support</span> <span class="count">1</span>' in html
    assert 'P1</span> <span class="count">1</span>' in html
    assert 'My tickets</span> <span class="count">0</span>' in html


def test_ticket_page_shows_conversation_notes_and_audit_events_in_one_timeline(desk):
    ticket_add_note(ticket=desk.ticket, viewer=viewer_for(desk.alice.user),
                    body="Checked the IdP: certificate expired.")
    html = desk.client(desk.alice).get(f"/agent/tickets/{desk.ticket.pk}/").content.decode()
    reply = html.index("Nobody can sign in since this morning.")
    note = html.index("Checked the IdP: certificate expired.")
    assert reply < note
    assert "Internal note" in html
    assert "sla_targets_set" in html  # audit events, folded in <details>


def test_ticket_page_names_the_sla_policy_and_calendar_and_the_customer_card(desk):
    clock.freeze(OPENED + timedelta(hours=3, minutes=30))
    html = desk.client(desk.alice).get(f"/agent/tickets/{desk.ticket.pk}/").content.decode()
    assert "Policy “Enterprise” on calendar “customer-business-hours”" in html
    assert "dataflow v1" in html
    assert 'clock clock-warned' in html  # amber, and in words:
    assert "Due in 30" in html
    assert "Redwood Bank" in html and "VIP" in html and "Enterprise" in html
    assert "12:30" in html  # their local time now, New York


def test_reply_template_is_filled_in_for_this_ticket(desk):
    response = desk.client(desk.alice).get(
        f"/agent/tickets/{desk.ticket.pk}/template/?template=initial_response")
    html = response.content.decode()
    assert "Dear Rita Redwood," in html
    assert f"(#{desk.ticket.pk})" in html
    assert "within 4 business hours per your Enterprise plan" in html
    assert "Alice Agent, DataFlow Support" in html


def test_agent_reply_is_saved_through_the_service_and_stops_the_first_response_clock(desk):
    client = desk.client(desk.alice)
    response = client.post(f"/agent/tickets/{desk.ticket.pk}/reply/", {"body": "On it."})
    assert response["Location"] == f"/agent/tickets/{desk.ticket.pk}/"
    assert Message.objects.filter(ticket=desk.ticket, body_text="On it.").exists()
    desk.ticket.refresh_from_db()
    assert desk.ticket.first_responded_at is not None and desk.ticket.status == "open"


def test_an_empty_reply_is_refused_on_the_page_and_nothing_is_saved(desk):
    before = Message.objects.count()
    response = desk.client(desk.alice).post(f"/agent/tickets/{desk.ticket.pk}/reply/",
                                            {"body": "  "})
    assert response.status_code == 400
    assert "body must not be empty" in response.content.decode()
    assert Message.objects.count() == before


def test_changing_priority_and_assignee_writes_audit_events(desk):
    desk.client(desk.alice).post(f"/agent/tickets/{desk.ticket.pk}/update/", {
        "priority": "P2", "status": "new", "assignee": str(desk.alice.pk),
        "group": str(desk.support.pk), "tier": "L1", "reason": "workaround found"})
    desk.ticket.refresh_from_db()
    assert (desk.ticket.priority, desk.ticket.assignee_id) == ("P2", desk.alice.pk)
    change = TicketEvent.objects.get(ticket=desk.ticket, type="priority_changed")
    assert change.data == {"field": "priority", "old": "P1", "old_name": "High impact",
                           "new": "P2", "new_name": "Moderate impact",
                           "reason": "workaround found"}


def test_an_illegal_status_move_is_refused_with_the_services_words(desk):
    response = desk.client(desk.alice).post(f"/agent/tickets/{desk.ticket.pk}/update/",
                                            {"status": "closed"})
    assert response.status_code == 400
    assert "a new ticket cannot become closed" in response.content.decode()


def test_escalation_with_an_empty_handoff_field_shows_the_refusal_next_to_that_field(desk):
    response = desk.client(desk.alice).post(f"/agent/tickets/{desk.ticket.pk}/escalate/", {
        "to": "ENG", "handoff_error_code": "SSO-9001", "handoff_customer_id": "1018",
        "handoff_replication_steps": ""})
    html = response.content.decode()
    assert response.status_code == 400
    assert "the handoff is missing: replication_steps" in html
    assert 'id="handoff-replication_steps" name="handoff_replication_steps" rows="2" ' \
           'dir="auto" aria-invalid="true"' in html
    assert "Steps to reproduce is required for this handoff." in html
    assert 'id="handoff-customer_id-error"' not in html
    assert ">1018</textarea>" in html  # what was typed is kept
    assert not desk.ticket.escalations.exists()


def test_a_complete_handoff_escalates_to_engineering(desk):
    response = desk.client(desk.alice).post(f"/agent/tickets/{desk.ticket.pk}/escalate/", {
        "to": "ENG", "handoff_error_code": "SSO-9001", "handoff_customer_id": "1018",
        "handoff_replication_steps": "Sign in with any staff account"})
    assert response.status_code == 302
    escalation = desk.ticket.escalations.get()
    assert escalation.to == "ENG"
    assert escalation.handoff["replication_steps"] == "Sign in with any staff account"


def test_a_long_queue_shows_the_soonest_due_page_and_says_how_many_there_are(desk):
    viewer = viewer_for(desk.maria.user)
    for i in range(queues.PAGE_SIZE + 2):
        ticket_create(viewer=viewer, subject=f"COL-11001 report {i}", body="b",
                      requester=desk.customer, error_code="COL-11001", group=desk.support)
    client = desk.client(desk.alice)
    response = client.get("/agent/")
    assert rows(response)[0] == desk.ticket.subject  # the P1 is due first
    assert len(rows(response)) == queues.PAGE_SIZE
    assert f"first {queues.PAGE_SIZE} shown" in response.content.decode()
    assert f"{queues.PAGE_SIZE + 3} open tickets in this view" in counts(client)
