"""The agent workspace: queues sorted by SLA due time, and the ticket page with its
actions. Every change goes through the ticket and escalation services."""

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from tierdesk import clock
from tierdesk.common.errors import NotFound, ServiceError
from tierdesk.escalation import services as escalation
from tierdesk.escalation.services import required_handoff
from tierdesk.intake import slack
from tierdesk.kb import selectors as kb_selectors
from tierdesk.packs.selectors import active_pack
from tierdesk.people.access import Viewer
from tierdesk.people.models import Agent, Group, Tier
from tierdesk.tickets import attachments, selectors, services
from tierdesk.tickets import priorities as ticket_priorities
from tierdesk.tickets.mail_templates import render_template
from tierdesk.tickets.models import Channel, Status, Ticket
from tierdesk.web import queues
from tierdesk.web.access import agent_page
from tierdesk.web.incident_views import ticket_incidents
from tierdesk.web.ticket_view import (
    changed_since,
    customer_card,
    form_choices,
    pack_forms,
    read_timeline,
    sla_view,
    timeline_and_version,
    timeline_html,
)
from tierdesk.workspace.models import SavedFilter
from tierdesk.workspace.selectors import (
    PRESENCE_POLL_SECONDS,
    others_on_ticket,
    saved_filters,
)


def _query(request: HttpRequest, group: Group | None) -> queues.QueueQuery:
    get = request.GET
    return queues.QueueQuery(
        view=get["view"] if get.get("view") in dict(queues.VIEWS) else "open",
        group=group, priority=get.get("priority", ""),
        sort=get["sort"] if get.get("sort") in queues.SORTS else "due",
    )


def queue_response(request: HttpRequest, query: queues.QueueQuery, *,
                   saved: SavedFilter | None = None, status: int = 200,
                   save_form: dict | None = None) -> HttpResponse:
    """The queue page; for htmx, its table (the 30 s poll) or, with ``counts=1``, the
    sidebar with every view's count and the view's total (loaded right after the page and
    polled). Counting every view scans the whole scope, so it stays off the page render:
    the page costs the same at 100,000 tickets as at 100."""
    viewer = request.viewer
    now = clock.now()
    group = query.group
    want_counts = bool(request.htmx) and request.GET.get("counts") == "1"
    groups = list(queues.groups_of(viewer))
    codes = list(ticket_priorities.known())
    filters = list(saved_filters(viewer=viewer))
    counts = queues.view_counts(viewer=viewer, groups=groups, priorities=codes, now=now,
                                saved=filters) if want_counts else {}
    here = reverse("web:queue")
    plain = group is None and not query.priority and saved is None
    sections = [
        (_("Views"), [(label, f"{here}?view={slug}", counts.get(slug),
                       plain and query.view == slug) for slug, label in queues.VIEWS]),
        (_("My queues"), [(g.name, reverse("web:group_queue", args=[g.pk]),
                           counts.get(f"group:{g.pk}"),
                           saved is None and group is not None and group.pk == g.pk)
                          for g in groups]),
        (_("By priority"), [(p, f"{here}?priority={p}", counts.get(f"priority:{p}"),
                             saved is None and group is None and query.priority == p)
                            for p in codes]),
        (_("Saved filters"), [(f.name, reverse("web:filter", args=[f.pk]),
                               counts.get(f"saved:{f.pk}"),
                               saved is not None and saved.pk == f.pk) for f in filters]),
    ]
    if want_counts:
        if saved is not None:
            total = counts[f"saved:{saved.pk}"]
        elif group is not None:
            total = counts[f"group:{group.pk}"] if query.view == "open" \
                and not query.priority else None
        elif query.priority:
            total = counts[f"priority:{query.priority}"] if query.view == "open" else None
        else:
            total = counts[query.view]
        return render(request, "web/agent/_counts.html", {
            "sections": sections, "total": total}, status=status)
    params = request.GET.copy()
    params["counts"] = "1"
    # one read of the clocks in trouble: the status line's counts, and the page itself
    # for the breached and breaching-soon views
    trouble = queues.trouble_rows(viewer=viewer, now=now)
    context = {
        "sections": sections, "title": saved.name if saved else _title(query),
        "saved": saved, "save_form": save_form or {}, "counts_url":
        f"{request.path}?{params.urlencode()}",
        "query": query, "tickets": queues.queue_tickets(viewer=viewer, query=query, now=now,
                                                         trouble=trouble),
        "trouble": queues.trouble_counts(viewer=viewer, now=now, trouble=trouble), "now": now,
        "page_size": queues.PAGE_SIZE,
        "sorts": [("due", _("SLA due")), ("priority", _("Priority")),
                  ("newest", _("Newest")), ("updated", _("Recently updated"))],
        "base_url": request.path,
    }
    if request.htmx:
        return render(request, "web/agent/_queue_table.html", context, status=status)
    return render(request, "web/agent/queue.html", context, status=status)


def _title(query: queues.QueueQuery) -> str:
    if query.group is not None:
        return query.group.name
    if query.priority:
        return _("Priority %(code)s") % {"code": query.priority}
    return str(dict(queues.VIEWS)[query.view])


@require_GET
@agent_page
def queue(request: HttpRequest) -> HttpResponse:
    return queue_response(request, _query(request, None))


@require_GET
@agent_page
def group_queue(request: HttpRequest, group_id: int) -> HttpResponse:
    """One group's queue; a group that is not the agent's is a 404, as in the API."""
    group = queues.groups_of(request.viewer).filter(pk=group_id).first()
    if group is None:
        raise Http404("no such queue")
    return queue_response(request, _query(request, group))


def _ticket(request: HttpRequest, ticket_id: int) -> Ticket:
    return selectors.ticket_get(viewer=request.viewer, ticket_id=ticket_id)


def _page(request: HttpRequest, ticket: Ticket, status: int = 200,
          **forms: Any) -> HttpResponse:
    """The ticket page: a constant number of statements whatever the timeline's length
    (``bench_pages.py`` counts them on a long and a short timeline)."""
    viewer = request.viewer
    now = clock.now()
    read = read_timeline(viewer=viewer, ticket=ticket)
    seen = forms.get("seen", read.version)
    choices = form_choices(viewer=viewer)
    linked, open_ = ticket_incidents(ticket=ticket)
    context = {
        "ticket": ticket, "timeline": read.entries, "version": read.version, "seen": seen,
        "timeline_html": timeline_html(read.entries, changed=forms.get("changed", []),
                                       ticket_id=ticket.pk),
        "changed": forms.get("changed", []),
        "others": others_on_ticket(ticket=ticket, viewer=viewer, now=now),
        "presence_poll": PRESENCE_POLL_SECONDS,
        "incidents": linked, "open_incidents": open_,
        "sla": sla_view(ticket=ticket, now=now, events=read.events),
        "card": customer_card(ticket=ticket, viewer=viewer, now=now),
        "pack": pack_forms(ticket=ticket), "statuses": Status.choices,
        "agents": choices.agents, "all_groups": choices.groups, "tiers": choices.tiers,
        "now": now,
        "reply": forms.get("reply", {}), "note": forms.get("note", {}),
        "update": forms.get("update", {}), "escalate": forms.get("escalate", {}),
        "kb_suggestions": kb_selectors.ticket_suggestions(ticket=ticket),
        "merge": forms.get("merge", {}), "link": forms.get("link", {}),
    }
    return render(request, "web/agent/ticket.html", context, status=status)


@require_GET
@agent_page
def ticket_page(request: HttpRequest, ticket_id: int) -> HttpResponse:
    return _page(request, _ticket(request, ticket_id))


def _after(request: HttpRequest, ticket_id: int, text: str) -> HttpResponse:
    """Back to the ticket, or to the queue when the change moved it out of sight."""
    messages.success(request, text)
    try:
        selectors.ticket_get(viewer=request.viewer, ticket_id=ticket_id)
    except NotFound:
        return redirect("web:queue")
    return redirect("web:ticket", ticket_id=ticket_id)


@require_POST
@agent_page
def reply(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """Send a public reply (with its files). A reply written against an older version
    of the ticket is not sent: the page shows what changed and asks again."""
    ticket = _ticket(request, ticket_id)
    viewer = request.viewer
    body = request.POST.get("body", "")
    files = request.FILES.getlist("files")
    seen = request.POST.get("seen", "")
    if seen.isdigit():
        entries, version = timeline_and_version(viewer=viewer, ticket=ticket)
        changed = changed_since(entries=entries, seen=int(seen), viewer=viewer)
        if changed:
            return _page(request, ticket, 409, seen=version, changed=changed, reply={
                "body": body, "confirm": True, "files_dropped": bool(files)})
    try:
        if ticket.channel == Channel.SLACK:
            _reply_in_slack(ticket=ticket, viewer=viewer, body=body, files=files)
        else:
            attachments.ticket_reply_with_files(ticket=ticket, viewer=viewer, body=body,
                                                files=files)
    except ServiceError as exc:
        return _page(request, ticket, 400, reply={"body": body, "error": exc.message})
    return _after(request, ticket_id, _("Reply sent."))


def _reply_in_slack(*, ticket: Ticket, viewer: Viewer, body: str, files: list) -> None:
    """A Slack ticket is answered in the customer's Slack thread, as the API's Slack reply
    does (``intake.slack.slack_reply``), not by mail to their placeholder address."""
    if files:
        raise ServiceError(_("Files cannot be posted to Slack; share a link to them "
                             "instead."), field="files")
    slack.slack_reply(ticket=ticket, viewer=viewer, text=body)


@require_POST
@agent_page
def note(request: HttpRequest, ticket_id: int) -> HttpResponse:
    ticket = _ticket(request, ticket_id)
    body = request.POST.get("body", "")
    try:
        services.ticket_add_note(ticket=ticket, viewer=request.viewer, body=body)
    except ServiceError as exc:
        return _page(request, ticket, 400, note={"body": body, "error": exc.message})
    return _after(request, ticket_id, _("Internal note added."))


def _changes(ticket: Ticket, post) -> dict[str, Any]:
    """The fields the form really changes, resolved to rows; a bad id is a ServiceError."""
    changes: dict[str, Any] = {}
    for name in ("priority", "status"):
        value = post.get(name, "")
        if value and value != getattr(ticket, name):
            changes[name] = value
    if "assignee" in post:
        raw = post.get("assignee", "")
        assignee = Agent.objects.filter(pk=raw).first() if raw.isdigit() else None
        if raw and assignee is None:
            raise ServiceError(_("unknown agent"), field="assignee")
        if assignee != ticket.assignee:
            changes["assignee"] = assignee
    if "group" in post:
        raw = post.get("group", "")
        group = Group.objects.filter(pk=raw).first() if raw.isdigit() else None
        if raw and group is None:
            raise ServiceError(_("unknown group"), field="group")
        if group != ticket.group:
            changes["group"] = group
    if "tier" in post:
        raw = post.get("tier", "")
        tier = Tier.objects.filter(code=raw).first() if raw else None
        if raw and tier is None:
            raise ServiceError(_("unknown tier"), field="tier")
        if tier != ticket.tier:
            changes["tier"] = tier
    return changes


@require_POST
@agent_page
def update(request: HttpRequest, ticket_id: int) -> HttpResponse:
    ticket = _ticket(request, ticket_id)
    try:
        changes = _changes(ticket, request.POST)
        if not changes:
            messages.info(request, _("Nothing changed."))
            return redirect("web:ticket", ticket_id=ticket_id)
        services.ticket_update(ticket=ticket, viewer=request.viewer, changes=changes,
                               reason=request.POST.get("reason", "").strip())
    except ServiceError as exc:
        ticket = _ticket(request, ticket_id)
        return _page(request, ticket, 400,
                     update={"error": exc.message, "field": exc.field})
    return _after(request, ticket_id, _("Ticket updated."))


@require_POST
@agent_page
def escalate(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """Escalate with the pack's handoff form; a refusal for a missing handoff field is
    shown next to each field the service found empty."""
    ticket = _ticket(request, ticket_id)
    pack = active_pack()
    fields = dict(pack.escalation.handoff_fields) if pack and pack.escalation else {}
    handoff = {code: request.POST.get(f"handoff_{code}", "").strip() for code in fields}
    handoff = {k: v for k, v in handoff.items() if v}
    to = request.POST.get("to", "")
    criteria = request.POST.getlist("criteria")
    note_text = request.POST.get("note", "")
    try:
        escalation.ticket_escalate(ticket=ticket, viewer=request.viewer, to=to,
                                   criteria=criteria, handoff=handoff, note=note_text)
    except ServiceError as exc:
        missing = []
        if exc.field == "handoff" and pack is not None:
            from_tier = ticket.tier.code if ticket.tier_id else (
                pack.tiers[0].code if pack.tiers else None)
            missing = [f for f in required_handoff(pack, from_tier, to) if f not in handoff]
        return _page(request, _ticket(request, ticket_id), 400, escalate={
            "error": exc.message, "field": exc.field, "missing": missing, "to": to,
            "criteria": criteria, "handoff": handoff, "note": note_text})
    return _after(request, ticket_id, _("Escalated to %(to)s.") % {"to": to})


@require_GET
@agent_page
def template_fill(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """The reply box filled with one of the pack's templates for this ticket."""
    ticket = _ticket(request, ticket_id)
    pack = active_pack()
    name = request.GET.get("template", "")
    body = request.GET.get("body", "")
    if pack is not None and name in pack.templates:
        # the agent writing the reply signs it, whoever the ticket is assigned to
        user = request.user
        body = render_template(pack=pack, name=name, ticket=ticket, values={
            "agent_name": user.get_full_name() or user.username}).body
    seen = request.GET.get("seen", "")
    return render(request, "web/agent/_reply_box.html", {
        "ticket": ticket, "reply": {"body": body},
        "pack": pack_forms(ticket=ticket), "selected": name,
        "seen": int(seen) if seen.isdigit() else "",
    })
