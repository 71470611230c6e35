"""A ticket from email, the portal or the API is in the language its customer wrote, and
goes to an agent who speaks it, as a chat does (issue 12, section 5: "detect the language
of inbound text ... store it on the ticket; route to agents who speak it")."""

import pytest
from django.test import Client

from tests.factories import (
    AgentFactory,
    ContactFactory,
    CustomerContactFactory,
    GroupFactory,
    OrganisationFactory,
    UserFactory,
)
from tests.mail.messages import mail
from tierdesk.mail.services import ingest
from tierdesk.packs.services import pack_apply
from tierdesk.policy import PACKS_DIR
from tierdesk.tickets.models import Ticket

SPANISH = "Los paneles no cargan desde esta mañana y necesitamos ayuda urgente, por favor"
FRENCH = "Nos tableaux de bord ne se chargent plus depuis ce matin, pouvez-vous nous aider ?"
ARABIC = "لا أستطيع تسجيل الدخول إلى حسابي منذ الصباح، أرجو المساعدة بسرعة"


def _apply(name: str) -> None:
    pack_apply(source=(PACKS_DIR / f"{name}.yaml").read_text())


@pytest.fixture
def dataflow_speakers(db):
    """DataFlow (en, es, fr): in Support, Alice speaks English, Lucia Spanish, Jean French."""
    _apply("dataflow")
    support = [GroupFactory(name="Support")]
    return {
        "en": AgentFactory(user=UserFactory(username="alice"), languages=["en"],
                           groups=support),
        "es": AgentFactory(user=UserFactory(username="lucia"), languages=["es", "en"],
                           groups=support),
        "fr": AgentFactory(user=UserFactory(username="jean"), languages=["fr", "en"],
                           groups=support),
    }


def _customer(language: str = "") -> object:
    return CustomerContactFactory(organisation=OrganisationFactory(plan="Enterprise"),
                                  language=language)


def test_an_arabic_email_becomes_an_arabic_ticket_for_the_arabic_speaker(db, settings):
    _apply("nexacore")
    AgentFactory(user=UserFactory(username="sam"), languages=["en"])
    layla = AgentFactory(user=UserFactory(username="layla"), languages=["ar", "en"])
    ContactFactory(organisation=OrganisationFactory(plan="Enterprise"),
                   email="omar@client.example.ae")

    result = ingest(mail(sender="Omar <omar@client.example.ae>", subject="تسجيل الدخول",
                         body=ARABIC), source="test")

    ticket = Ticket.objects.get(pk=result.ticket_id)
    assert (ticket.channel, ticket.language, ticket.assignee) == ("email", "ar", layla)


def test_a_spanish_portal_request_goes_to_the_spanish_speaker(dataflow_speakers):
    customer = _customer()
    client = Client()
    client.force_login(customer.user)

    response = client.post("/portal/new/", {"subject": "Paneles vacíos", "body": SPANISH})

    assert response.status_code == 302, response.content
    ticket = Ticket.objects.get(requester=customer)
    assert (ticket.channel, ticket.language, ticket.assignee) == (
        "portal", "es", dataflow_speakers["es"])


def test_a_french_api_ticket_goes_to_the_french_speaker(dataflow_speakers, api_as):
    customer = _customer()

    response = api_as(customer.user).post(
        "/api/v1/tickets", {"subject": "Tableaux vides", "body": FRENCH})

    assert response.status_code == 201, response.content
    ticket = Ticket.objects.get(pk=response.json()["id"])
    assert (ticket.language, ticket.assignee) == ("fr", dataflow_speakers["fr"])
    assert response.json()["language"] == "fr"


def test_an_agent_opening_a_ticket_without_a_queue_has_it_routed_too(
        dataflow_speakers, api_as):
    customer = _customer()

    response = api_as(dataflow_speakers["en"]).post("/api/v1/tickets", {
        "subject": "Paneles", "body": SPANISH, "requester_id": customer.pk})

    assert response.status_code == 201, response.content
    assert Ticket.objects.get(pk=response.json()["id"]).assignee == dataflow_speakers["es"]


def test_an_agent_who_names_the_queue_keeps_the_ticket_where_they_put_it(
        dataflow_speakers, api_as):
    customer = _customer()
    support = GroupFactory(name="Support")
    manager = AgentFactory(user=UserFactory(username="maria"), role="support_manager")

    response = api_as(manager).post("/api/v1/tickets", {
        "subject": "Paneles", "body": SPANISH, "requester_id": customer.pk,
        "group_id": support.pk})

    assert response.status_code == 201, response.content
    assert Ticket.objects.get(pk=response.json()["id"]).assignee is None


def test_a_ticket_in_the_packs_own_language_stays_in_the_queue_for_anyone(
        dataflow_speakers, api_as):
    customer = _customer()

    response = api_as(customer.user).post("/api/v1/tickets", {
        "subject": "Dashboards", "body": "Every dashboard has been failing to load since "
                                          "this morning, with a timeout after a minute."})

    ticket = Ticket.objects.get(pk=response.json()["id"])
    assert (ticket.language, ticket.assignee) == ("en", None)


def test_a_customer_whose_language_is_known_is_not_second_guessed(dataflow_speakers, api_as):
    customer = _customer(language="fr")

    response = api_as(customer.user).post(
        "/api/v1/tickets", {"subject": "Paneles", "body": SPANISH})

    ticket = Ticket.objects.get(pk=response.json()["id"])
    assert (ticket.language, ticket.assignee) == ("fr", dataflow_speakers["fr"])


def test_a_single_language_pack_reads_nothing_and_routes_nobody(db, api_as):
    _apply("fire22")
    AgentFactory(user=UserFactory(username="alice"), languages=["en"])
    customer = _customer()

    response = api_as(customer.user).post(
        "/api/v1/tickets", {"subject": "Deposit", "body": "My deposit has not arrived yet"})

    ticket = Ticket.objects.get(pk=response.json()["id"])
    assert (ticket.language, ticket.assignee) == ("en", None)


def test_an_organisation_that_chose_a_language_keeps_it(dataflow_speakers, api_as):
    customer = CustomerContactFactory(
        organisation=OrganisationFactory(plan="Enterprise", language="fr"))

    response = api_as(customer.user).post(
        "/api/v1/tickets", {"subject": "Dashboards", "body": "Our dashboards are empty"})

    ticket = Ticket.objects.get(pk=response.json()["id"])
    assert (ticket.language, ticket.assignee) == ("fr", dataflow_speakers["fr"])
