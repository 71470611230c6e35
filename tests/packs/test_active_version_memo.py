"""The active pack version is kept by each process until a pack is applied; whether one
was is asked once per transaction, also when the service is decorated with
``@transaction.atomic`` (one Atomic object shared by every call)."""

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


def _reads(client, url: str) -> tuple[int, int]:
    """(reads of the generations' tokens, reads of the active pack row) of one GET."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tierdesk.common.generations import TABLE
    from tierdesk.packs.models import PolicyPackVersion

    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    # the read of the active row (``WHERE v.is_active``), not the clocks' join to versions
    table = PolicyPackVersion._meta.db_table
    sqls = [q["sql"] for q in captured.captured_queries]
    return (sum(TABLE in sql for sql in sqls),
            sum(table in sql and "WHERE v." in sql for sql in sqls))


def test_a_page_asks_once_whether_the_pack_changed_and_the_next_page_sees_a_new_pack(
        transactional_db):
    """Out of a transaction (a GET), the board and the ticket page's forms and refund card
    each ask for the pack: one read of the tokens serves the request, and the pack's row
    is not read again while no pack is applied."""
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
        assert _reads(client, url) == (1, 0), url
    assert "Pack in force: dataflow" in client.get("/agent/sla/").content.decode()
    pack_apply(source=(PACKS_DIR / "nexacore.yaml").read_text())
    assert "Pack in force: nexacore" in client.get("/agent/sla/").content.decode()


def test_a_pack_activated_by_another_process_is_used_by_the_next_ticket(transactional_db):
    """Another process (here raw SQL, which no signal of this one hears) switches the
    active version back: the triggers change the token, and the next create sees it."""
    from django.db import connection, transaction

    from tierdesk.packs.models import PolicyPackVersion

    contact = ContactFactory(organisation=OrganisationFactory(plan="Enterprise"))
    first = pack_apply(source=(PACKS_DIR / "dataflow.yaml").read_text()).version
    second = pack_apply(source=(PACKS_DIR / "nexacore.yaml").read_text()).version
    during, _ = ticket_create(viewer=SYSTEM, subject="s", body="b", requester=contact)
    table = PolicyPackVersion._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET is_active = false")
        cursor.execute(f"UPDATE {table} SET is_active = true WHERE id = %s", [first.pk])
    after, _ = ticket_create(viewer=SYSTEM, subject="s", body="b", requester=contact)
    assert during.sla_pack_version_id == second.pk
    assert after.sla_pack_version_id == first.pk
