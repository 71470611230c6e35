"""The workspace's navigation: the pages of a working day in the bar, the rest under a
"More" menu that opens and closes from the keyboard; the g-shortcuts still work."""

from playwright.sync_api import expect

from tests.e2e.test_support_day import PASSWORD, with_passwords


def test_the_manager_finds_refunds_under_more_with_the_keyboard(desk, open_session):
    with_passwords(desk.maria)
    maria = open_session()
    maria.sign_in("maria", PASSWORD)
    page = maria.page
    nav = page.get_by_role("navigation", name="Workspace")
    for name in ("Queues", "Live chats", "SLA board", "Incidents", "Tasks", "Knowledge base"):
        expect(nav.get_by_role("link", name=name, exact=True)).to_be_visible()
    refunds = nav.get_by_role("link", name="Refunds")
    expect(refunds).to_be_hidden()
    more = nav.get_by_text("More", exact=True)
    more.focus()
    page.keyboard.press("Enter")
    expect(refunds).to_be_visible()
    expect(nav.get_by_role("link", name="Leadership")).to_be_visible()
    page.keyboard.press("Escape")
    expect(refunds).to_be_hidden()
    expect(more).to_be_focused()
    page.get_by_role("heading", level=1).click()
    page.keyboard.press("g")
    page.keyboard.press("b")
    expect(page).to_have_url(maria.base_url + "/agent/sla/")
