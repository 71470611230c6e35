"""Tasks owed by the caller (their role's and their own): list and mark done."""

from datetime import datetime

from django.http import HttpRequest
from ninja import Router, Schema

from tierdesk.common.errors import Forbidden, NotFound
from tierdesk.people.access import viewer_for
from tierdesk.tasks import selectors, services
from tierdesk.tasks.models import Task

router = Router(tags=["tasks"])


class TaskOut(Schema):
    id: int
    title: str
    detail: str
    role: str
    assignee_id: int | None
    ticket_id: int | None
    due_at: datetime | None
    source: str
    url: str
    created_at: datetime
    done_at: datetime | None


@router.get("", response=list[TaskOut])
def list_tasks(request: HttpRequest, done: bool = False):
    """The caller's open tasks, soonest due first (``done=true``: finished ones too)."""
    viewer = viewer_for(request.auth)
    if not viewer.is_agent:
        raise Forbidden("tasks are for agents")
    return list(selectors.tasks_for(viewer=viewer, open_only=not done)[:500])


@router.post("/{int:task_id}/done", response=TaskOut)
def complete_task(request: HttpRequest, task_id: int):
    viewer = viewer_for(request.auth)
    task = Task.objects.filter(pk=task_id).first()
    if task is None or not services.may_do(viewer, task):
        raise NotFound("no such task")
    return services.task_complete(task=task, viewer=viewer)
