"""One matrix: every endpoint x persona x own/foreign organisation (DESIGN.md, "Who may do
what"). The target ticket belongs to organisation 1018 and sits in the Support queue."""

import pytest
from django.test import Client

from tests.factories import ContactFactory, TicketFactory
from tests.matrix import cases, fill, persona_user
from tierdesk.tickets.models import Ticket

# (name, method, path template, body, expected status per persona in PERSONAS order)
MATRIX = [
    ("read ticket", "get", "/api/v1/tickets/{ticket}", None, [401, 200, 404, 200, 404, 200]),
    ("edit ticket", "patch", "/api/v1/tickets/{ticket}", {"priority": "P1"},
     [401, 403, 404, 200, 404, 200]),
    ("reply", "post", "/api/v1/tickets/{ticket}/replies", {"body": "hi"},
     [401, 201, 404, 201, 404, 201]),
    ("internal note", "post", "/api/v1/tickets/{ticket}/notes", {"body": "psst"},
     [401, 403, 404, 201, 404, 201]),
    ("read messages", "get", "/api/v1/tickets/{ticket}/messages", None,
     [401, 200, 404, 200, 404, 200]),
    ("assign", "post", "/api/v1/tickets/{ticket}/assign", {"assignee_id": "{agent}"},
     [401, 403, 404, 200, 404, 200]),
    ("merge", "post", "/api/v1/tickets/{ticket}/merge", {"target_id": "{sibling}"},
     [401, 403, 404, 200, 404, 200]),
    ("audit log", "get", "/api/v1/tickets/{ticket}/events", None,
     [401, 403, 404, 200, 404, 200]),
    ("open ticket for 1018's contact", "post", "/api/v1/tickets",
     {"subject": "s", "body": "b", "requester_id": "{contact}"},
     [401, 201, 403, 201, 201, 201]),
    ("read organisation", "get", "/api/v1/organisations/{org}", None,
     [401, 200, 404, 200, 200, 200]),
    ("edit organisation", "patch", "/api/v1/organisations/{org}", {"plan": "Starter"},
     [401, 403, 404, 403, 403, 200]),
    ("create organisation", "post", "/api/v1/organisations", {"name": "New Co"},
     [401, 403, 403, 403, 403, 201]),
    ("read contact", "get", "/api/v1/contacts/{contact}", None, [401, 200, 404, 200, 200, 200]),
    ("create contact", "post", "/api/v1/contacts",
     {"name": "N", "email": "n@example.com", "organisation_id": "{org}"},
     [401, 403, 403, 201, 201, 201]),
    ("agent directory", "get", "/api/v1/agents", None, [401, 403, 403, 200, 200, 200]),
    # History import is for administrators only (tests/imports: an admin gets 200).
    ("import tickets", "post", "/api/v1/imports/tickets", {"external_id": "m-1"},
     [401, 403, 403, 403, 403, 403]),
    ("ticket SLA", "get", "/api/v1/tickets/{ticket}/sla", None,
     [401, 200, 404, 200, 404, 200]),
    ("escalate", "post", "/api/v1/tickets/{ticket}/escalations",
     {"to": "L1", "handoff": {"symptoms": "s", "steps_taken": "t"}},
     [401, 403, 403, 201, 404, 201]),
    ("list escalations", "get", "/api/v1/tickets/{ticket}/escalations", None,
     [401, 403, 403, 200, 404, 200]),
    ("de-escalate", "post", "/api/v1/tickets/{ticket}/de-escalations", {"to": "L0"},
     [401, 403, 403, 400, 404, 400]),
    ("communicate resolution", "post", "/api/v1/tickets/{ticket}/resolution",
     {"message": "fixed"}, [401, 403, 403, 200, 404, 200]),
    # Moving a ticket to a queue the agent is not in (and not of their tier) is for
    # managers; agents escalate instead (README, "Who may move a ticket").
    ("move to another group", "patch", "/api/v1/tickets/{ticket}", {"group_id": "{other_group}"},
     [401, 403, 404, 403, 404, 200]),
    ("route from the inbox to own group", "patch", "/api/v1/tickets/{unrouted}",
     {"group_id": "{group}"}, [401, 403, 404, 200, 403, 200]),
    ("link KB article", "post", "/api/v1/tickets/{ticket}/knowledge", {"article": "KB-{article}"},
     [401, 403, 404, 201, 404, 201]),
    ("follow", "post", "/api/v1/tickets/{ticket}/follow", None,
     [401, 403, 404, 200, 404, 200]),
    ("unfollow", "delete", "/api/v1/tickets/{ticket}/follow", None,
     [401, 403, 404, 200, 404, 200]),
    ("escalation policy", "get", "/api/v1/escalation/policy", None,
     [401, 403, 403, 200, 200, 200]),
    # Reports: managers see every ticket's figures, an agent their own (tests/reports).
    ("report metrics", "get", "/api/v1/reports/metrics?period=2026-11", None,
     [401, 403, 403, 200, 200, 200]),
    ("report goals", "get", "/api/v1/reports/goals?period=2026-11", None,
     [401, 403, 403, 200, 200, 200]),
    ("metric definitions", "get", "/api/v1/reports/definitions", None,
     [401, 403, 403, 200, 200, 200]),
    ("metrics as CSV", "get", "/api/v1/reports/metrics.csv?period=2026-11", None,
     [401, 403, 403, 200, 200, 200]),
    ("tickets as CSV", "get", "/api/v1/reports/tickets.csv?period=2026-11", None,
     [401, 403, 403, 200, 200, 200]),
    ("escalation report", "get", "/api/v1/escalation/report", None,
     [401, 403, 403, 200, 200, 200]),
    ("who am I", "get", "/api/v1/me", None, [401, 200, 200, 200, 200, 200]),
]

CASES = cases(MATRIX)


@pytest.mark.parametrize(("name", "method", "path", "body", "persona", "expected"), CASES)
def test_authorization_matrix(world, api_as, name, method, path, body, persona, expected):
    from tierdesk.packs.services import pack_apply
    from tierdesk.people.models import Tier
    from tierdesk.policy import PACKS_DIR

    pack_apply(source=(PACKS_DIR / "nexacore.yaml").read_text())  # tiers L0-L3 to escalate
    # The Support queue works L1 and the agent holds L1: an escalation to L1 lands there.
    l1 = Tier.objects.get(code="L1")
    world.group.tier = l1
    world.group.save()
    world.agent.tier = l1
    world.agent.save()
    sibling = TicketFactory(requester=world.customer, group=world.group)
    unrouted = TicketFactory(requester=world.customer, group=None)
    from tierdesk.kb import services as kb

    article = kb.article_create(viewer=world.viewer(world.manager), language="en",
                                title="Exports", body="Re-run the export.")
    ids = {"ticket": world.ticket.pk, "agent": world.agent.pk, "sibling": sibling.pk,
           "article": article.pk,
           "unrouted": unrouted.pk,
           "contact": world.customer.pk, "org": world.org.pk, "group": world.group.pk,
           "other_group": world.other_group.pk}
    api = api_as(persona_user(world, persona))
    response = getattr(api, method)(fill(path, ids), *([fill(body, ids)] if body else []))
    assert response.status_code == expected, response.content


@pytest.mark.parametrize(("persona", "visible"), [
    ("customer", {"ticket", "sibling"}),
    ("foreign_customer", {"foreign_ticket"}),
    ("agent", {"ticket", "sibling", "unrouted"}),
    ("outsider_agent", {"foreign_ticket", "unrouted"}),
    ("manager", {"ticket", "sibling", "foreign_ticket", "unrouted"}),
])
def test_ticket_list_shows_only_what_the_persona_may_see(world, api_as, persona, visible):
    named = {
        "ticket": world.ticket,
        "foreign_ticket": world.foreign_ticket,
        "sibling": TicketFactory(requester=world.customer, group=world.group),
        "unrouted": TicketFactory(requester=ContactFactory(), group=None),
    }
    ids = {t.pk: name for name, t in named.items()}
    items = api_as(persona_user(world, persona)).get("/api/v1/tickets").json()["items"]
    assert {ids[t["id"]] for t in items} == visible


def test_customer_without_an_organisation_sees_only_their_own_tickets(world, api_as):
    from tests.factories import CustomerContactFactory, UserFactory

    loner = CustomerContactFactory(organisation=None, user=UserFactory(username="loner"))
    mine = TicketFactory(requester=loner, organisation=None)
    items = api_as(loner.user).get("/api/v1/tickets").json()["items"]
    assert [t["id"] for t in items] == [mine.pk]


def test_user_who_is_neither_agent_nor_customer_sees_nothing(world, api_as):
    from tests.factories import UserFactory

    api = api_as(UserFactory(username="stranger"))
    assert api.get("/api/v1/tickets").json()["items"] == []
    assert api.post("/api/v1/tickets", {"subject": "s", "body": "b"}).status_code == 403


def test_customer_cannot_read_another_organisations_ticket_by_guessing_its_id(world, api_as):
    response = api_as(world.customer.user).get(f"/api/v1/tickets/{world.foreign_ticket.pk}")
    assert response.status_code == 404
    assert "1003" not in response.content.decode()


def test_session_login_reads_the_api_but_writes_need_the_csrf_token(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.agent.user)
    assert client.get(f"/api/v1/tickets/{world.ticket.pk}").status_code == 200
    refused = client.post(f"/api/v1/tickets/{world.ticket.pk}/notes", data={"body": "x"},
                          content_type="application/json")
    assert refused.status_code in (401, 403)
    assert not Ticket.objects.get(pk=world.ticket.pk).messages.exists()


def test_revoked_token_no_longer_works(world):
    from tierdesk.people.services import token_create, token_revoke

    token, secret = token_create(user=world.agent.user)
    client = Client()
    auth = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    assert client.get("/api/v1/me", **auth).status_code == 200
    token_revoke(token=token)
    assert client.get("/api/v1/me", **auth).status_code == 401


def test_tokens_are_stored_hashed(world):
    from tierdesk.people.models import ApiToken
    from tierdesk.people.services import token_create

    token, secret = token_create(user=world.agent.user)
    stored = ApiToken.objects.get(pk=token.pk)
    assert secret not in (stored.token_hash, stored.prefix)
    assert stored.token_hash == ApiToken.hash(secret)
