"""The IMAP poller against a real Dovecot: its cursor, and what it does to the mailbox."""

import pytest

from tests.factories import ContactFactory, OrganisationFactory
from tests.mail.conftest import send_smtp
from tests.mail.messages import mail
from tierdesk.jobs.registry import periodic_names
from tierdesk.mail.models import InboundMail, MailboxCursor
from tierdesk.mail.poller import FAILED_FLAG, FILED_FLAG, Mailbox, poll, poll_all
from tierdesk.tickets.models import Ticket


@pytest.fixture
def ann(dataflow):
    org = OrganisationFactory(name="Redwood Bank", external_id="RW", plan="Enterprise")
    return ContactFactory(organisation=org, name="Ann Lee", email="ann@redwood.example.com")


def flags(dovecot, folder):
    with dovecot.client() as client:
        client.select_folder(folder, readonly=True)
        return {uid: set(f) for uid, f in client.get_flags(client.search("ALL")).items()}


def test_the_poller_is_a_periodic_job():
    assert "poll_mailboxes" in periodic_names()


def test_a_restart_neither_skips_nor_repeats(ann, mta, mailbox):
    send_smtp(mta.port, mail(subject="first", body="one"))
    send_smtp(mta.port, mail(subject="second", body="two"))
    assert [r.outcome for r in poll(mailbox)] == ["created", "created"]

    # A new process: same database cursor, a fresh connection.
    send_smtp(mta.port, mail(subject="third", body="three"))
    restarted = Mailbox.from_url(f"imap://{mailbox.user}:{mailbox.password}@{mailbox.host}:"
                                 f"{mailbox.port}/{mailbox.folder}")
    assert [r.outcome for r in poll(restarted)] == ["created"]
    assert poll(restarted) == []

    assert sorted(Ticket.objects.values_list("subject", flat=True)) == [
        "first", "second", "third"]
    cursor = MailboxCursor.objects.get()
    assert cursor.last_uid == 3 and cursor.uidvalidity


def test_filed_mail_is_flagged_after_commit_and_never_deleted(ann, dovecot, mta, mailbox):
    send_smtp(mta.port, mail(subject="keep me"))
    (result,) = poll(mailbox)

    assert result.outcome == "created"
    (flagged,) = flags(dovecot, mailbox.folder).values()
    assert {b"\\Seen", FILED_FLAG} <= flagged and b"\\Deleted" not in flagged


def test_mail_that_fails_stays_in_the_mailbox_flagged_and_in_the_failed_store(
        ann, dovecot, mta, mailbox):
    send_smtp(mta.port, b"Subject: no sender here\r\nTo: support@dataflow.com\r\n\r\nhi\r\n")
    (result,) = poll(mailbox)

    assert result.outcome == "failed"
    (flagged,) = flags(dovecot, mailbox.folder).values()
    assert FAILED_FLAG in flagged and b"\\Seen" not in flagged
    assert InboundMail.objects.get().state == "failed"


def test_filed_mail_can_be_moved_to_a_folder_instead(ann, dovecot, mta, mailbox):
    moving = Mailbox(**{**mailbox.__dict__, "move_to": f"{mailbox.folder}-done"})
    send_smtp(mta.port, mail(subject="move me"))
    (result,) = poll(moving)

    assert result.outcome == "created"
    assert flags(dovecot, mailbox.folder) == {}
    (moved,) = flags(dovecot, moving.move_to).values()
    assert FILED_FLAG in moved


def test_a_recreated_folder_is_read_from_the_start_and_known_mail_is_a_duplicate(
        ann, dovecot, mta, mailbox):
    message = mail(subject="once only")
    send_smtp(mta.port, message)
    assert [r.outcome for r in poll(mailbox)] == ["created"]
    MailboxCursor.objects.update(uidvalidity=1)  # the server's folder was recreated

    assert [r.outcome for r in poll(mailbox)] == ["duplicate"]
    assert Ticket.objects.count() == 1


def test_the_periodic_job_polls_every_configured_mailbox(ann, mta, mailbox):
    send_smtp(mta.port, mail(subject="via the sweep"))

    assert poll_all() == 1
    assert Ticket.objects.get().subject == "via the sweep"
