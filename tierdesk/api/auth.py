"""API authentication: per-user bearer tokens (stored hashed) or the web session."""

from django.http import HttpRequest
from ninja.security import HttpBearer, django_auth

from tierdesk.people.models import Agent, ApiToken


class TokenAuth(HttpBearer):
    """``Authorization: Bearer td_…``; the table holds only the secret's SHA-256."""

    def authenticate(self, request: HttpRequest, token: str):
        row = (
            ApiToken.objects.select_related("user", "user__agent")
            .filter(token_hash=ApiToken.hash(token), revoked_at__isnull=True,
                    user__is_active=True)
            .first()
        )
        if row is None:
            return None
        user = row.user
        try:
            user._cached_agent = user.agent  # reused by viewer_for: no second query
        except Agent.DoesNotExist:
            user._cached_agent = None
        request.user = user
        return user


API_AUTH = [TokenAuth(), django_auth]
