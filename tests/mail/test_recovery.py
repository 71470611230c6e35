"""Mail stored but never filed, because the process filing it died or its database
connection was cut (issue 15, "faults survived"): the mail sweep files it after
``TIERDESK_MAIL_RECOVER_AFTER``, once, and a copy the sender's retry filed stays one
ticket, with the other copies recorded as its duplicates rather than as failed mail."""

from datetime import timedelta

import pytest

from tests.mail.messages import mail, new_id
from tierdesk import clock
from tierdesk.jobs import registry
from tierdesk.mail.models import InboundMail
from tierdesk.mail.recovery import recover_stalled
from tierdesk.mail.services import ingest, process, store_raw
from tierdesk.tickets.models import Ticket

pytestmark = pytest.mark.django_db


def later(seconds: float = 301):
    return clock.now() + timedelta(seconds=seconds)


def test_a_mail_whose_filing_died_after_it_was_stored_is_filed_by_the_mail_sweep(dataflow):
    stored = store_raw(mail(subject="Exports stopped"), source="http")  # then kill -9

    assert recover_stalled(now=later(60)) == 0  # it may still be being filed
    assert registry.run("poll_mailboxes", now=later()) == 1

    stored.refresh_from_db()
    assert stored.state == InboundMail.State.DONE
    assert stored.outcome == InboundMail.Outcome.CREATED
    assert Ticket.objects.get().subject == "Exports stopped"
    assert recover_stalled(now=later(700)) == 0  # filed once


def test_a_stalled_copy_of_a_mail_the_senders_retry_filed_is_a_duplicate(dataflow):
    raw = mail(subject="Exports stopped", message_id=new_id())
    stalled = store_raw(raw, source="http")  # the first try died before filing
    retried = ingest(raw, source="http")  # the sender got no answer and posted it again

    assert recover_stalled(now=later()) == 0  # nothing left to file

    stalled.refresh_from_db()
    assert retried.outcome == InboundMail.Outcome.CREATED
    assert stalled.outcome == InboundMail.Outcome.DUPLICATE
    assert Ticket.objects.count() == 1


def test_filing_a_mail_another_process_filed_meanwhile_keeps_its_outcome(dataflow):
    stored = store_raw(mail(subject="Exports stopped"), source="http")
    first = process(stored)
    stored.refresh_from_db()

    again = process(stored)  # the recovery and the slow request, one after the other

    stored.refresh_from_db()
    assert (again.outcome, again.ticket_id) == (first.outcome, first.ticket_id)
    assert stored.outcome == InboundMail.Outcome.CREATED and Ticket.objects.count() == 1


def test_a_copy_that_failed_is_a_duplicate_once_the_senders_retry_is_filed(dataflow):
    raw = mail(subject="Exports stopped", message_id=new_id())
    cut = store_raw(raw, source="http")
    # its database connection was cut while filing: stored, answered 422, left failed
    InboundMail.objects.filter(pk=cut.pk).update(
        state=InboundMail.State.FAILED, outcome=InboundMail.Outcome.FAILED,
        reason="OperationalError: server closed the connection unexpectedly")

    retried = ingest(raw, source="http")

    cut.refresh_from_db()
    assert retried.outcome == InboundMail.Outcome.CREATED
    assert (cut.state, cut.outcome) == (InboundMail.State.DONE, InboundMail.Outcome.DUPLICATE)
    assert str(retried.inbound_id) in cut.reason
    assert not InboundMail.objects.filter(state=InboundMail.State.FAILED).exists()


def test_a_copy_failing_after_another_was_filed_is_recorded_as_a_duplicate(dataflow,
                                                                          settings):
    raw = mail(subject="Exports stopped", message_id=new_id())
    ingest(raw, source="http")
    settings.MAIL_MAX_MESSAGE_BYTES = 100  # this copy fails before it is parsed

    late = ingest(raw, source="http")

    assert late.outcome == InboundMail.Outcome.DUPLICATE
    assert "this copy failed" in late.reason
    assert not InboundMail.objects.filter(state=InboundMail.State.FAILED).exists()
    assert Ticket.objects.count() == 1
