"""On a large desk a dashboard never counts while someone waits: it shows what is stored,
says how old it is or that it is being counted, and the ``reports_count`` job counts ahead
of the people who read it."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client

from tests.reports.test_figure_cache import NOVEMBER_PAGE, escalate, render
from tierdesk import clock
from tierdesk.jobs import registry
from tierdesk.people.access import viewer_for
from tierdesk.reports.models import ReportFigures
from tierdesk.tickets.services import ticket_create

COUNTING = "Counting the figures for"


@pytest.fixture(autouse=True)
def large_desk(settings):
    """Every desk counts as large here, so pages defer to the job."""
    settings.REPORTS_COUNT_INLINE_BELOW = 0


def tile(html, metric):
    """The tile's text, or None when the page shows no such tile (still counting)."""
    match = re.search(rf'data-metric="{metric}"><dt[^>]*>[^<]*</dt><dd>(.*?)</dd>', html, re.S)
    return re.sub(r"<[^>]+>", "", match.group(1)).strip() if match else None


def count_now():
    return registry.run("reports_count")


def test_a_month_never_counted_says_it_is_being_counted_and_the_job_fills_it_in(november):
    html, queries = render(november.maria.user)

    assert COUNTING + " 2026-11" in html
    assert tile(html, "first_contact_resolution") is None
    assert 'hx-trigger="every 2s"' in html  # the page asks again until the figures are in
    assert ReportFigures.objects.get(period="2026-11", filters="{}").wanted_at is not None

    assert count_now() == 2  # November, and December: the running month of a view read
    html, _ = render(november.maria.user)
    assert COUNTING not in html and "Figures as of" not in html
    assert tile(html, "first_contact_resolution") == "70%"
    assert tile(html, "escalation_rate") == "10%"
    assert re.search(r'<tr class="goal-met" data-metric="first_contact_resolution">', html)
    assert ReportFigures.objects.get(period="2026-11", filters="{}").wanted_at is None
    assert count_now() == 0  # nothing asked for, nothing running: no work


def test_a_page_asking_twice_is_counted_once(november):
    render(november.maria.user)
    render(november.maria.user)
    assert ReportFigures.objects.filter(wanted_at__isnull=False).count() == 1


def test_a_late_escalation_shows_the_old_figures_with_their_age_until_recounted(november):
    render(november.maria.user)
    count_now()
    clock.freeze(clock.now() + timedelta(hours=1))
    escalate(november, november.tickets[-1])  # the weekend ticket, still open

    html, _ = render(november.maria.user)
    assert tile(html, "escalation_rate") == "10%"  # stored, shown at once
    assert "Figures as of" in html
    assert count_now() >= 1

    html, _ = render(november.maria.user)
    assert tile(html, "escalation_rate") == "20%"
    assert "Figures as of" not in html


def test_an_agent_gets_their_own_figures_counted(november):
    html, _ = render(november.oscar.user, "/agent/reports/?period=2026-11")
    assert COUNTING in html
    count_now()
    html, _ = render(november.oscar.user, "/agent/reports/?period=2026-11")
    assert "My figures" in html
    assert tile(html, "tickets_created") == "0"


def test_a_filtered_view_is_counted_with_its_filters(november):
    render(november.maria.user, "/agent/reports/?period=2026-11&group=devops")
    count_now()
    html, _ = render(november.maria.user, "/agent/reports/?period=2026-11&group=devops")
    assert tile(html, "tickets_created") == "1"


def test_the_running_month_read_lately_is_kept_a_minute_fresh(november):
    render(november.maria.user, "/agent/reports/")  # December, running
    count_now()
    html, _ = render(november.maria.user, "/agent/reports/")
    assert tile(html, "tickets_created") == "0"

    clock.freeze(clock.now() + timedelta(minutes=2))
    ticket_create(viewer=viewer_for(november.customer.user), subject="December question",
                  body="Hello", requester=november.customer)
    assert count_now() == 1  # read two minutes ago: counted again before anyone asks

    html, _ = render(november.maria.user, "/agent/reports/")
    assert tile(html, "tickets_created") == "1"
    assert "Figures as of" not in html


def test_a_view_nobody_read_for_a_quarter_hour_is_left_alone(november):
    render(november.maria.user, "/agent/reports/")
    count_now()
    clock.freeze(clock.now() + timedelta(minutes=20))
    assert count_now() == 0


def test_a_new_month_is_counted_before_anyone_opens_it(november):
    # DataFlow reports in UTC: 23:00 on the last day of November, the month running
    clock.freeze(datetime(2026, 11, 30, 23, 0, tzinfo=UTC))
    render(november.maria.user, "/agent/reports/")
    count_now()

    clock.freeze(datetime(2026, 12, 1, 0, 5, tzinfo=UTC))
    assert count_now() == 1
    html, queries = render(november.maria.user, "/agent/reports/")
    assert "2026-12" in html
    assert COUNTING not in html
    assert tile(html, "tickets_created") == "0"


def test_a_page_of_stored_figures_reads_them_in_a_few_statements(november):
    render(november.maria.user)
    count_now()
    _, queries = render(november.maria.user)
    assert queries <= 20, queries


def test_the_counting_notice_is_in_the_readers_language(november):
    client = Client()
    client.force_login(november.maria.user)
    html = client.get(NOVEMBER_PAGE, HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Contando las cifras de 2026-11" in html


def test_the_leadership_view_is_counted_like_the_dashboard(november):
    path = "/agent/reports/leadership/?period=2026-Q4"
    html, _ = render(november.maria.user, path)
    assert COUNTING + " 2026-Q4" in html
    assert 'data-metric="first_contact_resolution"' not in html
    count_now()
    html, _ = render(november.maria.user, path)
    assert re.search(r'class="card goal-card goal-met" data-metric="first_contact_resolution"',
                     html)
