"""Incident services: the only code that changes incidents.

One call is one transaction: the incident row is locked first so two agents posting at
once queue instead of interleaving their timelines, every linked ticket gets a
``TicketEvent`` (so its own history explains the silence or the mail), and requester mail
goes to the outbox, delivered after commit.
"""

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction

from tierdesk import clock
from tierdesk.common.errors import Conflict, Forbidden, ServiceError
from tierdesk.incidents.models import (
    Incident,
    IncidentStatus,
    IncidentTicket,
    IncidentUpdate,
    PostIncidentReview,
)
from tierdesk.outbox import services as outbox
from tierdesk.people.access import Viewer
from tierdesk.tickets import events, priorities
from tierdesk.tickets.models import Ticket

RESOLVED = IncidentStatus.RESOLVED
MAX_FOLLOW_UPS = 50
_url = URLValidator(schemes=["http", "https"])


def _require_agent(viewer: Viewer, action: str) -> None:
    if not viewer.is_agent:
        raise Forbidden(f"only agents may {action}")


def _require_text(value: str, field: str) -> str:
    if not value or not value.strip():
        raise ServiceError(f"{field} must not be empty", field=field)
    return value.strip()


def _check_status(status: str) -> None:
    if status not in IncidentStatus.values:
        raise ServiceError(
            f"unknown status {status!r} (known: {', '.join(IncidentStatus.values)})",
            field="status",
        )


def _check_severity(severity: str) -> None:
    """Severity is a priority code of the active pack, so "P0" means the same everywhere."""
    codes = priorities.known()
    if severity not in codes:
        raise ServiceError(f"unknown severity {severity!r} (known: {', '.join(codes)})",
                           field="severity")


def _locked(incident: Incident) -> Incident:
    """Re-read the incident under a row lock so concurrent updates queue, not interleave."""
    return Incident.objects.select_for_update().get(pk=incident.pk)


def _require_open(incident: Incident, action: str) -> None:
    if incident.status == RESOLVED:
        raise Conflict(f"a resolved incident cannot {action}; open a new incident",
                       field="status")


@transaction.atomic(durable=True)
def incident_open(*, viewer: Viewer, title: str, severity: str, summary: str = "",
                  public: bool = False) -> Incident:
    """Declare an incident (status "investigating"); it is private unless ``public``."""
    _require_agent(viewer, "open incidents")
    title = _require_text(title, "title")
    _check_severity(severity)
    now = clock.now()
    return Incident.objects.create(
        title=title, severity=severity, summary=summary.strip(), public=public,
        status=IncidentStatus.INVESTIGATING, started_at=now, updated_at=now,
        created_by=viewer.user,
    )


@transaction.atomic(durable=True)
def incident_publish(*, incident: Incident, viewer: Viewer, public: bool,
                     summary: str) -> Incident:
    """Show the incident on the public status page (or take it off) with its public
    summary. Managers only: the status page speaks for the company. Each linked ticket
    records ``incident_published`` so its history says when customers could read it."""
    if not viewer.is_manager:
        raise Forbidden("only support managers may publish incidents on the status page")
    incident = _locked(incident)
    _require_open(incident, "be published")
    summary = (summary or "").strip()
    if public and not summary and not incident.summary:
        raise ServiceError("a public incident needs a summary customers can read",
                           field="summary")
    if incident.public == public and (not summary or summary == incident.summary):
        return incident
    now = clock.now()
    incident.public = public
    if summary:
        incident.summary = summary
    incident.updated_at = now
    incident.save(update_fields=["public", "summary", "updated_at"])
    for link in incident.links.select_related("ticket").order_by("ticket_id"):
        events.record(link.ticket, "incident_published", viewer.user, now,
                      incident=incident.pk, title=incident.title, public=public)
    return incident


@transaction.atomic(durable=True)
def incident_link_tickets(*, incident: Incident, viewer: Viewer,
                          tickets: Iterable[Ticket]) -> list[IncidentTicket]:
    """Link tickets to the incident; return the new links (already linked ones are skipped,
    so a retried call is harmless). Each newly linked ticket records ``incident_linked``.

    The caller resolves ticket ids under the agent's scope (``tickets_visible_to``).
    """
    _require_agent(viewer, "link tickets to incidents")
    incident = _locked(incident)
    _require_open(incident, "take new tickets")
    by_id = {t.pk: t for t in tickets}
    already = set(
        IncidentTicket.objects.filter(incident=incident, ticket_id__in=by_id)
        .values_list("ticket_id", flat=True)
    )
    now = clock.now()
    links = [
        IncidentTicket(incident=incident, ticket=by_id[pk], linked_by=viewer.user, linked_at=now)
        for pk in sorted(by_id) if pk not in already
    ]
    IncidentTicket.objects.bulk_create(links)
    for link in links:
        events.record(link.ticket, "incident_linked", viewer.user, now, incident=incident.pk,
                      severity=incident.severity,
                      severity_name=events.priority_name(incident.severity),
                      title=incident.title)
    if links:
        incident.updated_at = now
        incident.save(update_fields=["updated_at"])
    return links


@transaction.atomic(durable=True)
def incident_post_update(*, incident: Incident, viewer: Viewer, body: str, status: str,
                         public: bool, notify_requesters: bool = True) -> IncidentUpdate:
    """Append to the timeline, move the status, and tell every affected requester once.

    1. Lock the incident; a resolved one takes no more updates.
    2. Write the update and the incident's new status (``resolved_at`` when resolving).
    3. Record ``incident_update`` on every linked ticket.
    4. When the update is public and ``notify_requesters``, queue ONE email per distinct
       requester across all linked tickets (a contact with three linked tickets gets one
       mail naming all three). Internal updates are never mailed: ``public`` is the one
       switch that decides whether customers read this text.
    """
    _require_agent(viewer, "post incident updates")
    body = _require_text(body, "body")
    _check_status(status)
    incident = _locked(incident)
    _require_open(incident, "be updated")
    now = clock.now()
    previous = incident.status
    update = IncidentUpdate.objects.create(
        incident=incident, body=body, status=status, public=public, author=viewer.user, at=now,
    )
    incident.status = status
    incident.updated_at = now
    fields = ["status", "updated_at"]
    if status == RESOLVED:
        incident.resolved_at = now
        fields.append("resolved_at")
    incident.save(update_fields=fields)
    links = list(incident.links.select_related("ticket__requester").order_by("ticket_id"))
    for link in links:
        events.record(link.ticket, "incident_update", viewer.user, now, incident=incident.pk,
                      title=incident.title, update=update.pk, status=status,
                      previous_status=previous, public=public)
    if public and notify_requesters:
        update.notified = _notify_requesters(incident, update, links)
        update.save(update_fields=["notified"])
    return update


def _notify_requesters(incident: Incident, update: IncidentUpdate,
                       links: list[IncidentTicket]) -> int:
    """Queue one mail per distinct requester address; return how many were queued."""
    tickets_by_email: dict[str, list[int]] = {}
    for link in links:
        email = (link.ticket.requester.email or "").strip()
        if email:
            # Contact.email is unique but case-sensitive: one person, one mail.
            tickets_by_email.setdefault(email.lower(), []).append(link.ticket_id)
    label = IncidentStatus(update.status).label
    for email, ticket_ids in tickets_by_email.items():
        refs = ", ".join(f"#{pk}" for pk in ticket_ids)
        outbox.enqueue_email(
            to=email, ticket_id=ticket_ids[0], template="incident_update", at=update.at,
            subject=f"[{incident.severity}] {incident.title}: {label}",
            body=(f"{update.body}\n\nStatus: {label}\n"
                  f"This incident affects your request {refs}; there is no need to reply."),
        )
    return len(tickets_by_email)


def incident_resolve(*, incident: Incident, viewer: Viewer, body: str, public: bool,
                     notify_requesters: bool = True) -> IncidentUpdate:
    """Resolve with a final update: nobody closes an outage without telling anyone why."""
    return incident_post_update(incident=incident, viewer=viewer, body=body, status=RESOLVED,
                                public=public, notify_requesters=notify_requesters)


@transaction.atomic(durable=True)
def incident_review(*, incident: Incident, viewer: Viewer, root_cause: str, fix: str,
                    kb_article_url: str = "",
                    follow_ups: Iterable[str] = ()) -> PostIncidentReview:
    """Record the post-incident review (managers only, once, after resolution).

    The KB link is copied onto each linked ticket's log (``incident_reviewed``) so the
    agent answering a follow-up question finds the article from the ticket.
    """
    if not viewer.is_manager:
        raise Forbidden("only support managers may review incidents")
    root_cause = _require_text(root_cause, "root_cause")
    fix = _require_text(fix, "fix")
    kb_article_url = kb_article_url.strip()
    if kb_article_url:
        try:
            _url(kb_article_url)
        except ValidationError:
            raise ServiceError("kb_article_url must be an http(s) URL",
                               field="kb_article_url") from None
    items = [str(item).strip() for item in follow_ups]
    if any(not item for item in items) or len(items) > MAX_FOLLOW_UPS:
        raise ServiceError(f"follow_ups must be up to {MAX_FOLLOW_UPS} non-empty lines",
                           field="follow_ups")
    incident = _locked(incident)
    if incident.status != RESOLVED:
        raise Conflict("an incident is reviewed only once it is resolved", field="status")
    if PostIncidentReview.objects.filter(incident=incident).exists():
        raise Conflict("this incident has already been reviewed", field="incident_id")
    now = clock.now()
    review = PostIncidentReview.objects.create(
        incident=incident, root_cause=root_cause, fix=fix, kb_article_url=kb_article_url,
        follow_ups=items, author=viewer.user, at=now,
    )
    for link in incident.links.select_related("ticket").order_by("ticket_id"):
        events.record(link.ticket, "incident_reviewed", viewer.user, now, incident=incident.pk,
                      title=incident.title, review=review.pk, kb_article_url=kb_article_url)
    return review
