"""Phone: agents log calls on a ticket (direction, number, duration, outcome, recording),
and NexaCore's "Direct Phone Line | P1 Incidents only | (On-call rotation)": an inbound
P1 call opens a ticket that goes straight to the on-call engineer."""

from datetime import timedelta

import pytest
from django.test import Client

from tests.factories import (
    AgentFactory,
    ContactFactory,
    GroupFactory,
    TicketFactory,
    UserFactory,
)
from tierdesk.people.models import Group, Role, Tier
from tierdesk.people.services import on_call_shift_add, token_create
from tierdesk.tickets.models import Ticket, TicketEvent

CALL = {"direction": "inbound", "number": "+971 4 555 0100", "duration_seconds": 312,
        "outcome": "answered", "recording_url": "https://calls.example/rec/9f3a.mp3"}


def as_agent(agent) -> dict:
    _, secret = token_create(user=agent.user)
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def post(path: str, body: dict, headers: dict):
    import json

    return Client().post(path, json.dumps(body), content_type="application/json", **headers)


@pytest.fixture
def on_call_engineer(vvip, nexacore):
    l3 = Tier.objects.get(code="L3")
    group = Group.objects.get_or_create(code="l3-on-call", defaults={
        "name": "R&D / SRE on call", "tier": l3})[0]
    rami = AgentFactory(user=UserFactory(username="rami"), role=Role.ENGINEER, tier=l3,
                        groups=[group])
    on_call_shift_add(group=group, agent=rami, starts_at=nexacore - timedelta(hours=1),
                      ends_at=nexacore + timedelta(hours=11))
    return rami


@pytest.fixture
def switchboard(nexacore):
    """The L1 agent who answers the phone."""
    l1 = Tier.objects.get(code="L1")
    return AgentFactory(user=UserFactory(username="layla"), tier=l1,
                        groups=[GroupFactory(name="Support")])


def test_an_inbound_p1_call_opens_a_ticket_for_the_on_call_engineer(
        vvip, on_call_engineer, switchboard):
    caller = ContactFactory(organisation=vvip, name="Fatima")
    r = post("/api/v1/channels/phone/calls", {
        **CALL, "requester_id": caller.pk, "priority": "P1",
        "subject": "Core banking gateway down", "summary": "All card payments fail since 11:40"},
        as_agent(switchboard))
    assert r.status_code == 201, r.content
    assert r.json() == {"ticket_id": r.json()["ticket_id"], "priority": "P1",
                        "assignee": "rami", "tier": "L3"}
    ticket = Ticket.objects.get(pk=r.json()["ticket_id"])
    assert ticket.channel == "phone"
    call = TicketEvent.objects.get(ticket=ticket, type="call_logged")
    assert call.data["number"] == "+971 4 555 0100"
    assert call.data["duration_seconds"] == 312


def test_the_phone_line_refuses_anything_but_p1_and_writes_nothing(
        vvip, on_call_engineer, switchboard):
    caller = ContactFactory(organisation=vvip)
    r = post("/api/v1/channels/phone/calls", {
        **CALL, "requester_id": caller.pk, "priority": "P3", "subject": "How do I export?",
        "summary": "question"}, as_agent(switchboard))
    assert r.status_code == 422
    assert "P1 tickets only" in r.json()["message"]
    assert not Ticket.objects.exists()


def test_an_agent_logs_an_outbound_call_on_a_ticket(nexacore, switchboard):
    ticket = TicketFactory(group=switchboard.groups.get())
    r = post(f"/api/v1/channels/phone/tickets/{ticket.pk}/calls", {
        **CALL, "direction": "outbound", "duration_seconds": 95}, as_agent(switchboard))
    assert r.status_code == 201, r.content
    assert r.json()["direction"] == "outbound"
    assert r.json()["logged_by"] == "layla"
    listed = Client().get(f"/api/v1/channels/phone/tickets/{ticket.pk}/calls",
                          **as_agent(switchboard)).json()
    assert [(c["direction"], c["duration_seconds"], c["recording_url"]) for c in listed] == [
        ("outbound", 95, "https://calls.example/rec/9f3a.mp3")]


@pytest.mark.parametrize(("change", "field"), [
    ({"number": "call me"}, "number"),
    ({"duration_seconds": -5}, "duration_seconds"),
    ({"outcome": "maybe"}, "outcome"),
    ({"recording_url": "javascript:alert(1)"}, "recording_url"),
    ({"outcome": "missed", "duration_seconds": 40}, "duration_seconds"),
])
def test_an_impossible_call_is_refused_naming_the_field(nexacore, switchboard, change, field):
    ticket = TicketFactory(group=switchboard.groups.get())
    r = post(f"/api/v1/channels/phone/tickets/{ticket.pk}/calls", {**CALL, **change},
             as_agent(switchboard))
    assert r.status_code in (400, 422), r.content
    assert r.json()["field"] == field
    assert not TicketEvent.objects.filter(type="call_logged").exists()
