"""Surveys and refunds in a real browser: a customer answers the satisfaction survey from
the link in the mail that reached a real SMTP server on loopback (no login), and Maria,
the support manager, approves in the workspace a refund Alice's limit sent up to her."""

import re
from datetime import timedelta

from playwright.sync_api import expect

from tests.e2e.test_support_day import PASSWORD, with_passwords
from tests.factories import TicketFactory
from tests.outbox.fixtures import smtp_server  # noqa: F401 (a real SMTP server on loopback)
from tests.surveys.conftest import LINK, SOLVED, solve
from tierdesk.outbox.services import deliver_due
from tierdesk.refunds.models import LedgerEntry, RefundRequest
from tierdesk.surveys.models import SurveyResponse
from tierdesk.surveys.services import surveys_sweep
from tierdesk.tasks.models import Task


def test_a_customer_answers_the_survey_from_the_link_in_the_mail(desk, open_session,
                                                                 smtp_server,  # noqa: F811
                                                                 live_server, settings):
    settings.PUBLIC_URL = live_server.url
    solve(desk, desk.ticket)
    due = SOLVED + timedelta(hours=24)
    surveys_sweep(now=due)
    deliver_due(now=due, limit=1000)

    [mail] = [m for m in smtp_server.messages if "How did we do?" in m["Subject"]]
    assert mail["To"] == desk.customer.email
    links = {int(m.group("score")): m.group(0) for m in LINK.finditer(mail.get_content())}
    assert sorted(links) == [1, 2, 3, 4, 5]

    customer = open_session()  # straight from the mail: nobody signs in
    customer.page.goto(links[2])
    page = customer.page
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "How satisfied are you with our help?")
    expect(page.get_by_label("2 – Dissatisfied")).to_be_checked()
    page.get_by_label("Comment (optional)").fill("It took three days to get an answer.")
    customer.screenshot("survey-answer")
    page.get_by_role("button", name="Send my answer").click()
    expect(page.get_by_role("status")).to_have_text("Your answer has been recorded.")

    response = SurveyResponse.objects.get()
    assert (response.score, response.comment) == (2, "It took three days to get an answer.")
    assert Task.objects.get().role == "support_manager"  # the Enterprise follow-up
    assert LedgerEntry.objects.get().amount_minor == 10000  # and its $100 credit

    page.goto(links[5])  # the same link again: answered once, no second answer
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "You have already answered this survey")
    assert SurveyResponse.objects.get().score == 2


def test_a_manager_approves_in_the_workspace_a_refund_routed_to_her(desk, open_session):
    with_passwords(desk.alice, desk.maria)
    starter = TicketFactory(requester=desk.other_customer, group=desk.support,
                            subject="Refund the annual Starter plan")

    alice = open_session()
    alice.sign_in("alice", PASSWORD)
    alice.goto(f"/agent/tickets/{starter.pk}/")
    form = alice.page.locator(f"form[action$='/tickets/{starter.pk}/refunds/']")
    form.get_by_label("Amount (USD)").fill("300")
    form.get_by_label("Days since the charge").fill("12")
    form.get_by_label("Reason").fill("Bought the annual plan by mistake")
    form.get_by_role("button", name="Request refund").click()
    expect(alice.page.get_by_role("status")).to_have_text(
        "Above your limit: routed to support manager.")
    request = RefundRequest.objects.get()

    maria = open_session()
    maria.sign_in("maria", PASSWORD)
    page = maria.page
    nav = page.get_by_role("navigation", name="Workspace")
    nav.get_by_text("More", exact=True).click()  # the secondary pages' menu
    nav.get_by_role("link", name="Refunds").click()
    awaiting = page.get_by_role("region", name="Waiting for your decision")
    row = awaiting.get_by_role("row", name=re.compile(f"#{request.pk} Refund"))
    expect(row).to_contain_text("$300")
    expect(row).to_contain_text("refunds.limits[1]")
    maria.screenshot("refunds-awaiting")
    row.get_by_label("Note").fill("Within the 30-day guarantee")
    row.get_by_role("button", name="Approve").click()
    expect(page.get_by_role("status")).to_have_text(f"Approved request #{request.pk}.")
    expect(page.get_by_text("Nothing is waiting for you.")).to_be_visible()

    entry = LedgerEntry.objects.get()
    assert (entry.amount_minor, entry.approved_by, entry.approver_role) == (
        30000, desk.maria.user, "support_manager")
