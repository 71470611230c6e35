"""QA in a real browser: under CSU's pack the weekly sample queues Al's solved tickets;
Quinn, the QA Lead, scores one with the scorecard form; Al signs in and reads the score
and comment on "My QA scores"."""

import re

from playwright.sync_api import expect

from tests.org.conftest import csu  # noqa: F401 (CSU's staffed chart)
from tests.qa.conftest import solved_week  # noqa: F401
from tierdesk.jobs.registry import run
from tierdesk.qa.models import ReviewItem

PASSWORD = "correct-horse-42"


def test_qa_lead_scores_a_ticket_and_the_agent_reads_the_score(csu, solved_week,  # noqa: F811
                                                               open_session):
    for who in ("quinn", "al"):
        csu[who].user.set_password(PASSWORD)
        csu[who].user.save()
    run("qa_sample")
    item = ReviewItem.objects.filter(agent=csu["al"]).order_by("id").first()

    quinn = open_session()
    quinn.sign_in("quinn", PASSWORD)
    page = quinn.page
    page.get_by_text("More", exact=True).click()  # the workspace's secondary pages' menu
    page.get_by_role("link", name="QA reviews").click()
    row = page.get_by_role("row", name=re.compile(re.escape(item.ticket.subject)))
    row.get_by_role("link", name="Score").click()
    for code, score in (("Empathy", "5"), ("Accuracy", "4"), ("Tone of voice", "5"),
                        ("Process followed", "4")):
        group = page.get_by_role("group", name=re.compile(f"^{code}"))
        group.get_by_label(score, exact=True).check()
    page.get_by_role("group", name=re.compile("^Tone of voice")).get_by_label(
        "Comment").fill("Warm and clear")
    quinn.screenshot("qa-scoring-form")
    page.get_by_role("button", name="Save review").click()
    expect(page.get_by_role("status")).to_contain_text(f"Review saved for ticket #{item.ticket_id}")
    expect(page.get_by_role("row", name=re.compile(re.escape(item.ticket.subject)))
           ).to_have_count(0)

    al = open_session()
    al.sign_in("al", PASSWORD)
    al.page.get_by_text("More", exact=True).click()
    al.page.get_by_role("link", name="My QA scores").click()
    expect(al.page.locator("#qa-summary")).to_have_text("1 review, average 86.7%")
    review = al.page.locator(".qa-review")
    expect(review).to_contain_text("86.7%")
    expect(review).to_contain_text("Warm and clear")
    expect(review).to_contain_text("Quinn Reviewer")
    al.screenshot("qa-my-scores")
