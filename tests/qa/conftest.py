"""CSU's staffed chart (tests/org/conftest.py) and a week of Al's and Tess's solved
tickets: the QA sample is drawn on Monday 7 December 2026 from the week before."""

from datetime import UTC, datetime, timedelta

import pytest

from tests.factories import TicketFactory
from tests.org.conftest import csu  # noqa: F401 (the same CSU desk)
from tierdesk import clock

MONDAY = datetime(2026, 12, 7, 6, 0, tzinfo=UTC)


@pytest.fixture
def solved_week(csu):  # noqa: F811
    clock.freeze(MONDAY)
    tickets = {"al": [], "tess": []}
    for who, count in (("al", 6), ("tess", 2)):
        for i in range(count):
            at = MONDAY - timedelta(days=6, hours=-i)
            tickets[who].append(TicketFactory(
                requester=csu["customer"], assignee=csu[who], status="solved",
                subject=f"{who} solved {i}", created_at=at - timedelta(hours=2),
                solved_at=at))
    # Solved before the window: never sampled this week.
    TicketFactory(requester=csu["customer"], assignee=csu["al"], status="solved",
                  solved_at=MONDAY - timedelta(days=9))
    return tickets
