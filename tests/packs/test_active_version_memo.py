"""The active pack version is remembered for one transaction only, also when the service
is decorated with ``@transaction.atomic`` (one Atomic object shared by every call)."""

from tests.factories import ContactFactory, OrganisationFactory
from tierdesk.packs.services import pack_apply
from tierdesk.people.access import SYSTEM
from tierdesk.policy import PACKS_DIR
from tierdesk.tickets.services import ticket_create


def test_a_ticket_opened_after_a_new_pack_is_applied_gets_the_new_version(transactional_db):
    contact = ContactFactory(organisation=OrganisationFactory(plan="Enterprise"))
    first = pack_apply(source=(PACKS_DIR / "dataflow.yaml").read_text()).version
    before, _ = ticket_create(viewer=SYSTEM, subject="s", body="b", requester=contact)
    second = pack_apply(source=(PACKS_DIR / "nexacore.yaml").read_text()).version
    after, _ = ticket_create(viewer=SYSTEM, subject="s", body="b", requester=contact)
    assert before.sla_pack_version_id == first.pk
    assert after.sla_pack_version_id == second.pk


def _pack_reads(client, url: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tierdesk.packs.models import PolicyPackVersion

    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    # the read of the active row (``WHERE v.is_active``), not the clocks' join to versions
    table = PolicyPackVersion._meta.db_table
    return sum(table in q["sql"] and "WHERE v." in q["sql"]
               for q in captured.captured_queries)


def test_a_page_reads_the_active_version_once_and_the_next_page_sees_a_new_pack(
        transactional_db):
    """Out of a transaction (a GET), the board and the ticket page's forms and refund card
    each asked for the pack: one read serves the request, and no more than the request."""
    from django.test import Client

    from tests.factories import AgentFactory
    from tierdesk.people.models import Role

    pack_apply(source=(PACKS_DIR / "dataflow.yaml").read_text())
    manager = AgentFactory(role=Role.SUPPORT_MANAGER)
    ticket, _ = ticket_create(viewer=SYSTEM, subject="s", body="b", requester=ContactFactory(
        organisation=OrganisationFactory(plan="Enterprise")))
    client = Client()
    client.force_login(manager.user)
    for url in ("/agent/sla/", f"/agent/tickets/{ticket.pk}/"):
        client.get(url)
        assert _pack_reads(client, url) == 1, url
    assert "Pack in force: dataflow" in client.get("/agent/sla/").content.decode()
    pack_apply(source=(PACKS_DIR / "nexacore.yaml").read_text())
    assert "Pack in force: nexacore" in client.get("/agent/sla/").content.decode()
