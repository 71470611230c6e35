"""The rules engine: once per episode, never in a loop, every firing named in an event."""

from datetime import UTC, datetime, timedelta

import pytest
import yaml

from tests.factories import AgentFactory, ContactFactory, OrganisationFactory
from tierdesk import clock
from tierdesk.packs.services import pack_apply
from tierdesk.people.access import viewer_for
from tierdesk.people.models import Role
from tierdesk.policy import PACKS_DIR
from tierdesk.rules.engine import rules_sweep
from tierdesk.tickets import services
from tierdesk.tickets.models import Ticket, TicketEvent

T0 = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)
BASE = yaml.safe_load((PACKS_DIR / "dataflow.yaml").read_text())


def apply_rules(rules: list[dict]) -> None:
    pack = {**BASE, "rules": rules}
    pack_apply(source=yaml.safe_dump(pack, sort_keys=False))


@pytest.fixture
def agent(db):
    return AgentFactory(role=Role.SUPPORT_MANAGER)


def new_ticket(agent, **kw):
    clock.freeze(kw.pop("at", T0))
    org = OrganisationFactory(plan="Enterprise")
    ticket, _ = services.ticket_create(viewer=viewer_for(agent.user),
                                       requester=ContactFactory(organisation=org),
                                       subject=kw.pop("subject", "Help"), body="x", **kw)
    return ticket


def fired(ticket, rule=None):
    qs = TicketEvent.objects.filter(ticket=ticket, type="rule_fired").order_by("id")
    return [e.data["rule"] for e in qs if rule is None or e.data["rule"] == rule]


def test_a_rule_firing_is_an_event_naming_the_rule_and_its_actions(agent):
    apply_rules([{"name": "tag vip", "on": "created", "when": {"plan": "Enterprise"},
                  "do": [{"add_tags": ["vip"]}]}])
    ticket = new_ticket(agent)
    event = TicketEvent.objects.get(ticket=ticket, type="rule_fired")
    assert event.data == {"rule": "tag vip", "event": "created", "actions": ["tagged vip"]}
    ticket.refresh_from_db()
    assert ticket.tags == ["vip"]


def test_rules_that_undo_each_other_do_not_loop(agent):
    apply_rules([
        {"name": "raise", "on": ["created", "updated"], "when": {"priority": "P2"},
         "do": [{"set": {"priority": "P1"}}]},
        {"name": "lower", "on": ["updated"], "when": {"priority": "P1"},
         "do": [{"set": {"priority": "P2"}}]},
    ])
    ticket = new_ticket(agent, priority="P2")
    assert fired(ticket) == ["raise", "lower"]
    stopped = TicketEvent.objects.filter(ticket=ticket, type="rule_loop_stopped")
    assert [e.data["rule"] for e in stopped] == ["raise"]
    assert TicketEvent.objects.filter(ticket=ticket).count() < 20


def test_a_rule_fires_once_per_episode(agent):
    apply_rules([{"name": "urgent tag", "on": ["created", "updated"],
                  "when": {"priority": "P1"}, "do": [{"add_tags": ["urgent"]}]}])
    ticket = new_ticket(agent, priority="P1")
    viewer = viewer_for(agent.user)
    services.ticket_update(ticket=ticket, viewer=viewer, changes={"category": "sso"})
    assert fired(ticket) == ["urgent tag"]  # still P1: same episode
    services.ticket_update(ticket=ticket, viewer=viewer, changes={"priority": "P2"})
    services.ticket_update(ticket=ticket, viewer=viewer, changes={"priority": "P1"})
    assert fired(ticket) == ["urgent tag", "urgent tag"]  # a new episode


def test_a_repeating_rule_fires_on_every_matching_event(agent):
    apply_rules([{"name": "log replies", "on": "replied", "repeat": True,
                  "do": [{"add_tags": ["replied"]}]}])
    ticket = new_ticket(agent)
    for _ in range(3):
        services.ticket_reply(ticket=ticket, viewer=viewer_for(agent.user), body="hi")
    assert fired(ticket) == ["log replies"] * 3


def test_time_rule_fires_when_its_time_comes_through_the_sweep(agent):
    apply_rules([{"name": "stale", "on": "time",
                  "when": {"status": ["new", "open"], "since_created": {"gte": "4h"}},
                  "do": [{"add_tags": ["stale"]}]}])
    ticket = new_ticket(agent)
    assert Ticket.objects.get(pk=ticket.pk).rules_check_at == T0 + timedelta(hours=4)
    assert rules_sweep(now=T0 + timedelta(hours=3)) == 0
    assert rules_sweep(now=T0 + timedelta(hours=4)) == 1
    assert fired(ticket) == ["stale"]
    assert Ticket.objects.get(pk=ticket.pk).rules_check_at is None
    assert rules_sweep(now=T0 + timedelta(hours=9)) == 0


def test_time_rule_whose_other_condition_comes_true_later_fires_on_that_change(agent):
    apply_rules([{"name": "stale pending", "on": "time",
                  "when": {"status": "pending", "since_created": {"gte": "1h"}},
                  "do": [{"add_tags": ["chase"]}]}])
    ticket = new_ticket(agent)
    rules_sweep(now=T0 + timedelta(hours=2))
    assert fired(ticket) == []
    clock.freeze(T0 + timedelta(hours=3))
    services.ticket_update(ticket=ticket, viewer=viewer_for(agent.user),
                           changes={"status": "pending"})
    assert fired(ticket) == ["stale pending"]


def test_business_time_rule_waits_for_business_hours(agent):
    pack = yaml.safe_load((PACKS_DIR / "dataflow.yaml").read_text())
    pack["rules"] = [{"name": "chase after 2 business hours", "on": "time",
                      "business_time": True, "when": {"since_created": {"gte": "2h"}},
                      "do": [{"add_tags": ["chase"]}]}]
    pack_apply(source=yaml.safe_dump(pack, sort_keys=False))
    friday_4pm_utc = datetime(2026, 12, 4, 16, 0, tzinfo=UTC)  # 16:00 UTC, customer in UTC
    clock.freeze(friday_4pm_utc)
    org = OrganisationFactory(plan="Enterprise", country="GB", timezone="Europe/London")
    ticket, _ = services.ticket_create(viewer=viewer_for(agent.user),
                                       requester=ContactFactory(organisation=org),
                                       subject="SSO-9001", body="x", error_code="SSO-9001")
    # One business hour on Friday (16:00-17:00), the second on Monday 09:00-10:00.
    assert Ticket.objects.get(pk=ticket.pk).rules_check_at == datetime(2026, 12, 7, 10, 0,
                                                                        tzinfo=UTC)


def test_a_failing_action_is_recorded_and_the_others_still_run(agent):
    apply_rules([{"name": "close at once", "on": "created",
                  "do": [{"set": {"status": "closed"}}, {"add_tags": ["tried"]}]}])
    ticket = new_ticket(agent)
    failed = TicketEvent.objects.get(ticket=ticket, type="action_failed")
    assert "cannot become closed" in failed.data["error"]
    ticket.refresh_from_db()
    assert ticket.tags == ["tried"]


def test_without_a_pack_no_rules_run(agent):
    ticket = new_ticket(agent, priority="P2")
    assert fired(ticket) == []


def test_a_sweep_runs_every_due_ticket_batch_after_batch_each_once(agent):
    apply_rules([{"name": "stale", "on": "time",
                  "when": {"status": ["new", "open"], "since_created": {"gte": "4h"}},
                  "do": [{"add_tags": ["stale"]}, {"notify": {"role": "support_manager"}}]}])
    tickets = [new_ticket(agent) for _ in range(5)]
    assert rules_sweep(now=T0 + timedelta(hours=4), batch=2) == 5
    for ticket in tickets:
        assert fired(ticket) == ["stale"]
        ticket.refresh_from_db()
        assert ticket.tags == ["stale"] and ticket.rules_check_at is None
    assert rules_sweep(now=T0 + timedelta(hours=5), batch=2) == 0


def test_a_ticket_whose_rule_breaks_does_not_stop_the_sweep_for_the_others(agent, monkeypatch):
    apply_rules([{"name": "stale", "on": "time",
                  "when": {"status": ["new", "open"], "since_created": {"gte": "4h"}},
                  "do": [{"add_tags": ["stale"]}]}])
    good = new_ticket(agent, at=T0 - timedelta(hours=1))  # due first
    bad = new_ticket(agent)
    from tierdesk.rules import engine

    real = engine.on_event

    def breaks_on_bad(*, ticket, **kw):
        if ticket.pk == bad.pk:
            raise RuntimeError("broken integration")
        return real(ticket=ticket, **kw)

    monkeypatch.setattr(engine, "on_event", breaks_on_bad)
    with pytest.raises(RuntimeError):
        rules_sweep(now=T0 + timedelta(hours=4))
    assert fired(good) == ["stale"]  # run and committed on its own before the bad one
    assert fired(bad) == []
    assert Ticket.objects.get(pk=bad.pk).rules_check_at is not None  # still due: retried
