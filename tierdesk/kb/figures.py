"""Deflection figures for the reports: how much the KB and the bot spare the agents.

- the share of bot conversations resolved without an agent, per month;
- article views and "did this help?" answers per month;
- tickets per error code in the months before and after its first article was published.
"""

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Min, Sum
from django.db.models.functions import TruncMonth

from tierdesk.kb.models import Article, BotConversation, MonthlyStat
from tierdesk.tickets.models import Ticket


@dataclass(frozen=True)
class BotMonth:
    month: str
    conversations: int
    deflected: int
    handed_off: int

    @property
    def resolution_share(self) -> float | None:
        ended = self.deflected + self.handed_off
        return round(self.deflected / ended, 4) if ended else None


def bot_resolution(*, months: int = 12) -> list[BotMonth]:
    rows = (BotConversation.objects.annotate(m=TruncMonth("created_at")).values("m", "outcome")
            .annotate(n=Count("id")).order_by())
    by_month: dict[str, dict[str, int]] = defaultdict(dict)
    for row in rows:
        by_month[row["m"].strftime("%Y-%m")][row["outcome"]] = row["n"]
    out = [BotMonth(m, sum(c.values()), c.get("deflected", 0), c.get("handed_off", 0))
           for m, c in sorted(by_month.items())]
    return out[-months:]


def article_months(*, months: int = 12) -> list[dict]:
    """Return views and helpfulness per month (all articles and languages together)."""
    rows = (MonthlyStat.objects.values("month")
            .annotate(views=Sum("views"), yes=Sum("helpful_yes"), no=Sum("helpful_no"))
            .order_by("month"))
    out = []
    for row in rows:
        answered = row["yes"] + row["no"]
        out.append({"month": row["month"], "views": row["views"], "helpful_yes": row["yes"],
                    "helpful_no": row["no"],
                    "helpful_share": round(row["yes"] / answered, 4) if answered else None})
    return out[-months:]


def tickets_around_articles(*, window_days: int = 30) -> list[dict]:
    """Return, per error code with a published article, its tickets in the
    ``window_days`` before and after the first publication."""
    from datetime import timedelta

    first: dict[str, object] = {}
    for article in Article.objects.filter(published_at__isnull=False).only(
            "error_codes", "published_at"):
        for code in article.error_codes:
            if code not in first or article.published_at < first[code]:
                first[code] = article.published_at
    out = []
    window = timedelta(days=window_days)
    for code, at in sorted(first.items()):
        before = Ticket.objects.filter(error_code=code, created_at__gte=at - window,
                                       created_at__lt=at).count()
        after = Ticket.objects.filter(error_code=code, created_at__gte=at,
                                      created_at__lt=at + window).count()
        out.append({"error_code": code, "published_at": at.isoformat(),
                    "tickets_before": before, "tickets_after": after,
                    "change": round((after - before) / before, 4) if before else None})
    return out


def deflection_figures(*, months: int = 12, window_days: int = 30) -> dict:
    return {
        "bot": [{"month": b.month, "conversations": b.conversations, "deflected": b.deflected,
                 "handed_off": b.handed_off, "resolution_share": b.resolution_share}
                for b in bot_resolution(months=months)],
        "articles": article_months(months=months),
        "error_codes": tickets_around_articles(window_days=window_days),
        "published": Article.objects.filter(status=Article.Status.PUBLISHED).count(),
        "first_published": Article.objects.aggregate(m=Min("published_at"))["m"],
    }
