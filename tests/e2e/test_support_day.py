"""A support day in a real browser: Alice answers a P1 that is about to breach with the
pack's template and escalates it with the handoff form, the customer reads the answer in
the portal, Maria sees the breach on her board after the sweep, a script typed by a
customer never runs in an agent's browser, and an Arabic-speaking customer reads the
portal right to left. Screenshots of the main pages go to screenshots/."""

import re
from datetime import timedelta

from playwright.sync_api import expect

from tests.web.conftest import OPENED
from tierdesk import clock
from tierdesk.people.access import viewer_for
from tierdesk.sla.sweep import sla_sweep
from tierdesk.tickets.services import ticket_create, ticket_update

PASSWORD = "correct-horse-42"
XSS = '<img src=x onerror="alert(1)"><script>alert(2)</script>'


def with_passwords(*personas) -> None:
    for persona in personas:
        persona.user.set_password(PASSWORD)
        persona.user.save()


def test_agent_answers_with_a_template_escalates_and_the_customer_reads_it(desk,
                                                                           open_session):
    """A P2 opened on Monday at 09:00 New York is due after 12 business hours: Tuesday
    13:00. At 12:30 it is breaching soon (the P1 of the desk is long breached)."""
    with_passwords(desk.alice, desk.customer)
    slow, _ = ticket_create(viewer=viewer_for(desk.customer.user), requester=desk.customer,
                            subject="DB-2003: Slow Loading on the sales dashboard",
                            body="The sales dashboard takes a minute.", error_code="DB-2003")
    ticket_update(ticket=slow, viewer=viewer_for(desk.maria.user),
                  changes={"group": desk.support})
    clock.freeze(OPENED + timedelta(days=1, hours=3, minutes=30))

    alice = open_session()
    alice.sign_in("alice", PASSWORD)
    page = alice.page
    expect(page).to_have_url(re.compile("/agent/$"))
    page.get_by_role("link", name=re.compile("Breaching soon")).click()
    row = page.get_by_role("row", name=re.compile("DB-2003: Slow Loading"))
    expect(row).to_contain_text("Due in 30")
    expect(page.get_by_role("status")).to_contain_text("1 breached, 1 breaching soon")
    expect(page.locator("tbody tr")).to_have_count(1)
    alice.screenshot("workspace-queue")

    # Shortcuts and htmx are deferred scripts: a page reached by a click is read before
    # they run, so wait for them as a person would (a key pressed earlier is lost).
    page.wait_for_load_state()
    page.keyboard.press("j")  # keyboard: select the first row, then open it
    expect(row).to_have_attribute("aria-current", "true")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "DB-2003: Slow Loading on the sales dashboard")
    expect(page.locator(".clock-warned")).to_contain_text("Due in 30")
    page.wait_for_load_state()

    page.get_by_label("Template").select_option("initial_response")
    reply_box = page.get_by_label("Public reply")
    expect(reply_box).to_have_value(re.compile(r"^Dear Rita Redwood,"))
    expect(reply_box).to_have_value(re.compile("within 12 business hours per your Enterprise plan"))
    page.get_by_role("button", name="Send reply").click()
    expect(page.get_by_role("status")).to_have_text("Reply sent.")
    expect(page.locator(".entry-reply").last).to_contain_text("Dear Rita Redwood,")
    expect(page.locator(".clock-met")).to_contain_text("Met")
    alice.screenshot("ticket-page")

    escalate = page.locator("form[action$='/escalate/']")
    escalate.get_by_label("To", exact=True).select_option("ENG")
    escalate.get_by_label("Error code").fill("DB-2003")
    escalate.get_by_label("Customer ID").fill("1018")
    escalate.get_by_role("button", name="Escalate").click()
    steps = page.locator("form[action$='/escalate/']").get_by_label("Steps to reproduce")
    expect(steps).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#handoff-replication_steps-error")).to_have_text(
        "Steps to reproduce is required for this handoff.")
    expect(page.locator("#handoff-customer_id")).to_have_value("1018")
    alice.screenshot("ticket-handoff-refused")
    steps.fill("Open the sales dashboard with 12 months of data")
    page.locator("form[action$='/escalate/']").get_by_role("button", name="Escalate").click()
    expect(page.get_by_role("status")).to_have_text("Escalated to ENG.")

    customer = open_session()
    customer.sign_in("customer1018", PASSWORD)
    expect(customer.page).to_have_url(re.compile("/portal/$"))
    customer.page.get_by_role("link", name=re.compile("DB-2003")).click()
    expect(customer.page.locator(".entry-reply").last).to_contain_text(
        "A support agent will respond within 12 business hours")
    customer.screenshot("portal-en")
    assert alice.dialogs == [] and customer.dialogs == []


def test_the_board_shows_the_breach_after_the_sweep(desk, open_session):
    with_passwords(desk.maria)
    clock.freeze(OPENED + timedelta(hours=3, minutes=30))
    maria = open_session()
    maria.sign_in("maria", PASSWORD)
    maria.goto("/agent/sla/")
    status = maria.page.locator("#board-status")
    expect(status).to_have_text("1 open · 0 breached now · 1 breaching within the hour")
    expect(maria.page.get_by_text("Pack in force: dataflow v1")).to_be_visible()

    clock.freeze(OPENED + timedelta(hours=4, minutes=5))
    sla_sweep(now=clock.now())
    maria.page.reload()
    expect(status).to_have_text("1 open · 1 breached now · 0 breaching within the hour")
    breached = maria.page.locator("section", has=maria.page.get_by_role(
        "heading", name="Breaching now"))
    expect(breached).to_contain_text("SSO-9001: Login Failure for all staff")
    expect(breached).to_contain_text("Breached 5 minutes ago")
    maria.screenshot("sla-board")


def test_a_script_typed_by_a_customer_never_runs_in_the_agents_browser(desk, open_session):
    with_passwords(desk.customer, desk.maria)
    customer = open_session()
    customer.sign_in("customer1018", PASSWORD)
    customer.goto("/portal/new/")
    customer.page.get_by_label("Subject").fill(XSS)
    customer.page.get_by_label("Describe the problem").fill(XSS)
    customer.page.get_by_role("button", name="Send request").click()
    expect(customer.page.get_by_role("heading", level=1)).to_have_text(XSS)

    maria = open_session()
    maria.sign_in("maria", PASSWORD)
    maria.page.get_by_role("link", name=XSS).click()
    expect(maria.page.get_by_role("heading", level=1)).to_have_text(XSS)
    expect(maria.page.locator(".entry-reply .body").first).to_have_text(XSS)
    assert maria.page.locator("img[src='x']").count() == 0
    assert maria.dialogs == [] and customer.dialogs == []


def test_an_arabic_speaking_customer_reads_the_portal_right_to_left(desk, open_session):
    desk.customer.language = "ar"
    desk.customer.save()
    with_passwords(desk.customer)
    customer = open_session(locale="ar")
    customer.sign_in("customer1018", PASSWORD)
    expect(customer.page.locator("html")).to_have_attribute("dir", "rtl")
    expect(customer.page.locator("html")).to_have_attribute("lang", "ar")
    expect(customer.page.get_by_role("link", name=re.compile("SSO-9001"))).to_be_visible()
    customer.screenshot("portal-ar")
    customer.goto("/portal/new/")
    expect(customer.page.locator("html")).to_have_attribute("dir", "rtl")
    customer.screenshot("portal-new-ar")
