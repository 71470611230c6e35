"""Refund, credit and cancellation endpoints (agents only; customers ask through a
ticket). A handler parses, resolves ids in the caller's scope, calls a service."""

from datetime import datetime
from decimal import Decimal

from django.http import HttpRequest
from ninja import Router, Schema
from ninja import Status as Reply
from pydantic import Field

from tierdesk.common.errors import Forbidden
from tierdesk.common.schemas import DbId, StrictIn
from tierdesk.people.access import viewer_for
from tierdesk.refunds import ladder, selectors, services
from tierdesk.refunds.models import LedgerEntry, RefundRequest
from tierdesk.tickets.selectors import ticket_get

router = Router(tags=["refunds"])


class RefundIn(StrictIn):
    ticket_id: DbId
    kind: str = Field("refund", description="refund, credit or cancellation")
    amount: Decimal = Field(description="In major units: 149.00")
    currency: str = Field(min_length=3, max_length=3)
    reason: str = Field(max_length=5000)
    days_since_charge: int | None = Field(None, ge=0, le=36500)
    plan: str = Field("", max_length=64, description="Default: the organisation's plan")
    contract_dispute: bool = False
    payment_reference: str = Field("", max_length=200)


class DecisionIn(StrictIn):
    note: str = Field("", max_length=5000)


class RefundOut(Schema):
    id: int
    ticket_id: int
    organisation_id: int | None
    kind: str
    amount: str
    amount_minor: int
    currency: str
    reason: str
    plan: str
    days_since_charge: int | None
    contract_dispute: bool
    status: str
    decides_role: str
    decides_rule: str
    requested_by: str
    requested_at: datetime
    decided_by: str | None
    decided_at: datetime | None
    decision_note: str
    notice_ends_at: datetime | None

    @staticmethod
    def resolve_amount(obj: RefundRequest) -> str:
        return str(ladder.from_minor(obj.amount_minor, obj.currency))

    @staticmethod
    def resolve_requested_by(obj: RefundRequest) -> str:
        return obj.requested_by.username

    @staticmethod
    def resolve_decided_by(obj: RefundRequest) -> str | None:
        return obj.decided_by.username if obj.decided_by_id else None


class LedgerOut(Schema):
    id: int
    kind: str
    amount_minor: int
    currency: str
    ticket_id: int | None
    organisation_id: int | None
    request_id: int | None
    approved_by: str | None
    approver_role: str
    pack_rule: str
    created_at: datetime

    @staticmethod
    def resolve_approved_by(obj: LedgerEntry) -> str | None:
        return obj.approved_by.username if obj.approved_by_id else None


def _viewer(request: HttpRequest):
    viewer = viewer_for(request.auth)
    if not viewer.is_agent:
        raise Forbidden("refunds are handled by agents")
    return viewer


@router.post("", response={201: RefundOut})
def create_refund(request: HttpRequest, payload: RefundIn):
    """Record a request on a ticket: approved at once within the caller's limit, else
    routed (status ``pending``) to the level that decides it, with a task."""
    viewer = _viewer(request)
    ticket = ticket_get(viewer=viewer, ticket_id=payload.ticket_id)
    made = services.refund_request(
        viewer=viewer, ticket=ticket, kind=payload.kind, amount=payload.amount,
        currency=payload.currency, reason=payload.reason,
        days_since_charge=payload.days_since_charge, plan=payload.plan,
        contract_dispute=payload.contract_dispute, payment_reference=payload.payment_reference)
    return Reply(201, selectors.request_get(viewer=viewer, request_id=made.pk))


@router.get("", response=list[RefundOut])
def list_refunds(request: HttpRequest, awaiting: bool = False):
    """Requests the caller may see, newest first; ``awaiting=true``: those waiting for
    the caller's level of the ladder."""
    viewer = _viewer(request)
    found = selectors.awaiting(viewer) if awaiting else selectors.requests_visible_to(viewer)
    return list(found[:500])


@router.get("/ledger", response=list[LedgerOut])
def list_ledger(request: HttpRequest, organisation_id: int | None = None):
    """The append-only ledger (managers, finance, directors)."""
    viewer = _viewer(request)
    if not selectors.may_read_ledger(viewer):
        raise Forbidden("the ledger is for managers and finance")
    return list(selectors.ledger(organisation_id=organisation_id)[:1000])


@router.get("/{int:request_id}", response=RefundOut)
def get_refund(request: HttpRequest, request_id: int):
    return selectors.request_get(viewer=_viewer(request), request_id=request_id)


@router.post("/{int:request_id}/approve", response=RefundOut)
def approve_refund(request: HttpRequest, request_id: int, payload: DecisionIn):
    """Approve; 403 (and nothing written) when it is above the caller's limit."""
    viewer = _viewer(request)
    found = selectors.request_get(viewer=viewer, request_id=request_id)
    services.refund_approve(viewer=viewer, request=found, note=payload.note)
    return selectors.request_get(viewer=viewer, request_id=request_id)


@router.post("/{int:request_id}/refuse", response=RefundOut)
def refuse_refund(request: HttpRequest, request_id: int, payload: DecisionIn):
    viewer = _viewer(request)
    found = selectors.request_get(viewer=viewer, request_id=request_id)
    services.refund_refuse(viewer=viewer, request=found, note=payload.note)
    return selectors.request_get(viewer=viewer, request_id=request_id)
