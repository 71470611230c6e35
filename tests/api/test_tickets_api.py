"""The ticket API end to end: create, idempotent retry, list and filter, pages, replies."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import ContactFactory, TicketFactory
from tierdesk.tickets.models import Ticket, TicketEvent


def create(api, world, headers=None, **extra):
    body = {"subject": "Cannot sign in", "body": "Nobody can sign in",
            "requester_id": world.customer.pk, **extra}
    return api.post("/api/v1/tickets", body, **(headers or {}))


def test_agent_creates_a_ticket_for_a_customer(world, api_as):
    r = create(api_as(world.agent), world, priority="P1", tags=["sso"],
               group_id=world.group.pk)
    assert r.status_code == 201
    data = r.json()
    assert data["status"] == "new"
    assert data["priority"] == "P1"
    assert data["requester"]["id"] == world.customer.pk
    assert data["organisation"]["external_id"] == "1018"
    assert data["group"] == {"id": world.group.pk, "name": "Support"}
    assert Ticket.objects.get(pk=data["id"]).messages.count() == 1


def test_customer_creates_a_ticket_for_themselves(world, api_as):
    r = api_as(world.customer.user).post("/api/v1/tickets", {"subject": "Help", "body": "x"})
    assert r.status_code == 201
    assert r.json()["requester"]["id"] == world.customer.pk


def test_retried_create_with_the_same_idempotency_key_returns_the_first_ticket(world, api_as):
    api = api_as(world.agent)
    first = create(api, world, headers={"HTTP_IDEMPOTENCY_KEY": "abc-123"})
    second = create(api, world, headers={"HTTP_IDEMPOTENCY_KEY": "abc-123"})
    assert first.status_code == 201
    assert second.status_code == 200
    assert first.json()["id"] == second.json()["id"]
    assert Ticket.objects.filter(subject="Cannot sign in").count() == 1


def test_same_idempotency_key_with_a_different_body_is_a_409(world, api_as):
    api = api_as(world.agent)
    create(api, world, headers={"HTTP_IDEMPOTENCY_KEY": "abc"})
    r = api.post("/api/v1/tickets", {"subject": "other", "body": "x",
                                     "requester_id": world.customer.pk},
                 HTTP_IDEMPOTENCY_KEY="abc")
    assert r.status_code == 409
    assert r.json()["field"] == "Idempotency-Key"


def test_without_a_key_each_create_makes_a_ticket(world, api_as):
    api = api_as(world.agent)
    ids = {create(api, world).json()["id"] for _ in range(2)}
    assert len(ids) == 2


def test_list_is_newest_first_and_pages_with_a_cursor(world, api_as):
    for _ in range(5):
        TicketFactory(requester=world.customer, group=world.group)
    api = api_as(world.manager)
    seen = []
    url = "/api/v1/tickets?limit=3"
    while url:
        page = api.get(url).json()
        seen += [t["id"] for t in page["items"]]
        url = f"/api/v1/tickets?limit=3&cursor={page['next_cursor']}" \
            if page["next_cursor"] else None
    assert seen == sorted(Ticket.objects.values_list("id", flat=True), reverse=True)


def test_a_list_row_reads_exactly_like_the_ticket_itself(world, api_as):
    """Same fields, same values, same UTC timestamps (``...Z``) in the list as in GET."""
    ticket = TicketFactory(requester=world.customer, group=world.group, assignee=world.agent,
                           tags=["vip"], custom_fields={"plan": "Enterprise"})
    api = api_as(world.manager)
    row = next(t for t in api.get("/api/v1/tickets").json()["items"] if t["id"] == ticket.pk)
    assert row == api.get(f"/api/v1/tickets/{ticket.pk}").json()
    assert row["created_at"].endswith("Z")
    assert row["assignee"]["id"] == world.agent.pk and row["group"]["id"] == world.group.pk


@pytest.mark.parametrize(("query", "expected"), [
    ("status=solved", {"solved"}),
    ("priority=P0", {"p0"}),
    ("tag=vip", {"vip"}),
    ("q=outage", {"outage"}),
])
def test_list_filters(world, api_as, query, expected):
    TicketFactory(requester=world.customer, group=world.group, status="solved",
                  subject="solved")
    TicketFactory(requester=world.customer, group=world.group, priority="P0", subject="p0")
    TicketFactory(requester=world.customer, group=world.group, tags=["vip", "sso"],
                  subject="vip")
    TicketFactory(requester=world.customer, group=world.group, tags=["vipx"], subject="vipx")
    TicketFactory(requester=world.customer, group=world.group, subject="Platform outage")
    items = api_as(world.manager).get(f"/api/v1/tickets?{query}").json()["items"]
    assert {t["subject"].split()[-1].lower() for t in items} == expected


def test_filter_by_assignee_and_group(world, api_as):
    mine = TicketFactory(requester=world.customer, group=world.group, assignee=world.agent)
    api = api_as(world.manager)
    items = api.get(f"/api/v1/tickets?assignee_id={world.agent.pk}").json()["items"]
    assert [t["id"] for t in items] == [mine.pk]
    items = api.get(f"/api/v1/tickets?group_id={world.other_group.pk}").json()["items"]
    assert [t["id"] for t in items] == [world.foreign_ticket.pk]


def test_list_query_count_does_not_grow_with_the_data(world, api_as):
    """One query per page, not one per ticket (django-helpdesk's list runs one per row)."""
    api = api_as(world.manager)

    def queries_for_page():
        with CaptureQueriesContext(connection) as ctx:
            assert api.get("/api/v1/tickets?limit=50").status_code == 200
        return len(ctx.captured_queries)

    TicketFactory(requester=ContactFactory(), group=world.group, assignee=world.agent)
    small = queries_for_page()
    for i in range(60):
        TicketFactory(requester=ContactFactory(), group=world.group, assignee=world.agent,
                      tags=[f"t{i}"])
    assert queries_for_page() == small


def test_agent_list_query_count_is_constant_too(world, api_as):
    api = api_as(world.agent)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            api.get("/api/v1/tickets?limit=50")
        return len(ctx.captured_queries)

    TicketFactory(requester=ContactFactory(), group=world.group, assignee=world.agent)
    small = count()
    for _ in range(30):
        TicketFactory(requester=ContactFactory(), group=world.group, assignee=world.agent)
    assert count() == small


def test_reply_and_messages(world, api_as):
    agent_api = api_as(world.agent)
    r = agent_api.post(f"/api/v1/tickets/{world.ticket.pk}/replies", {"body": "Try again"})
    assert r.status_code == 201
    agent_api.post(f"/api/v1/tickets/{world.ticket.pk}/notes", {"body": "internal"})
    customer_view = api_as(world.customer.user).get(
        f"/api/v1/tickets/{world.ticket.pk}/messages").json()
    agent_view = agent_api.get(f"/api/v1/tickets/{world.ticket.pk}/messages").json()
    assert [m["body_text"] for m in customer_view] == ["Try again"]
    assert [m["body_text"] for m in agent_view] == ["Try again", "internal"]


def test_patch_changes_fields_and_the_events_endpoint_shows_them(world, api_as):
    api = api_as(world.agent)
    r = api.patch(f"/api/v1/tickets/{world.ticket.pk}",
                  {"priority": "P1", "status": "open", "reason": "blocked"})
    assert r.status_code == 200
    assert (r.json()["priority"], r.json()["status"]) == ("P1", "open")
    events = api.get(f"/api/v1/tickets/{world.ticket.pk}/events").json()
    assert {(e["type"], e["data"]["new"]) for e in events} == {
        ("priority_changed", "P1"), ("status_changed", "open")}
    assert TicketEvent.objects.filter(ticket=world.ticket).count() == 2


def test_assign_and_unassign_through_the_api(world, api_as):
    api = api_as(world.manager)
    r = api.post(f"/api/v1/tickets/{world.ticket.pk}/assign", {"assignee_id": world.agent.pk})
    assert r.json()["assignee"]["id"] == world.agent.pk
    r = api.post(f"/api/v1/tickets/{world.ticket.pk}/assign", {"assignee_id": None})
    assert r.json()["assignee"] is None


def test_merge_through_the_api(world, api_as):
    dup = TicketFactory(requester=world.customer, group=world.group)
    r = api_as(world.agent).post(f"/api/v1/tickets/{dup.pk}/merge",
                                 {"target_id": world.ticket.pk})
    assert r.status_code == 200
    dup.refresh_from_db()
    assert dup.merged_into_id == world.ticket.pk


def test_openapi_document_lists_the_ticket_endpoints(client):
    spec = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/tickets" in spec["paths"]
    assert "/api/v1/tickets/{ticket_id}/events" in spec["paths"]
