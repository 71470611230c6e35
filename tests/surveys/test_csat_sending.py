"""DataFlow 8.1: "Send survey via Zendesk 24 hours after ticket closure (5-point scale,
comments)": not before, once after, in the ticket's language, and not to a customer
surveyed in the last week."""

from datetime import timedelta

from tests.factories import TicketFactory
from tests.surveys.conftest import LINK, SOLVED, solve, survey_mails
from tierdesk.people.access import viewer_for
from tierdesk.surveys.models import Survey
from tierdesk.surveys.services import surveys_sweep
from tierdesk.tickets.services import ticket_update


def test_no_survey_is_sent_before_24_hours_have_passed(solved):
    surveys_sweep(now=SOLVED + timedelta(hours=23, minutes=59))

    assert survey_mails() == []
    assert not Survey.objects.exists()


def test_the_survey_is_sent_once_24_hours_after_the_ticket_was_solved(solved):
    for minutes in (0, 1, 60, 60 * 24):
        surveys_sweep(now=SOLVED + timedelta(hours=24, minutes=minutes))

    [mail] = survey_mails(solved)
    assert mail.payload["to"] == [solved.requester.email]
    assert mail.payload["subject"] == f"[Ticket #{solved.pk}] How did we do?"
    scores = [int(m.group("score")) for m in LINK.finditer(mail.payload["body"])]
    assert scores == [1, 2, 3, 4, 5]
    assert solved.events.filter(type="survey_sent").count() == 1


def test_a_ticket_reopened_before_the_survey_is_due_gets_none(desk, solved):
    ticket_update(ticket=solved, viewer=viewer_for(desk.maria.user), changes={"status": "open"})

    surveys_sweep(now=SOLVED + timedelta(hours=25))

    assert survey_mails() == []


def test_the_survey_speaks_the_tickets_language(desk):
    spanish = TicketFactory(requester=desk.customer, group=desk.support, language="es",
                            subject="Panel lento")
    solve(desk, spanish)

    surveys_sweep(now=SOLVED + timedelta(hours=24))

    [mail] = survey_mails(spanish)
    assert mail.payload["subject"] == f"[Ticket #{spanish.pk}] ¿Cómo lo hicimos?"
    assert "Muy satisfecho" in mail.payload["body"]


def test_a_customer_surveyed_this_week_is_not_surveyed_again(desk, solved):
    surveys_sweep(now=SOLVED + timedelta(hours=24))
    second = TicketFactory(requester=desk.customer, group=desk.support)
    solve(desk, second, at=SOLVED + timedelta(days=2))

    surveys_sweep(now=SOLVED + timedelta(days=3, hours=1))

    assert len(survey_mails()) == 1
    assert Survey.objects.get(ticket=second).state == "skipped"
    assert second.events.get(type="survey_skipped").data["reason"].startswith("cool-off")


def test_after_the_cool_off_the_customer_is_surveyed_again(desk, solved):
    surveys_sweep(now=SOLVED + timedelta(hours=24))
    later = TicketFactory(requester=desk.customer, group=desk.support)
    solve(desk, later, at=SOLVED + timedelta(days=8))

    surveys_sweep(now=SOLVED + timedelta(days=9, hours=1))

    assert len(survey_mails(later)) == 1


def test_a_ticket_solved_long_before_surveys_began_is_not_surveyed(desk, solved):
    surveys_sweep(now=SOLVED + timedelta(days=30))

    assert survey_mails() == []


def test_a_solved_ticket_merged_into_another_gets_no_survey_of_its_own(desk, solved):
    from tierdesk.tickets.services import ticket_merge

    target = TicketFactory(requester=desk.customer, group=desk.support)
    ticket_merge(source=solved, target=target, viewer=viewer_for(desk.maria.user))

    surveys_sweep(now=SOLVED + timedelta(hours=25))

    assert survey_mails() == []
