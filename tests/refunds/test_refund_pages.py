"""The workspace: the ticket page's refund form, and the manager's queue of routed
requests."""

from tierdesk.refunds.models import LedgerEntry, RefundRequest


def test_the_ticket_page_offers_the_refund_form_in_the_packs_currency(money):
    page = money.desk.client(money.desk.alice).get(f"/agent/tickets/{money.starter.pk}/")

    assert b"Refund or credit" in page.content
    assert b"Amount (USD)" in page.content


def test_an_agent_asking_above_her_limit_is_told_where_it_went(money):
    client = money.desk.client(money.desk.alice)
    answer = client.post(f"/agent/tickets/{money.starter.pk}/refunds/", {
        "kind": "refund", "amount": "300", "currency": "USD", "reason": "Annual plan",
        "days_since_charge": "12"}, follow=True)

    assert "Above your limit: routed to support manager." in answer.content.decode()
    assert RefundRequest.objects.get().status == "pending"


def test_the_manager_sees_the_routed_request_and_approves_it(money):
    money.desk.client(money.desk.alice).post(f"/agent/tickets/{money.starter.pk}/refunds/", {
        "kind": "refund", "amount": "300", "currency": "USD", "reason": "Annual plan",
        "days_since_charge": "12"})
    request = RefundRequest.objects.get()
    maria = money.desk.client(money.desk.maria)

    queue = maria.get("/agent/refunds/").content.decode()
    assert "Waiting for your decision" in queue and "$300" in queue
    done = maria.post(f"/agent/refunds/{request.pk}/approve/", {"note": "ok"}, follow=True)

    assert f"Approved request #{request.pk}." in done.content.decode()
    assert LedgerEntry.objects.get().approved_by == money.desk.maria.user


def test_a_bad_amount_on_the_form_is_reported_and_nothing_recorded(money):
    answer = money.desk.client(money.desk.alice).post(
        f"/agent/tickets/{money.starter.pk}/refunds/",
        {"kind": "refund", "amount": "12.345", "currency": "USD", "reason": "x",
         "days_since_charge": "1"}, follow=True)

    assert "Refund request not recorded" in answer.content.decode()
    assert not RefundRequest.objects.exists()
