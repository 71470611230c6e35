"""The organisation chart: Fire22's hierarchy query, the chart, and placing people in it."""

from django.http import HttpRequest
from ninja import Field, Router, Status

from tierdesk.common.errors import Forbidden, NotFound
from tierdesk.common.lookups import get_or_404
from tierdesk.common.schemas import DbId, StrictIn
from tierdesk.org import selectors, services
from tierdesk.org.models import Placement
from tierdesk.packs.selectors import active_pack
from tierdesk.people.access import viewer_for
from tierdesk.people.models import Agent

router = Router(tags=["organisation"])


class HierarchyQuery(StrictIn):
    department: str = Field(min_length=1, max_length=200)


class PlacementIn(StrictIn):
    agent_id: DbId
    away: bool = False


class PlacementPatch(StrictIn):
    away: bool


def _agent_viewer(request: HttpRequest):
    viewer = viewer_for(request.auth)
    if not viewer.is_agent:
        raise Forbidden("only agents may read the organisation chart")
    return viewer


def _chart() -> selectors.Chart:
    chart = selectors.chart_for(active_pack())
    if chart is None:
        raise NotFound("the active pack draws no organisation chart", field="department")
    return chart


@router.post("/hierarchy/query")
def hierarchy_query(request: HttpRequest, payload: HierarchyQuery):
    """Fire22's "Get Customer Support department structure": leadership, management,
    team size and the tree, for the department the active pack's chart describes."""
    _agent_viewer(request)
    chart = _chart()
    if not selectors.department_matches(chart, payload.department):
        names = ", ".join([chart.department, *chart.aliases])
        raise NotFound(f"unknown department {payload.department!r}; known: {names}",
                       field="department")
    return selectors.hierarchy(chart)


@router.get("/org/chart")
def org_chart(request: HttpRequest):
    _agent_viewer(request)
    return selectors.hierarchy(_chart())


@router.post("/org/positions/{position}/holders", response={201: dict})
def add_holder(request: HttpRequest, position: str, payload: PlacementIn):
    """Place an agent in a box of the chart (managers only)."""
    viewer = viewer_for(request.auth)
    if not viewer.is_manager:
        raise Forbidden("only support managers, directors and administrators change the chart")
    agent = get_or_404(Agent, "agent_id", pk=payload.agent_id)
    placement = services.placement_add(viewer=viewer, pack=active_pack(), agent=agent,
                                       position=position, away=payload.away)
    return Status(201, {"id": placement.pk, "agent_id": agent.pk, "position": position,
                        "away": placement.away})


@router.patch("/org/placements/{int:placement_id}")
def update_placement(request: HttpRequest, placement_id: int, payload: PlacementPatch):
    viewer = viewer_for(request.auth)
    if not viewer.is_manager:
        raise Forbidden("only support managers, directors and administrators change the chart")
    placement = get_or_404(Placement, "placement_id", pk=placement_id)
    placement = services.placement_update(viewer=viewer, placement=placement, away=payload.away)
    return {"id": placement.pk, "agent_id": placement.agent_id,
            "position": placement.position, "away": placement.away}


@router.delete("/org/placements/{int:placement_id}", response={204: None})
def remove_placement(request: HttpRequest, placement_id: int):
    viewer = viewer_for(request.auth)
    if not viewer.is_manager:
        raise Forbidden("only support managers, directors and administrators change the chart")
    placement = get_or_404(Placement, "placement_id", pk=placement_id)
    services.placement_remove(viewer=viewer, pack=active_pack(), placement=placement)
    return Status(204, None)
