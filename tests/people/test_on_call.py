"""Explicit on-call shifts: who answers now, and no double-booking."""

from datetime import UTC, datetime, timedelta

import pytest

from tests.factories import AgentFactory, GroupFactory
from tierdesk.common.errors import Conflict, ServiceError
from tierdesk.people.oncall import on_call_now
from tierdesk.people.services import on_call_shift_add

T0 = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


def test_the_agent_whose_shift_covers_the_instant_is_on_call(db):
    group = GroupFactory(code="l3-on-call")
    rami, zaid = AgentFactory(), AgentFactory()
    on_call_shift_add(group=group, agent=rami, starts_at=T0, ends_at=T0 + timedelta(hours=12))
    on_call_shift_add(group=group, agent=zaid, starts_at=T0 + timedelta(hours=12),
                      ends_at=T0 + timedelta(hours=24))
    assert on_call_now(group=group, at=T0 + timedelta(hours=1)) == rami
    assert on_call_now(group=group, at=T0 + timedelta(hours=12)) == zaid
    assert on_call_now(group=group, at=T0 + timedelta(hours=30)) is None  # no pack rotation


def test_an_overlapping_shift_for_the_same_agent_is_refused(db):
    group, agent = GroupFactory(), AgentFactory()
    on_call_shift_add(group=group, agent=agent, starts_at=T0, ends_at=T0 + timedelta(hours=8))
    with pytest.raises(Conflict):
        on_call_shift_add(group=group, agent=agent, starts_at=T0 + timedelta(hours=4),
                          ends_at=T0 + timedelta(hours=10))


def test_a_shift_must_end_after_it_starts(db):
    with pytest.raises(ServiceError) as exc:
        on_call_shift_add(group=GroupFactory(), agent=AgentFactory(), starts_at=T0, ends_at=T0)
    assert exc.value.field == "ends_at"
