"""Incidents and the public status page, managed from the workspace (managers): declare an
incident, post updates (public ones reach /status and the affected requesters), link
tickets, publish it on the status page, resolve it. Every change is an incidents service."""

from functools import cache

from django.contrib import messages
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from tierdesk.common import prepared
from tierdesk.common.errors import ServiceError
from tierdesk.incidents import selectors, services
from tierdesk.incidents.models import Incident, IncidentStatus, IncidentTicket
from tierdesk.tickets import priorities
from tierdesk.tickets.models import Ticket
from tierdesk.tickets.selectors import tickets_visible_to
from tierdesk.web.access import manager_page

RESOLVED = IncidentStatus.RESOLVED


def linked_incidents(*, ticket: Ticket) -> list[Incident]:
    """The incidents a ticket is linked to (the ticket page's card), newest first."""
    return list(Incident.objects.filter(links__ticket=ticket).order_by("-id"))


OPEN_LIMIT = 50


def open_incidents() -> list[Incident]:
    """Open incidents a ticket can be linked to, newest first."""
    return list(Incident.objects.exclude(status=RESOLVED).order_by("-id")[:OPEN_LIMIT])


def ticket_incidents(*, ticket: Ticket) -> tuple[list[Incident], list[Incident]]:
    """Return ``linked_incidents(ticket=...)`` and ``open_incidents()`` (the ticket page's
    card) from one prepared statement: two ORM queries cost more to compile than to run."""
    sql, cols = _ticket_incidents_statement(connection.vendor)
    linked: list[Incident] = []
    open_: list[Incident] = []
    for row in prepared.fetch_all(sql, [ticket.pk, RESOLVED.value]):
        (linked if row[0] == 1 else open_).append(cols.build(row, 1))
    return linked, open_


@cache
def _ticket_incidents_statement(vendor: str) -> tuple[str, prepared.Columns]:
    quote = connection.ops.quote_name
    table = quote(Incident._meta.db_table)
    links = quote(IncidentTicket._meta.db_table)
    cols = prepared.Columns(Incident, "i")
    outer = prepared.Columns(Incident, "o")
    sql = (
        f"SELECT 1 AS part, {cols.sql} FROM {table} i WHERE i.{quote('id')} IN"
        f" (SELECT l.{quote('incident_id')} FROM {links} l WHERE l.{quote('ticket_id')} = %s)"
        f" UNION ALL SELECT 2, {outer.sql} FROM (SELECT {cols.sql} FROM {table} i"
        f" WHERE i.{quote('status')} <> %s ORDER BY i.{quote('id')} DESC"
        f" LIMIT {OPEN_LIMIT}) o"
        f" ORDER BY 1, {cols.pk_index + 2} DESC"  # the part, then the id, newest first
    )
    return sql, cols


def _checked(request: HttpRequest, name: str) -> bool:
    return request.POST.get(name) in ("1", "on", "true")


def _list(request: HttpRequest, status: int = 200, form: dict | None = None) -> HttpResponse:
    viewer = request.viewer
    incidents = selectors.incident_list(viewer=viewer, status=None, open_only=None,
                                        after_id=None, limit=100)
    return render(request, "web/agent/incidents.html", {
        "open": [i for i in incidents if i.is_open],
        "resolved": [i for i in incidents if not i.is_open][:20],
        "severities": list(priorities.known()), "form": form or {},
    }, status=status)


@require_GET
@manager_page
def incident_list(request: HttpRequest) -> HttpResponse:
    return _list(request)


@require_POST
@manager_page
def incident_create(request: HttpRequest) -> HttpResponse:
    form = {k: request.POST.get(k, "") for k in ("title", "severity", "summary")}
    form["public"] = _checked(request, "public")
    try:
        incident = services.incident_open(viewer=request.viewer, title=form["title"],
                                          severity=form["severity"], summary=form["summary"],
                                          public=form["public"])
    except ServiceError as exc:
        form.update(error=exc.message, field=exc.field)
        return _list(request, exc.status_code, form)
    messages.success(request, _("Incident declared."))
    return redirect("web:incident", incident_id=incident.pk)


def _detail(request: HttpRequest, incident_id: int, status: int = 200,
            **forms: dict) -> HttpResponse:
    viewer = request.viewer
    incident = selectors.incident_get(viewer=viewer, incident_id=incident_id)
    ticket_ids = selectors.incident_ticket_ids(viewer=viewer, incident=incident)
    tickets = list(tickets_visible_to(viewer).filter(pk__in=ticket_ids)
                   .select_related("organisation").order_by("id")[:200])
    return render(request, "web/agent/incident.html", {
        "incident": incident, "updates": list(selectors.incident_timeline(incident=incident)
                                              .select_related("author")),
        "tickets": tickets, "statuses": [(v, lbl) for v, lbl in IncidentStatus.choices
                                         if v != RESOLVED],
        "update": forms.get("update", {}), "link": forms.get("link", {}),
        "publish": forms.get("publish", {}), "resolve": forms.get("resolve", {}),
    }, status=status)


@require_GET
@manager_page
def incident_page(request: HttpRequest, incident_id: int) -> HttpResponse:
    return _detail(request, incident_id)


@require_POST
@manager_page
def incident_update(request: HttpRequest, incident_id: int) -> HttpResponse:
    viewer = request.viewer
    incident = selectors.incident_get(viewer=viewer, incident_id=incident_id)
    form = {"body": request.POST.get("body", ""), "status": request.POST.get("status", ""),
            "public": _checked(request, "public")}
    try:
        update = services.incident_post_update(
            incident=incident, viewer=viewer, body=form["body"], status=form["status"],
            public=form["public"], notify_requesters=_checked(request, "notify"))
    except ServiceError as exc:
        form.update(error=exc.message, field=exc.field)
        return _detail(request, incident_id, exc.status_code, update=form)
    if update.notified:
        messages.success(request, _("Update posted; %(n)s requesters told.")
                         % {"n": update.notified})
    else:
        messages.success(request, _("Update posted."))
    return redirect("web:incident", incident_id=incident_id)


@require_POST
@manager_page
def incident_link(request: HttpRequest, incident_id: int) -> HttpResponse:
    """Link tickets by number ("101, 102 #103"); every one must be visible, or none is."""
    viewer = request.viewer
    incident = selectors.incident_get(viewer=viewer, incident_id=incident_id)
    raw = request.POST.get("tickets", "")
    words = raw.replace(",", " ").replace("#", " ").split()
    try:
        if not words or not all(w.isdigit() for w in words):
            raise ServiceError(_("Enter ticket numbers separated by commas or spaces."),
                               field="tickets")
        wanted = list(dict.fromkeys(int(w) for w in words))
        found = {t.pk: t for t in tickets_visible_to(viewer).filter(pk__in=wanted)}
        missing = [pk for pk in wanted if pk not in found]
        if missing:
            raise ServiceError(_("No ticket #%(id)s you can see.") % {"id": missing[0]},
                               field="tickets")
        links = services.incident_link_tickets(incident=incident, viewer=viewer,
                                               tickets=[found[pk] for pk in wanted])
    except ServiceError as exc:
        return _detail(request, incident_id, exc.status_code,
                       link={"tickets": raw, "error": exc.message})
    messages.success(request, _("%(n)s tickets linked.") % {"n": len(links)})
    return redirect("web:incident", incident_id=incident_id)


@require_POST
@manager_page
def incident_publish(request: HttpRequest, incident_id: int) -> HttpResponse:
    viewer = request.viewer
    incident = selectors.incident_get(viewer=viewer, incident_id=incident_id)
    form = {"public": _checked(request, "public"), "summary": request.POST.get("summary", "")}
    try:
        services.incident_publish(incident=incident, viewer=viewer, public=form["public"],
                                  summary=form["summary"])
    except ServiceError as exc:
        form.update(error=exc.message, field=exc.field)
        return _detail(request, incident_id, exc.status_code, publish=form)
    messages.success(request, _("Shown on the status page.") if form["public"]
                     else _("Not shown on the status page."))
    return redirect("web:incident", incident_id=incident_id)


@require_POST
@manager_page
def incident_resolve(request: HttpRequest, incident_id: int) -> HttpResponse:
    viewer = request.viewer
    incident = selectors.incident_get(viewer=viewer, incident_id=incident_id)
    form = {"body": request.POST.get("body", ""), "public": _checked(request, "public")}
    try:
        services.incident_resolve(incident=incident, viewer=viewer, body=form["body"],
                                  public=form["public"],
                                  notify_requesters=_checked(request, "notify"))
    except ServiceError as exc:
        form.update(error=exc.message, field=exc.field)
        return _detail(request, incident_id, exc.status_code, resolve=form)
    messages.success(request, _("Incident resolved."))
    return redirect("web:incident", incident_id=incident_id)
