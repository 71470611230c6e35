"""Email out (issue 12, section 2): ticket mail threads in the customer's mail client, and
the customer's reply comes back onto the ticket — through real SMTP servers and Dovecot."""

import re

import pytest

from tests.factories import (
    AgentFactory,
    ContactFactory,
    GroupFactory,
    OrganisationFactory,
    UserFactory,
)
from tests.mail.conftest import send_smtp
from tests.mail.messages import mail, new_id
from tierdesk.mail.models import MailThreadId, Participant, UndeliverableAddress
from tierdesk.mail.poller import poll
from tierdesk.mail.services import ingest
from tierdesk.outbox import services as outbox
from tierdesk.outbox.models import OutboxMessage
from tierdesk.outbox.registry import email_composers
from tierdesk.people.access import viewer_for
from tierdesk.tickets.models import Ticket
from tierdesk.tickets.services import ticket_reply


@pytest.fixture
def ann(dataflow):
    org = OrganisationFactory(name="Redwood Bank", external_id="RW", plan="Enterprise")
    return ContactFactory(organisation=org, name="Ann Lee", email="ann@redwood.example.com")


@pytest.fixture
def alice(db):
    user = UserFactory(username="alice", first_name="Alice", last_name="Martin",
                       email="alice@dataflow.com")
    return AgentFactory(user=user, groups=[GroupFactory(name="Support")])


def deliver(smtp_server):
    outbox.deliver_due()
    return smtp_server.messages


def test_the_acknowledgement_is_threaded_tagged_and_marked_automatic(ann, smtp_server):
    opening = new_id()
    result = ingest(mail(subject="Dashboards are empty", message_id=opening), source="test")

    (ack,) = deliver(smtp_server)
    ticket_id = result.ticket_id
    assert ack["Subject"] == f"[Ticket #{ticket_id}] Your Support Request"
    assert ack["Auto-Submitted"] == "auto-replied"
    assert ack["In-Reply-To"].strip() == opening and opening in ack["References"]
    assert ack["From"] == "DataFlow Support <support@dataflow.com>"
    sent_id = ack["Message-ID"].strip()
    assert re.fullmatch(rf"<tierdesk\.{ticket_id}\.\d+\.[0-9a-f]{{20}}@dataflow\.com>",
                        sent_id)
    assert MailThreadId.objects.get(message_id=sent_id).ticket_id == ticket_id


def test_the_acknowledgement_is_in_the_tickets_language(dataflow, smtp_server):
    org = OrganisationFactory(name="Banco Sol", external_id="BS", language="es")
    ContactFactory(organisation=org, email="lucia@bancosol.example.es", language="es")

    ingest(mail(sender="lucia@bancosol.example.es", subject="No funciona",
                body="El panel no carga."), source="test")

    (ack,) = deliver(smtp_server)
    assert "Su solicitud de soporte" in ack["Subject"]
    assert Ticket.objects.get().language == "es"


def test_a_content_language_the_pack_speaks_sets_the_tickets_language(dataflow, smtp_server):
    ingest(mail(sender="jean@client.example.fr", subject="Panne", body="Rien ne marche.",
                headers={"Content-Language": "fr-FR"}), source="test")

    assert Ticket.objects.get().language == "fr"
    (ack,) = deliver(smtp_server)
    assert "Votre demande d'assistance" in ack["Subject"]


def test_an_agent_reply_comes_from_the_agent_via_the_support_address(ann, alice, smtp_server):
    opening = new_id()
    result = ingest(mail(subject="Export broken", message_id=opening,
                         cc="Cara <cara@redwood.example.com>"), source="test")
    deliver(smtp_server)
    ticket = Ticket.objects.get(pk=result.ticket_id)

    ticket_reply(ticket=ticket, viewer=viewer_for(alice.user), body="Fixed on our side.")
    reply = deliver(smtp_server)[-1]

    assert reply["From"] == "Alice Martin via DataFlow Support <support@dataflow.com>"
    assert reply["Reply-To"] == "support@dataflow.com"
    assert reply["Subject"] == f"[Ticket #{ticket.pk}] Export broken"
    assert reply["Auto-Submitted"] is None  # a person wrote it
    assert reply["In-Reply-To"].strip() == opening
    assert reply["Cc"] == "cara@redwood.example.com"
    assert Participant.objects.filter(ticket=ticket).count() == 1


def test_no_mail_goes_to_an_address_a_bounce_marked_undeliverable(ann, alice, smtp_server):
    result = ingest(mail(subject="Export broken"), source="test")
    deliver(smtp_server)
    UndeliverableAddress.objects.create(email=ann.email, reason="5.1.1 user unknown",
                                        bounced_at=Ticket.objects.get().created_at)

    ticket_reply(ticket=Ticket.objects.get(pk=result.ticket_id), viewer=viewer_for(alice.user),
                 body="Any news?")
    outbox.deliver_due()

    assert len(smtp_server.messages) == 1  # the acknowledgement, before the bounce
    dead = OutboxMessage.objects.get(payload__template="agent_reply")
    assert dead.state == "dead" and "ann@redwood.example.com is undeliverable" in dead.last_error


def test_the_outbox_learns_ticket_mail_through_its_registry():
    from tierdesk.mail.outbound import compose

    assert compose in email_composers()


@pytest.mark.django_db
def test_round_trip_customer_mail_agent_reply_customer_reply_threads(
        ann, alice, smtp_server, mta, mailbox):
    """SMTP → Dovecot → poller opens the ticket; the agent's reply goes out over SMTP;
    the customer answers that mail (quoting it, Gmail style) back through SMTP into
    Dovecot; the poller threads it onto the same ticket without the quote."""
    opening = new_id()
    send_smtp(mta.port, mail(subject="Reports are late", body="Since Monday.",
                             message_id=opening))
    (created,) = poll(mailbox)
    assert created.outcome == "created"
    ticket = Ticket.objects.get(pk=created.ticket_id)

    ticket_reply(ticket=ticket, viewer=viewer_for(alice.user), body="We re-ran the job.")
    ack, reply = deliver(smtp_server)
    assert reply["X-Envelope-To"] == ann.email

    answer = mail(subject=f"Re: {reply['Subject']}", in_reply_to=reply["Message-ID"].strip(),
                  references=f"{opening} {reply['Message-ID'].strip()}",
                  body=("They arrived, thanks!\n\nOn Tue, 2 Dec 2026 at 10:00, "
                        f"{reply['From']} wrote:\n> We re-ran the job.\n"))
    send_smtp(mta.port, answer)
    (threaded,) = poll(mailbox)

    assert threaded.outcome == "threaded" and threaded.ticket_id == ticket.pk
    last = ticket.messages.order_by("-id").first()
    assert last.body_text == "They arrived, thanks!" and last.channel == "email"
    assert Ticket.objects.count() == 1
