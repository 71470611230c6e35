"""Organisation pages: the chart (every agent) and agent management (managers)."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from tierdesk.common.errors import ServiceError
from tierdesk.org import selectors, services
from tierdesk.org.models import Placement
from tierdesk.packs.selectors import active_pack
from tierdesk.people import services as people
from tierdesk.people.models import Agent, Group, Role, Tier
from tierdesk.web.access import agent_page, manager_page


@require_GET
@agent_page
def chart(request: HttpRequest) -> HttpResponse:
    found = selectors.chart_for(active_pack())
    return render(request, "org/chart.html", {
        "chart": selectors.hierarchy(found) if found else None})


def _form_changes(post) -> dict:
    tier_code = post.get("tier", "")
    tier = Tier.objects.filter(code=tier_code).first() if tier_code else None
    if tier_code and tier is None:
        raise ServiceError(_("unknown tier %(code)s") % {"code": tier_code}, field="tier")
    ids = [int(i) for i in post.getlist("groups") if i.isdigit()]
    groups = list(Group.objects.filter(pk__in=ids))
    languages = [c.strip() for c in post.get("languages", "").replace(",", " ").split() if c]
    return {"role": post.get("role", ""), "tier": tier, "groups": groups,
            "languages": languages, "name": post.get("name", "").strip(),
            "email": post.get("email", "").strip()}


def _context(**extra) -> dict:
    pack = active_pack()
    org = getattr(pack, "organisation", None)
    return {"roles": Role.choices, "tiers": Tier.objects.all(), "groups": Group.objects.all(),
            "positions": org.positions if org else [], **extra}


@require_http_methods(["GET", "POST"])
@manager_page
def agents(request: HttpRequest) -> HttpResponse:
    """The agent list and the form that adds one (role, tier, groups, languages)."""
    error, status, form = None, 200, {}
    if request.method == "POST":
        form = request.POST
        try:
            changes = _form_changes(request.POST)
            if not changes["email"]:
                raise ServiceError(_("an email address is required"), field="email")
            agent = people.agent_create(
                username=request.POST.get("username", "").strip(), email=changes["email"],
                role=changes["role"] or Role.AGENT, name=changes["name"],
                tier=changes["tier"], groups=changes["groups"],
                languages=changes["languages"])
        except ServiceError as exc:
            error, status = {"message": exc.message, "field": exc.field}, exc.status_code
        else:
            messages.success(request, _("Agent %(name)s added.") % {"name": agent})
            return redirect("web:org_agent", agent_id=agent.pk)
    listing = (Agent.objects.select_related("user", "tier").prefetch_related("groups")
               .order_by("user__username"))
    return render(request, "org/agents.html", _context(
        agents=listing, error=error, form=form), status=status)


@require_http_methods(["GET", "POST"])
@manager_page
def agent(request: HttpRequest, agent_id: int) -> HttpResponse:
    """Change one agent: role, tier, groups, languages, active; and their chart boxes."""
    target = get_object_or_404(Agent.objects.select_related("user", "tier"), pk=agent_id)
    error, status = None, 200
    if request.method == "POST":
        action = request.POST.get("action", "save")
        try:
            if action == "place":
                services.placement_add(viewer=request.viewer, pack=active_pack(),
                                       agent=target, position=request.POST.get("position", ""))
                messages.success(request, _("Placed on the chart."))
            elif action == "unplace":
                placement = get_object_or_404(Placement, pk=request.POST.get("placement", 0),
                                              agent=target)
                services.placement_remove(viewer=request.viewer, pack=active_pack(),
                                          placement=placement)
                messages.success(request, _("Removed from the chart."))
            elif action == "away":
                placement = get_object_or_404(Placement, pk=request.POST.get("placement", 0),
                                              agent=target)
                services.placement_update(viewer=request.viewer, placement=placement,
                                          away=not placement.away)
                messages.success(request, _("Availability changed."))
            else:
                changes = _form_changes(request.POST)
                changes["is_active"] = request.POST.get("is_active") == "on"
                if not changes["email"]:
                    changes.pop("email")
                people.agent_update(agent=target, changes=changes)
                messages.success(request, _("Agent saved."))
        except ServiceError as exc:
            error, status = {"message": exc.message, "field": exc.field}, exc.status_code
        else:
            return redirect("web:org_agent", agent_id=target.pk)
        target.refresh_from_db()
    return render(request, "org/agent.html", _context(
        agent=target, error=error, placements=Placement.objects.filter(agent=target),
        member_of={g.pk for g in target.groups.all()},
        languages=" ".join(target.languages)), status=status)
