"""Every organisation, QA and risk endpoint and page x persona (DESIGN.md "Who may do
what"), under the CSU pack: anyone on the support side reads the chart, flags risks and
sees their own QA scores; managers place people, manage agents, score tickets (as QA
reviewers do) and read the whole register. Targets: the Support queue's ticket of
organisation 1018, a solved ticket of Alice's, a risk Alice flagged on it."""

import pytest
from django.test import Client

from tests.factories import TicketFactory
from tests.matrix import cases, fill, persona_user
from tierdesk.org.models import Placement
from tierdesk.packs.services import pack_apply
from tierdesk.people.access import viewer_for
from tierdesk.policy import PACKS_DIR
from tierdesk.risks.models import Risk

GOOD = {"empathy": 4, "accuracy": 4, "tone": 4, "process": 4}
RISK = {"ticket_id": "{ticket}", "category": "operational", "likelihood": "likely",
        "impact": "major", "description": "exports fail"}

# (name, method, path, body, expected per persona: anonymous, customer, foreign_customer,
#  agent, outsider_agent, manager)
API = [
    ("hierarchy query", "post", "/api/v1/hierarchy/query", {"department": "CSU"},
     [401, 403, 403, 200, 200, 200]),
    ("org chart", "get", "/api/v1/org/chart", None, [401, 403, 403, 200, 200, 200]),
    ("place on chart", "post", "/api/v1/org/positions/qa_lead/holders",
     {"agent_id": "{agent}"}, [401, 403, 403, 403, 403, 201]),
    ("mark holder away", "patch", "/api/v1/org/placements/{placement}", {"away": True},
     [401, 403, 403, 403, 403, 200]),
    ("remove from chart", "delete", "/api/v1/org/placements/{placement}", None,
     [401, 403, 403, 403, 403, 204]),
    ("add agent", "post", "/api/v1/agents", {"username": "nu", "email": "nu@example.com"},
     [401, 403, 403, 403, 403, 201]),
    ("read agent", "get", "/api/v1/agents/{agent}", None, [401, 403, 403, 200, 200, 200]),
    ("change agent", "patch", "/api/v1/agents/{agent}", {"languages": ["en"]},
     [401, 403, 403, 403, 403, 200]),
    ("QA scorecards", "get", "/api/v1/qa/scorecards", None, [401, 403, 403, 200, 200, 200]),
    ("QA queue", "get", "/api/v1/qa/queue", None, [401, 403, 403, 403, 403, 200]),
    ("QA score a ticket", "post", "/api/v1/qa/reviews",
     {"ticket_id": "{solved}", "scores": GOOD}, [401, 403, 403, 403, 403, 201]),
    ("QA my scores", "get", "/api/v1/qa/reviews/mine", None, [401, 403, 403, 200, 200, 200]),
    ("QA all reviews", "get", "/api/v1/qa/reviews", None, [401, 403, 403, 403, 403, 200]),
    ("QA Alice's reviews", "get", "/api/v1/qa/reviews?agent_id={agent}", None,
     [401, 403, 403, 200, 403, 200]),
    ("QA calibration", "get", "/api/v1/qa/calibration", None, [401, 403, 403, 403, 403, 200]),
    ("flag a risk", "post", "/api/v1/risks", RISK, [401, 403, 403, 201, 404, 201]),
    ("risk register", "get", "/api/v1/risks", None, [401, 403, 403, 200, 200, 200]),
    ("weekly risk review", "get", "/api/v1/risks/review", None,
     [401, 403, 403, 200, 200, 200]),
    ("risk identification rate", "get", "/api/v1/risks/report", None,
     [401, 403, 403, 403, 403, 200]),
    ("read a risk", "get", "/api/v1/risks/{risk}", None, [401, 403, 403, 200, 404, 200]),
    ("review a risk", "patch", "/api/v1/risks/{risk}", {"reviewed": True},
     [401, 403, 403, 403, 404, 200]),
]

WEB = [
    ("QA queue page", "get", "/agent/qa/", None, [302, 403, 403, 403, 403, 200]),
    ("QA scoring form", "get", "/agent/qa/tickets/{solved}/", None,
     [302, 403, 403, 403, 403, 200]),
    ("QA score", "post", "/agent/qa/tickets/{solved}/",
     {f"score_{k}": v for k, v in GOOD.items()}, [302, 403, 403, 403, 403, 302]),
    ("my QA scores page", "get", "/agent/qa/mine/", None, [302, 403, 403, 200, 200, 200]),
    ("risk register page", "get", "/agent/risks/", None, [302, 403, 403, 200, 200, 200]),
    ("flag risk form", "get", "/agent/risks/new/", None, [302, 403, 403, 200, 200, 200]),
    ("flag risk", "post", "/agent/risks/new/", RISK, [302, 403, 403, 302, 400, 302]),
    ("mark risk reviewed", "post", "/agent/risks/{risk}/reviewed/", None,
     [302, 403, 403, 403, 404, 302]),
    ("org chart page", "get", "/agent/org/", None, [302, 403, 403, 200, 200, 200]),
    ("agents page", "get", "/agent/org/agents/", None, [302, 403, 403, 403, 403, 200]),
    ("add agent", "post", "/agent/org/agents/", {"username": "nu", "email": "nu@example.com",
                                                 "role": "agent"},
     [302, 403, 403, 403, 403, 302]),
    ("agent page", "get", "/agent/org/agents/{agent}/", None, [302, 403, 403, 403, 403, 200]),
    ("change agent", "post", "/agent/org/agents/{agent}/",
     {"action": "save", "role": "specialist", "email": "alice@example.com",
      "languages": "en es", "is_active": "on"}, [302, 403, 403, 403, 403, 302]),
]


@pytest.fixture
def ids(world):
    from tierdesk.org.services import placement_add
    from tierdesk.packs.selectors import active_pack
    from tierdesk.risks.services import risk_flag

    pack_apply(source=(PACKS_DIR / "csu.yaml").read_text())
    pack = active_pack()
    solved = TicketFactory(requester=world.customer, group=world.group, status="solved",
                           assignee=world.agent)
    placement = placement_add(viewer=viewer_for(world.manager.user), pack=pack,
                              agent=world.outsider_agent, position="kb_specialist")
    risk = risk_flag(viewer=viewer_for(world.agent.user), pack=pack, ticket=world.ticket,
                     category="product", likelihood="rare", impact="minor",
                     description="a typo in the invoice")
    return {"ticket": world.ticket.pk, "agent": world.agent.pk, "solved": solved.pk,
            "placement": placement.pk, "risk": risk.pk}


@pytest.mark.parametrize(("name", "method", "path", "body", "persona", "expected"), cases(API))
def test_api_authorization(world, ids, api_as, name, method, path, body, persona, expected):
    api = api_as(persona_user(world, persona))
    response = getattr(api, method)(fill(path, ids), *([fill(body, ids)] if body else []))
    assert response.status_code == expected, response.content


@pytest.mark.parametrize(("name", "method", "path", "form", "persona", "expected"), cases(WEB))
def test_web_authorization(world, ids, name, method, path, form, persona, expected):
    client = Client()
    user = persona_user(world, persona)
    if user is not None:
        client.force_login(user)
    url = fill(path, ids)
    response = client.post(url, fill(form or {}, ids)) if method == "post" else client.get(url)
    assert response.status_code == expected, response.content[:400]
    if persona == "anonymous":
        assert response["Location"].startswith("/login/?next=")


def test_refused_writes_change_nothing(world, ids, api_as):
    """Agents and customers cannot place people, change agents, score or review risks."""
    before = (list(Placement.objects.values()), list(Risk.objects.values()))
    for persona in ("customer", "agent", "outsider_agent"):
        api = api_as(persona_user(world, persona))
        api.post("/api/v1/org/positions/director/holders", {"agent_id": ids["agent"]})
        api.patch(f"/api/v1/org/placements/{ids['placement']}", {"away": True})
        api.patch(f"/api/v1/risks/{ids['risk']}", {"status": "closed"})
        api.patch(f"/api/v1/agents/{ids['agent']}", {"role": "director"})
    assert (list(Placement.objects.values()), list(Risk.objects.values())) == before
    assert world.agent.__class__.objects.get(pk=ids["agent"]).role == "agent"
