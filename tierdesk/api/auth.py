"""API authentication: per-user bearer tokens (stored hashed) or the web session."""

from functools import cache

from django.contrib.auth import get_user_model
from django.db import connection
from django.http import HttpRequest
from ninja.security import HttpBearer, django_auth

from tierdesk.common.prepared import Columns, fetch_one
from tierdesk.people.models import Agent, ApiToken


@cache
def _token_query() -> tuple[str, Columns, Columns]:
    """The token, its active user and the user's agent row in one prepared statement: it
    runs on every API request, so it skips the ORM's per-call query compilation."""
    user_model = get_user_model()
    quote = connection.ops.quote_name

    def column(model, name: str) -> str:
        return quote(model._meta.get_field(name).column)

    users = Columns(user_model, "u")
    agents = Columns(Agent, "a")
    sql = (
        f"SELECT {users.sql}, {agents.sql} FROM {quote(ApiToken._meta.db_table)} t"
        f" JOIN {quote(user_model._meta.db_table)} u"
        f" ON u.{column(user_model, 'id')} = t.{column(ApiToken, 'user')}"
        f" LEFT OUTER JOIN {quote(Agent._meta.db_table)} a"
        f" ON a.{column(Agent, 'user')} = u.{column(user_model, 'id')}"
        f" WHERE t.{column(ApiToken, 'token_hash')} = %s"
        f" AND t.{column(ApiToken, 'revoked_at')} IS NULL"
        f" AND u.{column(user_model, 'is_active')}"
    )
    return sql, users, agents


class TokenAuth(HttpBearer):
    """``Authorization: Bearer td_…``; the table holds only the secret's SHA-256."""

    def authenticate(self, request: HttpRequest, token: str):
        sql, users, agents = _token_query()
        row = fetch_one(sql, [ApiToken.hash(token)])
        if row is None:
            return None
        user = users.build(row)
        agent = agents.build(row, users.width)
        if agent is not None:
            Agent._meta.get_field("user").set_cached_value(agent, user)
        user._cached_agent = agent  # reused by viewer_for: no second query
        request.user = user
        return user


API_AUTH = [TokenAuth(), django_auth]
