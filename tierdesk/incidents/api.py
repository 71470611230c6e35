"""Incident endpoints (agents): parse, resolve ids under the caller's scope, call a service,
answer. Customers are refused with 403 on every one of them; they read /status."""

from django.http import HttpRequest
from ninja import Query, Router
from ninja import Status as Reply

from tierdesk.common import cursors
from tierdesk.common.errors import NotFound
from tierdesk.incidents import selectors, services
from tierdesk.incidents.models import Incident
from tierdesk.incidents.schemas import (
    IncidentCreateIn,
    IncidentDetailOut,
    IncidentFilters,
    IncidentPage,
    LinkTicketsIn,
    ResolveIn,
    ReviewIn,
    ReviewOut,
    UpdateIn,
    UpdateOut,
)
from tierdesk.people.access import Viewer, viewer_for
from tierdesk.tickets.selectors import tickets_visible_to

router = Router(tags=["incidents"])


def _viewer(request: HttpRequest) -> Viewer:
    return viewer_for(request.auth)


def _incident(viewer: Viewer, incident_id: int) -> Incident:
    return selectors.incident_get(viewer=viewer, incident_id=incident_id)


def _detail(viewer: Viewer, incident_id: int) -> Incident:
    """Re-read the incident with the per-caller extras ``IncidentDetailOut`` shows."""
    incident = _incident(viewer, incident_id)
    incident.ticket_ids = selectors.incident_ticket_ids(viewer=viewer, incident=incident)
    incident.requester_count = selectors.incident_requesters_count(incident=incident)
    return incident


@router.get("", response=IncidentPage)
def list_incidents(request: HttpRequest, filters: Query[IncidentFilters]):
    """List incidents, newest first; follow ``next_cursor`` for the next page."""
    items = selectors.incident_list(
        viewer=_viewer(request), status=filters.status, open_only=filters.open,
        after_id=cursors.decode(filters.cursor), limit=filters.limit + 1,
    )
    more = len(items) > filters.limit
    items = items[: filters.limit]
    return {"items": items, "next_cursor": cursors.encode(items[-1].pk) if more else None}


@router.post("", response={201: IncidentDetailOut})
def create_incident(request: HttpRequest, payload: IncidentCreateIn):
    """Declare an incident; it starts "investigating" and private unless ``public``."""
    viewer = _viewer(request)
    incident = services.incident_open(viewer=viewer, title=payload.title,
                                      severity=payload.severity, summary=payload.summary,
                                      public=payload.public)
    return Reply(201, _detail(viewer, incident.pk))


@router.get("/{int:incident_id}", response=IncidentDetailOut)
def get_incident(request: HttpRequest, incident_id: int):
    viewer = _viewer(request)
    return _detail(viewer, incident_id)


@router.post("/{int:incident_id}/tickets", response=IncidentDetailOut)
def link_tickets(request: HttpRequest, incident_id: int, payload: LinkTicketsIn):
    """Link tickets; every id must be a ticket the agent may see, or nothing is linked."""
    viewer = _viewer(request)
    incident = _incident(viewer, incident_id)
    wanted = list(dict.fromkeys(payload.ticket_ids))
    found = {t.pk: t for t in tickets_visible_to(viewer).filter(pk__in=wanted)}
    for index, ticket_id in enumerate(payload.ticket_ids):
        if ticket_id not in found:
            # Same answer for "no such ticket" and "not yours": ids leak nothing.
            raise NotFound(f"ticket {ticket_id} not found", field=f"ticket_ids[{index}]")
    services.incident_link_tickets(incident=incident, viewer=viewer,
                                   tickets=[found[pk] for pk in wanted])
    return _detail(viewer, incident_id)


@router.post("/{int:incident_id}/updates", response={201: UpdateOut})
def post_update(request: HttpRequest, incident_id: int, payload: UpdateIn):
    """Append to the timeline and move the status; a public update mails each affected
    requester once (unless ``notify_requesters`` is false) and shows on /status."""
    viewer = _viewer(request)
    incident = _incident(viewer, incident_id)
    update = services.incident_post_update(
        incident=incident, viewer=viewer, body=payload.body, status=payload.status,
        public=payload.public, notify_requesters=payload.notify_requesters,
    )
    return Reply(201, update)


@router.get("/{int:incident_id}/updates", response=list[UpdateOut])
def timeline(request: HttpRequest, incident_id: int):
    """The timeline, oldest first, internal updates included."""
    incident = _incident(_viewer(request), incident_id)
    return list(selectors.incident_timeline(incident=incident))


@router.post("/{int:incident_id}/resolve", response=IncidentDetailOut)
def resolve(request: HttpRequest, incident_id: int, payload: ResolveIn):
    """Resolve with a final update (the same mail and timeline rules as any update)."""
    viewer = _viewer(request)
    incident = _incident(viewer, incident_id)
    services.incident_resolve(incident=incident, viewer=viewer, body=payload.body,
                              public=payload.public,
                              notify_requesters=payload.notify_requesters)
    return _detail(viewer, incident_id)


@router.post("/{int:incident_id}/review", response={201: ReviewOut})
def review(request: HttpRequest, incident_id: int, payload: ReviewIn):
    """Record the post-incident review (managers; once; only after resolution)."""
    viewer = _viewer(request)
    incident = _incident(viewer, incident_id)
    result = services.incident_review(
        incident=incident, viewer=viewer, root_cause=payload.root_cause, fix=payload.fix,
        kb_article_url=payload.kb_article_url, follow_ups=payload.follow_ups,
    )
    return Reply(201, result)
