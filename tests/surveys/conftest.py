"""The DataFlow desk (tests/web/conftest.py) with a ticket solved on Monday 30 November
2026 at 10:00 New York time, and a helper that reads the survey link out of the mail."""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from tests.web.conftest import dataflow, desk  # noqa: F401 (the same desk as tests/web)
from tierdesk import clock
from tierdesk.outbox.models import OutboxMessage
from tierdesk.people.access import viewer_for
from tierdesk.tickets.services import ticket_update

SOLVED = datetime(2026, 11, 30, 10, 0, tzinfo=ZoneInfo("America/New_York"))
LINK = re.compile(r"https?://\S+/survey/(?P<token>[^/\s]+)/\?score=(?P<score>\d+)")


def solve(desk, ticket, at=SOLVED):  # noqa: F811 (a parameter, not the fixture)
    clock.freeze(at)
    ticket_update(ticket=ticket, viewer=viewer_for(desk.maria.user),
                  changes={"status": "solved"})
    return ticket


def survey_mails(ticket=None):
    mails = OutboxMessage.objects.filter(payload__template__in=["csat_survey", "nps_survey"])
    if ticket is not None:
        mails = mails.filter(ticket_id=ticket.pk)
    return list(mails.order_by("id"))


def token_in(mail) -> str:
    return LINK.search(mail.payload["body"]).group("token")


@pytest.fixture
def solved(desk):  # noqa: F811
    return solve(desk, desk.ticket)
