"""Agent, group, on-call and API-token services."""

import secrets
from collections.abc import Iterable
from datetime import datetime

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q

from tierdesk import clock
from tierdesk.common.errors import Conflict, ServiceError
from tierdesk.people.models import Agent, ApiToken, Group, OnCallShift, Role, Tier

User = get_user_model()


@transaction.atomic(durable=True)
def agent_create(*, username: str, email: str, role: str = Role.AGENT, name: str = "",
                 password: str | None = None, tier: Tier | None = None,
                 groups: Iterable[Group] = (), languages: Iterable[str] = ()) -> Agent:
    """Create a login user and its agent profile together."""
    if role not in Role.values:
        raise ServiceError(f"unknown role {role!r}", field="role")
    if User.objects.filter(username=username).exists():
        raise Conflict(f"user {username!r} exists", field="username")
    first, _, last = name.partition(" ")
    user = User.objects.create_user(username=username, email=email, password=password,
                                    first_name=first, last_name=last,
                                    is_staff=role in (Role.ADMIN,))
    if password is None:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    agent = Agent.objects.create(user=user, role=role, tier=tier, languages=list(languages))
    agent.groups.set(list(groups))
    return agent


def token_create(*, user, name: str = "default") -> tuple[ApiToken, str]:
    """Return a new token and its secret; the secret is not stored and cannot be shown again."""
    secret = "td_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, name=name, prefix=secret[:10],
                                    token_hash=ApiToken.hash(secret))
    return token, secret


def token_revoke(*, token: ApiToken) -> None:
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=clock.now())


def check_shift(*, group: Group, agent: Agent, starts_at: datetime,
                ends_at: datetime) -> None:
    """Raise unless the shift is a positive span that overlaps none of the agent's."""
    if ends_at <= starts_at:
        raise ServiceError("a shift must end after it starts", field="ends_at")
    overlapping = OnCallShift.objects.filter(group=group, agent=agent).filter(
        Q(starts_at__lt=ends_at) & Q(ends_at__gt=starts_at))
    if overlapping.exists():
        raise Conflict(f"{agent} already has a shift for {group} in that time", field="starts_at")


@transaction.atomic(durable=True)
def on_call_shift_add(*, group: Group, agent: Agent, starts_at: datetime,
                      ends_at: datetime) -> OnCallShift:
    check_shift(group=group, agent=agent, starts_at=starts_at, ends_at=ends_at)
    return OnCallShift.objects.create(group=group, agent=agent, starts_at=starts_at,
                                      ends_at=ends_at)
