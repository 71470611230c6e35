"""What the periodic sweeps would do, without doing it (`tierdesk sweep --dry-run`).

The sweeps run for real inside one transaction that is rolled back; after each one, the
audit events and outbox messages it wrote are read back and described ("breach
first_response on #12", "escalate #15 to ENG"). Delivery is never attempted: the outbox
step lists what it would send and runs only the SLA actions (apologies, notifications)
it would run, which write nothing but rows that are rolled back too.
"""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import transaction

from tierdesk.outbox.models import OutboxMessage
from tierdesk.tickets.models import TicketEvent


@dataclass
class SweepPreview:
    """One sweep's would-be work: how many items it claimed and what it would write."""

    name: str
    count: int | None  # None: the sweep sends, so a dry run does not run it
    lines: list[str] = field(default_factory=list)


@dataclass
class _Marks:
    """The last audit event and outbox message before a sweep: what follows is its work."""

    event: int
    message: int

    @classmethod
    def take(cls) -> "_Marks":
        last = TicketEvent.objects.order_by("-id").values_list("id", flat=True).first()
        queued = OutboxMessage.objects.order_by("-id").values_list("id", flat=True).first()
        return cls(last or 0, queued or 0)


def preview_sweeps(*, now: datetime) -> list[SweepPreview]:
    """Return what each periodic sweep would do at ``now`` (the clock must read ``now``);
    nothing is written."""
    from tierdesk.jobs.scheduler import SweepScheduler

    previews: list[SweepPreview] = []
    marks = _Marks.take()

    def observe(name: str, count: int | None) -> None:
        nonlocal marks
        lines = _delivery_preview(now) if count is None else []
        lines += _describe_since(marks)
        previews.append(SweepPreview(name, count, lines))
        marks = _Marks.take()

    SweepScheduler(interval=0).run_once(dry_run=True, observe=observe)
    return previews


def _delivery_preview(now: datetime) -> list[str]:
    """List the outbox messages a delivery pass at ``now`` would send, and run the SLA
    actions it would run (inside the caller's rolled-back transaction)."""
    from tierdesk.sla.sweep import run_deferred_actions

    due = OutboxMessage.objects.filter(state=OutboxMessage.State.PENDING,
                                       next_attempt_at__lte=now).order_by("next_attempt_at", "id")
    lines: list[str] = []
    held = 0
    for message in due:
        if message.kind == OutboxMessage.Kind.SLA_ACTIONS:
            clocks = message.payload.get("clocks", [])
            lines.append(f"run the SLA {message.payload.get('kind')} actions of "
                         f"{len(clocks)} clock(s): "
                         + ", ".join(f"{c[1]} on #{c[0]}" for c in clocks))
            try:
                with transaction.atomic():
                    run_deferred_actions(message.payload)
            except Exception as exc:  # the real delivery would retry it later
                lines.append(f"  they would fail and be retried: {type(exc).__name__}: {exc}")
        elif message.kind == OutboxMessage.Kind.EMAIL and not settings.EMAIL_ENABLED:
            held += 1
        else:
            lines.append(f"send {_message(message)}")
    if held:
        lines.append(f"leave {held} email(s) in the outbox: email is not configured")
    return lines


def _describe_since(marks: _Marks) -> list[str]:
    events = TicketEvent.objects.filter(id__gt=marks.event).order_by("id")
    messages = OutboxMessage.objects.filter(id__gt=marks.message).order_by("id")
    return ([_event(e.type, e.ticket_id, e.data) for e in events]
            + [f"queue {_message(m)}" for m in messages
               if m.kind != OutboxMessage.Kind.SLA_ACTIONS])


def _event(kind: str, ticket_id: int, data: dict[str, Any]) -> str:
    """Say what one audit event means, in the words of `tierdesk sweep --dry-run`."""
    t = f"#{ticket_id}"
    if kind == "sla_breached":
        late = " (met late)" if data.get("late") else ""
        return f"breach {data.get('metric')} on {t}{late} (policy {data.get('policy')}, " \
               f"due {data.get('due_at')})"
    if kind == "sla_warning":
        return f"warn {data.get('metric')} on {t} (policy {data.get('policy')}, " \
               f"due {data.get('due_at')})"
    if kind == "sla_targets_set":
        return f"reset the SLA of {t} ({data.get('reason')}): policy {data.get('policy')}"
    if kind == "escalated":
        by = f" (by {data['rule']})" if data.get("rule") else ""
        return f"escalate {t} to {data.get('to')}{by}"
    if kind == "de_escalated":
        return f"de-escalate {t} to {data.get('to')}"
    if kind == "rule_fired":
        return f"rule {data.get('rule')!r} fires on {t}: {'; '.join(data.get('actions') or [])}"
    if "field" in data:
        return f"change {data['field']} of {t}: {data.get('old')} -> {data.get('new')}"
    details = ", ".join(f"{k}={v}" for k, v in data.items())
    return f"record {kind} on {t}" + (f" ({details})" if details else "")


def _message(message: OutboxMessage) -> str:
    about = f" about #{message.ticket_id}" if message.ticket_id else ""
    payload = message.payload or {}
    if message.kind == OutboxMessage.Kind.EMAIL:
        to = ", ".join(payload.get("to") or [])
        template = f" [{payload['template']}]" if payload.get("template") else ""
        return f"email to {to}{about}: {payload.get('subject', '')!r}{template}"
    return f"{message.kind} message{about}"
