"""Counting dashboards ahead of the people who read them.

A month of a million-ticket desk takes seconds to count, and a page must answer in well
under a second. So on a large desk a page never counts (figure_cache, deferred scopes): it
shows what is stored and asks this job to recount. The job:

1. counts every page asked for (``wanted_at``), oldest first;
2. keeps warm the views read in the last day: when their running period has no figures
   yet (a new day, week, month or quarter has begun) it counts them before anyone asks,
   and a view read in the last quarter of an hour is recounted once its figures are a
   minute old, so the next look is fresh.

A small desk counts inline, as it always has: the page is fast either way, and a person
looking at a ten-ticket demo should not wait for a job.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Max

from tierdesk import clock
from tierdesk.jobs import dispatch
from tierdesk.jobs.registry import register_periodic
from tierdesk.packs.selectors import active_version
from tierdesk.reports.dashboard import dashboard_figures
from tierdesk.reports.figure_cache import LIVE_SECONDS
from tierdesk.reports.models import ReportFigures
from tierdesk.reports.period import PeriodError, parse_period, period_containing
from tierdesk.reports.scope import Filters, Scope
from tierdesk.tickets.models import Ticket

log = logging.getLogger(__name__)

JOB = "reports_count"
WARM_FOR = timedelta(days=1)  # views read this recently are counted at a period's start
FRESH_FOR = timedelta(minutes=15)  # views read this recently are kept a minute fresh
MAX_PAGES_PER_PASS = 20


def counts_inline() -> bool:
    """Whether pages count their own figures: while the desk has fewer tickets than
    ``REPORTS_COUNT_INLINE_BELOW`` (by the highest ticket id: one index read)."""
    limit = getattr(settings, "REPORTS_COUNT_INLINE_BELOW", 20_000)
    newest = Ticket.objects.aggregate(m=Max("id"))["m"] or 0
    return newest < limit


def ask(scope: Scope) -> None:
    """A page needs ``scope`` counted: note it, and wake a Celery worker for it.

    On the embedded default the next sweep pass (``TIERDESK_SWEEP_INTERVAL``, in the server's
    master process) counts it: a web worker's job thread would hold the interpreter lock
    for seconds, slowing every page that worker serves meanwhile."""
    from tierdesk.reports.figure_cache import want

    if want(scope) and dispatch.mode() == "celery":
        dispatch.kick(JOB)


def _scope_of(row: ReportFigures) -> Scope | None:
    try:
        period = parse_period(row.period, row.tz)
        filters = Filters.of(**json.loads(row.filters))
    except (PeriodError, ValueError, TypeError):
        log.warning("report figures row %s has an unreadable scope; dropped", row.pk)
        return None
    return Scope(period, filters, stored=True)


def count(row: ReportFigures) -> bool:
    """Count the page of ``row``'s scope (its figures and the trends' periods) and store it."""
    scope = _scope_of(row)
    if scope is None:
        ReportFigures.objects.filter(pk=row.pk).delete()
        return False
    started = clock.now()
    dashboard_figures(scope)  # stores every figure it counts (figure_cache.save)
    # a page that asked while this count ran asked for figures this count may predate
    ReportFigures.objects.filter(pk=row.pk, wanted_at__lte=started).update(wanted_at=None)
    return True


def _wanted(version: int) -> list[ReportFigures]:
    stale_versions = ReportFigures.objects.filter(wanted_at__isnull=False).exclude(
        pack_version=version)
    stale_versions.update(wanted_at=None)  # the pack changed: pages ask for the new one
    return list(ReportFigures.objects.filter(wanted_at__isnull=False, pack_version=version)
                .order_by("wanted_at")[:MAX_PAGES_PER_PASS])


def _to_warm(now: datetime, version: int) -> list[ReportFigures]:
    """Rows for the running period of every view read lately, made where missing (three
    statements a pass however many views there are: the views, their rows, the new ones)."""
    views = (ReportFigures.objects.filter(viewed_at__gte=now - WARM_FOR, pack_version=version)
             .values("kind", "tz", "filters").annotate(seen=Max("viewed_at")))
    wanted: dict[tuple[str, str, str, str], datetime] = {}
    for view in views:
        try:
            label = period_containing(view["kind"], now, view["tz"]).label
        except (PeriodError, ValueError):
            continue
        wanted[(view["kind"], view["tz"], view["filters"], label)] = view["seen"]
    if not wanted:
        return []
    existing = {(r.kind, r.tz, r.filters, r.period): r for r in ReportFigures.objects.filter(
        pack_version=version, period__in={key[3] for key in wanted})}
    missing = [ReportFigures(kind=kind, tz=tz, filters=filters, period=label,
                             pack_version=version, figures={}, computed_at=now)
               for kind, tz, filters, label in wanted
               if (kind, tz, filters, label) not in existing]
    if missing:  # another pass or a page may make the same row meanwhile: theirs holds
        ReportFigures.objects.bulk_create(missing, ignore_conflicts=True)
        existing.update({(r.kind, r.tz, r.filters, r.period): r
                         for r in ReportFigures.objects.filter(
                             pack_version=version, period__in={m.period for m in missing},
                             figures={})})
    rows = []
    for key, seen in wanted.items():
        row = existing.get(key)
        if row is None:
            continue
        never = not row.figures
        watched = now - seen < FRESH_FOR
        if never or (watched and now - row.computed_at >= timedelta(seconds=LIVE_SECONDS)):
            rows.append(row)
    return rows


def count_pages(now: datetime | None = None) -> int:
    """The job: count the pages asked for, then warm the views read lately."""
    now = now or clock.now()
    current = active_version()
    version = current.pk if current is not None else 0
    done = 0
    seen: set[int] = set()
    for row in _wanted(version) + _to_warm(now, version):
        if row.pk in seen or done >= MAX_PAGES_PER_PASS:
            continue
        seen.add(row.pk)
        done += count(row)
    return done


def register() -> None:
    register_periodic(JOB, count_pages, order=95)
