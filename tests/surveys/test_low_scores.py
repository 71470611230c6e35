"""DataFlow 8.1: "Escalate negative feedback (<3/5) to Support Manager within 12 hours",
"Follow up with dissatisfied customers (Template 5)", and for Enterprise customers "offer
a $100 credit for scores <3/5": each exactly once however often the sweep runs; a 3
triggers none of them."""

from datetime import timedelta

import pytest
from django.test import Client

from tests.factories import TicketFactory
from tests.surveys.conftest import SOLVED, solve, survey_mails, token_in
from tierdesk.outbox.models import OutboxMessage
from tierdesk.refunds.models import LedgerEntry
from tierdesk.surveys.models import SurveyResponse
from tierdesk.surveys.services import follow_up_pending, surveys_sweep
from tierdesk.tasks.models import Task

DUE = SOLVED + timedelta(hours=24)


def answer(ticket, score: int) -> None:
    surveys_sweep(now=DUE)
    token = token_in(survey_mails(ticket)[0])
    assert Client().post(f"/survey/{token}/", {"score": str(score)}).status_code == 200


def sweep_again(times: int = 3) -> None:
    for hour in range(times):
        surveys_sweep(now=DUE + timedelta(hours=hour + 1))


def follow_up_mails():
    return list(OutboxMessage.objects.filter(payload__template="low_satisfaction_follow_up"))


def test_an_enterprise_score_of_2_gives_a_task_a_template_and_a_credit_exactly_once(desk,
                                                                                   solved):
    answer(solved, 2)
    sweep_again()

    [task] = Task.objects.all()
    assert task.role == "support_manager"
    assert task.ticket == solved
    answered = SurveyResponse.objects.get().answered_at
    assert task.due_at - answered == timedelta(hours=12)
    [mail] = follow_up_mails()
    assert mail.payload["subject"] == f"[Ticket #{solved.pk}] We’d Like to Make Things Right"
    assert "(score: 2/5)" in mail.payload["body"]
    [credit] = LedgerEntry.objects.all()
    assert (credit.kind, credit.amount_minor, credit.currency) == ("credit", 10000, "USD")
    assert credit.approved_by is None
    assert "Enterprise low score credit" in credit.pack_rule
    assert solved.events.filter(type="credit_issued").count() == 1


def test_a_score_of_3_gives_no_task_no_template_and_no_credit(solved):
    answer(solved, 3)
    sweep_again()

    assert not Task.objects.exists()
    assert follow_up_mails() == []
    assert not LedgerEntry.objects.exists()


def test_a_starter_customers_low_score_gets_the_follow_up_but_no_credit(desk):
    ticket = TicketFactory(requester=desk.other_customer, group=desk.support)
    solve(desk, ticket)
    answer(ticket, 1)
    sweep_again()

    assert Task.objects.count() == 1
    assert len(follow_up_mails()) == 1
    assert not LedgerEntry.objects.exists()


def test_an_answer_left_without_follow_up_is_followed_up_by_the_next_sweep_once(solved):
    answer(solved, 1)
    # as if the follow-up had failed inside the answer: the sweep owes it
    SurveyResponse.objects.update(followed_up_at=None)
    Task.objects.all().delete()

    sweep_again()
    assert follow_up_pending(now=DUE + timedelta(hours=5)) == 0

    assert Task.objects.count() == 1
    assert LedgerEntry.objects.count() == 1  # the credit is keyed: never twice


@pytest.mark.parametrize("score", [4, 5])
def test_a_good_score_needs_no_follow_up(solved, score):
    answer(solved, score)
    sweep_again()

    assert not Task.objects.exists()
    assert not LedgerEntry.objects.exists()
