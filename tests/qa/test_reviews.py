"""Reviewers (the QA Lead) score sampled tickets with comments; the agent sees their own
scores and nobody else's; two reviewers on one ticket show up in calibration."""

from tierdesk.jobs.registry import run
from tierdesk.qa.models import Review, ReviewItem

GOOD = {"empathy": 5, "accuracy": 4, "tone": 5, "process": 4}


def _al_item(csu):
    return ReviewItem.objects.filter(agent=csu["al"]).order_by("id").first()


def test_qa_lead_scores_a_sampled_ticket_and_it_appears_in_the_agents_scores(
        csu, solved_week, api_as):
    run("qa_sample")
    item = _al_item(csu)
    queue = api_as(csu["quinn"]).get("/api/v1/qa/queue").json()
    assert item.ticket_id in [i["ticket_id"] for i in queue]
    response = api_as(csu["quinn"]).post("/api/v1/qa/reviews", {
        "ticket_id": item.ticket_id, "scores": GOOD,
        "comments": {"tone": "Warm and clear"}, "comment": "Good call on the workaround"})
    assert response.status_code == 201, response.content
    # (5*1 + 4*2 + 5*1 + 4*2) / 5 / 6 = 86.7%
    assert response.json()["total"] == 86.7
    assert response.json()["passed"] is True
    mine = api_as(csu["al"]).get("/api/v1/qa/reviews/mine").json()
    assert mine["count"] == 1 and mine["average"] == 86.7
    (review,) = mine["reviews"]
    assert review["ticket_id"] == item.ticket_id
    assert review["comments"] == {"tone": "Warm and clear"}
    assert review["reviewer"] == "Quinn Reviewer"
    assert item.ticket_id not in [
        i["ticket_id"] for i in api_as(csu["quinn"]).get("/api/v1/qa/queue").json()]


def test_an_agent_cannot_read_a_colleagues_scores(csu, solved_week, api_as):
    run("qa_sample")
    api_as(csu["quinn"]).post("/api/v1/qa/reviews",
                              {"ticket_id": _al_item(csu).ticket_id, "scores": GOOD})
    tess = api_as(csu["tess"])
    assert tess.get("/api/v1/qa/reviews/mine").json()["count"] == 0
    assert tess.get(f"/api/v1/qa/reviews?agent_id={csu['al'].pk}").status_code == 403
    assert tess.get("/api/v1/qa/reviews").status_code == 403
    assert api_as(csu["al"]).get(f"/api/v1/qa/reviews?agent_id={csu['al'].pk}"
                                 ).status_code == 200
    # The audit log a colleague can read says a review happened, not the score.
    event = _al_item(csu).ticket.events.get(type="qa_reviewed")
    assert "total" not in event.data and "scores" not in event.data


def test_agents_cannot_score_tickets(csu, solved_week, api_as):
    run("qa_sample")
    response = api_as(csu["tess"]).post("/api/v1/qa/reviews",
                                        {"ticket_id": _al_item(csu).ticket_id, "scores": GOOD})
    assert response.status_code == 403
    assert not Review.objects.exists()


def test_a_score_off_the_scale_or_a_missing_criterion_is_refused_by_name(
        csu, solved_week, api_as):
    run("qa_sample")
    api = api_as(csu["quinn"])
    ticket_id = _al_item(csu).ticket_id
    off = api.post("/api/v1/qa/reviews", {"ticket_id": ticket_id,
                                          "scores": {**GOOD, "empathy": 6}})
    assert off.status_code == 400 and off.json()["field"] == "scores.empathy"
    missing = api.post("/api/v1/qa/reviews", {"ticket_id": ticket_id,
                                              "scores": {"empathy": 3}})
    assert missing.status_code == 400 and missing.json()["field"] == "scores.accuracy"
    unknown = api.post("/api/v1/qa/reviews", {"ticket_id": ticket_id,
                                              "scores": {**GOOD, "speed": 3}})
    assert unknown.status_code == 400 and unknown.json()["field"] == "scores.speed"
    assert not Review.objects.exists()


def test_nobody_reviews_the_same_ticket_twice_or_their_own(csu, solved_week, api_as):
    run("qa_sample")
    api = api_as(csu["quinn"])
    ticket_id = _al_item(csu).ticket_id
    assert api.post("/api/v1/qa/reviews", {"ticket_id": ticket_id, "scores": GOOD}
                    ).status_code == 201
    assert api.post("/api/v1/qa/reviews", {"ticket_id": ticket_id, "scores": GOOD}
                    ).status_code == 409
    tess_ticket = solved_week["tess"][0]
    assert api_as(csu["mo"]).post("/api/v1/qa/reviews", {
        "ticket_id": tess_ticket.pk, "scores": GOOD}).status_code == 201


def test_two_reviewers_on_one_ticket_are_reported_in_calibration(csu, solved_week, api_as):
    run("qa_sample")
    item = ReviewItem.objects.filter(reviews_needed=2).first()
    api_as(csu["quinn"]).post("/api/v1/qa/reviews", {"ticket_id": item.ticket_id,
                                                     "scores": GOOD})
    low = {"empathy": 3, "accuracy": 3, "tone": 3, "process": 3}
    reviewer = csu["dana"] if item.agent != csu["dana"] else csu["mo"]
    api_as(reviewer).post("/api/v1/qa/reviews", {"ticket_id": item.ticket_id, "scores": low})
    report = api_as(csu["quinn"]).get("/api/v1/qa/calibration").json()
    (row,) = report["tickets"]
    assert row["ticket_id"] == item.ticket_id
    assert [r["total"] for r in row["reviews"]] == [86.7, 60.0]
    assert row["spread"] == 26.7 and row["agreed"] is False
    assert row["criteria_spread"]["empathy"] == 2
    assert report["agreement_rate"] == 0.0
    item.refresh_from_db()
    assert not item.open
    assert api_as(csu["al"]).get("/api/v1/qa/calibration").status_code == 403
