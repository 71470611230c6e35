"""History can be loaded: past tickets come in with their own timestamps and their SLA
clocks replayed as if it had all happened then (issue 9, item 8)."""

import json
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from tests.factories import AgentFactory, ContactFactory, OrganisationFactory, UserFactory
from tierdesk.customers.models import Contact
from tierdesk.escalation.models import Escalation
from tierdesk.outbox.models import OutboxMessage
from tierdesk.packs.services import pack_apply
from tierdesk.people.models import Role
from tierdesk.policy import PACKS_DIR
from tierdesk.sla.models import SlaTarget
from tierdesk.tickets.models import Message, Ticket, TicketEvent

NY = ZoneInfo("America/New_York")
URL = "/api/v1/imports/tickets"


@pytest.fixture
def dataflow(db):
    """The DataFlow pack, customer 1018 (Enterprise, New York) and an admin and agent."""
    pack_apply(source=(PACKS_DIR / "dataflow.yaml").read_text())
    org = OrganisationFactory(external_id="1018", name="Redwood Bank", plan="Enterprise",
                              country="US", timezone="America/New_York")
    return {
        "org": org,
        "contact": ContactFactory(organisation=org, email="it@redwood.example.com"),
        "admin": AgentFactory(role=Role.ADMIN, user=UserFactory(username="ada")),
        "agent": AgentFactory(user=UserFactory(username="alice",
                                               email="alice@support.example.com")),
    }


def sso_ticket(external_id="zd-1001", created_at="2026-11-20T16:00:00Z", **extra) -> dict:
    line = {
        "external_id": external_id, "subject": "SSO-9001: Login Failure",
        "body": "Nobody at the bank can log in.", "created_at": created_at,
        "requester": {"email": "it@redwood.example.com"}, "organisation": "1018",
        "channel": "email", "error_code": "SSO-9001",
    }
    line.update(extra)
    return line


def jsonl(*lines) -> str:
    return "\n".join(line if isinstance(line, str) else json.dumps(line) for line in lines)


def post_lines(api, *lines):
    return api.client.post(URL, data=jsonl(*lines), content_type="application/x-ndjson",
                           **api.headers)


def counts() -> dict:
    return {"tickets": Ticket.objects.count(), "events": TicketEvent.objects.count(),
            "messages": Message.objects.count(), "clocks": SlaTarget.objects.count(),
            "contacts": Contact.objects.count(), "outbox": OutboxMessage.objects.count(),
            "escalations": Escalation.objects.count()}


def first_response(ticket_id) -> SlaTarget:
    return SlaTarget.objects.get(ticket_id=ticket_id, metric="first_response")


def test_enterprise_p1_imported_friday_1600_answered_monday_1000_breached_friday_at_15_new_york(
        dataflow, api_as):
    """DataFlow: Enterprise P1, "4 hr" first response on customer business hours. Created
    Friday 16:00 UTC (11:00 in New York): due at 15:00 New York the same Friday. The
    first reply on Monday 10:00 UTC came late: breached at Friday 15:00 New York."""
    api = api_as(dataflow["admin"].user)
    line = sso_ticket(messages=[{"created_at": "2026-11-23T10:00:00Z", "author": "agent",
                                 "agent": "alice@support.example.com",
                                 "body": "We are looking into it."}])
    response = post_lines(api, line)
    assert response.status_code == 200, response.content
    report = response.json()
    assert (report["ok"], report["created"]) == (True, 1)
    ticket = Ticket.objects.get(pk=report["lines"][0]["ticket_id"])
    assert ticket.priority == "P1"
    assert ticket.created_at == datetime(2026, 11, 20, 16, 0, tzinfo=UTC)
    assert ticket.first_responded_at == datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
    due = datetime(2026, 11, 20, 15, 0, tzinfo=NY)
    clock = first_response(ticket.pk)
    assert (clock.state, clock.policy, clock.target_minutes) == ("met", "Enterprise", 240)
    assert clock.met_at == datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
    assert clock.breached_at == due
    breach = TicketEvent.objects.get(ticket=ticket, type="sla_breached",
                                     data__metric="first_response")
    assert breach.created_at == due
    # The warning came when a quarter of the 4 hours was left: 14:00 New York.
    warning = TicketEvent.objects.get(ticket=ticket, type="sla_warning",
                                      data__metric="first_response")
    assert warning.created_at == datetime(2026, 11, 20, 14, 0, tzinfo=NY)
    sla = api.get(f"/api/v1/tickets/{ticket.pk}/sla").json()
    shown = next(c for c in sla["clocks"] if c["metric"] == "first_response")
    assert shown["breached"] is True
    assert shown["breached_at"].startswith("2026-11-20T20:00:00")
    # Friday 11:00-17:00 in New York; Monday 10:00 UTC is 05:00 there, before opening.
    assert shown["elapsed_business_minutes"] == 6 * 60


def test_enterprise_p1_imported_friday_1600_new_york_answered_monday_1000_is_met_in_time(
        dataflow, api_as):
    """The same ticket written in New York time: 1 business hour on Friday, 3 from Monday
    09:00, so due Monday 12:00; a reply at Monday 10:00 meets it."""
    api = api_as(dataflow["admin"].user)
    line = sso_ticket(created_at="2026-11-20T16:00:00-05:00", messages=[
        {"created_at": "2026-11-23T10:00:00-05:00", "author": "agent", "body": "On it"}])
    ticket_id = post_lines(api, line).json()["lines"][0]["ticket_id"]
    clock = first_response(ticket_id)
    assert (clock.state, clock.breached_at) == ("met", None)
    assert clock.elapsed_seconds == 2 * 3600
    assert not TicketEvent.objects.filter(ticket_id=ticket_id, type="sla_breached").exists()
    targets = TicketEvent.objects.get(ticket_id=ticket_id, type="sla_targets_set")
    assert targets.created_at == datetime(2026, 11, 20, 16, 0, tzinfo=NY)


def test_imported_history_is_dated_by_its_own_timestamps_and_sends_nothing(dataflow, api_as):
    api = api_as(dataflow["admin"].user)
    line = sso_ticket(
        messages=[{"created_at": "2026-11-20T17:00:00Z", "author": "agent", "body": "Logs?"},
                  {"created_at": "2026-11-20T18:00:00Z", "author": "agent", "public": False,
                   "body": "Looks like the IdP certificate"},
                  {"created_at": "2026-11-20T19:00:00Z", "author": "customer",
                   "body": "Here they are"}],
        status_changes=[{"at": "2026-11-20T17:00:00Z", "status": "pending"},
                        {"at": "2026-11-23T15:00:00Z", "status": "solved"},
                        {"at": "2026-11-25T15:00:00Z", "status": "closed"}])
    before = OutboxMessage.objects.count()
    ticket_id = post_lines(api, line).json()["lines"][0]["ticket_id"]
    ticket = Ticket.objects.get(pk=ticket_id)
    assert ticket.status == "closed"
    assert ticket.solved_at == datetime(2026, 11, 23, 15, 0, tzinfo=UTC)
    assert ticket.closed_at == datetime(2026, 11, 25, 15, 0, tzinfo=UTC)
    statuses = list(TicketEvent.objects.filter(ticket=ticket, type="status_changed")
                    .values_list("data__new", "created_at"))
    assert [s for s, _ in statuses] == ["open", "pending", "open", "solved", "closed"]
    assert all(at < datetime(2026, 11, 26, tzinfo=UTC) for _, at in statuses)
    kinds = list(Message.objects.filter(ticket=ticket).values_list("kind", flat=True))
    assert kinds == ["reply", "reply", "note", "reply"]
    resolution = SlaTarget.objects.get(ticket=ticket, metric="resolution")
    assert (resolution.state, resolution.met_at) == ("met", ticket.solved_at)
    # Friday 11:00-12:00 and 14:00-17:00 and Monday 09:00-10:00 New York: the two pending
    # hours (the customer had to send logs) did not count.
    assert resolution.elapsed_seconds == 5 * 3600
    assert OutboxMessage.objects.count() == before
    assert not TicketEvent.objects.filter(ticket=ticket, type="rule_fired").exists()


def test_an_imported_escalation_moves_the_ticket_to_its_tier_at_its_time(dataflow, api_as):
    api = api_as(dataflow["admin"].user)
    line = sso_ticket(escalations=[{"at": "2026-11-20T18:00:00Z", "to": "ENG",
                                    "note": "IdP bug"}])
    ticket_id = post_lines(api, line).json()["lines"][0]["ticket_id"]
    escalation = Escalation.objects.get(ticket_id=ticket_id)
    assert (escalation.to, escalation.at) == ("ENG", datetime(2026, 11, 20, 18, 0, tzinfo=UTC))
    assert Ticket.objects.get(pk=ticket_id).tier.code == "ENG"
    event = TicketEvent.objects.get(ticket_id=ticket_id, type="escalated")
    assert event.created_at == escalation.at


def test_reimporting_the_same_line_is_a_no_op(dataflow, api_as):
    api = api_as(dataflow["admin"].user)
    line = sso_ticket(messages=[{"created_at": "2026-11-23T10:00:00Z", "author": "agent",
                                 "body": "Fixed"}])
    first = post_lines(api, line).json()["lines"][0]
    before = counts()
    again = post_lines(api, line).json()
    assert again["lines"][0]["outcome"] == "duplicate"
    assert again["lines"][0]["ticket_id"] == first["ticket_id"]
    assert (again["ok"], again["duplicates"], again["created"]) == (True, 1, 0)
    assert counts() == before


def test_a_changed_line_under_an_imported_external_id_is_a_conflict_and_changes_nothing(
        dataflow, api_as):
    api = api_as(dataflow["admin"].user)
    first = post_lines(api, sso_ticket()).json()["lines"][0]
    before = counts()
    changed = post_lines(api, sso_ticket(subject="SSO-9001: Login Failure (edited)")).json()
    line = changed["lines"][0]
    assert (changed["ok"], line["outcome"], line["field"]) == (False, "conflict", "external_id")
    assert f"#{first['ticket_id']}" in line["message"]
    assert counts() == before


def test_bad_lines_name_the_field_and_change_nothing_while_good_lines_import(dataflow, api_as):
    api = api_as(dataflow["admin"].user)
    before = counts()
    response = post_lines(
        api,
        sso_ticket("zd-1"),
        sso_ticket("zd-2", messages=[
            {"created_at": "2026-11-20T17:00:00Z", "author": "agent", "body": "ok"},
            {"created_at": "Monday at ten", "author": "agent", "body": "late"}]),
        '{"external_id": "zd-3", ',
        sso_ticket("zd-4", messages=[{"created_at": "2026-11-20T17:00:00Z",
                                      "author": "agent", "agent": "nobody@example.com",
                                      "body": "hi"}]),
        "",
        sso_ticket("zd-5", status_changes=[{"at": "2026-11-20T17:00:00Z", "status": "solved"},
                                           {"at": "2026-11-21T17:00:00Z", "status": "closed"},
                                           {"at": "2026-11-22T17:00:00Z", "status": "open"}]),
    )
    assert response.status_code == 200
    report = response.json()
    by_line = {line["line"]: line for line in report["lines"]}
    assert by_line[1]["outcome"] == "created"
    assert (by_line[2]["field"], by_line[2]["message"]) == (
        "messages[1].created_at", "not an ISO-8601 instant")
    assert by_line[3]["message"].startswith("not valid JSON")
    assert (by_line[4]["field"], by_line[4]["message"]) == (
        "messages[0].agent", "no agent with email or username 'nobody@example.com'")
    assert 5 not in by_line  # a blank line is no ticket
    assert by_line[6]["field"] == "status_changes[2].status"
    assert "a closed ticket cannot become open" in by_line[6]["message"]
    assert (report["ok"], report["created"], report["errors"]) == (False, 1, 4)
    after = counts()
    assert after["tickets"] == before["tickets"] + 1
    assert Ticket.objects.filter(subject="SSO-9001: Login Failure").count() == 1


@pytest.mark.parametrize(("change", "field", "message"), [
    ({"created_at": "2026-11-20T16:00:00"}, "created_at", "needs a UTC offset"),
    ({"created_at": "2999-01-01T00:00:00Z"}, "created_at", "in the future"),
    ({"organisation": "9999"}, "organisation", "unknown organisation '9999'"),
    ({"requester": {"email": "new@redwood.example.com"}, "organisation": None},
     "organisation", "new contact"),
    ({"requester": {}}, "requester", "email or external_id"),
    ({"channel": "pigeon"}, "channel", "unknown channel 'pigeon'"),
    ({"priority": "P9"}, "priority", "unknown priority 'P9'"),
    ({"messages": [{"created_at": "2026-11-19T10:00:00Z", "author": "agent", "body": "x"}]},
     "messages[0].created_at", "before the ticket's created_at"),
    ({"messages": [{"created_at": "2026-11-21T10:00:00Z", "author": "customer",
                    "public": False, "body": "x"}]},
     "messages[0].public", "a customer cannot write an internal note"),
    ({"escalations": [{"at": "2026-11-21T10:00:00Z", "to": "MARS"}]},
     "escalations[0].to", "unknown tier or unit 'MARS'"),
    ({"surprise": 1}, "surprise", "unknown field"),
])
def test_a_bad_field_is_named_with_its_path_and_nothing_is_written(
        dataflow, api_as, change, field, message):
    api = api_as(dataflow["admin"].user)
    before = counts()
    line = {k: v for k, v in {**sso_ticket(), **change}.items() if v is not None}
    report = post_lines(api, line).json()
    outcome = report["lines"][0]
    assert (outcome["outcome"], outcome["field"]) == ("error", field), outcome
    assert message in outcome["message"]
    assert counts() == before


def test_a_new_requester_is_created_in_the_named_organisation(dataflow, api_as):
    api = api_as(dataflow["admin"].user)
    line = sso_ticket(requester={"email": "CFO@redwood.example.com", "name": "Cara",
                                 "external_id": "c-77"})
    ticket_id = post_lines(api, line).json()["lines"][0]["ticket_id"]
    contact = Ticket.objects.get(pk=ticket_id).requester
    assert (contact.email, contact.external_id, contact.organisation.external_id) == (
        "cfo@redwood.example.com", "c-77", "1018")


def test_a_json_array_body_is_accepted(dataflow, api_as):
    api = api_as(dataflow["admin"].user)
    response = api.post(URL, [sso_ticket("zd-a"), sso_ticket("zd-b")])
    assert response.status_code == 200, response.content
    assert [line["outcome"] for line in response.json()["lines"]] == ["created", "created"]


def test_a_body_that_is_neither_json_lines_nor_an_array_is_refused(dataflow, api_as):
    api = api_as(dataflow["admin"].user)
    response = api.client.post(URL, data="[{", content_type="application/json", **api.headers)
    assert response.status_code == 400
    assert response.json()["field"] == "body"
    assert counts()["tickets"] == 0


@pytest.mark.parametrize("persona", ["agent", "manager"])
def test_only_administrators_may_import_history(dataflow, api_as, persona):
    user = {"agent": dataflow["agent"].user,
            "manager": AgentFactory(role=Role.SUPPORT_MANAGER).user}[persona]
    response = post_lines(api_as(user), sso_ticket())
    assert response.status_code == 403
    assert counts()["tickets"] == 0


def test_the_readme_example_imports_as_documented(dataflow, api_as):
    """The JSON line shown in README.md ("Importing history") is a valid import."""
    import re
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    section = readme.split("## Importing history", 1)[1]
    example = re.search(r"```json\n(.*?)```", section, re.S).group(1)
    AgentFactory(user=UserFactory(username="alice-readme", email="alice@example.com"))
    report = post_lines(api_as(dataflow["admin"].user), json.loads(example)).json()
    assert report["lines"][0]["outcome"] == "created", report
    ticket = Ticket.objects.get(pk=report["lines"][0]["ticket_id"])
    assert (ticket.status, ticket.tier.code) == ("closed", "ENG")
