"""DataFlow 6.1, "Authorization Levels", at every boundary: an agent approves refunds
within 30 days for Starter/Professional up to $149; the support manager over 30 days and
credits up to $1,000 (and Enterprise cancellations); the finance director above $1,000
and contract disputes. Above one's level the request is routed with a task."""

import pytest

from tierdesk.refunds.models import LedgerEntry, RefundRequest
from tierdesk.refunds.services import refund_request
from tierdesk.tasks.models import Task


def ask(money, persona, ticket, **fields):
    values = {"kind": "refund", "currency": "USD", "reason": "Not what they needed",
              "days_since_charge": 10, **fields}
    return refund_request(viewer=money.viewer(persona), ticket=ticket, **values)


@pytest.mark.parametrize(("amount", "days", "approved"), [
    ("149", 30, True),
    ("149.00", 1, True),
    ("149.01", 30, False),
    ("149", 31, False),
    ("49", 31, False),
])
def test_an_agent_approves_a_starter_refund_up_to_149_dollars_within_30_days(
        money, amount, days, approved):
    made = ask(money, money.desk.alice, money.starter, amount=amount, days_since_charge=days)

    assert (made.status == "approved") is approved
    assert LedgerEntry.objects.filter(request=made).exists() is approved
    if not approved:
        assert made.decides_role == "support_manager"


def test_an_agent_approves_a_professional_refund_of_149_dollars_on_day_30(money):
    made = ask(money, money.desk.alice, money.professional, amount="149", days_since_charge=30)

    entry = LedgerEntry.objects.get(request=made)
    assert (entry.amount_minor, entry.currency, entry.kind) == (14900, "USD", "refund")
    assert entry.approved_by == money.desk.alice.user
    assert entry.approver_role == "agent"
    assert entry.pack_rule.startswith("refunds.limits[0]")


@pytest.mark.parametrize("amount", ["1", "49", "149"])
def test_an_agent_never_approves_an_enterprise_refund_whatever_the_amount(money, amount):
    made = ask(money, money.desk.alice, money.enterprise, amount=amount, days_since_charge=1)

    assert made.status == "pending"
    assert made.decides_role == "support_manager"
    assert not LedgerEntry.objects.exists()


@pytest.mark.parametrize(("amount", "decides"), [
    ("1000", "support_manager"),
    ("1000.00", "support_manager"),
    ("1000.01", "finance_director"),
    ("25000", "finance_director"),
])
def test_the_support_manager_approves_credits_up_to_1000_dollars_the_finance_director_above(
        money, amount, decides):
    made = ask(money, money.desk.alice, money.enterprise, kind="credit", amount=amount,
               days_since_charge=None)

    assert made.decides_role == decides


def test_the_support_manager_approves_an_old_refund_herself_at_once(money):
    made = ask(money, money.desk.maria, money.starter, amount="120", days_since_charge=45)

    assert made.status == "approved"
    entry = LedgerEntry.objects.get(request=made)
    assert entry.approver_role == "support_manager"
    assert entry.pack_rule.startswith("refunds.limits[1]")


def test_an_agent_may_not_approve_credits_at_all(money):
    made = ask(money, money.desk.alice, money.starter, kind="credit", amount="10",
               days_since_charge=None)

    assert made.status == "pending"
    assert made.decides_role == "support_manager"


def test_a_contract_dispute_goes_to_the_finance_director_whatever_the_amount(money):
    made = ask(money, money.desk.maria, money.starter, amount="20", contract_dispute=True)

    assert made.status == "pending"
    assert made.decides_role == "finance_director"
    assert Task.objects.get(key=f"refund:{made.pk}:decide").role == "finance_director"


def test_a_request_above_the_agents_limit_is_routed_with_a_task_due_within_a_day(money):
    made = ask(money, money.desk.alice, money.professional, amount="500", days_since_charge=40)

    task = Task.objects.get(key=f"refund:{made.pk}:decide")
    assert task.role == "support_manager"
    assert task.ticket == money.professional
    assert (task.due_at - made.requested_at).total_seconds() == 24 * 3600
    assert list(money.professional.events.filter(type="refund_routed")
                .values_list("data__to", flat=True)) == ["support_manager"]
    assert not LedgerEntry.objects.exists()


def test_the_requester_cannot_claim_another_plan_to_stay_within_the_limit(money):
    from tierdesk.common.errors import ServiceError

    with pytest.raises(ServiceError) as refused:
        ask(money, money.desk.alice, money.enterprise, amount="50", plan="Starter")

    assert refused.value.field == "plan"
    assert not RefundRequest.objects.exists()
