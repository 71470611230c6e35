"""Refunds, credits and cancellations under the pack's authorization ladder.

1. ``refund_request``: an agent documents the customer's request (DataFlow 6.2 step 2).
   If the agent's own level may approve it, it is approved at once; otherwise it is
   routed to the level that may, with a task for that role.
2. ``refund_approve`` / ``refund_refuse``: someone at or above the deciding level
   decides. Above one's limit is refused (403) and nothing is written.
3. An approval writes one ledger entry (refunds and credits), sends the pack's
   confirmation (Template 4), and queues the payment backend; a cancellation records
   when its notice ends.

Every step is one transaction with its ticket events.
"""

from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction

from tierdesk import clock
from tierdesk.common.errors import Conflict, Forbidden, ServiceError
from tierdesk.outbox import services as outbox
from tierdesk.packs.selectors import active_pack, active_version
from tierdesk.people.access import Viewer
from tierdesk.refunds import ladder
from tierdesk.refunds.models import (
    Kind,
    LedgerEntry,
    Payment,
    RefundRequest,
    RequestStatus,
)
from tierdesk.tasks import services as tasks
from tierdesk.tickets import events
from tierdesk.tickets.mail_templates import render_template
from tierdesk.tickets.models import Ticket

PAYMENT_KIND = "refund_payment"  # outbox kind: the payment backend pays after commit
CONFIRMATION_TEMPLATE = "refund_confirmation"  # DataFlow "Template 4: Refund Confirmation"
# Template 4 "The credit will appear in [time, e.g., 5–7 days]": the handbook's example.
CREDIT_TIME = "5–7 days"
# Handbook silent on how soon a routed request must be decided: one day.
DECIDE_WITHIN_HOURS = 24


def _pack() -> Any:
    pack = active_pack()
    if pack is None or pack.refunds is None:
        raise ServiceError("the active policy pack has no refunds section: nobody may "
                           "approve refunds", field="pack")
    return pack


def _amount(value: Any, currency: str, kind: str) -> int:
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ServiceError(f"amount {value!r} is not a number", field="amount") from None
    if not amount.is_finite() or amount < 0:
        raise ServiceError("amount must be zero or more", field="amount")
    try:
        minor = ladder.to_minor(amount, currency)
    except ValueError as exc:
        raise ServiceError(str(exc), field="amount") from None
    if minor == 0 and kind != Kind.CANCELLATION:
        raise ServiceError(f"a {kind} needs an amount above zero", field="amount")
    if minor > 10**13:
        raise ServiceError("amount is too large", field="amount")
    return minor


def money(minor: int, currency: str) -> str:
    """Return ``minor`` as people read it: $149, $149.01, 1,000 EUR."""
    amount = ladder.from_minor(minor, currency)
    text = f"{amount:,.0f}" if amount == amount.to_integral_value() else f"{amount:,.2f}"
    sign = {"USD": "$", "EUR": "€", "GBP": "£"}.get(currency)
    return f"{sign}{text}" if sign else f"{text} {currency}"


def ask_of(request: RefundRequest) -> ladder.Ask:
    return ladder.Ask(kind=request.kind, amount_minor=request.amount_minor,
                      currency=request.currency, plan=request.plan,
                      days_since_charge=request.days_since_charge,
                      contract_dispute=request.contract_dispute)


def _role(viewer: Viewer) -> str:
    return viewer.agent.role if viewer.agent is not None else ""


@transaction.atomic(durable=True)
def refund_request(*, viewer: Viewer, ticket: Ticket, kind: str, amount: Any,
                   currency: str, reason: str, days_since_charge: int | None = None,
                   plan: str = "", contract_dispute: bool = False,
                   payment_reference: str = "") -> RefundRequest:
    """Document a request on ``ticket``; approve it at once when the caller's level may,
    else route it to the level that may, with a task. Return the request."""
    if not viewer.is_agent or viewer.agent is None:
        raise Forbidden("only agents may record refund requests")
    pack = _pack()
    if kind not in Kind.values:
        raise ServiceError(f"kind must be one of {', '.join(Kind.values)}", field="kind")
    if currency != pack.refunds.currency:
        raise ServiceError(f"the {pack.refunds.currency} plans are charged in "
                           f"{pack.refunds.currency}, not {currency!r}", field="currency")
    minor = _amount(amount, currency, kind)
    if not reason.strip():
        raise ServiceError("reason must not be empty", field="reason")
    org = ticket.organisation if ticket.organisation_id else None
    if org is not None and org.plan and plan and plan != org.plan:
        # The ladder turns on the plan: it is the customer's, not the requester's word.
        raise ServiceError(f"the customer's plan is {org.plan}, not {plan!r}", field="plan")
    plan = plan or (org.plan if org else "")
    if not plan:
        raise ServiceError("the customer has no plan; give the plan", field="plan")
    if pack.plans and plan not in pack.plans:
        raise ServiceError(f"unknown plan {plan!r}; the pack's plans are "
                           f"{', '.join(pack.plans)}", field="plan")
    if kind == Kind.REFUND and days_since_charge is None:
        raise ServiceError("a refund needs the days since the charge", field="days_since_charge")
    if days_since_charge is not None and days_since_charge < 0:
        raise ServiceError("days since the charge cannot be negative", field="days_since_charge")
    ask = ladder.Ask(kind=kind, amount_minor=minor, currency=currency, plan=plan,
                     days_since_charge=days_since_charge, contract_dispute=contract_dispute)
    deciding = ladder.deciding_line(pack, ask)
    if deciding is None:
        raise ServiceError(f"no line of the pack's refund ladder allows a {plan} {kind} "
                           "like this one", field="kind")
    now = clock.now()
    request = RefundRequest.objects.create(
        ticket=ticket, organisation=org, kind=kind, amount_minor=minor, currency=currency,
        reason=reason.strip(), plan=plan, days_since_charge=days_since_charge,
        contract_dispute=contract_dispute, payment_reference=payment_reference.strip(),
        decides_role=deciding.role, decides_rule=f"{deciding.path} ({deciding.text})",
        requested_by=viewer.user, requested_at=now,
    )
    events.record(ticket, "refund_requested", viewer.user, now, request=request.pk, kind=kind,
                  amount=money(minor, currency), amount_minor=minor, currency=currency,
                  plan=plan, days_since_charge=days_since_charge, decides=deciding.role,
                  rule=deciding.path)
    own = ladder.authority(pack, _role(viewer), ask)
    if own is not None:
        _approve(pack, request, viewer, own, now, note="")
        return request
    task, _ = tasks.task_open(
        key=f"refund:{request.pk}:decide", source="refunds", role=deciding.role,
        ticket=ticket, at=now, due_at=now + timedelta(hours=DECIDE_WITHIN_HOURS),
        title=f"Decide {kind} of {money(minor, currency)} on ticket #{ticket.pk}",
        detail=f"{reason.strip()}\nAbove {_role(viewer)}'s limit; "
               f"{deciding.path}: {deciding.text}",
        url=f"/agent/refunds/{request.pk}/",
    )
    events.record(ticket, "refund_routed", viewer.user, now, request=request.pk,
                  to=deciding.role, rule=deciding.path, task=task.pk)
    return request


def _locked_pending(request: RefundRequest) -> RefundRequest:
    request = RefundRequest.objects.select_for_update().select_related("ticket").get(
        pk=request.pk)
    if request.status != RequestStatus.PENDING:
        raise Conflict(f"this request was already {request.status}", field="status")
    return request


def _authority(pack: Any, viewer: Viewer, request: RefundRequest) -> ladder.Line:
    if not viewer.is_agent or viewer.agent is None:
        raise Forbidden("only agents on the refund ladder may decide refunds")
    if _role(viewer) not in ladder.levels(pack):
        raise Forbidden(f"the {_role(viewer)} role is not on the pack's refund ladder: "
                        f"{request.decides_role} decides this request", field="request_id",
                        details={"decides_role": request.decides_role})
    line = ladder.authority(pack, _role(viewer), ask_of(request))
    if line is None:
        raise Forbidden(
            f"{money(request.amount_minor, request.currency)} {request.plan} {request.kind} "
            f"is above your limit as {_role(viewer)}: {request.decides_role} decides it "
            f"under {request.decides_rule}", field="request_id",
            details={"decides_role": request.decides_role})
    return line


@transaction.atomic(durable=True)
def refund_approve(*, viewer: Viewer, request: RefundRequest, note: str = "") -> RefundRequest:
    """Approve a routed request; refused (403, nothing written) above the caller's limit."""
    pack = _pack()
    request = _locked_pending(request)
    line = _authority(pack, viewer, request)
    _approve(pack, request, viewer, line, clock.now(), note=note)
    return request


@transaction.atomic(durable=True)
def refund_refuse(*, viewer: Viewer, request: RefundRequest, note: str) -> RefundRequest:
    """Refuse a routed request (only its deciding level or above may)."""
    if not note.strip():
        raise ServiceError("say why the request is refused", field="note")
    pack = _pack()
    request = _locked_pending(request)
    _authority(pack, viewer, request)
    now = clock.now()
    request.status = RequestStatus.REFUSED
    request.decided_by, request.decided_at, request.decision_note = viewer.user, now, note
    request.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    tasks.task_close_by_key(key=f"refund:{request.pk}:decide", viewer=viewer, at=now)
    events.record(request.ticket, "refund_refused", viewer.user, now, request=request.pk,
                  note=note)
    return request


def _approve(pack: Any, request: RefundRequest, viewer: Viewer, line: ladder.Line,
             now: datetime, note: str) -> None:
    """Approve ``request`` inside the caller's transaction under ``line``."""
    request.status = RequestStatus.APPROVED
    request.decided_by, request.decided_at, request.decision_note = viewer.user, now, note
    fields = ["status", "decided_by", "decided_at", "decision_note"]
    ticket = request.ticket
    rule = f"{line.path} ({line.text})"
    if request.kind == Kind.CANCELLATION:
        notice = ladder.notice_of(pack, line) or ladder.notice_of(
            pack, ladder.deciding_line(pack, ask_of(request)))
        request.notice_ends_at = now + notice if notice else now
        fields.append("notice_ends_at")
        events.record(ticket, "cancellation_recorded", viewer.user, now, request=request.pk,
                      plan=request.plan, notice=str(notice) if notice else None,
                      effective_at=request.notice_ends_at.isoformat(), rule=line.path)
    request.save(update_fields=fields)
    tasks.task_close_by_key(key=f"refund:{request.pk}:decide", viewer=viewer, at=now)
    events.record(ticket, "refund_approved", viewer.user, now, request=request.pk,
                  kind=request.kind, amount=money(request.amount_minor, request.currency),
                  role=_role(viewer), rule=line.path)
    if request.amount_minor > 0:
        entry = _ledger(key=f"request:{request.pk}", request=request, ticket=ticket,
                        kind=Kind.CREDIT if request.kind == Kind.CREDIT else Kind.REFUND,
                        amount_minor=request.amount_minor, currency=request.currency,
                        approved_by=viewer.user, approver_role=_role(viewer), rule=rule,
                        at=now)
        _confirm(pack, request, viewer, now)
        events.record(ticket, "credit_issued" if entry.kind == Kind.CREDIT else "refund_issued",
                      viewer.user, now, ledger_entry=entry.pk,
                      amount=float(ladder.from_minor(entry.amount_minor, entry.currency)),
                      amount_minor=entry.amount_minor, currency=entry.currency, reason=rule)


def _ledger(*, key: str, request: RefundRequest | None, ticket: Ticket | None, kind: str,
            amount_minor: int, currency: str, approved_by: Any, approver_role: str,
            rule: str, at: datetime) -> LedgerEntry:
    entry = LedgerEntry.objects.create(
        key=key, request=request, ticket=ticket,
        organisation=ticket.organisation if ticket is not None and ticket.organisation_id
        else None, kind=kind, amount_minor=amount_minor, currency=currency,
        approved_by=approved_by, approver_role=approver_role, pack_rule=rule[:300],
        pack_version=active_version(), created_at=at)
    if settings.REFUND_BACKEND in ("", "finance"):
        # Nothing leaves Tierdesk: record it for finance now, in this transaction.
        Payment.objects.create(entry=entry, backend="finance",
                               state=Payment.State.FOR_FINANCE, at=at)
    else:  # a payment provider is called after commit, retried by the outbox
        outbox.enqueue(kind=PAYMENT_KIND, payload={"entry": entry.pk},
                       ticket_id=ticket.pk if ticket is not None else None, at=at)
    return entry


def _confirm(pack: Any, request: RefundRequest, viewer: Viewer, now: datetime) -> None:
    """Send the pack's confirmation (Template 4) when it has one."""
    if CONFIRMATION_TEMPLATE not in pack.templates:
        return
    ticket = request.ticket
    rendered = render_template(pack=pack, name=CONFIRMATION_TEMPLATE, ticket=ticket, values={
        "amount": money(request.amount_minor, request.currency), "plan": request.plan,
        "credit_time": CREDIT_TIME, "agent_name": str(viewer.agent) if viewer.agent else ""})
    outbox.enqueue_email(to=ticket.requester.email, ticket_id=ticket.pk,
                         template=rendered.template, subject=rendered.subject,
                         body=rendered.body, at=now)


def credit_issue(*, ticket: Ticket, amount: Any, currency: str | None, rule: str, key: str,
                 at: datetime) -> tuple[LedgerEntry, bool]:
    """Give a credit the pack itself grants (a rule's ``issue_credit``: DataFlow's $100 for
    an Enterprise score below 3) inside the caller's transaction; ``key`` names what it is
    for, so it is given once however often the caller runs. Return ``(entry, created)``."""
    existing = LedgerEntry.objects.filter(key=key).first()
    if existing is not None:
        return existing, False
    pack = active_pack()
    currency = currency or (pack.refunds.currency if pack is not None and pack.refunds
                            else "USD")
    minor = ladder.to_minor(amount, currency)
    try:
        with transaction.atomic():  # a concurrent sweep may have written it first
            entry = _ledger(key=key, request=None, ticket=ticket, kind=Kind.CREDIT,
                            amount_minor=minor, currency=currency, approved_by=None,
                            approver_role="", rule=rule, at=at)
    except IntegrityError:
        return LedgerEntry.objects.get(key=key), False
    events.record(ticket, "credit_issued", None, at, ledger_entry=entry.pk,
                  amount=float(ladder.from_minor(minor, currency)), amount_minor=minor,
                  currency=currency, reason=rule)
    return entry, True


def pay(message: Any) -> None:
    """The outbox handler: hand a ledger entry to the payment backend, once."""
    from tierdesk.refunds.backends import backend

    entry = LedgerEntry.objects.select_related("request").get(pk=message.payload["entry"])
    if Payment.objects.filter(entry=entry).exists():
        return
    chosen = backend()
    paid = chosen.pay(entry=entry, request=entry.request)
    Payment.objects.get_or_create(entry=entry, defaults={
        "backend": chosen.name, "state": paid.state, "reference": paid.reference,
        "at": clock.now()})
