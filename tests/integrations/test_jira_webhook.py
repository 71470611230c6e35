"""POST /api/v1/integrations/jira/webhook: Jira's signed status changes reach the ticket."""

import json

import pytest
from django.test import Client

from tests.factories import TicketFactory
from tests.integrations.conftest import JIRA_SECRET
from tierdesk.integrations import services
from tierdesk.integrations.models import JiraLink
from tierdesk.integrations.signing import jira_signature
from tierdesk.outbox import services as outbox
from tierdesk.tickets.models import TicketEvent

pytestmark = pytest.mark.django_db

URL = "/api/v1/integrations/jira/webhook"


@pytest.fixture
def secret(settings):
    settings.JIRA_WEBHOOK_SECRET = JIRA_SECRET
    return JIRA_SECRET


@pytest.fixture
def link(frozen_clock):
    ticket = TicketFactory(priority="P1")
    return services.jira_link_record(ticket_id=ticket.pk, issue_key="ENG-1",
                                     outbox_message_id=None, at=frozen_clock, status="To Do")


def status_change(key: str = "ENG-1", old: str = "To Do", new: str = "In Progress") -> bytes:
    """Return a body shaped like Jira Cloud's ``jira:issue_updated`` webhook."""
    return json.dumps({
        "timestamp": 1764601200000, "webhookEvent": "jira:issue_updated",
        "issue_event_type_name": "issue_generic",
        "issue": {"id": "10001", "key": key, "fields": {"status": {"name": new}}},
        "changelog": {"id": "10100", "items": [
            {"field": "status", "fieldtype": "jira", "from": "10000", "fromString": old,
             "to": "3", "toString": new}]},
    }).encode()


def post(body: bytes, signature: str | None):
    headers = {"HTTP_X_HUB_SIGNATURE": signature} if signature is not None else {}
    # Jira sends no CSRF token: the signature is what authenticates the request.
    client = Client(enforce_csrf_checks=True)
    return client.post(URL, data=body, content_type="application/json", **headers)


def status_events():
    return list(TicketEvent.objects.filter(type="jira_status_changed").values_list("data",
                                                                                  flat=True))


def test_signed_status_change_updates_the_link_and_writes_an_event(secret, link):
    body = status_change()

    r = post(body, jira_signature(secret, body))

    assert r.status_code == 200, r.content
    assert r.json() == {"changed": True, "key": "ENG-1", "status": "In Progress"}
    link.refresh_from_db()
    assert link.status == "In Progress"
    event = TicketEvent.objects.get(ticket=link.ticket, type="jira_status_changed")
    assert event.data == {"key": "ENG-1", "old": "To Do", "new": "In Progress"}
    assert event.actor is None


def test_tampered_body_is_rejected_and_changes_nothing(secret, link):
    genuine = status_change(new="In Progress")
    tampered = status_change(new="Done")

    r = post(tampered, jira_signature(secret, genuine))

    assert r.status_code == 401
    assert r.json()["code"] == "bad_signature"
    link.refresh_from_db()
    assert link.status == "To Do"
    assert status_events() == []


def test_request_without_a_signature_is_rejected(secret, link):
    r = post(status_change(), None)

    assert r.status_code == 401
    assert r.json()["field"] == "header.X-Hub-Signature"
    assert status_events() == []


def test_signature_made_with_another_secret_is_rejected(secret, link):
    body = status_change()

    assert post(body, jira_signature("not-the-secret", body)).status_code == 401
    assert status_events() == []


def test_endpoint_is_not_found_while_the_secret_is_unset(link):
    body = status_change()

    r = post(body, jira_signature(JIRA_SECRET, body))

    assert r.status_code == 404
    assert r.json()["code"] == "not_found"
    assert status_events() == []


def test_status_change_for_an_unlinked_issue_is_not_found(secret, link):
    body = status_change(key="OPS-77")

    r = post(body, jira_signature(secret, body))

    assert r.status_code == 404
    assert r.json()["code"] == "not_found"
    assert "OPS-77" in r.json()["message"]


def test_signed_body_that_is_not_json_is_a_bad_request(secret, link):
    body = b'{"webhookEvent": "jira:issue_updated", '

    r = post(body, jira_signature(secret, body))

    assert r.status_code == 400
    assert r.json()["code"] == "malformed_json"


def test_repeated_delivery_of_the_same_change_writes_one_event(secret, link):
    body = status_change()

    post(body, jira_signature(secret, body))
    r = post(body, jira_signature(secret, body))

    assert r.json()["changed"] is False
    assert len(status_events()) == 1


def test_update_that_does_not_move_the_status_is_acknowledged_and_ignored(secret, link):
    body = json.dumps({"webhookEvent": "jira:issue_updated", "issue": {"key": "ENG-1"},
                       "changelog": {"items": [{"field": "summary", "toString": "x"}]}}).encode()

    r = post(body, jira_signature(secret, body))

    assert r.status_code == 200
    assert r.json()["changed"] is False
    assert status_events() == []


def test_issue_opened_by_a_rule_follows_jira_status_back(secret, jira, open_ticket):
    """End to end: P1 rule -> outbox -> Jira issue ENG-1 -> Jira webhook -> ticket event."""
    from tests.integrations.test_jira_delivery import escalate_p1_after_two_hours

    ticket = escalate_p1_after_two_hours(open_ticket)
    outbox.deliver_due()
    body = status_change(key="ENG-1", old="To Do", new="Done")

    assert post(body, jira_signature(secret, body)).status_code == 200

    assert JiraLink.objects.get(ticket=ticket).status == "Done"
    types = list(TicketEvent.objects.filter(ticket=ticket, type__startswith="jira_")
                 .values_list("type", flat=True))
    assert types == ["jira_issue_opened", "jira_status_changed"]
