"""Tasks any app opens (a routed refund, a survey follow-up): one per key, seen by the
role that owes them, done once."""

import pytest

from tierdesk import clock
from tierdesk.common.errors import Conflict
from tierdesk.people.access import viewer_for
from tierdesk.tasks.selectors import tasks_for
from tierdesk.tasks.services import task_complete, task_open


def open_task(world, **fields):
    values = {"key": "refund:1:decide", "title": "Decide", "source": "refunds",
              "role": "support_manager", "ticket": world.ticket, "at": clock.now(), **fields}
    return task_open(**values)


def test_a_key_opens_one_task_however_often_it_is_asked(world):
    first, made = open_task(world)
    again, made_again = open_task(world)

    assert (made, made_again) == (True, False)
    assert first.pk == again.pk
    assert world.ticket.events.filter(type="task_opened").count() == 1


def test_a_task_is_seen_by_its_role_and_by_managers_not_by_other_agents(world):
    task, _ = open_task(world, role="finance_director")

    assert list(tasks_for(viewer=world.viewer(world.manager))) == [task]
    assert list(tasks_for(viewer=world.viewer(world.agent))) == []
    assert list(tasks_for(viewer=world.viewer(world.customer.user))) == []


def test_a_task_is_done_once(world):
    task, _ = open_task(world)
    maria = viewer_for(world.manager.user)

    task_complete(task=task, viewer=maria)
    with pytest.raises(Conflict):
        task_complete(task=task, viewer=maria)

    assert world.ticket.events.filter(type="task_done").count() == 1
