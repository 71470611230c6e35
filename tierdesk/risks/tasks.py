"""Risk review reminders as a periodic sweep over the indexed review date."""

from datetime import datetime

from tierdesk import clock


def risk_reviews_due(now: datetime | None = None) -> int:
    from tierdesk.risks.services import remind_due

    return remind_due(now=now or clock.now())
