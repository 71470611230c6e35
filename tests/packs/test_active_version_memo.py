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
