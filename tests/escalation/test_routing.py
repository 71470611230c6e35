"""Routing never hides a ticket, and never pretends (issue 9 item 5)."""

import io
from contextlib import redirect_stdout
from datetime import UTC, datetime

import pytest

from tests.escalation.conftest import MANAGER
from tests.factories import GroupFactory
from tierdesk import clock
from tierdesk.cli import main
from tierdesk.escalation.models import Escalation
from tierdesk.people.models import Role
from tierdesk.tickets.models import Ticket, TicketEvent

T0 = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)  # Tuesday 10:00 in New York
DATAFLOW_HANDOFF = {"error_code": "DB-2003", "customer_id": "C-1",
                    "replication_steps": "Open the dashboard"}


def open_ticket(client, contact, **body):
    clock.freeze(T0)
    r = client.post("/api/v1/tickets", {"subject": body.pop("subject", "Broken"),
                                        "body": "It is broken", "requester_id": contact.pk,
                                        **body})
    assert r.status_code == 201, r.content
    return r.json()


def test_escalating_to_engineering_lands_in_a_queue_its_engineers_open(apply_pack, staff,
                                                                       contact, api):
    """DataFlow: "Escalate to Engineering": the engineer opens what was escalated."""
    apply_pack("dataflow")
    people = staff(alice=(Role.AGENT, "L1", ["support"]), eve=(Role.ENGINEER, "ENG", ["ENG"]))
    ticket = open_ticket(api(people["alice"]), contact, group_id=None)
    r = api(people["alice"]).post(f"/api/v1/tickets/{ticket['id']}/escalations",
                                  {"to": "ENG", "handoff": DATAFLOW_HANDOFF})
    assert r.status_code == 201, r.content
    opened = api(people["eve"]).get(f"/api/v1/tickets/{ticket['id']}")
    assert opened.status_code == 200
    assert opened.json()["tier"] == "ENG"


def test_escalation_to_a_tier_nobody_works_is_refused_and_changes_nothing(apply_pack, staff,
                                                                          contact, api):
    apply_pack("dataflow")
    people = staff(alice=(Role.AGENT, "L1", []))
    GroupFactory(name="Engineering", code="ENG")  # a queue, but nobody in it
    client = api(people["alice"])
    ticket = open_ticket(client, contact)
    before = TicketEvent.objects.filter(ticket_id=ticket["id"]).count()
    r = client.post(f"/api/v1/tickets/{ticket['id']}/escalations",
                    {"to": "ENG", "handoff": DATAFLOW_HANDOFF})
    assert r.status_code == 409
    assert r.json()["field"] == "to"
    assert r.json()["message"].startswith("nobody can take ENG tickets: no queue of ENG has "
                                          "an active agent of tier ENG")
    assert not Escalation.objects.exists()
    assert TicketEvent.objects.filter(ticket_id=ticket["id"]).count() == before


def test_a_bug_tag_does_not_send_a_ticket_to_an_empty_product_team(apply_pack, staff,
                                                                   contact, api):
    """DataFlow "Escalate to Product Team for bugs": with nobody in Product Team the rule's
    escalation is recorded as failed and the ticket stays where its agent sees it."""
    apply_pack("dataflow")
    people = staff(alice=(Role.AGENT, "L1", ["support"]))
    client = api(people["alice"])
    ticket = open_ticket(client, contact, subject="MOB-6007: map widget", error_code="MOB-6007")
    client.patch(f"/api/v1/tickets/{ticket['id']}", {"tags": ["bug"]})
    row = Ticket.objects.get(pk=ticket["id"])
    assert row.group is None  # where it was: the unrouted inbox its agent sees
    assert not Escalation.objects.exists()
    failed = TicketEvent.objects.get(ticket=row, type="action_failed")
    assert failed.data["error"].startswith("nobody can take product tickets")
    assert client.get(f"/api/v1/tickets/{ticket['id']}").status_code == 200


def test_an_agent_still_reads_the_ticket_they_opened_after_a_rule_routed_it_away(
        apply_pack, staff, contact, api):
    """CSU: a security incident goes to the Security Director's queue; the agent who took
    the call keeps seeing it (a ticket they created stays visible to them)."""
    apply_pack("csu")
    people = staff(agent=(Role.AGENT, "T1", ["frontline"]),
                   other=(Role.AGENT, "T1", ["frontline"]),
                   secdir=(Role.DIRECTOR, None, ["security"]))
    ticket = open_ticket(api(people["agent"]), contact, subject="Customer data visible",
                         tags=["security-incident"], category="technical")
    assert Ticket.objects.get(pk=ticket["id"]).group.code == "security"
    assert api(people["agent"]).get(f"/api/v1/tickets/{ticket['id']}").status_code == 200
    listed = api(people["agent"]).get("/api/v1/tickets").json()["items"]
    assert ticket["id"] in [t["id"] for t in listed]
    # A colleague of the same queue who did not open it does not see the security queue.
    assert api(people["other"]).get(f"/api/v1/tickets/{ticket['id']}").status_code == 404


def test_notify_to_a_role_nobody_holds_is_recorded_and_warned(apply_pack, staff, contact,
                                                              api, client):
    """DataFlow P0: "Notify CTO and Support Director." With no director on staff the event
    says so, and /readyz warns before it happens again."""
    apply_pack("dataflow")
    people = staff(alice=(Role.AGENT, "L1", []), olu=(Role.ENGINEER, None, ["devops"]))
    ticket = open_ticket(api(people["alice"]), contact, subject="Error 503",
                         error_code="DB-2002")
    undelivered = TicketEvent.objects.filter(ticket_id=ticket["id"], type="notify_undelivered")
    assert {e.data["error"] for e in undelivered} == {
        "nobody holds role cto (based on director)", "nobody holds role director"}

    ready = client.get("/readyz")
    assert ready.status_code == 200
    warnings = ready.json()["warnings"]
    assert ("rules[0] (P0 to DevOps).do[2].notify[0]: nobody holds role cto "
            "(based on director)") in warnings
    assert any("nobody holds role support_manager" in w for w in warnings)


def test_readyz_has_no_warnings_when_everyone_the_pack_names_is_there(apply_pack, staff,
                                                                      client):
    apply_pack("dataflow")
    staff(alice=(Role.AGENT, "L1", ["L1"]), eve=(Role.ENGINEER, "ENG", ["ENG", "devops"]),
          priya=(Role.SPECIALIST, None, ["product"]), maria=(MANAGER, None, []),
          dan=(Role.DIRECTOR, None, []))
    assert client.get("/readyz").json()["warnings"] == []


def test_policy_check_instance_lists_who_the_active_pack_lacks(apply_pack, staff, db):
    apply_pack("nexacore")
    staff(lina=(Role.AGENT, "L1", ["L1"]))
    out = io.StringIO()
    with redirect_stdout(out):
        assert main(["policy", "check", "--instance"]) == 0
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("nexacore v1 (active) on this instance:")
    for expected in (
        "warning: tier L3 (R&D / SRE (Engineering)): no active agent holds it",
        "warning: group 'R&D / SRE on call': no active members",
        "warning: on_call.rotations[0] l3-on-call: nobody to be on call",
        "warning: escalation to L2: nobody can take L2 tickets: no queue of L2 has an active "
        "agent of tier L2; add one (`tierdesk policy check --instance` lists what is "
        "unstaffed)",
        "warning: rules[0] (P1 to on-call L3).do[2].notify[0]: nobody holds role support_manager",
    ):
        assert any(line.startswith(expected) for line in lines), (expected, lines)


@pytest.mark.parametrize(("mover", "queue", "status"), [
    ("alice", "support", 200),      # her own queue
    ("alice", "billing", 200),      # another L1 queue: sideways at her tier
    ("alice", "ENG", 403),          # up a tier: that is an escalation
    ("alice", "devops", 403),       # another unit: that is an escalation
    ("maria", "ENG", 200),          # a support manager runs every queue
])
def test_who_may_move_a_ticket_to_another_group(apply_pack, staff, contact, api, mover,
                                                queue, status):
    from tierdesk.people.models import Group, Tier

    apply_pack("dataflow")
    people = staff(alice=(Role.AGENT, "L1", ["support"]), maria=(MANAGER, None, ["support"]),
                   eve=(Role.ENGINEER, "ENG", ["ENG"]))
    l1 = Tier.objects.get(code="L1")
    Group.objects.filter(code="support").update(tier=l1)
    GroupFactory(name="Billing", code="billing", tier=l1)
    ticket = open_ticket(api(people["alice"]), contact)
    target = Group.objects.get(code=queue)
    r = api(people[mover]).patch(f"/api/v1/tickets/{ticket['id']}", {"group_id": target.pk})
    assert r.status_code == status, r.content
    moved = Ticket.objects.get(pk=ticket["id"]).group_id == target.pk
    assert moved is (status == 200)



def test_a_followed_ticket_stays_visible_wherever_it_goes(apply_pack, staff, contact, api):
    apply_pack("dataflow")
    people = staff(alice=(Role.AGENT, "L1", ["support"]), bob=(Role.AGENT, "L1", ["support"]),
                   eve=(Role.ENGINEER, "ENG", ["ENG"]))
    ticket = open_ticket(api(people["alice"]), contact)
    url = f"/api/v1/tickets/{ticket['id']}"
    assert api(people["bob"]).post(f"{url}/follow").json() == {"following": True}
    api(people["alice"]).post(f"{url}/escalations", {"to": "ENG", "handoff": DATAFLOW_HANDOFF})
    assert api(people["bob"]).get(url).status_code == 200
    assert api(people["bob"]).delete(f"{url}/follow").json() == {"following": False}
    assert api(people["bob"]).get(url).status_code == 404
