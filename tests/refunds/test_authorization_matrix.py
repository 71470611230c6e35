"""Every refund, task and survey endpoint and page x persona (DESIGN.md, "Who may do
what"), as in tests/api and tests/web. The DataFlow pack is active; the target ticket is
the Enterprise bank's (1018) in the Support queue, and its pending refund request (an
agent's, above her limit) waits for the support manager with a task."""

import pytest
from django.test import Client

from tests.matrix import cases, fill, persona_user
from tierdesk import clock
from tierdesk.packs.services import pack_apply
from tierdesk.people.access import viewer_for
from tierdesk.policy import PACKS_DIR
from tierdesk.refunds.models import LedgerEntry, RefundRequest
from tierdesk.refunds.services import refund_request
from tierdesk.surveys import links
from tierdesk.surveys.models import NpsSchedule, Survey
from tierdesk.tasks.models import Task

REFUND = {"ticket_id": "{ticket}", "amount": "50", "currency": "USD", "reason": "Broken",
          "days_since_charge": 5}
API = [
    ("request refund", "post", "/api/v1/refunds", REFUND, [401, 403, 403, 201, 404, 201]),
    ("list refunds", "get", "/api/v1/refunds", None, [401, 403, 403, 200, 200, 200]),
    ("refunds awaiting me", "get", "/api/v1/refunds?awaiting=true", None,
     [401, 403, 403, 200, 200, 200]),
    ("read refund", "get", "/api/v1/refunds/{refund}", None, [401, 403, 403, 200, 404, 200]),
    ("approve refund", "post", "/api/v1/refunds/{refund}/approve", {"note": "ok"},
     [401, 403, 403, 403, 404, 200]),
    ("refuse refund", "post", "/api/v1/refunds/{refund}/refuse", {"note": "no"},
     [401, 403, 403, 403, 404, 200]),
    ("ledger", "get", "/api/v1/refunds/ledger", None, [401, 403, 403, 403, 403, 200]),
    ("tasks", "get", "/api/v1/tasks", None, [401, 403, 403, 200, 200, 200]),
    ("task done", "post", "/api/v1/tasks/{task}/done", None, [401, 404, 404, 404, 404, 200]),
    ("surveys", "get", "/api/v1/surveys", None, [401, 403, 403, 200, 200, 200]),
    ("survey report", "get", "/api/v1/surveys/report", None, [401, 403, 403, 403, 403, 200]),
    ("set NPS schedule", "post", "/api/v1/surveys/nps/organisations/{org}", {"every_days": 60},
     [401, 403, 403, 403, 403, 200]),
    ("read NPS schedule", "get", "/api/v1/surveys/nps/organisations/{org}", None,
     [401, 403, 403, 403, 403, 200]),
]
PAGES = [
    ("refund queue", "get", "/agent/refunds/", None, [302, 403, 403, 200, 200, 200]),
    ("refund page", "get", "/agent/refunds/{refund}/", None, [302, 403, 403, 200, 404, 200]),
    ("approve refund", "post", "/agent/refunds/{refund}/approve/", {"note": "ok"},
     [302, 403, 403, 403, 404, 302]),
    ("refuse refund", "post", "/agent/refunds/{refund}/refuse/", {"note": "no"},
     [302, 403, 403, 403, 404, 302]),
    ("ticket refund form", "post", "/agent/tickets/{ticket}/refunds/",
     {"kind": "refund", "amount": "20", "currency": "USD", "reason": "r",
      "days_since_charge": "3"}, [302, 403, 403, 302, 404, 302]),
    ("tasks page", "get", "/agent/tasks/", None, [302, 403, 403, 200, 200, 200]),
    ("task done", "post", "/agent/tasks/{task}/done/", None, [302, 403, 403, 404, 404, 302]),
    # The survey page is public: the signed link is the only key, whoever holds it.
    ("survey page", "get", "/survey/{token}/?score=4", None, [200] * 6),
    ("answer survey", "post", "/survey/{token}/", {"score": "4"}, [200] * 6),
    ("forged survey link", "post", "/survey/{forged}/", {"score": "4"}, [404] * 6),
]


@pytest.fixture
def ids(world):
    pack_apply(source=(PACKS_DIR / "dataflow.yaml").read_text())
    refund = refund_request(viewer=viewer_for(world.agent.user), ticket=world.ticket,
                            kind="refund", amount="50", currency="USD", reason="Broken",
                            days_since_charge=5)
    assert refund.status == "pending"
    survey = Survey.objects.create(kind="csat", ticket=world.ticket, contact=world.customer,
                                   organisation=world.org, nonce=links.new_nonce(),
                                   created_at=clock.now(), sent_at=clock.now())
    NpsSchedule.objects.create(organisation=world.org, next_at=clock.now())
    return {"ticket": world.ticket.pk, "refund": refund.pk, "org": world.org.pk,
            "task": Task.objects.get(key=f"refund:{refund.pk}:decide").pk,
            "token": links.token_for(survey), "forged": links.token_for(survey)[:-2] + "xx"}


@pytest.mark.parametrize(("name", "method", "path", "body", "persona", "expected"), cases(API))
def test_api_authorization(world, api_as, ids, name, method, path, body, persona, expected):
    before = LedgerEntry.objects.count()
    api = api_as(persona_user(world, persona))
    response = getattr(api, method)(fill(path, ids), *([fill(body, ids)] if body else []))
    assert response.status_code == expected, response.content
    if expected >= 400:
        assert LedgerEntry.objects.count() == before


@pytest.mark.parametrize(("name", "method", "path", "form", "persona", "expected"),
                         cases(PAGES))
def test_page_authorization(world, ids, name, method, path, form, persona, expected):
    client = Client()
    user = persona_user(world, persona)
    if user is not None:
        client.force_login(user)
    url = fill(path, ids)
    response = client.post(url, form or {}) if method == "post" else client.get(url)
    assert response.status_code == expected, response.content[:300]
    if persona == "anonymous" and expected == 302:
        assert response["Location"].startswith("/login/?next=")


def test_refused_refund_decisions_change_nothing(world, ids):
    for persona in ("customer", "foreign_customer", "agent", "outsider_agent"):
        client = Client()
        client.force_login(persona_user(world, persona))
        client.post(f"/agent/refunds/{ids['refund']}/approve/", {})
    assert RefundRequest.objects.get(pk=ids["refund"]).status == "pending"
    assert not LedgerEntry.objects.exists()
