"""The audit log speaks the handbook's language: tiers, groups, agents and priorities by
their codes and names, pack versions by their version number (issue 9 item 6). Read
through the ticket timeline, ``GET /api/v1/tickets/{id}/events``, as an agent would."""

from datetime import UTC, datetime

import pytest

from tests.factories import (
    AgentFactory,
    ContactFactory,
    GroupFactory,
    OrganisationFactory,
    UserFactory,
)
from tierdesk import clock
from tierdesk.packs.services import adopt_active_pack, pack_apply
from tierdesk.people.models import Role, Tier
from tierdesk.policy import PACKS_DIR

BASIC = (PACKS_DIR / "escalation-basic.yaml").read_text()
BASIC_V2 = BASIC.replace("first_response: {high: 1h, normal: 4h, low: 8h}",
                         "first_response: {high: 1h, normal: 2h, low: 8h}")
TIER_2 = "Tier 2 Support: Advanced Troubleshooting and Analysis"
HANDOFF = {
    "symptoms": "Dashboards time out for every user",
    "replication_steps": "Open any dashboard with more than 10 widgets",
    "error_messages": "DB-2003: Slow Loading",
    "recent_changes": "Upgraded to v2.5 yesterday",
    "steps_taken": "Cleared cache, checked plan limits, analysed logs",
}


@pytest.fixture
def desk(db, api_as):
    """escalation-basic applied; Tina (Tier 1) opens a ticket for Redwood Bank."""
    assert BASIC_V2 != BASIC
    pack_apply(source=BASIC)
    tier_2 = Tier.objects.get(code="T2")
    queue = GroupFactory(name="Advanced troubleshooting", code="tier-2", tier=tier_2)
    tina = AgentFactory(user=UserFactory(username="tina", first_name="Tina", last_name="Ng"),
                        role=Role.AGENT, tier=Tier.objects.get(code="T1"))
    tom = AgentFactory(user=UserFactory(username="tom", first_name="Tom", last_name="Reyes"),
                       role=Role.SPECIALIST, tier=tier_2, groups=[queue])
    maria = AgentFactory(user=UserFactory(username="maria"), role=Role.SUPPORT_MANAGER)
    org = OrganisationFactory(name="Redwood Bank", plan="Enterprise", country="US",
                              timezone="America/New_York")
    requester = ContactFactory(organisation=org, name="Rita Redwood")
    clock.freeze(datetime(2026, 12, 1, 15, 0, tzinfo=UTC))
    api = api_as(tina)
    created = api.post("/api/v1/tickets", {"subject": "Dashboards time out", "body": "x",
                                           "requester_id": requester.pk})
    assert created.status_code == 201, created.content
    return {"api": api, "manager": api_as(maria), "ticket": created.json()["id"], "tom": tom,
            "queue": queue}


def timeline(desk, type_: str) -> list[dict]:
    events = desk["manager"].get(f"/api/v1/tickets/{desk['ticket']}/events").json()
    return [e for e in events if e["type"] == type_]


def test_created_event_names_the_priority_customer_and_organisation(desk):
    (created,) = timeline(desk, "created")
    assert created["data"]["priority"] == "normal"
    assert created["data"]["priority_name"] == "Normal"
    assert created["data"]["requester_name"] == "Rita Redwood"
    assert created["data"]["organisation_name"] == "Redwood Bank"
    assert (created["actor"], created["actor_name"]) == ("tina", "Tina Ng")


def test_escalation_names_the_tier_by_code_and_name(desk):
    url = f"/api/v1/tickets/{desk['ticket']}/escalations"
    r = desk["api"].post(url, {"to": "T2", "criteria": ["potential_bug"], "handoff": HANDOFF})
    assert r.status_code == 201, r.content
    (escalated,) = timeline(desk, "escalated")
    assert {k: escalated["data"][k] for k in ("to", "to_name", "from_tier")} == {
        "to": "T2", "to_name": TIER_2, "from_tier": "T1"}
    assert escalated["data"]["from_tier_name"].startswith("Tier 1 Support")
    (tier,) = [e["data"] for e in timeline(desk, "field_changed") if e["data"]["field"] == "tier"]
    assert tier == {"field": "tier", "old": None, "new": "T2", "new_name": TIER_2,
                    "new_id": Tier.objects.get(code="T2").pk, "reason": "escalated to T2"}
    (group,) = [e["data"] for e in timeline(desk, "assigned") if e["data"]["field"] == "group"]
    assert (group["new"], group["new_name"], group["new_id"]) == (
        "tier-2", "Advanced troubleshooting", desk["queue"].pk)


def test_assignment_names_the_agent_by_username_and_name(desk):
    # a manager: only managers move tickets to a queue they are not in (the group-move rule)
    r = desk["manager"].post(f"/api/v1/tickets/{desk['ticket']}/assign",
                             {"assignee_id": desk["tom"].pk, "group_id": desk["queue"].pk})
    assert r.status_code == 200, r.content
    (assignee,) = [e["data"] for e in timeline(desk, "assigned")
                   if e["data"]["field"] == "assignee"]
    assert assignee == {"field": "assignee", "old": None, "new": "tom", "new_name": "Tom Reyes",
                        "new_id": desk["tom"].pk}
    desk["manager"].post(f"/api/v1/tickets/{desk['ticket']}/assign", {"assignee_id": None})
    unassigned = [e["data"] for e in timeline(desk, "assigned")][-1]
    assert (unassigned["old"], unassigned["old_name"], unassigned["new"]) == (
        "tom", "Tom Reyes", None)


def test_priority_change_names_both_priorities_as_the_pack_does(desk):
    r = desk["api"].patch(f"/api/v1/tickets/{desk['ticket']}", {"priority": "high"})
    assert r.status_code == 200, r.content
    (changed,) = timeline(desk, "priority_changed")
    assert changed["data"] == {"field": "priority", "old": "normal", "old_name": "Normal",
                               "new": "high", "new_name": "High"}


def test_sla_targets_name_the_pack_version_as_sla_shows_it(desk):
    api = desk["manager"]
    sla = api.get(f"/api/v1/tickets/{desk['ticket']}/sla").json()
    (first,) = timeline(desk, "sla_targets_set")
    assert (first["data"]["pack"], first["data"]["pack_version"]) == ("escalation-basic", 1)
    assert first["data"]["pack_version"] == sla["pack_version"]

    v2 = pack_apply(source=BASIC_V2).version
    adopt_active_pack()
    sla = api.get(f"/api/v1/tickets/{desk['ticket']}/sla").json()
    latest = timeline(desk, "sla_targets_set")[-1]["data"]
    assert (latest["pack_version"], sla["pack_version"]) == (2, 2)
    assert latest["pack_version_id"] == v2.pk
    assert latest["reason"] == "policy pack escalation-basic v2 applied"
    assert latest["targets"]["first_response"] == 120


def test_incident_events_name_the_incident_and_its_severity(desk):
    api = desk["manager"]
    incident = api.post("/api/v1/incidents", {"title": "Dashboards down", "severity": "high"})
    assert incident.status_code == 201, incident.content
    incident_id = incident.json()["id"]
    linked = api.post(f"/api/v1/incidents/{incident_id}/tickets",
                      {"ticket_ids": [desk["ticket"]]})
    assert linked.status_code == 200, linked.content
    (event,) = timeline(desk, "incident_linked")
    assert {k: event["data"][k] for k in ("title", "severity", "severity_name")} == {
        "title": "Dashboards down", "severity": "high", "severity_name": "High"}
