"""schemathesis against the served OpenAPI document, as a manager and as a customer: no
operation answers 5xx, breaks its response schema or answers an undocumented status."""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from tierdesk.people.services import token_create
from tierdesk.wsgi import application

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]


@pytest.fixture(autouse=True)
def _connection_kept_between_requests():
    """As Django's test client does: the WSGI calls run inside the test's transaction, so
    the end of a request must not close the connection."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def bearer(world):
    """A real token per persona: the fuzzer speaks as a manager and as a customer."""
    return {name: f"Bearer {token_create(user=persona.user)[1]}"
            for name, persona in (("manager", world.manager), ("customer", world.customer))}


# Committed per request, as in production: in one test-wide transaction a refused statement
# on PostgreSQL (a date out of range, answered 400) would abort every later request.
@pytest.mark.django_db(transaction=True)
@schema.parametrize()
@settings(max_examples=5, deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))
def test_every_operation_answers_documented_json_and_never_5xx(case, bearer):
    for token in bearer.values():
        case.call_and_validate(headers={"Authorization": token}, checks=CHECKS)
