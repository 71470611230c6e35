"""Figures a dashboard has computed, kept per (period, filters, pack version) so the next
page shows them without recounting a million tickets.

Why a table rather than Django's cache: the figures of a closed period are a record that
should survive a restart and be shared by every worker, and its validity is a question
for the database itself (has an event landed since?), not a time to live.

When a row still holds:

- The pack version is part of the key: a new pack version (new targets, SLA policies,
  categories) computes afresh; the old version's rows stay for whoever views that version.
- A **closed** period (its end is past) changes only when a backdated event lands: a new
  audit event on a ticket of its cohort (solved, reopened, escalated, refunded, a clock
  breached: every state change writes one), an event stamped before the period's end (an
  import), or a survey answer or follow-up (survey figures count surveys by when they were
  sent). The row keeps ``event_mark``, the newest event id it has seen; checking it reads
  only the events after the mark (by primary key), and moves the mark on when none of them
  touches the period. Non-ticket figures (articles published, reviews, bot conversations,
  cancellations) are stamped when they happen, so they never land in a closed period.
- The **current** period keeps changing: its figures hold for ``LIVE_SECONDS`` (a minute),
  so a busy page is recounted at most once a minute, and every recount is the one-pass
  statements of ticket_metrics and sla_metrics.

On a large desk (reports.counting.counts_inline) a page is *deferred*: it never counts.
Figures that no longer hold are still shown, marked stale with the time they were counted,
and the page asks the ``reports_count`` job to recount them (stale-while-revalidate);
figures never counted make the page say so and poll until the job has stored them.

Known limit: a transaction that wrote an event with a lower id than the mark but committed
after the mark was read is not seen (transactions writing events are short; a new pack
version or the next event on the ticket recomputes).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max, Q

from tierdesk import clock
from tierdesk.packs.selectors import active_version
from tierdesk.reports.models import ReportFigures
from tierdesk.reports.period import Period
from tierdesk.reports.scope import Scope
from tierdesk.reports.targets import TREND_PERIODS
from tierdesk.tickets.models import TicketEvent

LIVE_SECONDS = 60
# Survey figures count surveys by when they were sent: a late answer changes a closed period.
SURVEY_EVENTS = ("survey_answered", "survey_follow_up")


class NotCounted(Exception):
    """A deferred page needs a figure that has never been counted for its scope."""


@dataclass
class Entry:
    key: dict[str, Any]
    figures: dict[str, Any] = field(default_factory=dict)
    mark: int = 0
    dirty: bool = False
    stale_since: datetime | None = None  # deferred pages: shown, but no longer holds
    row: ReportFigures | None = None


def _newest_event() -> int:
    return TicketEvent.objects.aggregate(m=Max("id"))["m"] or 0


def _touched_since(period: Period, mark: int, newest: int) -> bool:
    """Did an event after ``mark`` (up to ``newest``) change ``period``'s figures?"""
    return TicketEvent.objects.filter(id__gt=mark, id__lte=newest).filter(
        Q(ticket__created_at__gte=period.start, ticket__created_at__lt=period.end)
        | Q(created_at__lt=period.end) | Q(type__in=SURVEY_EVENTS),
    ).exists()


def _version(scope: Scope) -> int:
    """The pack version in force, read once per page (its scopes share the memo)."""
    if "pack_version" not in scope.memo:
        version = active_version()
        scope.memo["pack_version"] = version.pk if version is not None else 0
    return scope.memo["pack_version"]


def _key(scope: Scope) -> dict[str, Any]:
    return {"kind": scope.period.kind, "period": scope.period.label,
            "tz": str(scope.period.tz),
            "filters": json.dumps(scope.filters.as_dict(), sort_keys=True),
            "pack_version": _version(scope)}


def _page(scope: Scope) -> dict[str, Any]:
    """What one page reads once: the newest event id, and the stored rows of its period and
    the periods of its trends (any filters), in two statements."""
    memo = scope.memo.setdefault("figure_cache", {})
    if not memo:
        key = _key(scope)
        labels = [p.label for p in scope.period.trail(TREND_PERIODS)]
        memo["newest"] = _newest_event()
        memo["rows"] = {(r.period, r.filters): r for r in ReportFigures.objects.filter(
            kind=key["kind"], tz=key["tz"], pack_version=key["pack_version"],
            period__in=labels)}
        memo["labels"] = set(labels)
        memo["checked"] = {}
    return memo


def _holds(scope: Scope, row: ReportFigures, page: dict[str, Any]) -> bool:
    """Whether a closed period's row still holds; moves the period's marks on once."""
    newest = page["newest"]
    if row.event_mark >= newest:
        return True
    period = scope.period
    if period.label not in page["checked"]:
        oldest = (ReportFigures.objects.filter(kind=row.kind, period=row.period, tz=row.tz,
                                               pack_version=row.pack_version)
                  .order_by("event_mark").values_list("event_mark", flat=True).first())
        touched = _touched_since(period, oldest or 0, newest)
        if not touched:
            ReportFigures.objects.filter(kind=row.kind, period=row.period, tz=row.tz,
                                         pack_version=row.pack_version,
                                         event_mark__lt=newest).update(event_mark=newest)
        page["checked"][period.label] = touched
    if page["checked"][period.label]:
        # something landed after the oldest mark: recheck this row from its own mark
        return not _touched_since(period, row.event_mark, newest)
    return True


def _load(scope: Scope) -> Entry:
    key = _key(scope)
    page = _page(scope)
    row = page["rows"].get((key["period"], key["filters"]))
    if row is None and key["period"] not in page["labels"]:
        row = ReportFigures.objects.filter(**key).first()  # a period outside the trail
    entry = Entry(key=key, mark=page["newest"], row=row)
    if row is None or not row.figures:  # a row a page asked for, not counted yet
        return entry
    now = clock.now()
    if scope.period.end > now:  # the period still running
        holds = now - row.computed_at < timedelta(seconds=LIVE_SECONDS)
    else:
        holds = _holds(scope, row, page)
    if holds:
        entry.figures, entry.mark = dict(row.figures), row.event_mark
    elif scope.deferred:
        entry.figures, entry.stale_since = dict(row.figures), row.computed_at
    return entry


def cached_value(name: str, compute, scope: Scope) -> Any:
    """Metric ``name`` for ``scope`` from the stored figures, else computed and kept for
    :func:`save`."""
    entry: Entry = scope.remember("figures", lambda: _load(scope))
    if name in entry.figures:
        return entry.figures[name]
    if scope.deferred:
        raise NotCounted(name)
    value = compute(scope)
    entry.figures[name] = json.loads(json.dumps(value))  # as it will read back
    entry.dirty = True
    return value


def save(scope: Scope) -> None:
    """Store every figure the page's scopes computed (one row per period and filters)."""
    now = clock.now()
    for key, entry in list(scope.memo.items()):
        if not (isinstance(key, tuple) and key[0] == "figures" and entry.dirty):
            continue
        try:
            with transaction.atomic():
                ReportFigures.objects.update_or_create(
                    **entry.key, defaults={"figures": entry.figures, "event_mark": entry.mark,
                                           "computed_at": now})
        except IntegrityError:  # another page stored the same scope first: theirs holds
            pass
        entry.dirty = False


def _entries(scope: Scope) -> list[Entry]:
    return [e for k, e in scope.memo.items() if isinstance(k, tuple) and k[0] == "figures"]


def stale_since(scope: Scope) -> datetime | None:
    """When the oldest stale figures a deferred page showed were counted (None: all hold)."""
    times = [e.stale_since for e in _entries(scope) if e.stale_since is not None]
    return min(times) if times else None


def want(scope: Scope) -> bool:
    """Ask for ``scope``'s page to be recounted (its row made if none), and note the view.

    Returns whether a new request was made (a request already waiting is not repeated)."""
    now = clock.now()
    key = _key(scope)
    updated = ReportFigures.objects.filter(**key, wanted_at__isnull=True).update(
        wanted_at=now, viewed_at=now)
    if updated:
        return True
    if ReportFigures.objects.filter(**key).exists():
        return False
    try:
        with transaction.atomic():
            ReportFigures.objects.create(**key, figures={}, event_mark=0, computed_at=now,
                                         wanted_at=now, viewed_at=now)
    except IntegrityError:  # another page asked first
        return False
    return True


def note_viewed(scope: Scope) -> None:
    """Remember that a page showed ``scope`` (at most one write per row in 5 minutes), so
    the counting job keeps the views people look at warm."""
    now = clock.now()
    for entry in _entries(scope):
        row = entry.row
        if row is not None and entry.key == _key(scope) and (
                row.viewed_at is None or now - row.viewed_at > timedelta(minutes=5)):
            ReportFigures.objects.filter(pk=row.pk).update(viewed_at=now)
