"""What a report looks at: a period, the filters a manager picked, and who is asking.

Every metric reads the tickets *created* in the period (a cohort), so a figure for
November never changes because December's work touched November's tickets... except as
those tickets' own outcomes land, which is what a cohort report is for.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

from django.db.models import Q, QuerySet

from tierdesk.reports.period import Period
from tierdesk.tickets.models import Ticket

FILTER_NAMES = ("group", "plan", "channel", "priority", "organisation", "language", "agent")


@dataclass(frozen=True)
class Filters:
    """Report filters; each holds one value or several (any of them matches)."""

    group: tuple[str, ...] = ()  # group codes or names
    plan: tuple[str, ...] = ()
    channel: tuple[str, ...] = ()
    priority: tuple[str, ...] = ()
    organisation: tuple[int, ...] = ()
    language: tuple[str, ...] = ()
    agent: tuple[int, ...] = ()  # assignee agent ids

    @classmethod
    def of(cls, **values: Any) -> Filters:
        """Build from single values, lists or comma-separated strings; blanks dropped."""
        clean: dict[str, tuple] = {}
        for f in fields(cls):
            raw = values.get(f.name)
            if raw in (None, "", [], ()):
                continue
            items = raw if isinstance(raw, list | tuple) else str(raw).split(",")
            items = [str(i).strip() for i in items if str(i).strip()]
            if f.name in ("organisation", "agent"):
                try:
                    clean[f.name] = tuple(int(i) for i in items)
                except ValueError as exc:
                    raise ValueError(f"{f.name} takes ids, got {raw!r}") from exc
            else:
                clean[f.name] = tuple(items)
        return cls(**clean)

    def narrowed(self, **values: Any) -> Filters:
        """These filters with a KPI's own conditions (``where: {priority: [P2, P3]}``)."""
        extra = Filters.of(**values)
        merged = {f.name: getattr(extra, f.name) or getattr(self, f.name) for f in fields(self)}
        return Filters(**merged)

    def as_dict(self) -> dict[str, list]:
        return {f.name: list(getattr(self, f.name)) for f in fields(self) if getattr(self, f.name)}

    def q(self, prefix: str = "") -> Q:
        """The ticket conditions, for a queryset of tickets (``prefix=""``) or of rows
        pointing at tickets (``prefix="ticket__"``)."""
        p = prefix
        cond = Q()
        if self.group:
            cond &= (Q(**{f"{p}group__code__in": self.group})
                     | Q(**{f"{p}group__name__in": self.group}))
        if self.plan:
            cond &= Q(**{f"{p}organisation__plan__in": self.plan})
        if self.channel:
            cond &= Q(**{f"{p}channel__in": self.channel})
        if self.priority:
            cond &= Q(**{f"{p}priority__in": self.priority})
        if self.organisation:
            cond &= Q(**{f"{p}organisation_id__in": self.organisation})
        if self.language:
            cond &= Q(**{f"{p}language__in": self.language})
        if self.agent:
            cond &= Q(**{f"{p}assignee_id__in": self.agent})
        return cond


@dataclass
class Scope:
    """One report run: the period and filters, with a memo so metrics that share a query
    (the ticket facts) run it once. Scopes made for the same page (a goal's trend, a goal
    narrowed to some priorities) share one memo, keyed by period and filters."""

    period: Period
    filters: Filters = field(default_factory=Filters)
    memo: dict[Any, Any] = field(default_factory=dict)
    stored: bool = False  # read and keep figures in ReportFigures (dashboards, API)
    deferred: bool = False  # a page on a large desk: show stored figures, never count

    def sibling(self, period: Period, filters: Filters) -> Scope:
        """Another period or filters of the same page, sharing this scope's memo."""
        return Scope(period, filters, self.memo, self.stored, self.deferred)

    def without_priority(self) -> Scope:
        """This scope over every priority: statements grouped by priority run once here."""
        if not self.filters.priority:
            return self
        return self.sibling(self.period, Filters(**{**self.filters.__dict__, "priority": ()}))

    def tickets(self) -> QuerySet[Ticket]:
        """The cohort: tickets created in the period, merged duplicates left out (a
        duplicate folded into another ticket is one contact, not two)."""
        return Ticket.objects.filter(
            self.filters.q(), created_at__gte=self.period.start, created_at__lt=self.period.end,
            merged_into__isnull=True,
        )

    def cohort_q(self, prefix: str) -> Q:
        """The cohort's conditions seen from rows that point at tickets."""
        return self.filters.q(prefix) & Q(**{
            f"{prefix}created_at__gte": self.period.start,
            f"{prefix}created_at__lt": self.period.end,
            f"{prefix}merged_into__isnull": True,
        })

    def remember(self, key: str, compute, scope: Scope | None = None):
        """``compute()`` once per ``key`` and (``scope`` or this scope's) period and filters."""
        at = scope or self
        full = (key, at.period.kind, at.period.label, str(at.period.tz), at.filters)
        if full not in self.memo:
            self.memo[full] = compute()
        return self.memo[full]
