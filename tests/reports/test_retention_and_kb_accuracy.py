"""Fire22's "Customer Retention: 92%" and DataFlow's "Knowledge Base Accuracy: 95% (manager
reviews)", each on a constructed month whose answer is known by hand."""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from tests.factories import AgentFactory, CustomerContactFactory, OrganisationFactory, UserFactory
from tierdesk import clock
from tierdesk.kb import services as kb
from tierdesk.packs.services import pack_apply
from tierdesk.people.access import viewer_for
from tierdesk.people.models import Role
from tierdesk.policy import PACKS_DIR
from tierdesk.refunds.services import refund_request
from tierdesk.reports.period import parse_period
from tierdesk.reports.registry import METRICS
from tierdesk.reports.scope import Filters, Scope
from tierdesk.reports.selectors import goals_report
from tierdesk.tickets.services import ticket_create

NEW_YORK = ZoneInfo("America/New_York")
NOVEMBER = parse_period("2026-11", "America/New_York")


def at(month: int, day: int, hour: int = 10) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=NEW_YORK)


def value(name, period=NOVEMBER, **filters):
    return METRICS[name].value(Scope(period, Filters.of(**filters)))


@pytest.fixture
def customers(db):
    """October: Acme, Birch, Cedar and Dune write in; Cedar's cancellation is approved on
    20 October. November: Birch's cancellation is approved (lost), Dune's waits for the
    support manager (not lost yet), Elm writes in for the first time (not in October's
    customers). November's retention: of Acme, Birch, Dune (Cedar had already gone), Birch
    left: 2 of 3, 66.67%."""
    clock.freeze(at(10, 1, 9))
    pack_apply(source=(PACKS_DIR / "dataflow.yaml").read_text())
    maria = AgentFactory(user=UserFactory(username="maria"), role=Role.SUPPORT_MANAGER)
    alice = AgentFactory(user=UserFactory(username="alice"))
    tickets = {}
    for name, plan, day in (("Acme", "Starter", 5), ("Birch", "Starter", 12),
                            ("Cedar", "Starter", 14), ("Dune", "Enterprise", 28),
                            ("Elm", "Starter", None)):
        org = OrganisationFactory(name=name, plan=plan)
        contact = CustomerContactFactory(organisation=org, user=UserFactory(username=name))
        clock.freeze(at(10, day) if day else at(11, 3))
        tickets[name], _ = ticket_create(viewer=viewer_for(contact.user), subject="Plan",
                                         body="We are thinking about our plan.",
                                         requester=contact)

    def cancel(name, when, by):
        clock.freeze(when)
        return refund_request(viewer=viewer_for(by.user), ticket=tickets[name],
                              kind="cancellation", amount="0", currency="USD",
                              reason="Moving to another tool")

    assert cancel("Cedar", at(10, 20), alice).status == "approved"
    assert cancel("Birch", at(11, 10), alice).status == "approved"
    assert cancel("Dune", at(11, 12), alice).status == "pending"  # Enterprise: the manager's
    clock.freeze(at(12, 1, 12))
    return maria


def test_retention_counts_octobers_customers_who_did_not_cancel_in_november(customers):
    assert value("retention") == 66.67
    # October's own base: nobody wrote in September, so there is nothing to measure
    assert value("retention", parse_period("2026-10", "America/New_York")) is None
    # the report's filters pick the customers: Enterprise's only one, Dune, stayed
    assert value("retention", plan="Enterprise") == 100.0
    assert value("retention", plan="Starter") == 50.0  # Acme kept, Birch lost


def test_cancellations_count_in_the_cancellation_rate_and_churn_risk(customers):
    # a cancellation moves no money, so it is read from the approved requests, not the ledger
    october = parse_period("2026-10", "America/New_York")
    assert value("cancellation_rate", october) == 50.0  # Birch's and Cedar's of four tickets
    assert value("cancellation_rate") == 0.0  # Elm's November ticket
    assert value("churn_risk_organisations") == 1  # Birch, approved in November
    assert value("churn_risk_organisations", october) == 1  # Cedar


def test_fire22s_retention_goal_is_shown_with_its_92_percent_target(customers):
    pack_apply(source=(PACKS_DIR / "fire22.yaml").read_text())
    goal = next(g for g in goals_report(Scope(NOVEMBER)) if g["metric"] == "retention")
    assert (goal["target"], goal["actual"], goal["met"]) == (92.0, 66.67, False)
    assert goal["computed"] is True
    assert [p["value"] for p in goal["trend"]] == [None, None, None, 66.67]

    client = Client()
    client.force_login(customers.user)
    html = client.get("/agent/reports/?period=2026-11&kind=month").content.decode()
    row = re.search(r'<tr class="(goal-\w+)" data-metric="retention">(.*?)</tr>', html, re.S)
    assert row.group(1) == "goal-missed"
    target = re.search(r"<td>(.*?)</td>", row.group(2), re.S).group(1)
    actual = re.search(r'<td class="actual">(.*?)</td>', row.group(2), re.S).group(1)
    assert re.sub(r"<[^>]+>", "", target).strip() == "≥ 92%"
    assert re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", actual)).strip() == "66.7% missed"


@pytest.fixture
def reviews(db):
    """November's accuracy reviews under DataFlow: Maria approves one article as written,
    asks for changes to another and approves it in the next round (3 decisions, 2
    approvals: 66.67%); compliance reviews and October's accuracy review do not count."""
    clock.freeze(at(10, 1, 9))
    pack_apply(source=(PACKS_DIR / "dataflow.yaml").read_text())
    alice = viewer_for(AgentFactory(user=UserFactory(username="alice")).user)
    maria_agent = AgentFactory(user=UserFactory(username="maria"), role=Role.SUPPORT_MANAGER)
    maria = viewer_for(maria_agent.user)
    dora = viewer_for(AgentFactory(user=UserFactory(username="dora"), role=Role.DIRECTOR).user)

    def article(title):
        a = kb.article_create(viewer=alice, language="en", title=title, body="1. Do this.")
        kb.article_submit(viewer=alice, article=a)
        return a

    clock.freeze(at(10, 30))
    kb.article_review(viewer=maria, article=article("October"), step="accuracy", approve=True)
    clock.freeze(at(11, 4))
    first = article("DS-1001: Invalid credentials")
    kb.article_review(viewer=maria, article=first, step="accuracy", approve=True)
    kb.article_review(viewer=dora, article=first, step="compliance", approve=True)
    second = article("API-4004: Rate limited")
    kb.article_review(viewer=maria, article=second, step="accuracy", approve=False,
                      comment="The limit is 100 a minute, not 1,000")
    clock.freeze(at(11, 6))
    second.refresh_from_db()
    kb.article_submit(viewer=alice, article=second)
    kb.article_review(viewer=maria, article=second, step="accuracy", approve=True)
    clock.freeze(at(12, 1, 12))
    return maria_agent


def test_kb_accuracy_is_the_share_of_accuracy_reviews_approving_the_article(reviews):
    assert value("kb_accuracy") == 66.67
    assert value("kb_accuracy", parse_period("2026-10", "America/New_York")) == 100.0
    assert value("kb_accuracy", parse_period("2026-09", "America/New_York")) is None


def test_dataflows_kb_accuracy_goal_is_95_percent_on_the_dashboard(reviews):
    goal = next(g for g in goals_report(Scope(NOVEMBER)) if g["metric"] == "kb_accuracy")
    assert (goal["target"], goal["actual"], goal["met"]) == (95.0, 66.67, False)
    assert goal["label"] == "Knowledge Base Accuracy: 95% (manager reviews)"

    client = Client()
    client.force_login(reviews.user)
    html = client.get("/agent/reports/?period=2026-11&kind=month").content.decode()
    assert 'data-metric="kb_accuracy"' in html
    tile = re.search(r'data-metric="kb_accuracy"><dt[^>]*>[^<]*</dt><dd>(.*?)</dd>', html, re.S)
    assert re.sub(r"<[^>]+>", "", tile.group(1)).strip() == "66.7%"
