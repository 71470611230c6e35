"""Make and finish tasks. ``task_open`` composes into the caller's transaction (a refund
routed up, a survey follow-up): its task is part of that change or of nothing."""

from datetime import datetime

from django.db import transaction

from tierdesk import clock
from tierdesk.common.errors import Conflict, Forbidden
from tierdesk.people.access import Viewer
from tierdesk.people.models import Agent
from tierdesk.tasks.models import Task
from tierdesk.tickets import events
from tierdesk.tickets.models import Ticket


def task_open(*, key: str, title: str, source: str, at: datetime, role: str = "",
              assignee: Agent | None = None, ticket: Ticket | None = None,
              due_at: datetime | None = None, detail: str = "", url: str = "",
              ) -> tuple[Task, bool]:
    """Return the task for ``key``, creating it if there is none: ``(task, created)``.

    The key is unique in the database, so a sweep run twice (or twice at once) makes one
    task; the caller's transaction holds the insert, so a rolled-back change leaves none.
    """
    existing = Task.objects.filter(key=key).first()
    if existing is not None:
        return existing, False
    task = Task.objects.create(key=key, title=title, source=source, role=role,
                               assignee=assignee, ticket=ticket, due_at=due_at,
                               detail=detail, url=url, created_at=at)
    if ticket is not None:
        events.record(ticket, "task_opened", None, at, task=task.pk, title=title,
                      role=role or None, due_at=due_at.isoformat() if due_at else None)
    return task, True


def may_do(viewer: Viewer, task: Task) -> bool:
    """Return whether ``viewer`` owes ``task`` (its role, its assignee) or manages."""
    if not viewer.is_agent:
        return False
    if viewer.is_manager:
        return True
    agent = viewer.agent
    return bool(agent and ((task.role and task.role == agent.role)
                           or task.assignee_id == agent.pk))


@transaction.atomic(durable=True)
def task_complete(*, task: Task, viewer: Viewer) -> Task:
    """Mark the task done; done once (a second click is a conflict, not a second time)."""
    if not may_do(viewer, task):
        raise Forbidden("this task is not yours")
    now = clock.now()
    done = Task.objects.filter(pk=task.pk, done_at__isnull=True).update(
        done_at=now, done_by=viewer.user)
    if done != 1:
        raise Conflict("this task is already done", field="task_id")
    task.refresh_from_db()
    if task.ticket_id is not None:
        events.record(task.ticket, "task_done", viewer.user, now, task=task.pk, title=task.title)
    return task


def task_close_by_key(*, key: str, viewer: Viewer, at: datetime) -> None:
    """Mark the task for ``key`` done as part of the caller's change (the refund it asked
    for was decided); no task, nothing to do."""
    Task.objects.filter(key=key, done_at__isnull=True).update(done_at=at, done_by=viewer.user)
