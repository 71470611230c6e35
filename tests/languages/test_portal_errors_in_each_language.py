"""A customer is told what went wrong in their own language (issue 12, section 5: "errors
shown to customers ... translated to Arabic, Spanish and French")."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tests.factories import CustomerContactFactory, OrganisationFactory, TicketFactory


def _portal(language: str) -> tuple[Client, object]:
    customer = CustomerContactFactory(organisation=OrganisationFactory(language="en"),
                                      language=language)
    client = Client()
    client.force_login(customer.user)
    return client, customer


def test_a_spanish_customer_sending_an_empty_request_is_told_in_spanish(db):
    client, _ = _portal("es")

    response = client.post("/portal/new/", {"subject": "Paneles vacíos", "body": "   "})

    assert response.status_code == 400
    page = response.content.decode()
    assert "el mensaje no puede estar vacío" in page
    assert "body must not be empty" not in page


@pytest.mark.parametrize(("language", "expected"), [
    ("es", "el archivo &#x27;vacio.log&#x27; está vacío"),
    ("fr", "le fichier &#x27;vacio.log&#x27; est vide"),
    ("ar", "الملف &#x27;vacio.log&#x27; فارغ"),
])
def test_an_empty_attachment_on_a_reply_is_refused_in_the_customers_language(
        db, language, expected):
    client, customer = _portal(language)
    ticket = TicketFactory(requester=customer, status="open")

    response = client.post(f"/portal/tickets/{ticket.pk}/reply/", {
        "body": "Adjunto el registro", "files": SimpleUploadedFile("vacio.log", b"")})

    assert response.status_code == 400
    assert expected in response.content.decode()


def test_an_english_customer_still_reads_english(db):
    client, _ = _portal("en")

    response = client.post("/portal/new/", {"subject": " ", "body": "Dashboards are empty"})

    assert "subject must not be empty" in response.content.decode()


def test_a_channel_the_pack_refuses_says_so_in_the_customers_language(db):
    from django.utils import translation

    from tierdesk import clock
    from tierdesk.packs.selectors import active_pack
    from tierdesk.packs.services import pack_apply
    from tierdesk.policy import PACKS_DIR
    from tierdesk.tickets.channel_rules import ChannelRefused, check_channel

    pack_apply(source=(PACKS_DIR / "nexacore.yaml").read_text())
    org = OrganisationFactory(plan="Enterprise")

    with translation.override("es"), pytest.raises(ChannelRefused) as refused:
        check_channel(pack=active_pack(), channel="phone", priority="P3", organisation=org,
                      now=clock.now())

    assert refused.value.message.startswith(
        "la línea telefónica es solo para solicitudes P1 (esta es P3); utilice el portal")


@pytest.mark.parametrize(("language", "sunday"), [
    ("ar", "الأحد"), ("es", "domingo"), ("fr", "dimanche"),
])
def test_a_closed_channel_names_the_day_it_opens_in_the_customers_language(
        db, language, sunday):
    """NexaCore's Slack channel keeps Sunday-Thursday hours in Dubai: on a Friday it says
    it opens on Sunday, and the customer reads that day in their own language."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from django.utils import translation

    from tierdesk.packs.selectors import active_pack
    from tierdesk.packs.services import pack_apply
    from tierdesk.policy import PACKS_DIR
    from tierdesk.tickets.channel_rules import ChannelRefused, check_channel

    pack_apply(source=(PACKS_DIR / "nexacore.yaml").read_text())
    org = OrganisationFactory(plan="Enterprise", vip=True, timezone="Asia/Dubai",
                              country="AE")
    friday_10_dubai = datetime(2026, 12, 4, 10, 0, tzinfo=ZoneInfo("Asia/Dubai"))

    with translation.override(language), pytest.raises(ChannelRefused) as refused:
        check_channel(pack=active_pack(), channel="slack", priority="P2", organisation=org,
                      now=friday_10_dubai)

    assert f"{sunday} 2026-12-06 09:00 (+04)" in refused.value.message
    assert "Sunday" not in refused.value.message
