"""The one-click link: no login, cannot be forged, reused for another ticket or answered
twice."""

from datetime import timedelta

import pytest
from django.core import signing
from django.test import Client

from tests.factories import TicketFactory
from tests.surveys.conftest import SOLVED, solve, survey_mails, token_in
from tierdesk.surveys import links
from tierdesk.surveys.models import Survey, SurveyResponse
from tierdesk.surveys.services import surveys_sweep


@pytest.fixture
def token(solved):
    surveys_sweep(now=SOLVED + timedelta(hours=24))
    return token_in(survey_mails(solved)[0])


def test_the_link_opens_without_login_with_the_clicked_score_chosen(token):
    page = Client().get(f"/survey/{token}/?score=4")

    assert page.status_code == 200
    assert b'value="4" checked' in page.content
    assert not SurveyResponse.objects.exists()  # opening the link (a mail scanner) answers nothing


def test_the_customer_answers_with_a_score_and_a_comment(solved, token):
    page = Client().post(f"/survey/{token}/", {"score": "5", "comment": "Quick and kind"})

    assert page.status_code == 200
    assert b"Thank you for your feedback" in page.content
    response = SurveyResponse.objects.get()
    assert (response.score, response.comment) == (5, "Quick and kind")
    assert solved.events.get(type="survey_answered").data["score"] == 5


def test_a_second_answer_is_refused_and_the_first_stands(token):
    Client().post(f"/survey/{token}/", {"score": "5"})

    again = Client().post(f"/survey/{token}/", {"score": "1"})

    assert again.status_code == 409
    assert b"already answered" in again.content
    assert SurveyResponse.objects.get().score == 5


def test_a_tampered_link_is_refused(token):
    payload, _, rest = token.partition(":")
    tampered = ("A" if payload[0] != "A" else "B") + payload[1:] + ":" + rest

    page = Client().post(f"/survey/{tampered}/", {"score": "1"})

    assert page.status_code == 404
    assert not SurveyResponse.objects.exists()


def test_a_link_cannot_be_pointed_at_another_tickets_survey(desk, token):
    other = TicketFactory(requester=desk.customer, group=desk.support)
    solve(desk, other, at=SOLVED + timedelta(days=8))
    surveys_sweep(now=SOLVED + timedelta(days=9))
    theirs = Survey.objects.get(ticket=other)
    mine_id, mine_nonce = links.read(token)
    # Re-pointing the id needs the server's key: signed with any other, it is refused;
    # signed properly but with this link's nonce, it does not fit the other survey.
    forged = signing.dumps([theirs.pk, mine_nonce], key="not-the-key", salt=links.SALT)
    misfit = signing.dumps([theirs.pk, mine_nonce], salt=links.SALT)

    for bad in (forged, misfit):
        assert Client().post(f"/survey/{bad}/", {"score": "1"}).status_code == 404
    assert not SurveyResponse.objects.exists()
    assert mine_id != theirs.pk


def test_a_score_off_the_scale_is_refused_and_nothing_is_recorded(token):
    page = Client().post(f"/survey/{token}/", {"score": "6"})

    assert page.status_code == 400
    assert b"Please choose a score from 1 to 5." in page.content  # the page words it
    assert not SurveyResponse.objects.exists()
    assert Survey.objects.get().answered_at is None
