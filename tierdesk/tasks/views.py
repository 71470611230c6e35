"""The workspace's task list: what the agent's role (or the agent) owes, soonest due."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from tierdesk import clock
from tierdesk.common.errors import ServiceError
from tierdesk.tasks import selectors, services
from tierdesk.tasks.models import Task
from tierdesk.web.access import agent_page


@require_GET
@agent_page
def task_list(request: HttpRequest) -> HttpResponse:
    tasks = list(selectors.tasks_for(viewer=request.viewer)[:300])
    return render(request, "tasks/list.html", {"tasks": tasks, "now": clock.now()})


@require_POST
@agent_page
def task_done(request: HttpRequest, task_id: int) -> HttpResponse:
    task = Task.objects.filter(pk=task_id).first()
    if task is None or not services.may_do(request.viewer, task):
        raise Http404("no such task")
    try:
        services.task_complete(task=task, viewer=request.viewer)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Task done."))
    return redirect("web:tasks")
