"""The QA pages: the reviewer scores a ticket with the form and the agent finds the score
on "My QA scores"; a colleague's page does not show it."""

from django.test import Client

from tierdesk.jobs.registry import run
from tierdesk.qa.models import ReviewItem


def _client(agent) -> Client:
    client = Client()
    client.force_login(agent.user)
    return client


def test_reviewer_scores_with_the_form_and_the_agent_sees_it_on_my_scores(csu, solved_week):
    run("qa_sample")
    item = ReviewItem.objects.filter(agent=csu["al"]).first()
    quinn = _client(csu["quinn"])
    queue = quinn.get("/agent/qa/").content.decode()
    assert f'data-qa-score="{item.ticket_id}"' in queue
    form = quinn.get(f"/agent/qa/tickets/{item.ticket_id}/").content.decode()
    assert "Tone of voice" in form and "Process followed" in form
    response = quinn.post(f"/agent/qa/tickets/{item.ticket_id}/", {
        "score_empathy": "5", "score_accuracy": "4", "score_tone": "5", "score_process": "4",
        "comment_tone": "Warm and clear", "comment": "Nice save"})
    assert response.status_code == 302
    mine = _client(csu["al"]).get("/agent/qa/mine/").content.decode()
    assert "86.7%" in mine and "Warm and clear" in mine and "Quinn Reviewer" in mine
    assert "86.7%" not in _client(csu["tess"]).get("/agent/qa/mine/").content.decode()


def test_a_missing_score_redisplays_the_form_with_the_error_and_saves_nothing(
        csu, solved_week):
    run("qa_sample")
    item = ReviewItem.objects.filter(agent=csu["al"]).first()
    response = _client(csu["quinn"]).post(f"/agent/qa/tickets/{item.ticket_id}/", {
        "score_empathy": "5", "comment_empathy": "kind"})
    assert response.status_code == 400
    assert "score accuracy is missing" in response.content.decode()
    assert "kind" in response.content.decode()
    item.refresh_from_db()
    assert item.reviews_done == 0
