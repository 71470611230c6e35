"""The weekly QA sample as a periodic job."""

from datetime import datetime

from tierdesk import clock


def qa_sample(now: datetime | None = None) -> int:
    """Draw this week's QA sample under the active pack; return how many were queued."""
    from tierdesk.packs.selectors import active_pack
    from tierdesk.qa.services import sample_week

    return sample_week(now=now or clock.now(), pack=active_pack())
