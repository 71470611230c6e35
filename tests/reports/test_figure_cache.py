"""A dashboard counts a closed period once and shows the stored figures after, until an
event lands on one of its tickets or the pack changes; the running period is at most a
minute old."""

import re
from datetime import timedelta

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.reports.conftest import PROFESSIONAL_TARGETS, at
from tierdesk import clock
from tierdesk.escalation.services import ticket_escalate
from tierdesk.packs.services import pack_apply
from tierdesk.people.access import viewer_for
from tierdesk.policy import PACKS_DIR
from tierdesk.reports.models import ReportFigures
from tierdesk.tickets.services import ticket_create

NOVEMBER_PAGE = "/agent/reports/?period=2026-11&kind=month"


def render(user, path=NOVEMBER_PAGE):
    client = Client()
    client.force_login(user)
    with CaptureQueriesContext(connection) as ctx:
        html = client.get(path).content.decode()
    return html, len(ctx.captured_queries)


def tile(html, metric):
    match = re.search(rf'data-metric="{metric}"><dt[^>]*>[^<]*</dt><dd>(.*?)</dd>', html, re.S)
    return re.sub(r"<[^>]+>", "", match.group(1)).strip()


def escalate(history, ticket):
    ticket.refresh_from_db()
    ticket_escalate(ticket=ticket, viewer=viewer_for(history.alice.user), to="devops",
                    criteria=[], handoff={"error_code": "DS-1001", "customer_id": "1004",
                                          "replication_steps": "Open it"})


def test_a_closed_month_is_counted_once_then_read_from_the_stored_figures(november):
    first, counting = render(november.maria.user)
    again, reading = render(november.maria.user)
    assert tile(first, "first_contact_resolution") == tile(again, "first_contact_resolution") \
        == "70%"
    assert tile(again, "escalation_rate") == "10%"
    assert reading < counting - 5, (reading, counting)
    stored = ReportFigures.objects.get(period="2026-11", filters="{}")
    assert stored.figures["tickets_created"] == 10


def test_a_late_escalation_of_a_november_ticket_recounts_november(november):
    render(november.maria.user)
    clock.freeze(at(30, 12) + timedelta(days=1, hours=1))  # 1 December
    escalate(november, november.tickets[-1])  # the weekend ticket, still open
    html, _ = render(november.maria.user)
    assert tile(html, "escalation_rate") == "20%"


def test_decembers_work_leaves_novembers_stored_figures_alone(november):
    _, counting = render(november.maria.user)
    mark = ReportFigures.objects.get(period="2026-11", filters="{}").event_mark
    ticket_create(viewer=viewer_for(november.customer.user), subject="December question",
                  body="Hello", requester=november.customer)
    html, queries = render(november.maria.user)
    assert tile(html, "tickets_created") == "10"
    assert queries < counting - 5  # the new events checked, nothing recounted
    assert ReportFigures.objects.get(period="2026-11", filters="{}").event_mark > mark


def test_a_new_pack_version_counts_the_month_again(november):
    render(november.maria.user)
    source = (PACKS_DIR / "dataflow.yaml").read_text()
    pack_apply(source=source.replace(PROFESSIONAL_TARGETS,
                                     "first_response: {P1: 12h, P2: 1h, P3: 48h}"))
    html, _ = render(november.maria.user)
    assert tile(html, "first_contact_resolution") == "70%"
    assert ReportFigures.objects.filter(period="2026-11", filters="{}").count() == 2


def test_the_running_month_is_at_most_a_minute_old(november):
    december = "/agent/reports/?period=2026-12&kind=month"
    assert tile(render(november.maria.user, december)[0], "tickets_created") == "0"
    ticket_create(viewer=viewer_for(november.customer.user), subject="December question",
                  body="Hello", requester=november.customer)
    assert tile(render(november.maria.user, december)[0], "tickets_created") == "0"
    clock.freeze(clock.now() + timedelta(seconds=61))
    assert tile(render(november.maria.user, december)[0], "tickets_created") == "1"


def test_an_agents_own_figures_are_stored_apart_from_the_teams(november):
    render(november.maria.user)
    html, _ = render(november.oscar.user)
    assert tile(html, "tickets_created") == "0"
    assert tile(render(november.maria.user)[0], "tickets_created") == "10"
