"""The ledger is append-only; the payment backend pays each entry once after commit:
by default recorded for finance, with Stripe when configured."""

import pytest

from tierdesk.common.errors import ServiceError
from tierdesk.outbox.services import deliver_due
from tierdesk.refunds.backends import RecordForFinance, StripeBackend, backend
from tierdesk.refunds.models import AppendOnly, LedgerEntry, Payment
from tierdesk.refunds.services import refund_request


@pytest.fixture
def entry(money):
    made = refund_request(viewer=money.viewer(money.desk.alice), ticket=money.starter,
                          kind="refund", amount="49", currency="USD", reason="Trial ended",
                          days_since_charge=3, payment_reference="pi_3Nexample")
    return LedgerEntry.objects.get(request=made)


def test_a_ledger_entry_is_never_changed_or_deleted(entry):
    entry.amount_minor = 1
    with pytest.raises(AppendOnly):
        entry.save()
    with pytest.raises(AppendOnly):
        entry.delete()
    assert LedgerEntry.objects.get(pk=entry.pk).amount_minor == 4900


def test_by_default_an_approved_refund_is_recorded_for_finance_once(entry, settings):
    settings.REFUND_BACKEND = "finance"
    deliver_due()
    deliver_due()

    payment = Payment.objects.get(entry=entry)
    assert (payment.backend, payment.state) == ("finance", "for_finance")


def test_the_stripe_backend_refunds_the_payment_intent_of_the_request(entry):
    call, params = StripeBackend("sk_test_123").params(entry=entry, request=entry.request)

    assert call == "refund"
    assert params["payment_intent"] == "pi_3Nexample"
    assert params["amount"] == 4900


def test_the_stripe_backend_refuses_a_refund_without_a_charge_to_refund(entry):
    entry.request.payment_reference = ""
    with pytest.raises(ServiceError) as refused:
        StripeBackend("sk_test_123").params(entry=entry, request=entry.request)
    assert refused.value.field == "payment_reference"


def test_the_backend_is_chosen_by_configuration(settings):
    settings.REFUND_BACKEND = "finance"
    assert isinstance(backend(), RecordForFinance)
    settings.REFUND_BACKEND, settings.STRIPE_API_KEY = "stripe", "sk_test_123"
    assert isinstance(backend(), StripeBackend)
    settings.STRIPE_API_KEY = ""
    with pytest.raises(ServiceError):
        backend()
