"""Where approved money goes: a pluggable payment backend, chosen by
``TIERDESK_REFUND_BACKEND``.

- ``finance`` (default): the ledger entry is recorded for finance to carry out (DataFlow
  6.2: "Issue refund/credit via Stripe or invoice adjustment"); nothing leaves Tierdesk.
- ``stripe``: refunds the request's charge (``payment_reference``: a payment intent
  ``pi_…`` or charge ``ch_…``) and gives credits as a customer balance transaction
  (``payment_reference``: the customer ``cus_…``), with the official ``stripe`` package.
  Each call carries the ledger entry's idempotency key, so a retried delivery never pays
  twice.

The backend runs from the outbox after the approval commits (retried with backoff).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from django.conf import settings

from tierdesk.common.errors import ServiceError


@dataclass(frozen=True)
class Paid:
    state: str  # Payment.State value
    reference: str = ""


class Backend(Protocol):
    name: str

    def pay(self, *, entry: Any, request: Any | None) -> Paid: ...


class RecordForFinance:
    """Record the entry for finance to pay by hand or invoice adjustment."""

    name = "finance"

    def pay(self, *, entry: Any, request: Any | None) -> Paid:
        return Paid("for_finance")


class StripeBackend:
    """Pay out at Stripe with the official client."""

    name = "stripe"

    def __init__(self, api_key: str) -> None:
        if not api_key:
            raise ServiceError("TIERDESK_STRIPE_API_KEY is not set", field="refund_backend")
        self.api_key = api_key

    def client(self) -> Any:
        import stripe

        return stripe.StripeClient(self.api_key)

    def params(self, *, entry: Any, request: Any | None) -> tuple[str, dict[str, Any]]:
        """Return which Stripe call pays ``entry`` and its parameters (no network)."""
        reference = (request.payment_reference if request is not None else "") or ""
        metadata = {"tierdesk_ledger_entry": str(entry.pk),
                    "tierdesk_ticket": str(entry.ticket_id or "")}
        if entry.kind == "refund":
            if not reference.startswith(("pi_", "ch_")):
                raise ServiceError("a Stripe refund needs the payment intent (pi_…) or "
                                   "charge (ch_…) id", field="payment_reference")
            target = "payment_intent" if reference.startswith("pi_") else "charge"
            return "refund", {target: reference, "amount": entry.amount_minor,
                              "metadata": metadata}
        if not reference.startswith("cus_"):
            raise ServiceError("a Stripe credit needs the customer id (cus_…)",
                               field="payment_reference")
        # A negative balance is money Stripe owes the customer: it pays their next invoice.
        return "balance", {"amount": -entry.amount_minor, "currency": entry.currency.lower(),
                           "description": f"Tierdesk credit, ticket #{entry.ticket_id}",
                           "metadata": metadata}

    def pay(self, *, entry: Any, request: Any | None) -> Paid:
        call, params = self.params(entry=entry, request=request)
        options = {"idempotency_key": f"tierdesk-ledger-{entry.key}"}
        client = self.client()
        if call == "refund":
            result = client.v1.refunds.create(params=params, options=options)
        else:
            result = client.v1.customers.balance_transactions.create(
                request.payment_reference, params=params, options=options)
        return Paid("paid", result.id)


def backend() -> Backend:
    """Return the configured backend."""
    name = settings.REFUND_BACKEND
    if name == "stripe":
        return StripeBackend(settings.STRIPE_API_KEY)
    if name in ("", "finance"):
        return RecordForFinance()
    raise ServiceError(f"unknown refund backend {name!r}; use finance or stripe",
                       field="TIERDESK_REFUND_BACKEND")
