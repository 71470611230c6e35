"""The signed survey page speaks the ticket's language (Arabic right to left), from the
first question to the thanks: the customer answers in the language they wrote in."""

from datetime import timedelta

import pytest
from django.test import Client

from tests.surveys.conftest import SOLVED, solve, survey_mails, token_in
from tierdesk.surveys.services import surveys_sweep
from tierdesk.tickets.models import Ticket

PAGES = {
    # language: (dir, the CSAT question, the button, the thanks heading, a score label)
    "ar": ("rtl", "ما مدى رضاك عن مساعدتنا؟", "أرسل إجابتي", "شكرًا لك على رأيك", "راضٍ جدًا"),
    "es": ("ltr", "¿Qué tan satisfecho/a está con nuestra ayuda?", "Enviar mi respuesta",
           "Gracias por su opinión", "Muy satisfecho"),
    "fr": ("ltr", "Êtes-vous satisfait(e) de notre aide ?", "Envoyer ma réponse",
           "Merci pour votre avis", "Très satisfait"),
    "en": ("ltr", "How satisfied are you with our help?", "Send my answer",
           "Thank you for your feedback", "Very satisfied"),
}


def _token(desk, language: str) -> str:
    Ticket.objects.filter(pk=desk.ticket.pk).update(language=language)
    desk.ticket.refresh_from_db()
    solve(desk, desk.ticket)
    surveys_sweep(now=SOLVED + timedelta(hours=24))
    return token_in(survey_mails(desk.ticket)[0])


@pytest.mark.parametrize("language", sorted(PAGES))
def test_the_survey_page_is_in_the_tickets_language(desk, language):
    direction, question, button, thanks, label = PAGES[language]
    token = _token(desk, language)

    page = Client().get(f"/survey/{token}/?score=5").content.decode()

    assert f'<html lang="{language}" dir="{direction}">' in page
    assert question in page
    assert button in page
    assert label in page
    if language != "en":
        assert "How satisfied" not in page and "Send my answer" not in page

    done = Client().post(f"/survey/{token}/", {"score": "5"}).content.decode()
    assert thanks in done
    assert f'dir="{direction}"' in done


def test_an_arabic_refusal_is_in_arabic_too(desk):
    token = _token(desk, "ar")

    page = Client().post(f"/survey/{token}/", {"score": "9"})

    assert page.status_code == 400
    assert "يرجى اختيار تقييم من 1 إلى 5." in page.content.decode()


def test_a_second_answer_is_refused_in_the_customers_language(desk):
    token = _token(desk, "fr")
    Client().post(f"/survey/{token}/", {"score": "4"})

    again = Client().post(f"/survey/{token}/", {"score": "1"}).content.decode()

    assert "Vous avez déjà répondu à cette enquête" in again
