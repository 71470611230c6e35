"""Agent directory and the caller's own identity."""

from django.http import HttpRequest
from ninja import Router, Schema

from tierdesk.common.errors import Forbidden
from tierdesk.people.access import viewer_for
from tierdesk.people.models import Agent

router = Router(tags=["people"])


class AgentOut(Schema):
    id: int
    username: str
    name: str
    email: str
    role: str
    tier: str | None
    group_ids: list[int]
    languages: list[str]
    is_active: bool

    @staticmethod
    def resolve_username(obj: Agent) -> str:
        return obj.user.username

    @staticmethod
    def resolve_name(obj: Agent) -> str:
        return obj.user.get_full_name() or obj.user.username

    @staticmethod
    def resolve_email(obj: Agent) -> str:
        return obj.user.email

    @staticmethod
    def resolve_tier(obj: Agent) -> str | None:
        return obj.tier.code if obj.tier else None

    @staticmethod
    def resolve_group_ids(obj: Agent) -> list[int]:
        return [g.pk for g in obj.groups.all()]


class MeOut(Schema):
    user_id: int
    username: str
    kind: str
    role: str | None
    organisation_id: int | None
    contact_id: int | None


@router.get("/agents", response=list[AgentOut])
def list_agents(request: HttpRequest):
    """The agent directory (agents only: customers do not see staff lists)."""
    if not viewer_for(request.auth).is_agent:
        raise Forbidden("only agents may list agents")
    return list(Agent.objects.select_related("user", "tier").prefetch_related("groups")
                .order_by("user__username"))


@router.get("/me", response=MeOut)
def me(request: HttpRequest):
    viewer = viewer_for(request.auth)
    kind = "agent" if viewer.is_agent else "customer" if viewer.is_customer else "none"
    return {
        "user_id": viewer.user.pk, "username": viewer.user.get_username(), "kind": kind,
        "role": viewer.agent.role if viewer.is_agent else None,
        "organisation_id": viewer.organisation_id,
        "contact_id": viewer.contact.pk if viewer.contact else None,
    }
