"""Agent, group, on-call and API-token services."""

import re
import secrets
from collections.abc import Iterable
from datetime import datetime
from typing import Any

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
        raise ServiceError(f"unknown role {role!r}; valid: {', '.join(Role.values)}",
                           field="role")
    languages = _languages(languages)
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


LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$")


def _languages(languages: Iterable[str]) -> list[str]:
    out = []
    for i, code in enumerate(languages):
        if not isinstance(code, str) or not LANGUAGE_CODE.match(code):
            raise ServiceError(f"languages[{i}]: {code!r} is not a language code like en or "
                               "pt-BR", field=f"languages[{i}]")
        out.append(code)
    return list(dict.fromkeys(out))


AGENT_FIELDS = ("name", "email", "role", "tier", "groups", "languages", "is_active")


@transaction.atomic(durable=True)
def agent_update(*, agent: Agent, changes: dict[str, Any]) -> Agent:
    """Change an agent's role, tier, groups, languages, name, email or activity.

    ``changes`` holds only what changes (``tier`` a Tier or None, ``groups`` Groups).
    """
    unknown = set(changes) - set(AGENT_FIELDS)
    if unknown:
        raise ServiceError(f"unknown field {sorted(unknown)[0]!r}", field=sorted(unknown)[0])
    agent = Agent.objects.select_for_update().select_related("user").get(pk=agent.pk)
    user = agent.user
    if "role" in changes:
        if changes["role"] not in Role.values:
            raise ServiceError(f"unknown role {changes['role']!r}; valid: "
                               f"{', '.join(Role.values)}", field="role")
        agent.role = changes["role"]
        if user.is_staff != (agent.role == Role.ADMIN) and not user.is_superuser:
            user.is_staff = agent.role == Role.ADMIN
    if "languages" in changes:
        agent.languages = _languages(changes["languages"])
    if "tier" in changes:
        agent.tier = changes["tier"]
    if "is_active" in changes:
        agent.is_active = bool(changes["is_active"])
    if "name" in changes:
        user.first_name, _, user.last_name = changes["name"].partition(" ")
    if "email" in changes:
        user.email = changes["email"]
    user.save(update_fields=["first_name", "last_name", "email", "is_staff"])
    agent.save(update_fields=["role", "languages", "tier", "is_active"])
    if "groups" in changes:
        agent.groups.set(list(changes["groups"]))
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
