"""Saved filters: an agent names the queue view they are looking at (view, queue,
priority, sort) and finds it in the sidebar, with its live count, from then on."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from tierdesk.common.errors import NotFound, ServiceError
from tierdesk.people.models import Group
from tierdesk.web import queues
from tierdesk.web.access import agent_page
from tierdesk.web.agent_views import queue_response
from tierdesk.workspace import services
from tierdesk.workspace.selectors import saved_filters


@require_POST
@agent_page
def save_filter(request: HttpRequest) -> HttpResponse:
    viewer = request.viewer
    post = request.POST
    raw_group = post.get("group", "")
    group = None
    if raw_group:
        group = queues.groups_of(viewer).filter(pk=raw_group).first() \
            if raw_group.isdigit() else None
        if group is None:
            raise Http404("no such queue")
    fields = {"name": post.get("name", ""), "view": post.get("view", "open") or "open",
              "priority": post.get("priority", ""), "sort": post.get("sort", "due") or "due"}
    try:
        saved = services.saved_filter_create(viewer=viewer, group=group, **fields)
    except ServiceError as exc:
        query = queues.QueueQuery(
            view=fields["view"] if fields["view"] in dict(queues.VIEWS) else "open",
            group=group, priority=fields["priority"],
            sort=fields["sort"] if fields["sort"] in queues.SORTS else "due")
        return queue_response(request, query, status=exc.status_code, save_form={
            "name": fields["name"], "error": exc.message})
    messages.success(request, _("Filter “%(name)s” saved.") % {"name": saved.name})
    return redirect("web:filter", filter_id=saved.pk)


@require_GET
@agent_page
def open_filter(request: HttpRequest, filter_id: int) -> HttpResponse:
    """One of the agent's own saved filters; another agent's is a 404."""
    saved = saved_filters(viewer=request.viewer).filter(pk=filter_id).first()
    if saved is None:
        raise Http404("no such saved filter")
    group: Group | None = saved.group
    if group is not None and not queues.groups_of(request.viewer).filter(pk=group.pk).exists():
        group = None  # the agent left that queue: the view still works without it
    query = queues.QueueQuery(view=saved.view, group=group, priority=saved.priority,
                              sort=request.GET.get("sort") if request.GET.get("sort")
                              in queues.SORTS else saved.sort)
    return queue_response(request, query, saved=saved)


@require_POST
@agent_page
def delete_filter(request: HttpRequest, filter_id: int) -> HttpResponse:
    try:
        services.saved_filter_delete(viewer=request.viewer, filter_id=filter_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    messages.success(request, _("Saved filter deleted."))
    return redirect("web:queue")
