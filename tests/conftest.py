"""Personas (healthchecks-style): a manager, agents in and out of the queue, customers of
this and another organisation, and an API client that speaks as any of them."""

import json
import logging
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.test import Client

from tests.factories import (
    AgentFactory,
    CustomerContactFactory,
    GroupFactory,
    OrganisationFactory,
    TicketFactory,
    UserFactory,
)
from tierdesk import clock
from tierdesk.people.access import Viewer, viewer_for
from tierdesk.people.models import Role
from tierdesk.people.services import token_create

# aiosmtpd logs every connection at INFO from its own thread, also while pytest closes
# its capture streams; only its warnings matter to these tests.
logging.getLogger("mail.log").setLevel(logging.WARNING)


def pytest_configure(config) -> None:
    """A fresh clone has no data folder yet; the SQLite test database lives in it, and
    the static files folder is what whitenoise serves from."""
    from django.conf import settings

    from tierdesk.common.catalogues import compile_catalogues

    compile_catalogues()  # the ar/es/fr .mo files are build output, not in git
    Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)
    test_name = settings.DATABASES["default"].get("TEST", {}).get("NAME")
    if settings.DATABASES["default"]["ENGINE"].endswith("sqlite") and test_name:
        Path(test_name).parent.mkdir(parents=True, exist_ok=True)


@pytest.fixture(autouse=True)
def _jobs_run_by_tests(settings):
    """Tests run jobs themselves; no background worker thread races their assertions."""
    settings.JOBS_INPROCESS = "off"
    settings.BROKER_URL = ""
    # Rate limits count across tests and xdist workers (one client address); the tests
    # of tests/common/test_ratelimit.py switch them on with counts of their own.
    settings.RATE_LIMIT_TOKEN_PER_MINUTE = 0
    settings.RATE_LIMIT_IP_PER_MINUTE = 0
    settings.RATE_LIMIT_AUTH_PER_MINUTE = 0
    yield
    clock.freeze(None)


class Api:
    """A JSON client authenticated with a real API token."""

    def __init__(self, user=None) -> None:
        self.client = Client()
        self.headers = {}
        if user is not None:
            _, secret = token_create(user=user)
            self.headers["HTTP_AUTHORIZATION"] = f"Bearer {secret}"

    def _call(self, method: str, path: str, body=None, raw: str | None = None, **headers):
        data = raw if raw is not None else (json.dumps(body) if body is not None else None)
        kwargs = {**self.headers, **headers}
        fn = getattr(self.client, method)
        if data is None:
            return fn(path, **kwargs)
        return fn(path, data=data, content_type="application/json", **kwargs)

    def get(self, path, **h):
        return self._call("get", path, **h)

    def post(self, path, body=None, **h):
        return self._call("post", path, body, **h)

    def patch(self, path, body=None, **h):
        return self._call("patch", path, body, **h)

    def delete(self, path, **h):
        return self._call("delete", path, **h)


@dataclass
class World:
    org: object
    other_org: object
    group: object
    other_group: object
    manager: object
    agent: object
    outsider_agent: object
    customer: object
    foreign_customer: object
    ticket: object
    foreign_ticket: object

    def viewer(self, persona) -> Viewer:
        return viewer_for(persona if hasattr(persona, "is_authenticated") else persona.user)


@pytest.fixture
def world(db) -> World:
    org = OrganisationFactory(name="Redwood Bank", external_id="1018", plan="Enterprise")
    other_org = OrganisationFactory(name="Cobalt Logistics", external_id="1003")
    group = GroupFactory(name="Support")
    other_group = GroupFactory(name="DevOps")
    manager = AgentFactory(user=UserFactory(username="maria"), role=Role.SUPPORT_MANAGER)
    agent = AgentFactory(user=UserFactory(username="alice"), groups=[group])
    outsider = AgentFactory(user=UserFactory(username="oscar"), groups=[other_group])
    customer = CustomerContactFactory(organisation=org, user=UserFactory(username="cust1018"))
    foreign = CustomerContactFactory(organisation=other_org,
                                     user=UserFactory(username="cust1003"))
    ticket = TicketFactory(requester=customer, group=group, subject="SSO-9001: Login Failure")
    foreign_ticket = TicketFactory(requester=foreign, group=other_group,
                                   subject="DB-2002: outage")
    return World(org, other_org, group, other_group, manager, agent, outsider, customer, foreign,
                 ticket, foreign_ticket)


@pytest.fixture
def api_as():
    def make(persona) -> Api:
        if persona is None:
            return Api()
        return Api(persona.user if hasattr(persona, "user") else persona)

    return make
