"""A routed request is approved at the right level through the API; an approval above
one's limit is refused with a 403 naming who decides, and writes nothing."""

from datetime import timedelta

from tierdesk import clock
from tierdesk.outbox.models import OutboxMessage
from tierdesk.refunds.models import LedgerEntry, RefundRequest
from tierdesk.tasks.models import Task


def post_request(api, ticket, **fields):
    body = {"ticket_id": ticket.pk, "kind": "refund", "amount": "500", "currency": "USD",
            "reason": "Charged twice", "days_since_charge": 40, **fields}
    return api.post("/api/v1/refunds", body)


def test_a_refund_routed_to_the_manager_is_approved_by_her(money, api_as):
    routed = post_request(api_as(money.desk.alice), money.professional)
    assert routed.status_code == 201, routed.content
    assert routed.json()["status"] == "pending"
    request_id = routed.json()["id"]

    inbox = api_as(money.desk.maria).get("/api/v1/refunds?awaiting=true").json()
    assert [r["id"] for r in inbox] == [request_id]
    approved = api_as(money.desk.maria).post(f"/api/v1/refunds/{request_id}/approve",
                                             {"note": "Duplicate charge confirmed"})

    assert approved.status_code == 200, approved.content
    assert approved.json()["status"] == "approved"
    assert approved.json()["decided_by"] == "maria"
    entry = LedgerEntry.objects.get(request_id=request_id)
    assert (entry.amount_minor, entry.approved_by, entry.approver_role) == (
        50000, money.desk.maria.user, "support_manager")
    assert Task.objects.get(key=f"refund:{request_id}:decide").done_at is not None


def test_the_customer_gets_the_refund_confirmation_template_with_the_amount(money, api_as):
    request_id = post_request(api_as(money.desk.alice), money.professional).json()["id"]
    api_as(money.desk.maria).post(f"/api/v1/refunds/{request_id}/approve", {})

    mail = OutboxMessage.objects.get(payload__template="refund_confirmation")
    assert mail.payload["to"] == [money.professional.requester.email]
    assert mail.payload["subject"] == f"[Ticket #{money.professional.pk}] Refund Processed"
    assert "for $500 has been processed for your Professional plan" in mail.payload["body"]
    assert "The credit will appear in 5–7 days." in mail.payload["body"]


def test_an_agent_approving_above_her_limit_is_refused_and_nothing_is_written(money, api_as):
    request_id = post_request(api_as(money.desk.alice), money.professional).json()["id"]

    refused = api_as(money.desk.alice).post(f"/api/v1/refunds/{request_id}/approve", {})

    assert refused.status_code == 403
    assert "above your limit" in refused.json()["message"]
    assert refused.json()["details"] == {"decides_role": "support_manager"}
    assert not LedgerEntry.objects.exists()
    assert RefundRequest.objects.get(pk=request_id).status == "pending"
    assert not OutboxMessage.objects.filter(payload__template="refund_confirmation").exists()


def test_the_manager_cannot_approve_a_credit_above_1000_dollars_the_finance_director_can(
        money, api_as):
    made = post_request(api_as(money.desk.alice), money.enterprise, kind="credit",
                        amount="1000.01", days_since_charge=None).json()
    assert made["decides_role"] == "finance_director"

    refused = api_as(money.desk.maria).post(f"/api/v1/refunds/{made['id']}/approve", {})
    assert refused.status_code == 403
    assert not LedgerEntry.objects.exists()

    approved = api_as(money.fiona).post(f"/api/v1/refunds/{made['id']}/approve", {})
    assert approved.status_code == 200
    assert LedgerEntry.objects.get().amount_minor == 100001


def test_a_decided_request_cannot_be_decided_again(money, api_as):
    request_id = post_request(api_as(money.desk.alice), money.professional).json()["id"]
    api_as(money.desk.maria).post(f"/api/v1/refunds/{request_id}/approve", {})

    again = api_as(money.desk.maria).post(f"/api/v1/refunds/{request_id}/approve", {})

    assert again.status_code == 409
    assert LedgerEntry.objects.count() == 1


def test_a_refusal_needs_a_reason_and_closes_the_task(money, api_as):
    request_id = post_request(api_as(money.desk.alice), money.professional).json()["id"]
    maria = api_as(money.desk.maria)

    assert maria.post(f"/api/v1/refunds/{request_id}/refuse", {}).json()["field"] == "note"
    refused = maria.post(f"/api/v1/refunds/{request_id}/refuse", {"note": "Outside terms"})

    assert refused.json()["status"] == "refused"
    assert Task.objects.get(key=f"refund:{request_id}:decide").done_at is not None
    assert not LedgerEntry.objects.exists()


def test_a_starter_cancellation_takes_effect_after_the_7_day_notice(money, api_as):
    now = clock.now()
    made = post_request(api_as(money.desk.alice), money.starter, kind="cancellation",
                        amount="0", days_since_charge=None)

    assert made.status_code == 201, made.content
    request = RefundRequest.objects.get(pk=made.json()["id"])
    assert request.status == "approved"
    assert request.notice_ends_at - now == timedelta(days=7)
    assert not LedgerEntry.objects.exists()
    assert money.starter.events.filter(type="cancellation_recorded").exists()


def test_an_enterprise_cancellation_is_for_the_support_manager(money, api_as):
    made = post_request(api_as(money.desk.alice), money.enterprise, kind="cancellation",
                        amount="0", days_since_charge=None).json()

    assert (made["status"], made["decides_role"]) == ("pending", "support_manager")
    approved = api_as(money.desk.maria).post(f"/api/v1/refunds/{made['id']}/approve", {})
    assert approved.json()["status"] == "approved"


def test_bad_input_names_the_field_and_records_nothing(money, api_as):
    alice = api_as(money.desk.alice)
    for fields, field in (({"currency": "EUR"}, "currency"), ({"amount": "1.001"}, "amount"),
                          ({"amount": "-5"}, "amount"), ({"kind": "gift"}, "kind"),
                          ({"reason": " "}, "reason"), ({"days_since_charge": None},
                                                        "days_since_charge")):
        response = post_request(alice, money.starter, **fields)
        assert response.status_code == 400, (fields, response.content)
        assert response.json()["field"] == field
    assert not RefundRequest.objects.exists()
