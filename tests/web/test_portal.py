"""The customer portal: the plan's SLA promise before sending, the pack's channel rules,
submitting and following the organisation's tickets, and Arabic right to left."""

from tests.factories import CustomerContactFactory, UserFactory
from tierdesk.packs.services import pack_apply
from tierdesk.people.access import viewer_for
from tierdesk.policy import PACKS_DIR
from tierdesk.tickets.models import Message, Ticket
from tierdesk.tickets.services import ticket_add_note, ticket_reply


def test_enterprise_customer_sees_four_hours_for_p1_before_sending(desk):
    html = desk.client(desk.customer).get("/portal/new/").content.decode()
    assert "What your Enterprise plan promises" in html
    assert "<th scope=\"row\">P1 · High impact</th><td>4 hours</td><td>1 day</td>" in html
    assert "<th scope=\"row\">P0 · Critical outage</th><td>1 hour</td>" in html


def test_starter_customer_sees_the_starter_promise(desk):
    html = desk.client(desk.other_customer).get("/portal/new/").content.decode()
    assert "What your Starter plan promises" in html
    assert "<th scope=\"row\">P1 · High impact</th><td>1 day</td>" in html


def test_nexacore_portal_says_p1_goes_to_the_phone_line(db):
    pack_apply(source=(PACKS_DIR / "nexacore.yaml").read_text())
    customer = CustomerContactFactory(user=UserFactory(username="nexa-customer"))
    client = desk_client(customer)
    html = client.get("/portal/new/").content.decode()
    assert "The portal takes P2, P3, P4 requests." in html
    assert "P1: Direct Phone Line: P1 Incidents only (On-call rotation)" in html


def desk_client(contact):
    from django.test import Client

    client = Client()
    client.force_login(contact.user)
    return client


def test_submitting_a_request_opens_a_portal_ticket_classified_by_its_error_code(desk):
    response = desk.client(desk.customer).post("/portal/new/", {
        "subject": "Dashboards are slow", "category": "performance",
        "error_code": "DB-2003", "body": "Since Monday every dashboard takes a minute."})
    ticket = Ticket.objects.latest("id")
    assert response["Location"] == f"/portal/tickets/{ticket.pk}/"
    assert (ticket.channel, ticket.error_code, ticket.requester) == (
        "portal", "DB-2003", desk.customer)
    assert ticket.priority == "P2"


def test_an_empty_description_is_refused_and_what_was_typed_is_kept(desk):
    response = desk.client(desk.customer).post("/portal/new/", {
        "subject": "Dashboards are slow", "body": ""})
    assert response.status_code == 400
    html = response.content.decode()
    assert "body must not be empty" in html and 'value="Dashboards are slow"' in html


def test_customer_follows_the_conversation_but_never_sees_internal_notes(desk):
    ticket_reply(ticket=desk.ticket, viewer=viewer_for(desk.alice.user),
                 body="We are renewing the SSO certificate.")
    ticket_add_note(ticket=desk.ticket, viewer=viewer_for(desk.alice.user),
                    body="Customer is VIP: keep the manager posted.")
    html = desk.client(desk.customer).get(f"/portal/tickets/{desk.ticket.pk}/").content.decode()
    assert "We are renewing the SSO certificate." in html
    assert "keep the manager posted" not in html


def test_customer_reply_reopens_the_conversation(desk):
    response = desk.client(desk.customer).post(f"/portal/tickets/{desk.ticket.pk}/reply/",
                                               {"body": "Still broken for the Paris office."})
    assert response.status_code == 302
    assert Message.objects.filter(ticket=desk.ticket, author=desk.customer.user,
                                  body_text="Still broken for the Paris office.").exists()


def test_portal_lists_the_organisations_tickets_only(desk):
    own = desk.client(desk.customer).get("/portal/").content.decode()
    other = desk.client(desk.other_customer).get("/portal/").content.decode()
    assert desk.ticket.subject in own
    assert desk.ticket.subject not in other


def test_an_arabic_speaking_customer_sees_the_portal_right_to_left(desk):
    desk.customer.language = "ar"
    desk.customer.save()
    html = desk.client(desk.customer).get("/portal/").content.decode()
    assert '<html lang="ar" dir="rtl">' in html
    english = desk.client(desk.other_customer).get("/portal/").content.decode()
    assert '<html lang="en" dir="ltr">' in english


def test_choosing_an_error_code_shows_its_priority_and_the_promise_before_sending(desk):
    html = desk.client(desk.customer).get("/portal/promise/?error_code=DB-2003",
                                          HTTP_HX_REQUEST="true").content.decode()
    assert "DB-2003 (Slow loading) is P2 · Moderate impact." in html
    assert "We answer within 12 hours." in html
    unknown = desk.client(desk.customer).get("/portal/promise/?error_code=NOPE")
    assert "We answer" not in unknown.content.decode()
