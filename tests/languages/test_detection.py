"""Detecting the language of inbound text among the pack's languages only, ``und`` when
the text is too short to tell (never a guess), and routing to an agent who speaks it."""

import pytest

from tests.factories import AgentFactory, GroupFactory, UserFactory
from tierdesk.languages.detection import detect


@pytest.mark.parametrize(("text", "expected"), [
    ("Los paneles no cargan desde esta mañana y necesitamos ayuda urgente", "es"),
    ("Nos tableaux de bord ne se chargent plus depuis ce matin, pouvez-vous aider ?", "fr"),
    ("Our dashboards have not loaded since this morning, please help", "en"),
])
def test_dataflow_messages_are_detected_among_en_es_fr(text, expected):
    assert detect(text, ["en", "es", "fr"]) == expected


def test_arabic_is_detected_for_nexacore():
    assert detect("لا أستطيع تسجيل الدخول إلى حسابي منذ الصباح", ["en", "ar"]) == "ar"


def test_a_language_the_pack_does_not_serve_is_never_the_answer():
    german = "Unsere Dashboards laden seit heute Morgen nicht mehr, bitte helfen Sie uns"
    assert detect(german, ["en", "es", "fr"]) in ("en", "es", "fr", "und")


@pytest.mark.parametrize("text", ["", "   ", "ok", "merci", "hola!", "👍👍👍", "12345 678"])
def test_empty_or_too_short_text_is_undetermined(text):
    assert detect(text, ["en", "es", "fr"]) == "und"


def test_a_single_language_pack_reads_any_real_sentence_as_its_language():
    assert detect("My deposit has not arrived", ["en"]) == "en"


def test_a_spanish_chat_goes_to_an_agent_who_speaks_spanish(db):
    from tests.chat.conftest import Widget
    from tierdesk.chat.models import ChatSession
    from tierdesk.packs.services import pack_apply
    from tierdesk.policy import PACKS_DIR

    pack_apply(source=(PACKS_DIR / "dataflow.yaml").read_text())
    from tests.factories import ContactFactory, OrganisationFactory

    ContactFactory(organisation=OrganisationFactory(plan="Enterprise"), email="ana@es.example")
    GroupFactory(name="Support")
    AgentFactory(user=UserFactory(username="alice"), languages=["en"])
    lucia = AgentFactory(user=UserFactory(username="lucia"), languages=["es", "en"])
    widget = Widget()
    r = widget.start("Los paneles no cargan desde esta mañana, necesitamos ayuda",
                     name="Ana", email="ana@es.example")
    assert r.status_code == 201, r.content
    ticket = ChatSession.objects.get(pk=widget.session_id).ticket
    assert (ticket.language, ticket.assignee) == ("es", lucia)
    # and the acknowledgement is the pack's template in Spanish
    from tierdesk.outbox.models import OutboxMessage

    ack = OutboxMessage.objects.filter(ticket_id=ticket.pk, kind="email").first()
    assert ack is not None and "Estimado" in ack.payload["body"]
