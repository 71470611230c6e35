"""NPS on a schedule per organisation (Fire22: "Net Promoter Score: 8.7/10"), and the
figures the reports read: response rate, averages, CSAT %, NPS."""

from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client

from tests.factories import (
    AgentFactory,
    ContactFactory,
    CustomerContactFactory,
    OrganisationFactory,
    UserFactory,
)
from tests.surveys.conftest import SOLVED, solve, survey_mails, token_in
from tierdesk import clock
from tierdesk.packs.services import pack_apply
from tierdesk.people.models import Role
from tierdesk.policy import PACKS_DIR
from tierdesk.surveys.models import Survey
from tierdesk.surveys.selectors import survey_stats
from tierdesk.surveys.services import surveys_sweep
from tierdesk.tasks.models import Task

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def fire22(db):
    pack_apply(source=(PACKS_DIR / "fire22.yaml").read_text())
    clock.freeze(T0)
    manager = AgentFactory(user=UserFactory(username="james"), role=Role.SUPPORT_MANAGER)
    org = OrganisationFactory(name="Lucky Sportsbook", plan="")
    contacts = [ContactFactory(organisation=org, email=f"ops{i}@lucky.example") for i in (1, 2)]
    return manager, org, contacts


def test_an_organisation_on_the_calendar_is_asked_every_90_days(fire22, api_as):
    manager, org, contacts = fire22
    put = api_as(manager.user).post(f"/api/v1/surveys/nps/organisations/{org.pk}", {})
    assert put.status_code == 200, put.content

    surveys_sweep(now=T0)
    surveys_sweep(now=T0 + timedelta(days=89))
    assert sorted(m.payload["to"][0] for m in survey_mails()) == [c.email for c in contacts]

    surveys_sweep(now=T0 + timedelta(days=90))
    assert len(survey_mails()) == 4


def test_an_organisation_not_on_the_calendar_is_never_asked(fire22):
    surveys_sweep(now=T0 + timedelta(days=400))

    assert survey_mails() == []


def test_an_organisation_may_be_asked_on_its_own_interval(fire22, api_as):
    manager, org, _ = fire22
    api_as(manager.user).post(f"/api/v1/surveys/nps/organisations/{org.pk}", {"every_days": 30})

    surveys_sweep(now=T0)
    surveys_sweep(now=T0 + timedelta(days=30))

    # the 30-day cool-off lets the second round through exactly at 30 days
    assert len(survey_mails()) == 4


def test_an_nps_detractor_gives_the_support_manager_a_task(fire22, api_as):
    manager, org, _ = fire22
    api_as(manager.user).post(f"/api/v1/surveys/nps/organisations/{org.pk}", {})
    surveys_sweep(now=T0)
    token = token_in(survey_mails()[0])

    assert Client().post(f"/survey/{token}/", {"score": "6"}).status_code == 200
    assert Client().post(f"/survey/{token}/", {"score": "0"}).status_code == 409

    [task] = Task.objects.all()
    assert task.role == "support_manager"
    assert "NPS detractor (6/10)" in task.title


def test_nps_scores_run_from_0_to_10(fire22, api_as):
    manager, org, _ = fire22
    api_as(manager.user).post(f"/api/v1/surveys/nps/organisations/{org.pk}", {})
    surveys_sweep(now=T0)
    token = token_in(survey_mails()[0])

    assert Client().post(f"/survey/{token}/", {"score": "11"}).status_code == 400
    assert Client().post(f"/survey/{token}/", {"score": "10"}).status_code == 200


def test_the_report_gives_response_rate_average_and_csat_share(desk, api_as):
    tickets = []
    for _ in range(4):
        customer = CustomerContactFactory(organisation=desk.customer.organisation)
        tickets.append(solve(desk, _ticket(desk, customer)))
    surveys_sweep(now=SOLVED + timedelta(hours=24))
    for ticket, score in zip(tickets[:3], (5, 4, 2), strict=True):
        token = token_in(survey_mails(ticket)[0])
        Client().post(f"/survey/{token}/", {"score": str(score)})

    stats = survey_stats()
    assert (stats.sent, stats.answered) == (4, 3)
    assert stats.response_rate == 0.75
    assert stats.average == pytest.approx(11 / 3, abs=0.01)
    assert stats.satisfied_share == pytest.approx(2 / 3)
    assert stats.low == 1
    report = api_as(desk.maria.user).get("/api/v1/surveys/report").json()
    assert report["response_rate"] == 0.75
    assert api_as(desk.alice.user).get("/api/v1/surveys/report").status_code == 403


def test_the_nps_figure_is_promoters_minus_detractors(fire22, api_as):
    manager, org, _ = fire22
    for i in range(2, 4):
        ContactFactory(organisation=org, email=f"ops{i + 1}@lucky.example")
    api_as(manager.user).post(f"/api/v1/surveys/nps/organisations/{org.pk}", {})
    surveys_sweep(now=T0)
    for mail, score in zip(survey_mails(), (10, 9, 8, 3), strict=True):
        Client().post(f"/survey/{token_in(mail)}/", {"score": str(score)})

    assert survey_stats(kind="nps").nps == 25.0  # 50% promoters - 25% detractors
    assert Survey.objects.filter(kind="nps").count() == 4


def _ticket(desk, customer):
    from tests.factories import TicketFactory

    return TicketFactory(requester=customer, group=desk.support)
