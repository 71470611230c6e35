"""Which tasks a person sees: those of their role or given to them; managers see all."""

from django.db.models import Q, QuerySet

from tierdesk.people.access import Viewer
from tierdesk.tasks.models import Task


def tasks_for(*, viewer: Viewer, open_only: bool = True) -> QuerySet[Task]:
    """Return the tasks ``viewer`` owes (nothing for a customer), soonest due first."""
    tasks = Task.objects.select_related("ticket", "assignee__user")
    if open_only:
        tasks = tasks.filter(done_at__isnull=True)
    if not viewer.is_agent:
        return tasks.none()
    if viewer.is_manager:
        return tasks
    agent = viewer.agent
    return tasks.filter(Q(role=agent.role) | Q(assignee=agent))
