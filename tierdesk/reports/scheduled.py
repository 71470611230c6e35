"""Scheduled reports: when a pack's report period closes, the sweep computes it once and
mails it (CSV and PDF attached) to everyone holding the roles the pack names."""

from __future__ import annotations

import logging
from datetime import datetime

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction

from tierdesk import clock
from tierdesk.jobs.registry import register_periodic
from tierdesk.outbox.registry import register_handler
from tierdesk.outbox.services import enqueue
from tierdesk.packs.selectors import active_pack
from tierdesk.people.models import Agent
from tierdesk.reports.documents import report_csv, report_pdf, show
from tierdesk.reports.models import ScheduledReportRun
from tierdesk.reports.period import period_containing
from tierdesk.reports.registry import METRICS
from tierdesk.reports.scope import Scope
from tierdesk.reports.selectors import goals_report, metrics_report, reporting_zone

log = logging.getLogger(__name__)
KIND = "report_email"
CHECK_EVERY_SECONDS = 300.0


def recipients(roles: list[str]) -> list[str]:
    """The e-mail addresses of active staff holding any of ``roles``."""
    return sorted(set(Agent.objects.filter(role__in=roles, is_active=True)
                      .exclude(user__email="").values_list("user__email", flat=True)))


def send_due(now: datetime | None = None) -> list[ScheduledReportRun]:
    """Send every pack report whose last period has closed and was not sent yet."""
    pack = active_pack()
    if pack is None or not getattr(pack, "reports", None):
        return []
    now = now or clock.now()
    zone = reporting_zone()
    sent = []
    for spec in pack.reports:
        period = period_containing(spec.every, now, zone).previous()
        if ScheduledReportRun.objects.filter(name=spec.name, period=period.label).exists():
            continue
        run = _send(spec, period, now)
        if run is not None:
            sent.append(run)
    return sent


def _send(spec, period, now: datetime) -> ScheduledReportRun | None:
    scope = Scope(period)
    names = [n for n in spec.metrics if n in METRICS]  # the rest are not measured yet
    figures = metrics_report(scope, names)
    goals = goals_report(scope) if spec.goals else []
    to = recipients(spec.to)
    try:
        with transaction.atomic():
            run = ScheduledReportRun.objects.create(
                name=spec.name, title=spec.title, period=period.label, figures=figures,
                goals=goals, recipients=to, created_at=now)
            for address in to:
                enqueue(kind=KIND, payload={"run": run.pk, "to": address})
    except IntegrityError:
        return None  # another sweeper sent it first
    log.info("scheduled report %s for %s queued to %d recipients", spec.name, period.label,
             len(to))
    return run


def deliver(message) -> None:
    """The ``report_email`` outbox handler: the report, with its CSV and PDF."""
    run = ScheduledReportRun.objects.get(pk=message.payload["run"])
    body = [f"{run.title} for {run.period}.", ""]
    for item in run.figures.values():
        body.append(f"- {item['label']}: {show(item['value'], item['unit'])}")
    missed = [g for g in run.goals if g["met"] is False]
    if missed:
        body += ["", "Goals missed:"] + [f"- {g['label']}" for g in missed]
    email = EmailMessage(
        subject=f"[Tierdesk] {run.title}: {run.period}", body="\n".join(body),
        from_email=settings.DEFAULT_FROM_EMAIL, to=[message.payload["to"]],
        headers={"Auto-Submitted": "auto-generated"},
    )
    stem = f"{run.name}-{run.period}"
    email.attach(f"{stem}.csv", report_csv(run.period, run.figures, run.goals), "text/csv")
    email.attach(f"{stem}.pdf", report_pdf(run.title, run.period, run.figures, run.goals),
                 "application/pdf")
    with get_connection(fail_silently=False) as connection:
        connection.send_messages([email])


def register() -> None:
    register_handler(KIND, deliver)
    register_periodic("scheduled_reports", _sweep, order=80, every=CHECK_EVERY_SECONDS)


def _sweep(now: datetime | None = None) -> int:
    return len(send_due(now))
