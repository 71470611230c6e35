"""Metrics read from tickets and their audit log: volume, first contact resolution,
response and resolution times, escalation, reopens and repeat contacts.

One aggregate statement (:func:`ticket_facts`) reads the cohort's tickets and their events
once and counts what each ticket's events say, per priority; the metrics below are ratios
of its columns (the database does the counting, never a loop). Because the counts are
kept per priority, a goal narrowed to some priorities ("FCR 70% for P2-P3") sums rows of
the same statement instead of running its own.
"""

from __future__ import annotations

from datetime import UTC, timedelta

from django.db import connection, transaction
from django.db.models import (
    Count,
    DateTimeField,
    ExpressionWrapper,
    F,
    Window,
)
from django.db.models.functions import Lag

from tierdesk.kb.handle_time import TIME_LOGGED
from tierdesk.reports.registry import ratio, register
from tierdesk.reports.scope import Scope
from tierdesk.risks.models import Risk
from tierdesk.sla.models import SlaTarget
from tierdesk.tickets.models import Ticket, TicketEvent

REPEAT_CONTACT_DAYS = 7  # handbook silent on the window: a week, the common industry choice

FACTS = ("tickets", "solved", "responded", "first_contact", "escalated", "escalations",
         "sent_back", "reopened", "response_seconds", "resolution_seconds", "breached",
         "flagged", "logged_tickets", "logged_seconds")


# The event types the facts read: the partial index report_events (migration 0003) holds
# exactly these, with their data, so the events statement never reads the whole log.
REPORT_EVENT_TYPES = ("replied", "escalated", "de_escalated", "status_changed", TIME_LOGGED)


def _span_seconds(start: str, end: str) -> str:
    """SQL for the seconds between two timestamp columns of the cohort rows."""
    if connection.vendor == "postgresql":
        return f"EXTRACT(EPOCH FROM (c.{end} - c.{start}))"
    return f"((julianday(c.{end}) - julianday(c.{start})) * 86400.0)"


def _data(key: str) -> str:
    """SQL for a text value of an event's data."""
    if connection.vendor == "postgresql":
        return f"(e.data ->> '{key}')"
    return f"json_extract(e.data, '$.{key}')"


def _facts_sql(cohort: str) -> str:
    """The facts statement over ``cohort`` (the tickets' own SQL): each cohort ticket's
    report events counted once (the ``ev`` part, from the partial index), then summed per
    priority with the clocks and risks each ticket has."""
    types = ", ".join(f"'{t}'" for t in REPORT_EVENT_TYPES)
    EVENTS, CLOCKS, RISKS = (m._meta.db_table for m in (TicketEvent, SlaTarget, Risk))  # noqa: N806
    seconds = (f"CAST({_data('seconds')} AS INTEGER)" if connection.vendor == "sqlite"
               else f"({_data('seconds')})::integer")
    return f"""
        WITH c AS ({cohort}),
        ev AS (
            SELECT e.ticket_id,
                   SUM(CASE WHEN e.type = 'replied' AND {_data("by")} = 'agent'
                            THEN 1 ELSE 0 END) AS agent_replies,
                   SUM(CASE WHEN e.type = 'escalated' THEN 1 ELSE 0 END) AS escalations,
                   SUM(CASE WHEN e.type = 'de_escalated' THEN 1 ELSE 0 END) AS sent_back,
                   SUM(CASE WHEN e.type = 'status_changed' AND {_data("old")} = 'solved'
                            THEN 1 ELSE 0 END) AS reopens,
                   SUM(CASE WHEN e.type = '{TIME_LOGGED}' THEN 1 ELSE 0 END) AS logs,
                   SUM(CASE WHEN e.type = '{TIME_LOGGED}' THEN {seconds} END) AS logged
            FROM {EVENTS} e JOIN c ON c.id = e.ticket_id
            WHERE e.type IN ({types})
            GROUP BY e.ticket_id)
        SELECT c.priority,
               COUNT(*),
               COUNT(c.solved_at),
               COUNT(c.first_responded_at),
               SUM(CASE WHEN c.solved_at IS NOT NULL AND COALESCE(ev.agent_replies, 0) <= 1
                         AND COALESCE(ev.escalations, 0) = 0 AND COALESCE(ev.reopens, 0) = 0
                        THEN 1 ELSE 0 END),
               SUM(CASE WHEN ev.escalations > 0 THEN 1 ELSE 0 END),
               SUM(ev.escalations),
               SUM(ev.sent_back),
               SUM(CASE WHEN ev.reopens > 0 THEN 1 ELSE 0 END),
               SUM({_span_seconds("created_at", "first_responded_at")}),
               SUM({_span_seconds("created_at", "solved_at")}),
               SUM(CASE WHEN EXISTS (SELECT 1 FROM {CLOCKS} s WHERE s.ticket_id = c.id
                                     AND s.breached_at IS NOT NULL) THEN 1 ELSE 0 END),
               SUM(CASE WHEN EXISTS (SELECT 1 FROM {RISKS} r WHERE r.ticket_id = c.id)
                        THEN 1 ELSE 0 END),
               SUM(CASE WHEN ev.logs > 0 THEN 1 ELSE 0 END),
               SUM(ev.logged)
        FROM c LEFT JOIN ev ON ev.ticket_id = c.id
        GROUP BY c.priority"""


def _per_priority(scope: Scope) -> dict[str, dict[str, float]]:
    """The cohort's counts per priority, whatever priorities the scope itself picks."""
    base = scope.without_priority()

    def run() -> dict[str, dict[str, float]]:
        cohort, params = base.tickets().values(
            "id", "priority", "created_at", "solved_at", "first_responded_at",
        ).order_by().query.sql_with_params()
        with transaction.atomic(), connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                # The planner overestimates the join of the cohort to its events by a
                # hundredfold, which switches JIT compilation on: 2.4 s of compiling for
                # 0.2 s of work at 100,000 tickets. This statement never gains from it.
                cursor.execute("SET LOCAL jit = off")
            cursor.execute(_facts_sql(cohort), params)
            rows = cursor.fetchall()
        return {row[0] or "": {name: float(v or 0) for name, v in zip(FACTS, row[1:],
                                                                     strict=True)}
                for row in rows}

    return scope.remember("ticket_facts_by_priority", run, scope=base)


def ticket_facts(scope: Scope) -> dict[str, float]:
    """The cohort's counts: the per-priority rows of the scope's priorities, summed."""
    chosen = set(scope.filters.priority)
    totals = dict.fromkeys(FACTS, 0.0)
    for priority, row in _per_priority(scope).items():
        if chosen and priority not in chosen:
            continue
        for name in FACTS:
            totals[name] += row[name]
    return totals


def _int(facts: dict[str, float], name: str) -> int:
    return int(facts[name])


@register("tickets_created", label="Tickets", unit="count", better="lower",
          source="DataFlow 10.1: ~1,000 tickets/month; Fire22 volume; CSU 'volume'")
def tickets_created(scope: Scope) -> int:
    return _int(ticket_facts(scope), "tickets")


@register("first_contact_resolution", label="First contact resolution", unit="percent",
          source="DataFlow 10.1 'FCR: 70% for P2-P3 tickets'; Fire22 '94% first-contact "
                 "resolution'; NexaCore FCR")
def first_contact_resolution(scope: Scope) -> float | None:
    """Solved with at most one agent reply, never escalated, never reopened, out of every
    ticket of the cohort."""
    facts = ticket_facts(scope)
    return ratio(facts["first_contact"], facts["tickets"])


@register("escalation_rate", label="Escalation rate", unit="percent", better="lower",
          source="DataFlow 10.1 'Escalation Rate: <10% of tickets'; Fire22 '<10% of tickets "
                 "require escalation'")
def escalation_rate(scope: Scope) -> float | None:
    facts = ticket_facts(scope)
    return ratio(facts["escalated"], facts["tickets"])


@register("escalation_accuracy", label="Escalation accuracy", unit="percent",
          source="CSU performance metrics: 'escalation accuracy'")
def escalation_accuracy(scope: Scope) -> float | None:
    """Escalations that stayed up: those not later sent back down (de-escalated)."""
    facts = ticket_facts(scope)
    return ratio(_int(facts, "escalations") - _int(facts, "sent_back"),
                 _int(facts, "escalations"))


@register("reopen_rate", label="Reopen rate", unit="percent", better="lower",
          source="handbook silent (a solved ticket reopened was not solved)")
def reopen_rate(scope: Scope) -> float | None:
    facts = ticket_facts(scope)
    return ratio(facts["reopened"], facts["solved"])


@register("repeat_contact_rate", label="Repeat contact rate", unit="percent", better="lower",
          source="Fire22 'Repeat Contact Rate: <15%' (window handbook silent: 7 days)")
def repeat_contact_rate(scope: Scope) -> float | None:
    """Tickets whose requester opened another ticket on the same category in the days
    before: the first answer did not hold. Each ticket is compared with the requester's
    previous one (a window function), so the cost grows with the tickets, not their
    square."""
    window = timedelta(days=REPEAT_CONTACT_DAYS)
    earlier_too = Ticket.objects.filter(
        scope.filters.q(), created_at__gte=scope.period.start - window,
        created_at__lt=scope.period.end, merged_into__isnull=True,
    ).annotate(
        previous=Window(Lag("created_at"), partition_by=[F("requester_id"), F("category")],
                        order_by=[F("created_at").asc(), F("id").asc()]),
        cutoff=ExpressionWrapper(F("created_at") - window, output_field=DateTimeField()),
    ).values("created_at", "previous", "cutoff")
    inner, params = earlier_too.query.sql_with_params()
    sql = f"""SELECT COUNT(*), SUM(CASE WHEN t.previous >= t.cutoff THEN 1 ELSE 0 END)
              FROM ({inner}) t WHERE t.created_at >= %s"""
    start = scope.period.start
    if connection.vendor == "sqlite":
        start = start.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ")
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, start])
        tickets, repeats = cursor.fetchone()
    return ratio(repeats, tickets)


def _avg_seconds(total: float, count: float) -> float | None:
    return round(total / count, 1) if count else None


@register("first_response_time_avg", label="First response time (calendar)", unit="duration",
          better="lower", source="Fire22 'Response Time: <2 minutes average first response'; "
                                 "NexaCore and DataFlow response targets")
def first_response_time_avg(scope: Scope) -> float | None:
    facts = ticket_facts(scope)
    return _avg_seconds(facts["response_seconds"], facts["responded"])


@register("resolution_time_avg", label="Resolution time (calendar)", unit="duration",
          better="lower", source="DataFlow 10.1 'Resolution Time: P0 <4 hours, P1 <24 hours, "
                                 "P2-P3 <72 hours'; Fire22 '4 hours average'")
def resolution_time_avg(scope: Scope) -> float | None:
    facts = ticket_facts(scope)
    return _avg_seconds(facts["resolution_seconds"], facts["solved"])


@register("tickets_per_agent", label="Tickets per agent", unit="breakdown", better="lower",
          source="CSU 'efficiency, volume'; handbook silent on the split")
def tickets_per_agent(scope: Scope) -> dict[str, int]:
    rows = (scope.tickets().values("assignee__user__username")
            .annotate(n=Count("id")).order_by("-n"))
    return {r["assignee__user__username"] or "unassigned": r["n"] for r in rows}


@register("channel_distribution", label="Tickets by channel", unit="breakdown",
          source="DataFlow section 2 channels; Fire22 channels; handbook silent on the report")
def channel_distribution(scope: Scope) -> dict[str, int]:
    rows = scope.tickets().values("channel").annotate(n=Count("id")).order_by("-n")
    return {r["channel"]: r["n"] for r in rows}


@register("tickets_by_priority", label="Tickets by priority", unit="breakdown",
          source="DataFlow 'daily SLA dashboard' by priority")
def tickets_by_priority(scope: Scope) -> dict[str, int]:
    chosen = set(scope.filters.priority)
    return {p or "none": int(row["tickets"]) for p, row in sorted(_per_priority(scope).items())
            if row["tickets"] and (not chosen or p in chosen)}


@register("sla_breach_rate", label="Tickets with an SLA breach", unit="percent",
          better="lower",
          source="DataFlow 'Weekly reports to Support Managers (target: <5% SLA breaches)'")
def sla_breach_rate(scope: Scope) -> float | None:
    facts = ticket_facts(scope)
    return ratio(_int(facts, "breached"), _int(facts, "tickets"))


@register("risk_identification_rate", label="Tickets flagged as risks", unit="percent",
          source="CSU performance metrics: 'risk identification rate'")
def risk_identification_rate(scope: Scope) -> float | None:
    facts = ticket_facts(scope)
    return ratio(_int(facts, "flagged"), _int(facts, "tickets"))


@register("handle_time_avg", label="Handle time per ticket", unit="duration",
          better="lower", source="NexaCore AHT; CSU 'efficiency'")
def handle_time_avg(scope: Scope) -> float | None:
    """Time agents logged on the cohort's tickets, per ticket that has any."""
    facts = ticket_facts(scope)
    return _avg_seconds(facts["logged_seconds"], facts["logged_tickets"])
