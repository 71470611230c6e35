"""Tierdesk's own strings in Arabic, Spanish and French (issue 12, section 5): the portal
a customer reads, the chat widget, the receipt mail, Arabic right to left."""

import re

import pytest
from django.test import Client

from tests.factories import CustomerContactFactory, OrganisationFactory, TicketFactory
from tierdesk.tickets.mail_templates import generic_acknowledgement

PORTAL = {
    "es": ["Sus solicitudes", "Enviar una nueva solicitud", "Abierto", "Cerrar sesión"],
    "fr": ["Vos demandes", "Soumettre une nouvelle demande", "Ouvert", "Se déconnecter"],
    "ar": ["طلباتك", "تقديم طلب جديد", "مفتوح", "تسجيل الخروج"],
}


def portal_as(language: str, db) -> str:
    org = OrganisationFactory(language="en")
    customer = CustomerContactFactory(organisation=org, language=language)
    TicketFactory(requester=customer, status="open", subject="Dashboards down")
    client = Client()
    client.force_login(customer.user)
    response = client.get("/portal/")
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("language", ["es", "fr", "ar"])
def test_the_portal_speaks_the_customers_language(language, db):
    page = portal_as(language, db)
    for text in PORTAL[language]:
        assert text in page, text
    assert "Your organisation's requests" not in page


def test_the_arabic_portal_reads_right_to_left(db):
    page = portal_as("ar", db)
    assert re.search(r'<html lang="ar" dir="rtl">', page)


@pytest.mark.parametrize("language", ["es", "fr"])
def test_spanish_and_french_pages_read_left_to_right(language, db):
    assert f'<html lang="{language}" dir="ltr">' in portal_as(language, db)


@pytest.mark.parametrize(("language", "expected"), [
    ("es", "¿En qué podemos ayudarle?"), ("fr", "Comment pouvons-nous vous aider ?"),
    ("ar", "كيف يمكننا مساعدتك؟")])
def test_the_chat_widget_in_the_host_pages_language(language, expected, db):
    page = Client().get(f"/chat/widget/?lang={language}").content.decode()
    assert expected in page
    assert f'lang="{language}"' in page


def test_the_receipt_mail_is_in_the_tickets_language(db):
    ticket = TicketFactory(language="es")
    mail = generic_acknowledgement(ticket)
    assert (mail.language, mail.body) == (
        "es", f"Hemos recibido su solicitud n.º {ticket.pk} y le responderemos pronto.")


def test_chat_errors_reach_the_visitor_in_their_language(db):
    response = Client().post("/api/v1/chat/sessions", '{"text": "hola", "name": "Ana"}',
                             content_type="application/json", HTTP_ACCEPT_LANGUAGE="es")
    assert response.status_code == 400
    assert response.json()["message"] == "Indique su dirección de correo electrónico."
