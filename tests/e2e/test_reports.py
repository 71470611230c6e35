"""The manager reads November's figures in a real browser: the numbers on the dashboard
are those worked out by hand for the constructed month (tests/reports/conftest.py), the
handbook's goals are marked met or missed, and a filter picked in the form narrows them."""

from playwright.sync_api import expect

from tests.e2e.test_support_day import PASSWORD, with_passwords
from tests.reports.conftest import november  # noqa: F401 (the constructed month)


def tile(page, metric):
    return page.locator(f'.tile[data-metric="{metric}"] dd')


def test_the_manager_reads_novembers_figures_and_goals(november, open_session):  # noqa: F811
    with_passwords(november.maria)
    maria = open_session()
    maria.sign_in("maria", PASSWORD)
    maria.goto("/agent/reports/?period=2026-11&kind=month")
    page = maria.page
    expect(page.locator("#period-label")).to_have_text("2026-11")
    expect(tile(page, "tickets_created")).to_have_text("10")
    expect(tile(page, "first_contact_resolution")).to_have_text("70%")
    expect(tile(page, "escalation_rate")).to_have_text("10%")
    expect(page.locator('tr[data-metric="first_contact_resolution"]')).to_have_class("goal-met")
    expect(page.locator('tr[data-metric="escalation_rate"]')).to_have_class("goal-missed")
    expect(page.locator('tr[data-metric="first_contact_resolution"] svg')).to_be_visible()
    maria.screenshot("reports-dashboard")

    page.select_option("select[name=group]", "devops")
    page.locator(".report-filters button[type=submit]").click()
    expect(tile(page, "tickets_created")).to_have_text("1")
    expect(tile(page, "escalation_rate")).to_have_text("100%")


def test_the_leadership_view_in_arabic_reads_right_to_left(november, open_session):  # noqa: F811
    with_passwords(november.maria)
    maria = open_session(locale="ar")
    maria.sign_in("maria", PASSWORD)
    maria.goto("/agent/reports/leadership/?period=2026-Q4")
    expect(maria.page.locator("html")).to_have_attribute("dir", "rtl")
    expect(maria.page.locator('.goal-card[data-metric="first_contact_resolution"]')).to_have_class(
        "card goal-card goal-met")
    maria.screenshot("reports-leadership-ar")


def test_on_a_large_desk_the_page_fills_in_when_the_job_has_counted(november, open_session,  # noqa: F811
                                                                     settings):
    from tierdesk.jobs import registry

    settings.REPORTS_COUNT_INLINE_BELOW = 0  # every desk counts as large: pages defer
    with_passwords(november.maria)
    maria = open_session()
    maria.sign_in("maria", PASSWORD)
    maria.goto("/agent/reports/?period=2026-11&kind=month")
    page = maria.page
    expect(page.locator("#figures [role=status]")).to_contain_text(
        "Counting the figures for 2026-11")
    expect(tile(page, "first_contact_resolution")).to_have_count(0)
    maria.screenshot("reports-counting")

    registry.run("reports_count")  # what the sweep does on its next pass

    expect(tile(page, "first_contact_resolution")).to_have_text("70%", timeout=10_000)
    expect(page.locator("#figures [role=status]")).to_have_count(0)
