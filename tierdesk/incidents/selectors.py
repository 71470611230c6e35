"""Reads of incidents: the agents' view (everything, with ticket ids under their scope) and
the public status page (public incidents and public updates only, no ticket data)."""

from django.db.models import Count, Prefetch, QuerySet

from tierdesk.common.errors import Forbidden, NotFound
from tierdesk.incidents.models import Incident, IncidentStatus, IncidentUpdate
from tierdesk.people.access import Viewer
from tierdesk.tickets.models import Ticket
from tierdesk.tickets.selectors import tickets_visible_to


def _counted(qs: QuerySet[Incident]) -> QuerySet[Incident]:
    return qs.annotate(
        ticket_count=Count("links", distinct=True),
        organisation_count=Count("links__ticket__organisation", distinct=True),
    )


def incidents_visible_to(viewer: Viewer) -> QuerySet[Incident]:
    """Return every incident for an agent (an outage crosses queues), else refuse.

    Customers learn about incidents from the status page and the mail, not from this API;
    refusing with 403 (not an empty list) makes a misconfigured client obvious.
    """
    if not viewer.is_agent:
        raise Forbidden("only agents may read incidents")
    return _counted(Incident.objects.all())


def incident_get(*, viewer: Viewer, incident_id: int) -> Incident:
    incident = incidents_visible_to(viewer).select_related("review").filter(
        pk=incident_id).first()
    if incident is None:
        raise NotFound(f"incident {incident_id} not found", field="incident_id")
    return incident


def incident_list(*, viewer: Viewer, status: str | None, open_only: bool | None,
                  after_id: int | None, limit: int) -> list[Incident]:
    """Return one page, newest first (keyset on id), in one query."""
    qs = incidents_visible_to(viewer)
    if status:
        qs = qs.filter(status=status)
    if open_only is True:
        qs = qs.exclude(status=IncidentStatus.RESOLVED)
    elif open_only is False:
        qs = qs.filter(status=IncidentStatus.RESOLVED)
    if after_id is not None:
        qs = qs.filter(pk__lt=after_id)
    return list(qs.order_by("-id")[:limit])


def incident_ticket_ids(*, viewer: Viewer, incident: Incident) -> list[int]:
    """Return the linked tickets this agent may open; the rest show only in the counts."""
    visible = tickets_visible_to(viewer).filter(incident_links__incident=incident)
    return list(visible.order_by("id").values_list("id", flat=True))


def incident_timeline(*, incident: Incident) -> QuerySet[IncidentUpdate]:
    """Return every update, oldest first: the order things happened in."""
    return incident.updates.order_by("at", "id")


def incident_requesters_count(*, incident: Incident) -> int:
    return (Ticket.objects.filter(incident_links__incident=incident)
            .values("requester__email").distinct().count())


def status_page_incidents() -> list[Incident]:
    """Return open public incidents, newest first, each with ``public_updates`` (newest
    first); two queries however many incidents there are."""
    public_updates = IncidentUpdate.objects.filter(public=True).order_by("-at", "-id")
    return list(
        Incident.objects.filter(public=True)
        .exclude(status=IncidentStatus.RESOLVED)
        .order_by("-started_at", "-id")
        .prefetch_related(Prefetch("updates", queryset=public_updates, to_attr="public_updates"))
    )


def status_page_data() -> dict:
    """Return the public status document. It names no ticket, customer or agent: only what
    the incident's authors chose to publish."""
    incidents = status_page_incidents()
    return {
        "status": "degraded" if incidents else "operational",
        "incidents": [
            {
                "id": incident.pk,
                "title": incident.title,
                "status": incident.status,
                "severity": incident.severity,
                "summary": incident.summary,
                "started_at": incident.started_at.isoformat(),
                # Internal moves (linking tickets) must not show: last *public* change.
                "updated_at": (incident.public_updates[0].at if incident.public_updates
                               else incident.started_at).isoformat(),
                "updates": [
                    {"status": u.status, "body": u.body, "at": u.at.isoformat()}
                    for u in incident.public_updates
                ],
            }
            for incident in incidents
        ],
    }
