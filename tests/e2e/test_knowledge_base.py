"""The knowledge base in a real browser: Alice writes an article, Maria gives it the
DataFlow pack's two reviews (accuracy, compliance) and publishes it, the customer finds it
in the portal's help centre and marks it helpful, and the portal's assistant deflects the
customer's question with it."""

import re

from playwright.sync_api import expect

from tests.e2e.test_support_day import PASSWORD, with_passwords
from tierdesk.kb.models import Article, BotConversation

TITLE = "DS-1001: Invalid credentials on a data source"
BODY = "1. Open **Data sources**.\n2. Re-enter the database password.\n3. Test the connection."


def test_a_kb_article_is_published_after_review_and_a_customer_finds_it(desk, open_session):
    with_passwords(desk.alice, desk.maria, desk.customer)
    alice = open_session()
    alice.sign_in("alice", PASSWORD)
    page = alice.page
    page.goto(alice.base_url + "/agent/kb/")
    page.get_by_role("link", name="Write an article").click()
    page.get_by_label("Title").fill(TITLE)
    page.get_by_label("Body (Markdown)").fill(BODY)
    page.get_by_label("Error codes (space separated)").fill("DS-1001")
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    page.get_by_role("button", name="Submit for review").click()
    expect(page.get_by_test_id("article-status")).to_have_text("In Review")
    article = Article.objects.get()

    maria = open_session()
    maria.sign_in("maria", PASSWORD)
    mpage = maria.page
    mpage.goto(maria.base_url + f"/agent/kb/{article.pk}/")
    for step in ("Manager review for accuracy",
                 "Compliance review (security and privacy policies)"):
        mpage.get_by_label("Review step").select_option(label=step)
        mpage.get_by_role("button", name="Approve").click()
        expect(mpage.get_by_role("status")).to_contain_text("Review recorded.")
    mpage.get_by_role("button", name="Publish").click()
    expect(mpage.get_by_test_id("article-status")).to_have_text("Published")
    maria.screenshot("kb-article-published")

    customer = open_session()
    customer.sign_in("customer1018", PASSWORD)
    cpage = customer.page
    cpage.goto(customer.base_url + "/portal/")
    cpage.get_by_role("link", name="Help centre").click()
    cpage.get_by_label("Search the articles").fill("my database password is refused")
    cpage.get_by_role("button", name="Search").click()
    cpage.get_by_role("link", name=TITLE).click()
    expect(cpage.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(cpage.locator(".kb-body strong")).to_have_text("Data sources")
    cpage.get_by_role("button", name="Yes").click()
    expect(cpage.get_by_role("status")).to_contain_text("Thank you for your feedback.")
    customer.screenshot("portal-kb-article")
    article.refresh_from_db()
    assert (article.views, article.helpful_yes) == (2, 1)  # the read, then the thank-you page


def test_the_portal_assistant_deflects_a_question(desk, open_session):
    from tests.kb.conftest import Team, publish

    with_passwords(desk.customer)
    team = Team(alice=desk.alice, maria=desk.maria, dora=desk.maria, kim=desk.maria,
                customer=desk.customer, spanish_customer=desk.customer)
    publish(team, title=TITLE, body=BODY, codes=["DS-1001"])
    customer = open_session()
    customer.sign_in("customer1018", PASSWORD)
    page = customer.page
    page.goto(customer.base_url + "/portal/")
    page.get_by_role("link", name="Ask the assistant").click()
    page.get_by_label("Your question").fill("I get DS-1001 when my dashboard connects")
    page.get_by_role("button", name="Ask").click()
    expect(page.get_by_role("link", name=TITLE)).to_be_visible()
    expect(page.get_by_text("Did this solve it?")).to_be_visible()
    page.get_by_role("button", name="Yes, solved").click()
    expect(page.get_by_role("status").last).to_contain_text("Glad it helped!")
    customer.screenshot("portal-assistant-deflected")
    assert BotConversation.objects.get().outcome == "deflected"
    assert not re.search("handed", BotConversation.objects.get().handoff_reason)
