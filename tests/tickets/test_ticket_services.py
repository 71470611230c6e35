"""Each ticket service: what it changes, the events it writes, and what it refuses."""

from datetime import UTC, datetime, timedelta

import pytest

from tests.factories import AgentFactory, TicketFactory
from tierdesk import clock
from tierdesk.common.errors import Conflict, Forbidden, InvalidTransition, ServiceError
from tierdesk.outbox.models import OutboxMessage
from tierdesk.tickets import services
from tierdesk.tickets.models import Message, Ticket, TicketEvent

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def events_of(ticket, type_=None):
    qs = TicketEvent.objects.filter(ticket=ticket)
    if type_:
        qs = qs.filter(type=type_)
    return list(qs.order_by("id"))


def test_create_opens_a_new_ticket_with_its_message_event_and_acknowledgement(world):
    clock.freeze(T0)
    ticket, created = services.ticket_create(
        viewer=world.viewer(world.customer.user), subject="SSO-9001: Login Failure",
        body="Nobody can log in", requester=world.customer, error_code="sso-9001",
        tags=["SSO", "login"],
    )
    assert created
    assert ticket.status == "new"
    assert ticket.organisation == world.org
    assert ticket.error_code == "SSO-9001"
    assert ticket.tags == ["sso", "login"]
    assert ticket.created_at == T0
    assert ticket.messages.get().body_text == "Nobody can log in"
    (event,) = events_of(ticket)
    assert event.type == "created"
    assert event.actor == world.customer.user
    assert event.data["subject"] == "SSO-9001: Login Failure"
    mail = OutboxMessage.objects.get(ticket_id=ticket.pk)
    assert mail.payload["to"] == [world.customer.email]


def test_customer_cannot_open_a_ticket_for_another_organisation(world):
    with pytest.raises(Forbidden):
        services.ticket_create(viewer=world.viewer(world.customer.user), subject="x", body="y",
                               requester=world.foreign_customer)
    assert not Ticket.objects.filter(subject="x").exists()


def test_customer_cannot_set_the_priority(world):
    with pytest.raises(Forbidden):
        services.ticket_create(viewer=world.viewer(world.customer.user), subject="x", body="y",
                               requester=world.customer, priority="P0")


def test_unknown_priority_is_refused_and_nothing_is_written(world):
    before = Ticket.objects.count()
    with pytest.raises(ServiceError) as exc:
        services.ticket_create(viewer=world.viewer(world.agent), subject="x", body="y",
                               requester=world.customer, priority="P9")
    assert exc.value.field == "priority"
    assert Ticket.objects.count() == before


def test_malformed_tag_is_refused_with_the_field_named(world):
    with pytest.raises(ServiceError) as exc:
        services.ticket_create(viewer=world.viewer(world.agent), subject="x", body="y",
                               requester=world.customer, tags=["has space"])
    assert exc.value.field == "tags"


def test_idempotent_create_returns_the_first_ticket_on_retry(world):
    viewer = world.viewer(world.agent)
    kwargs = dict(viewer=viewer, subject="x", body="y", requester=world.customer,
                  idempotency_key="retry-1", fingerprint="f1")
    first, created_first = services.ticket_create(**kwargs)
    second, created_second = services.ticket_create(**kwargs)
    assert (created_first, created_second) == (True, False)
    assert first.pk == second.pk
    assert Ticket.objects.filter(subject="x").count() == 1
    assert OutboxMessage.objects.filter(ticket_id=first.pk).count() == 1


def test_idempotency_key_reused_with_a_different_request_is_a_conflict(world):
    viewer = world.viewer(world.agent)
    services.ticket_create(viewer=viewer, subject="x", body="y", requester=world.customer,
                           idempotency_key="k", fingerprint="f1")
    with pytest.raises(Conflict):
        services.ticket_create(viewer=viewer, subject="z", body="y", requester=world.customer,
                               idempotency_key="k", fingerprint="f2")


def test_idempotency_keys_are_per_user(world):
    a, _ = services.ticket_create(viewer=world.viewer(world.agent), subject="x", body="y",
                                  requester=world.customer, idempotency_key="same")
    b, created = services.ticket_create(viewer=world.viewer(world.manager), subject="x",
                                        body="y", requester=world.customer,
                                        idempotency_key="same")
    assert created and a.pk != b.pk


def test_agent_first_reply_opens_the_ticket_and_records_first_response(world):
    clock.freeze(T0)
    ticket = world.ticket
    clock.advance(timedelta(minutes=30))
    message = services.ticket_reply(ticket=ticket, viewer=world.viewer(world.agent),
                                    body="We are on it")
    ticket.refresh_from_db()
    assert ticket.status == "open"
    assert ticket.first_responded_at == T0 + timedelta(minutes=30)
    assert message.kind == "reply"
    assert [e.type for e in events_of(ticket)] == ["replied", "status_changed"]
    assert OutboxMessage.objects.filter(ticket_id=ticket.pk, payload__template="agent_reply")\
        .count() == 1


def test_customer_reply_reopens_a_pending_ticket(world):
    ticket = world.ticket
    services.ticket_update(ticket=ticket, viewer=world.viewer(world.agent),
                           changes={"status": "pending"})
    services.ticket_reply(ticket=ticket, viewer=world.viewer(world.customer.user),
                          body="Here are the logs")
    ticket.refresh_from_db()
    assert ticket.status == "open"
    assert ticket.first_responded_at is None


def test_reply_html_is_sanitised_before_it_is_stored(world):
    message = services.ticket_reply(
        ticket=world.ticket, viewer=world.viewer(world.agent), body="hi",
        body_html='<p onclick="x()">hi<script>alert(1)</script></p>')
    assert "<script>" not in message.body_html
    assert "onclick" not in message.body_html
    assert "<p>hi" in message.body_html


def test_closed_ticket_takes_no_replies(world):
    ticket = TicketFactory(requester=world.customer, group=world.group, status="closed")
    with pytest.raises(ServiceError, match="closed"):
        services.ticket_reply(ticket=ticket, viewer=world.viewer(world.agent), body="hi")
    assert not Message.objects.filter(ticket=ticket).exists()


def test_internal_note_is_agents_only(world):
    with pytest.raises(Forbidden):
        services.ticket_add_note(ticket=world.ticket, viewer=world.viewer(world.customer.user),
                                 body="psst")
    note = services.ticket_add_note(ticket=world.ticket, viewer=world.viewer(world.agent),
                                    body="customer is on legacy SSO")
    assert note.kind == "note"
    assert events_of(world.ticket, "note_added")[0].data["message_id"] == note.pk
    assert not OutboxMessage.objects.filter(ticket_id=world.ticket.pk).exists()


def test_assign_records_old_and_new_assignee(world):
    services.ticket_assign(ticket=world.ticket, viewer=world.viewer(world.manager),
                           assignee=world.agent)
    world.ticket.refresh_from_db()
    assert world.ticket.assignee == world.agent
    (event,) = events_of(world.ticket, "assigned")
    # Issue 9 item 6: the agent by username and name (today's expectation was a bare id).
    assert event.data == {"field": "assignee", "old": None, "new": "alice",
                          "new_name": world.agent.user.get_full_name() or "alice",
                          "new_id": world.agent.pk}


def test_assigning_outside_the_tickets_group_is_refused(world):
    with pytest.raises(ServiceError) as exc:
        services.ticket_assign(ticket=world.ticket, viewer=world.viewer(world.manager),
                               assignee=world.outsider_agent)
    assert exc.value.field == "assignee_id"


def test_unassign_with_none(world):
    services.ticket_assign(ticket=world.ticket, viewer=world.viewer(world.manager),
                           assignee=world.agent)
    services.ticket_assign(ticket=world.ticket, viewer=world.viewer(world.manager),
                           assignee=None)
    world.ticket.refresh_from_db()
    assert world.ticket.assignee is None


def test_priority_change_is_audited_with_the_reason(world):
    services.ticket_change_priority(ticket=world.ticket, viewer=world.viewer(world.agent),
                                    priority="P1", reason="customer is blocked")
    (event,) = events_of(world.ticket, "priority_changed")
    assert event.data == {"field": "priority", "old": "P2", "new": "P1",
                          "reason": "customer is blocked"}


def test_illegal_status_change_is_refused_and_changes_nothing(world):
    with pytest.raises(InvalidTransition):
        services.ticket_change_status(ticket=world.ticket, viewer=world.viewer(world.agent),
                                      status="closed")
    world.ticket.refresh_from_db()
    assert world.ticket.status == "new"
    assert events_of(world.ticket) == []


def test_solve_then_close_stamps_both_times(world):
    clock.freeze(T0)
    viewer = world.viewer(world.agent)
    services.ticket_change_status(ticket=world.ticket, viewer=viewer, status="solved")
    clock.advance(timedelta(days=1))
    services.ticket_close(ticket=world.ticket, viewer=viewer)
    world.ticket.refresh_from_db()
    assert world.ticket.solved_at == T0
    assert world.ticket.closed_at == T0 + timedelta(days=1)
    assert [e.data["new"] for e in events_of(world.ticket, "status_changed")] == [
        "solved", "closed"]


def test_reopen_a_solved_ticket_clears_solved_at(world):
    viewer = world.viewer(world.agent)
    services.ticket_change_status(ticket=world.ticket, viewer=viewer, status="solved")
    services.ticket_reopen(ticket=world.ticket, viewer=viewer)
    world.ticket.refresh_from_db()
    assert world.ticket.status == "open"
    assert world.ticket.solved_at is None
    assert events_of(world.ticket, "status_changed")[-1].data["reason"] == "reopened"


def test_a_closed_ticket_cannot_be_reopened(world):
    viewer = world.viewer(world.agent)
    services.ticket_change_status(ticket=world.ticket, viewer=viewer, status="solved")
    services.ticket_close(ticket=world.ticket, viewer=viewer)
    with pytest.raises(InvalidTransition):
        services.ticket_reopen(ticket=world.ticket, viewer=viewer)


def test_update_writes_one_event_per_changed_field_and_none_for_unchanged(world):
    services.ticket_update(ticket=world.ticket, viewer=world.viewer(world.agent),
                           changes={"category": "sso", "priority": "P2", "tags": ["vip"]})
    fields = [e.data["field"] for e in events_of(world.ticket)]
    assert sorted(fields) == ["category", "tags"]


def test_update_of_an_unknown_field_is_refused(world):
    with pytest.raises(ServiceError) as exc:
        services.ticket_update(ticket=world.ticket, viewer=world.viewer(world.agent),
                               changes={"created_at": T0})
    assert exc.value.field == "created_at"


def test_customers_cannot_update_tickets(world):
    with pytest.raises(Forbidden):
        services.ticket_update(ticket=world.ticket, viewer=world.viewer(world.customer.user),
                               changes={"priority": "P0"})


def test_merge_moves_messages_closes_the_source_and_links_it(world):
    viewer = world.viewer(world.agent)
    source = TicketFactory(requester=world.customer, group=world.group, tags=["dup"])
    services.ticket_reply(ticket=source, viewer=viewer, body="first")
    target = world.ticket
    services.ticket_merge(source=source, target=target, viewer=viewer)
    source.refresh_from_db()
    target.refresh_from_db()
    assert source.status == "closed"
    assert source.merged_into == target
    assert target.messages.filter(body_text="first").exists()
    assert "dup" in target.tags
    assert events_of(target, "merged")[0].data["source"] == source.pk
    assert events_of(source, "merged_into")[0].data["target"] == target.pk


def test_a_ticket_cannot_be_merged_into_itself(world):
    with pytest.raises(ServiceError):
        services.ticket_merge(source=world.ticket, target=world.ticket,
                              viewer=world.viewer(world.agent))


def test_a_failure_mid_service_writes_nothing(world, monkeypatch):
    """One transaction per service: if the audit write fails, the reply is not kept."""
    from tierdesk.tickets import events

    def boom(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(events, "message_added", boom)
    with pytest.raises(RuntimeError):
        services.ticket_reply(ticket=world.ticket, viewer=world.viewer(world.agent), body="hi")
    assert not Message.objects.filter(ticket=world.ticket).exists()
    assert not OutboxMessage.objects.filter(ticket_id=world.ticket.pk).exists()


def test_agent_factory_agents_are_not_managers(db):
    assert not AgentFactory().is_manager
