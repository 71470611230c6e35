"""Each seed's escalation path walked end to end through the API."""

from datetime import UTC, datetime, timedelta

import pytest

from tests.escalation.conftest import MANAGER
from tierdesk import clock
from tierdesk.escalation.models import Escalation
from tierdesk.jobs.scheduler import SweepScheduler
from tierdesk.outbox.models import OutboxMessage
from tierdesk.people.models import Role
from tierdesk.tickets.models import Ticket, TicketEvent

T0 = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)  # Tuesday 10:00 in New York

FULL_HANDOFF = {
    "symptoms": "Dashboards time out for every user",
    "replication_steps": "Open any dashboard with more than 10 widgets",
    "error_messages": "DB-2003: Slow Loading",
    "recent_changes": "Upgraded to v2.5 yesterday",
    "steps_taken": "Cleared cache, checked plan limits, analysed logs",
}


def open_ticket(api_client, contact, **body):
    clock.freeze(body.pop("at", T0))
    r = api_client.post("/api/v1/tickets", {"subject": body.pop("subject", "Broken"),
                                            "body": body.pop("body", "It is broken"),
                                            "requester_id": contact.pk, **body})
    assert r.status_code == 201, r.content
    return r.json()


def run_sweeps_at(at):
    clock.freeze(at)
    SweepScheduler(interval=0).run_once()


def escalations(ticket_id):
    return list(Escalation.objects.filter(ticket_id=ticket_id).values_list("to", flat=True))


def test_escalation_basic_tier1_to_tier2_to_engineering_with_its_documentation(
        apply_pack, staff, contact, api):
    """"Escalate the issue to Tier 2 Support, providing all documented information and
    troubleshooting steps taken" ... "to the Engineering team, providing comprehensive
    documentation, including all findings, steps taken, and any identified workarounds"."""
    apply_pack("escalation-basic")
    # Each tier works its own queue (routing never sends a ticket where nobody sees it).
    people = staff(tina=(Role.AGENT, "T1", ["T1"]), tom=(Role.SPECIALIST, "T2", ["T2"]),
                   erin=(Role.ENGINEER, "ENG", ["ENG"]))
    client = api(people["tina"])
    ticket = open_ticket(client, contact)
    url = f"/api/v1/tickets/{ticket['id']}/escalations"

    refused = client.post(url, {"to": "T2", "criteria": ["potential_bug"],
                                "handoff": {"symptoms": "slow"}})
    assert refused.status_code == 400
    assert refused.json()["field"] == "handoff"
    assert refused.json()["message"] == ("the handoff is missing: replication_steps, "
                                         "error_messages, recent_changes, steps_taken")

    up = client.post(url, {"to": "T2", "criteria": ["potential_bug"], "handoff": FULL_HANDOFF})
    assert up.status_code == 201, up.content
    assert Ticket.objects.get(pk=ticket["id"]).tier.code == "T2"

    # Tier 2 -> Engineering needs findings and a workaround too, and a code-level reason.
    tier2 = api(people["tom"])
    no_reason = tier2.post(url, {"to": "ENG", "criteria": ["deeper_knowledge"],
                                 "handoff": FULL_HANDOFF})
    assert no_reason.status_code == 400
    assert no_reason.json()["field"] == "criteria"
    missing = tier2.post(url, {"to": "ENG", "criteria": ["code_change"],
                               "handoff": FULL_HANDOFF})
    assert missing.json()["message"] == "the handoff is missing: findings, workaround"
    done = tier2.post(url, {"to": "ENG", "criteria": ["code_change"], "handoff": {
        **FULL_HANDOFF, "findings": "N+1 query in widget loader",
        "workaround": "Split the dashboard in two"}})
    assert done.status_code == 201
    assert escalations(ticket["id"]) == ["T2", "ENG"]

    # "Tier 1 Support will communicate the resolution to the customer ... The issue ticket
    # will be closed": Engineering may not close it (resolution.closed_by: T1).
    engineer = api(people["erin"])
    resolution_url = f"/api/v1/tickets/{ticket['id']}/resolution"
    refused_close = engineer.post(resolution_url, {"message": "Fixed", "verified": True})
    assert refused_close.status_code == 403
    assert refused_close.json()["message"].startswith("tier T1 closes tickets")
    resolved = engineer.post(resolution_url, {"message": "Fixed in v2.5.1"})
    assert resolved.status_code == 200, resolved.content
    assert resolved.json()["status"] == "solved"
    assert resolved.json()["tier"] == "T1"
    assert escalations(ticket["id"]) == ["T2", "ENG", "T1"]
    assert OutboxMessage.objects.filter(ticket_id=ticket["id"], payload__template="agent_reply",
                                        payload__body="Fixed in v2.5.1").exists()
    # A code fix updates the knowledge base before Tier 1 closes it.
    article = client.post("/api/v1/kb/articles", {"title": "Widget loader N+1 queries",
                                                  "body": "Fixed in v2.5.1."}).json()
    client.post(f"/api/v1/tickets/{ticket['id']}/knowledge", {"article": article["reference"]})
    closed = client.patch(f"/api/v1/tickets/{ticket['id']}", {"status": "closed"})
    assert closed.status_code == 200, closed.content


def test_escalation_report_counts_criteria_and_destinations(apply_pack, staff, contact, api):
    apply_pack("escalation-basic")
    people = staff(tina=(Role.AGENT, "T1", []), boss=(MANAGER, None, []),
                   tom=(Role.SPECIALIST, "T2", ["T2"]))
    client = api(people["tina"])
    for _ in range(2):
        t = open_ticket(client, contact)
        client.post(f"/api/v1/tickets/{t['id']}/escalations",
                    {"to": "T2", "criteria": ["potential_bug"], "handoff": FULL_HANDOFF})
    report = api(people["boss"]).get("/api/v1/escalation/report").json()
    assert report["total"] == 2
    assert report["by_criterion"] == [{"key": "potential_bug", "count": 2}]
    assert report["by_destination"] == [{"key": "T2", "count": 2}]


def test_nexacore_l0_to_l1_to_l2_to_l3(apply_pack, staff, contact, api):
    apply_pack("nexacore")
    people = staff(lina=(Role.AGENT, "L1", ["L1"]), sara=(Role.SPECIALIST, "L2", ["L2"]),
                   rami=(Role.ENGINEER, "L3", ["l3-on-call"]))
    client = api(people["lina"])
    ticket = open_ticket(client, contact, priority="P3", channel="chatbot")
    url = f"/api/v1/tickets/{ticket['id']}/escalations"
    handoff = {"symptoms": "Workflow engine stuck", "steps_taken": "Bot diagnostics ran"}
    skip = client.post(url, {"to": "L2", "handoff": handoff})
    assert skip.status_code == 400
    assert skip.json()["message"] == "no escalation path from L0 to L2 (allowed: L1)"
    for tier in ("L1", "L2", "L3"):
        r = client.post(url, {"to": tier, "handoff": handoff})
        assert r.status_code == 201, r.content
    assert escalations(ticket["id"]) == ["L1", "L2", "L3"]
    ticket_row = Ticket.objects.get(pk=ticket["id"])
    assert ticket_row.tier.code == "L3"
    assert ticket_row.group.code == "l3-on-call"


def test_nexacore_p1_phone_call_goes_to_the_on_call_l3_engineer(apply_pack, staff, contact,
                                                                 api):
    apply_pack("nexacore")
    people = staff(lina=(Role.AGENT, "L1", []), boss=(MANAGER, None, []),
                   rami=(Role.ENGINEER, "L3", ["l3-on-call"]),
                   zaid=(Role.ENGINEER, "L3", ["l3-on-call"]))
    ticket = open_ticket(api(people["lina"]), contact, priority="P1", channel="phone",
                         subject="Production workflows down")
    row = Ticket.objects.get(pk=ticket["id"])
    assert row.tier.code == "L3"
    from tierdesk.people.oncall import on_call_now

    expected = on_call_now(group=row.group, at=T0)
    assert expected in (people["rami"], people["zaid"])
    assert row.assignee == expected
    fired = TicketEvent.objects.get(ticket=row, type="rule_fired", data__rule="P1 to on-call L3")
    assert any("escalated to L3" in a for a in fired.data["actions"])
    assert OutboxMessage.objects.filter(payload__to=["boss@support.example"]).exists()


def test_on_call_rotation_hands_over_every_week(apply_pack, staff, contact):
    apply_pack("nexacore")
    people = staff(rami=(Role.ENGINEER, "L3", ["l3-on-call"]),
                   zaid=(Role.ENGINEER, "L3", ["l3-on-call"]))
    from tierdesk.people.models import Group
    from tierdesk.people.oncall import on_call_now

    group = Group.objects.get(code="l3-on-call")
    this_week = on_call_now(group=group, at=T0)
    next_week = on_call_now(group=group, at=T0 + timedelta(days=7))
    assert {this_week, next_week} == {people["rami"], people["zaid"]}


def test_csu_security_incident_goes_to_the_security_director(apply_pack, staff, contact, api):
    """CSU: "Security | Security incidents, data concerns | Support Manager → Security
    Director"."""
    apply_pack("csu")
    people = staff(agent=(Role.AGENT, "T1", []), mgr=(MANAGER, None, []),
                   secdir=(Role.DIRECTOR, None, ["security"]))
    ticket = open_ticket(api(people["agent"]), contact, subject="Customer data visible to "
                         "another tenant", tags=["security-incident"], category="technical")
    row = Ticket.objects.get(pk=ticket["id"])
    assert row.group.code == "security"
    assert escalations(row.pk) == ["security"]
    told = [m.payload["to"][0] for m in OutboxMessage.objects.filter(ticket_id=row.pk)
            if m.payload["template"].startswith("notify:")]
    assert {"secdir@support.example", "mgr@support.example"} <= set(told)


@pytest.mark.parametrize(("body", "field"), [
    ({"to": "L9", "handoff": {}}, "to"),
    ({"to": "T2", "criteria": ["boredom"], "handoff": FULL_HANDOFF}, "criteria"),
    ({"to": "T2", "criteria": ["potential_bug"], "handoff": {}}, "handoff"),
    ({"to": "T2", "criteria": ["potential_bug"], "handoff": {**FULL_HANDOFF, "mood": "x"}},
     "handoff"),
])
def test_refused_escalation_is_a_4xx_and_changes_nothing(apply_pack, staff, contact, api,
                                                         body, field):
    apply_pack("escalation-basic")
    people = staff(tina=(Role.AGENT, "T1", []))
    client = api(people["tina"])
    ticket = open_ticket(client, contact)
    before = TicketEvent.objects.filter(ticket_id=ticket["id"]).count()
    r = client.post(f"/api/v1/tickets/{ticket['id']}/escalations", body)
    assert r.status_code == 400
    assert r.json()["field"] == field
    assert TicketEvent.objects.filter(ticket_id=ticket["id"]).count() == before
    assert not Escalation.objects.exists()


def test_escalating_a_closed_ticket_is_refused(apply_pack, staff, contact, api):
    apply_pack("escalation-basic")
    people = staff(tina=(Role.AGENT, "T1", []))
    client = api(people["tina"])
    ticket = open_ticket(client, contact)
    url = f"/api/v1/tickets/{ticket['id']}"
    client.patch(url, {"status": "solved"})
    client.patch(url, {"status": "closed"})
    r = client.post(f"{url}/escalations", {"to": "T2", "criteria": ["potential_bug"],
                                           "handoff": FULL_HANDOFF})
    assert r.status_code == 400
    assert "closed" in r.json()["message"]
    assert not Escalation.objects.exists()


def test_customers_cannot_escalate(apply_pack, contact, db):
    from tests.conftest import Api
    from tests.factories import UserFactory

    apply_pack("escalation-basic")
    contact.user = UserFactory(username="client")
    contact.save()
    ticket = Ticket.objects.create(subject="x", requester=contact,
                                   organisation=contact.organisation, created_at=T0,
                                   updated_at=T0)
    r = Api(contact.user).post(f"/api/v1/tickets/{ticket.pk}/escalations",
                               {"to": "T2", "handoff": FULL_HANDOFF})
    assert r.status_code == 403


def test_dataflow_p0_goes_to_devops_at_once(apply_pack, staff, contact, api):
    """DataFlow: "P0 (Outage): Escalate to DevOps within 30 minutes via Slack
    #incident-channel. Notify CTO and Support Director."."""
    apply_pack("dataflow")
    people = staff(alice=(Role.AGENT, "L1", []), dan=(Role.DIRECTOR, None, []),
                   olu=(Role.ENGINEER, None, ["devops"]))
    ticket = open_ticket(api(people["alice"]), contact, subject="Error 503: Service "
                         "Unavailable", error_code="DB-2002")
    row = Ticket.objects.get(pk=ticket["id"])
    assert row.priority == "P0"
    assert escalations(row.pk) == ["devops"]
    assert row.group.code == "devops"
    assert "escalated-devops" in row.tags
    assert OutboxMessage.objects.filter(payload__to=["dan@support.example"]).exists()
    assert OutboxMessage.objects.filter(ticket_id=row.pk,
                                        payload__template="escalation_notification").exists()
    skipped = TicketEvent.objects.get(ticket=row, type="action_skipped")
    assert skipped.data["action"] == "slack"  # Slack is not configured in this test


def test_dataflow_p1_goes_to_engineering_after_2_hours_unresolved(apply_pack, staff, contact,
                                                                  api):
    """DataFlow: "P1 (Major Issue): Escalate to Engineering within 2 hours if unresolved
    ... Notify Support Manager."."""
    apply_pack("dataflow")
    people = staff(alice=(Role.AGENT, "L1", []), maria=(MANAGER, None, []),
                   eve=(Role.ENGINEER, "ENG", ["ENG"]))
    ticket = open_ticket(api(people["alice"]), contact, subject="SSO-9001: Login Failure",
                         error_code="SSO-9001")
    run_sweeps_at(T0 + timedelta(hours=1, minutes=59))
    assert escalations(ticket["id"]) == []
    run_sweeps_at(T0 + timedelta(hours=2))
    assert escalations(ticket["id"]) == ["ENG"]
    assert Ticket.objects.get(pk=ticket["id"]).tier.code == "ENG"
    assert OutboxMessage.objects.filter(payload__to=["maria@support.example"]).exists()
    run_sweeps_at(T0 + timedelta(hours=5))
    assert escalations(ticket["id"]) == ["ENG"]  # once per episode


def test_dataflow_p1_solved_in_time_is_not_escalated(apply_pack, staff, contact, api):
    apply_pack("dataflow")
    people = staff(alice=(Role.AGENT, "L1", []))
    client = api(people["alice"])
    ticket = open_ticket(client, contact, subject="SSO-9001", error_code="SSO-9001")
    clock.freeze(T0 + timedelta(hours=1))
    client.patch(f"/api/v1/tickets/{ticket['id']}", {"status": "solved"})
    run_sweeps_at(T0 + timedelta(hours=3))
    assert escalations(ticket["id"]) == []


def test_dataflow_p2_bug_goes_to_product(apply_pack, staff, contact, api):
    """DataFlow: "P2–P3 (Minor/Feature): Escalate to Product Team for bugs or requests"."""
    apply_pack("dataflow")
    people = staff(alice=(Role.AGENT, "L1", []), priya=(Role.SPECIALIST, None, ["product"]))
    client = api(people["alice"])
    ticket = open_ticket(client, contact, subject="MOB-6007: map widget fix",
                         error_code="MOB-6007")
    assert escalations(ticket["id"]) == []
    client.patch(f"/api/v1/tickets/{ticket['id']}", {"tags": ["bug"]})
    assert escalations(ticket["id"]) == ["product"]


def test_dataflow_unclear_priority_goes_to_the_support_manager_after_15_minutes(
        apply_pack, staff, contact, api):
    apply_pack("dataflow")
    people = staff(alice=(Role.AGENT, "L1", []), maria=(MANAGER, None, []))
    client = api(people["alice"])
    ticket = open_ticket(client, contact, subject="Something odd with exports")
    assert Ticket.objects.get(pk=ticket["id"]).classified_by == "default"
    run_sweeps_at(T0 + timedelta(minutes=16))
    assert "priority-unclear" in Ticket.objects.get(pk=ticket["id"]).tags
    assert OutboxMessage.objects.filter(payload__to=["maria@support.example"]).exists()
