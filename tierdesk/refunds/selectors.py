"""Which refund requests and ledger entries a person sees.

Agents see the requests on tickets they may see; a request waiting for a level is in the
queue of everyone at that level or above. The ledger is for managers and finance.
"""

from django.db.models import QuerySet

from tierdesk.common.errors import NotFound
from tierdesk.packs.selectors import active_pack
from tierdesk.people.access import Viewer
from tierdesk.people.models import Role
from tierdesk.refunds import ladder
from tierdesk.refunds.models import LedgerEntry, RefundRequest, RequestStatus
from tierdesk.tickets.selectors import tickets_visible_to

LEDGER_ROLES = frozenset({Role.SUPPORT_MANAGER, Role.FINANCE_DIRECTOR, Role.DIRECTOR,
                          Role.ADMIN})


def _ladder_levels() -> list[str]:
    pack = active_pack()
    return ladder.levels(pack) if pack is not None and pack.refunds is not None else []


def requests_visible_to(viewer: Viewer) -> QuerySet[RefundRequest]:
    """Return requests on tickets ``viewer`` may see, plus those waiting for their level."""
    requests = RefundRequest.objects.select_related("ticket", "organisation", "requested_by",
                                                    "decided_by")
    if not viewer.is_agent:
        return requests.none()
    if viewer.is_manager or (viewer.agent is not None
                             and viewer.agent.role == Role.FINANCE_DIRECTOR):
        return requests
    visible = tickets_visible_to(viewer).values("pk")
    return requests.filter(ticket__in=visible) | requests.filter(
        status=RequestStatus.PENDING, decides_role__in=_roles_at_or_below(viewer))


def _roles_at_or_below(viewer: Viewer) -> list[str]:
    levels = _ladder_levels()
    role = viewer.agent.role if viewer.agent is not None else ""
    return levels[: levels.index(role) + 1] if role in levels else []


def awaiting(viewer: Viewer) -> QuerySet[RefundRequest]:
    """Return pending requests ``viewer``'s level may decide, oldest first."""
    roles = _roles_at_or_below(viewer)
    return (RefundRequest.objects.select_related("ticket", "organisation", "requested_by")
            .filter(status=RequestStatus.PENDING, decides_role__in=roles).order_by("id"))


def request_get(*, viewer: Viewer, request_id: int) -> RefundRequest:
    request = requests_visible_to(viewer).filter(pk=request_id).first()
    if request is None:
        raise NotFound("no such refund request")
    return request


def may_read_ledger(viewer: Viewer) -> bool:
    return viewer.system or (viewer.is_agent and viewer.agent is not None
                             and viewer.agent.role in LEDGER_ROLES)


def ledger(*, organisation_id: int | None = None) -> QuerySet[LedgerEntry]:
    entries = LedgerEntry.objects.select_related("approved_by", "organisation").order_by("-id")
    if organisation_id is not None:
        entries = entries.filter(organisation_id=organisation_id)
    return entries
