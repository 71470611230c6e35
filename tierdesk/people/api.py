"""Agent directory and the caller's own identity."""

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from tierdesk.common.errors import Forbidden, ServiceError
from tierdesk.common.lookups import get_or_404
from tierdesk.common.schemas import DbId, StrictIn
from tierdesk.people import services
from tierdesk.people.access import viewer_for
from tierdesk.people.models import Agent, Group, Role, Tier

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


EMAIL = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"


class AgentIn(StrictIn):
    username: str = Field(min_length=1, max_length=150, pattern=r"^[\w.@+-]+$")
    email: str = Field(max_length=254, pattern=EMAIL)
    name: str = Field(default="", max_length=150)
    role: Role = Role.AGENT
    tier: str | None = Field(default=None, max_length=32)
    group_ids: list[DbId] = Field(default_factory=list, max_length=100)
    languages: list[str] = Field(default_factory=list, max_length=20)
    password: str | None = Field(default=None, min_length=10, max_length=128)


class AgentPatch(StrictIn):
    email: str | None = Field(default=None, max_length=254, pattern=EMAIL)
    name: str | None = Field(default=None, max_length=150)
    role: Role | None = None
    tier: str | None = Field(default=None, max_length=32)
    group_ids: list[DbId] | None = Field(default=None, max_length=100)
    languages: list[str] | None = Field(default=None, max_length=20)
    is_active: bool | None = None


def _managers_only(request: HttpRequest) -> None:
    if not viewer_for(request.auth).is_manager:
        raise Forbidden("only support managers, directors and administrators manage agents")


def _tier(code: str | None) -> Tier | None:
    if code is None:
        return None
    tier = Tier.objects.filter(code=code).first()
    if tier is None:
        valid = ", ".join(Tier.objects.values_list("code", flat=True)) or "none"
        raise ServiceError(f"unknown tier {code!r}; valid: {valid}", field="tier")
    return tier


def _groups(ids: list[int]) -> list[Group]:
    groups = list(Group.objects.filter(pk__in=ids))
    missing = sorted(set(ids) - {g.pk for g in groups})
    if missing:
        raise ServiceError(f"unknown group {missing[0]}", field="group_ids")
    return groups


def _agent_out(agent: Agent) -> Agent:
    return (Agent.objects.select_related("user", "tier").prefetch_related("groups")
            .get(pk=agent.pk))


@router.post("/agents", response={201: AgentOut})
def create_agent(request: HttpRequest, payload: AgentIn):
    """Add an agent with a login (managers only); the password may be set later."""
    _managers_only(request)
    agent = services.agent_create(
        username=payload.username, email=payload.email, role=payload.role, name=payload.name,
        password=payload.password, tier=_tier(payload.tier), groups=_groups(payload.group_ids),
        languages=payload.languages)
    return Status(201, _agent_out(agent))


@router.get("/agents/{int:agent_id}", response=AgentOut)
def get_agent(request: HttpRequest, agent_id: int):
    if not viewer_for(request.auth).is_agent:
        raise Forbidden("only agents may read the agent directory")
    return _agent_out(get_or_404(Agent, "agent_id", pk=agent_id))


@router.patch("/agents/{int:agent_id}", response=AgentOut)
def update_agent(request: HttpRequest, agent_id: int, payload: AgentPatch):
    """Change an agent's role, tier, groups, languages, name, email or activity."""
    _managers_only(request)
    agent = get_or_404(Agent, "agent_id", pk=agent_id)
    given = payload.model_dump(exclude_unset=True)
    changes = {k: v for k, v in given.items() if k not in ("tier", "group_ids")}
    if "tier" in given:
        changes["tier"] = _tier(given["tier"])
    if "group_ids" in given:
        if given["group_ids"] is None:
            raise ServiceError("group_ids: give a list (empty for none)", field="group_ids")
        changes["groups"] = _groups(given["group_ids"])
    for field in ("role", "languages", "is_active", "email", "name"):
        if field in changes and changes[field] is None:
            raise ServiceError(f"{field} cannot be null", field=field)
    if "role" in changes:
        changes["role"] = str(changes["role"].value if hasattr(changes["role"], "value")
                              else changes["role"])
    return _agent_out(services.agent_update(agent=agent, changes=changes))
