"""Workspace services: the only code that writes presence heartbeats and saved filters."""

from django.db import IntegrityError, transaction

from tierdesk import clock
from tierdesk.common.errors import Forbidden, NotFound, ServiceError
from tierdesk.people.access import Viewer, agent_group_ids
from tierdesk.people.models import Group
from tierdesk.tickets.models import Ticket
from tierdesk.workspace.models import SavedFilter, TicketPresence

# The queue's views and sorts (tierdesk/web/queues.py VIEWS and SORTS; a test keeps the
# lists equal): a saved filter holds only what the queue page understands.
VIEWS = ("open", "mine", "unassigned", "soon", "breached")
SORTS = ("due", "priority", "newest", "updated")
MAX_FILTERS = 50


def _require_agent(viewer: Viewer, action: str) -> None:
    if not viewer.is_agent or viewer.agent is None:
        raise Forbidden(f"only agents may {action}")


@transaction.atomic(durable=True)
def presence_heartbeat(*, ticket: Ticket, viewer: Viewer,
                       state: str = TicketPresence.State.VIEWING) -> TicketPresence:
    """Record that ``viewer`` has ``ticket`` open (and is writing a reply, when
    ``state`` says so). The caller resolved the ticket under the viewer's scope."""
    _require_agent(viewer, "show presence on tickets")
    if state not in TicketPresence.State.values:
        raise ServiceError(f"state must be one of {', '.join(TicketPresence.State.values)}",
                           field="state")
    presence, _created = TicketPresence.objects.update_or_create(
        ticket=ticket, user=viewer.user, defaults={"state": state, "last_seen": clock.now()})
    return presence


def _clean(viewer: Viewer, name: str, view: str, group: Group | None, priority: str,
           sort: str) -> dict:
    name = (name or "").strip()
    if not name:
        raise ServiceError("name must not be empty", field="name")
    if len(name) > 80:
        raise ServiceError("name must be at most 80 characters", field="name")
    if view not in VIEWS:
        raise ServiceError(f"view must be one of {', '.join(VIEWS)}", field="view")
    if sort not in SORTS:
        raise ServiceError(f"sort must be one of {', '.join(SORTS)}", field="sort")
    if group is not None and not viewer.is_manager \
            and group.pk not in agent_group_ids(viewer.agent):
        # Not one of the agent's queues: the same answer as opening it by URL.
        raise NotFound(f"group {group.pk} not found", field="group")
    if priority:
        from tierdesk.tickets import priorities

        priorities.check(priority)
    return {"name": name, "view": view, "group": group, "priority": priority or "",
            "sort": sort}


@transaction.atomic(durable=True)
def saved_filter_create(*, viewer: Viewer, name: str, view: str = "open",
                        group: Group | None = None, priority: str = "",
                        sort: str = "due") -> SavedFilter:
    """Save the queue filter under ``name`` for this agent; a name is used once each."""
    _require_agent(viewer, "save filters")
    fields = _clean(viewer, name, view, group, priority, sort)
    if SavedFilter.objects.filter(agent=viewer.agent).count() >= MAX_FILTERS:
        raise ServiceError(f"at most {MAX_FILTERS} saved filters per agent", field="name")
    try:
        with transaction.atomic():
            return SavedFilter.objects.create(agent=viewer.agent, created_at=clock.now(),
                                              **fields)
    except IntegrityError:
        raise ServiceError(f"you already have a filter named {fields['name']!r}",
                           field="name") from None


@transaction.atomic(durable=True)
def saved_filter_delete(*, viewer: Viewer, filter_id: int) -> None:
    """Delete one of the agent's own filters; another agent's is not found."""
    _require_agent(viewer, "delete saved filters")
    deleted, _ = SavedFilter.objects.filter(pk=filter_id, agent=viewer.agent).delete()
    if not deleted:
        raise NotFound(f"saved filter {filter_id} not found", field="filter_id")
