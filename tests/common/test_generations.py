"""Who staffs a queue and holds a role is kept by each process between transactions, and
never outlives a change: made by another process, made in this one, or rolled back."""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.test import Client

from tests.factories import AgentFactory, ContactFactory, GroupFactory, OrganisationFactory
from tierdesk.common import generations
from tierdesk.common.errors import Conflict
from tierdesk.escalation.routing import staffed_queue
from tierdesk.packs.services import pack_apply
from tierdesk.people.access import SYSTEM
from tierdesk.policy import PACKS_DIR
from tierdesk.tickets.services import ticket_create


def _unit(code: str = "devops"):
    return staffed_queue(code, tier=False)


def test_a_queue_emptied_by_another_process_takes_no_more_escalations(transactional_db):
    agent = AgentFactory(groups=[GroupFactory(name="DevOps", code="devops")])
    with transaction.atomic():
        assert _unit().code == "devops"
    with transaction.atomic(), connection.cursor() as cursor:
        # raw SQL, as another process or a database console would: no signal hears it
        cursor.execute("UPDATE people_agent SET is_active = false WHERE id = %s", [agent.pk])
    with transaction.atomic(), pytest.raises(Conflict, match="nobody can take devops"):
        _unit()


def test_a_queue_staffed_in_a_rolled_back_transaction_is_still_unstaffed(transactional_db):
    devops = GroupFactory(name="DevOps", code="devops")
    agent = AgentFactory()
    with pytest.raises(RuntimeError), transaction.atomic():
        agent.groups.add(devops)
        assert _unit() == devops  # seen by the rest of its own transaction
        raise RuntimeError("rolled back")
    with transaction.atomic(), pytest.raises(Conflict):
        _unit()
    agent.groups.add(devops)
    with transaction.atomic():
        assert _unit() == devops


def test_a_sign_in_keeps_what_the_processes_hold(transactional_db):
    """Every sign-in writes the user's last_login: that is not a staff change."""
    agent = AgentFactory(groups=[GroupFactory(name="DevOps", code="devops")])
    before = generations.tokens()["staff"]
    Client().force_login(agent.user)
    agent.user.refresh_from_db()
    assert agent.user.last_login is not None
    assert generations.tokens()["staff"] == before
    get_user_model().objects.filter(pk=agent.user.pk).update(email="new@example.com")
    assert generations.tokens()["staff"] != before


def test_a_ticket_opened_under_the_dataflow_pack_takes_nine_statements(transactional_db):
    """Besides BEGIN and COMMIT: the tokens, the ticket, its message, its clock, the rule's
    escalation, the events, the rule's changes to the ticket, the search row, the outbox.
    The pack, the staffed queue and the directors' addresses are known already (the API
    adds two: the token's user and the requester)."""
    from django.test.utils import CaptureQueriesContext

    pack_apply(source=(PACKS_DIR / "dataflow.yaml").read_text())
    AgentFactory(groups=[GroupFactory(name="DevOps", code="devops")])
    AgentFactory(role="director")
    contact = ContactFactory(organisation=OrganisationFactory(plan="Enterprise"))
    ticket_create(viewer=SYSTEM, subject="warm", body="Dashboard error DB-2002",
                  requester=contact)
    with CaptureQueriesContext(connection) as captured:
        ticket, _ = ticket_create(viewer=SYSTEM, subject="Every dashboard answers 503",
                                  body="Dashboard error DB-2002", requester=contact)
    statements = [q["sql"] for q in captured.captured_queries
                  if q["sql"].split()[0].upper() not in ("BEGIN", "COMMIT", "SAVEPOINT",
                                                          "RELEASE")]
    assert ticket.group.code == "devops"
    assert len(statements) == 9, "\n".join(s[:100] for s in statements)


def test_a_queue_renamed_by_another_process_is_no_longer_found_by_its_old_code(
        transactional_db):
    """The rules' lookups by code (``tierdesk.rules.lookups``) were kept per pack version,
    so a queue recoded by another process was still found under its old code."""
    from tierdesk.rules.lookups import queue_for

    devops = GroupFactory(name="DevOps", code="devops")
    with transaction.atomic():
        assert queue_for("devops") == devops
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE people_group SET code = 'platform' WHERE id = %s", [devops.pk])
    with transaction.atomic():
        assert queue_for("devops") is None
        assert queue_for("platform") == devops
