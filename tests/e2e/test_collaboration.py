"""Two agents on one ticket in two browsers: each sees the other on the page, a reply
written while the other answered asks before it is sent; merging a duplicate; a file
attached to a reply is downloaded by the agent and by the customer in the portal; the
keyboard reaches the reply box (r) and the shortcut help (?)."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.test_support_day import PASSWORD, with_passwords
from tierdesk.people.access import viewer_for
from tierdesk.tickets.services import ticket_create, ticket_update
from tierdesk.workspace import selectors as presence


@pytest.fixture(autouse=True)
def quick_heartbeats(monkeypatch, settings, tmp_path):
    monkeypatch.setattr(presence, "PRESENCE_POLL_SECONDS", 1)
    settings.MEDIA_ROOT = tmp_path


def test_two_agents_see_each_other_and_a_stale_reply_asks_before_sending(desk, open_session,
                                                                         monkeypatch):
    from tierdesk.web import agent_views

    monkeypatch.setattr(agent_views, "PRESENCE_POLL_SECONDS", 1)
    with_passwords(desk.alice, desk.maria)
    url = f"/agent/tickets/{desk.ticket.pk}/"
    alice, maria = open_session(), open_session()
    alice.sign_in("alice", PASSWORD)
    maria.sign_in("maria", PASSWORD)
    alice.goto(url)
    maria.goto(url)
    expect(maria.page.locator("#presence")).to_contain_text("Alice Agent (viewing)")
    expect(alice.page.locator("#presence")).to_contain_text("Maria")

    # Alice starts writing (keyboard: r jumps to the reply box); Maria sees it
    alice.page.get_by_role("heading", level=1).click()
    alice.page.keyboard.press("r")
    expect(alice.page.get_by_label("Public reply")).to_be_focused()
    alice.page.keyboard.type("Please clear your browser cookies and try again.")
    expect(maria.page.locator("#presence")).to_contain_text("Alice Agent (writing a reply)")

    # Maria answers first
    maria.page.get_by_label("Public reply").fill("We restarted the SSO service; try now.")
    maria.page.get_by_role("button", name="Send reply").click()
    expect(maria.page.get_by_role("status")).to_have_text("Reply sent.")

    # Alice's reply is held back with what changed, her draft kept
    alice.page.get_by_role("button", name="Send reply").click()
    notice = alice.page.locator("#changed-notice")
    expect(notice).to_contain_text("This ticket changed while you were writing")
    expect(notice).to_contain_text("We restarted the SSO service; try now.")
    expect(alice.page.locator(".entry-reply.entry-new")).to_contain_text(
        "We restarted the SSO service")
    expect(alice.page.get_by_label("Public reply")).to_have_value(
        "Please clear your browser cookies and try again.")
    alice.screenshot("ticket-changed-meanwhile")
    alice.page.get_by_role("button", name="Send anyway").click()
    expect(alice.page.get_by_role("status")).to_have_text("Reply sent.")
    expect(alice.page.locator(".entry-reply").last).to_contain_text("clear your browser")

    # ? opens the shortcut help
    alice.page.get_by_role("heading", level=1).click()
    alice.page.keyboard.press("?")
    expect(alice.page.get_by_role("dialog")).to_contain_text("Keyboard shortcuts")
    assert alice.dialogs == [] and maria.dialogs == []


def test_merge_a_duplicate_and_exchange_a_file(desk, open_session, tmp_path):
    with_passwords(desk.alice, desk.customer)
    dup, _ = ticket_create(viewer=viewer_for(desk.customer.user), requester=desk.customer,
                           subject="Login still broken", body="Same problem as before.")
    ticket_update(ticket=dup, viewer=viewer_for(desk.maria.user),
                  changes={"group": desk.support})
    alice = open_session()
    alice.sign_in("alice", PASSWORD)
    page = alice.page
    alice.goto(f"/agent/tickets/{dup.pk}/")
    page.get_by_label("Merge this ticket into ticket #").fill(str(desk.ticket.pk))
    page.get_by_role("button", name="Merge", exact=True).click()
    expect(page.get_by_role("status")).to_have_text(
        f"Ticket #{dup.pk} merged into #{desk.ticket.pk}.")
    expect(page).to_have_url(re.compile(f"/agent/tickets/{desk.ticket.pk}/$"))
    expect(page.locator(".timeline")).to_contain_text("Same problem as before.")

    log = tmp_path / "fix-steps.txt"
    log.write_text("1. Clear cookies\n2. Sign in again\n")
    page.get_by_label("Public reply").fill("The steps are in the attached file.")
    page.get_by_label("Attach files").set_input_files(str(log))
    page.get_by_role("button", name="Send reply").click()
    expect(page.get_by_role("status")).to_have_text("Reply sent.")
    link = page.get_by_role("link", name="fix-steps.txt")
    with page.expect_download() as got:
        link.click()
    assert got.value.suggested_filename == "fix-steps.txt"
    assert Path(got.value.path()).read_text() == "1. Clear cookies\n2. Sign in again\n"

    customer = open_session()
    customer.sign_in("customer1018", PASSWORD)
    customer.goto(f"/portal/tickets/{desk.ticket.pk}/")
    with customer.page.expect_download() as got:
        customer.page.get_by_role("link", name="fix-steps.txt").click()
    assert Path(got.value.path()).read_text() == "1. Clear cookies\n2. Sign in again\n"
    shot = tmp_path / "screen.txt"
    shot.write_text("error 500 at 09:14")
    customer.page.get_by_label("Your reply").fill("Still failing, see my notes.")
    customer.page.get_by_label("Attach files").set_input_files(str(shot))
    customer.page.get_by_role("button", name="Send").click()
    expect(customer.page.get_by_role("link", name="screen.txt")).to_be_visible()
    alice.page.reload()
    expect(alice.page.get_by_role("link", name="screen.txt")).to_be_visible()
