"""Nothing is lost silently: failed mail is kept, shown in the admin and /readyz, and
`tierdesk mail reprocess` files it once the cause is fixed."""

import pytest
from django.test import Client

from tests.factories import UserFactory
from tests.mail.messages import mail
from tierdesk.cli import main
from tierdesk.mail.models import InboundMail
from tierdesk.mail.services import ingest
from tierdesk.tickets.models import Ticket


@pytest.fixture
def failed_mail(dataflow, settings):
    settings.MAIL_MAX_MESSAGE_BYTES = 100  # too small for any real mail
    result = ingest(mail(subject="Please file me", body="I matter."), source="test")
    settings.MAIL_MAX_MESSAGE_BYTES = 50 * 1024 * 1024
    assert result.outcome == "failed"
    return result


def test_failed_mail_is_a_readyz_warning(failed_mail):
    body = Client().get("/readyz").json()

    assert any("1 inbound mail message(s) failed" in w and "tierdesk mail reprocess" in w
               for w in body["warnings"])


def test_failed_mail_is_listed_in_the_admin(failed_mail):
    admin = UserFactory(username="root", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(admin)

    page = client.get("/admin/mail/inboundmail/?state__exact=failed")

    assert page.status_code == 200
    assert b"Please file me" in page.content and b"the limit is 100" in page.content


def test_reprocess_files_failed_mail_and_says_what_happened(failed_mail, capsys):
    assert main(["mail", "reprocess"]) == 0

    ticket = Ticket.objects.get()
    assert capsys.readouterr().out.strip() == (
        f"inbound mail {failed_mail.inbound_id}: created ticket {ticket.pk}")
    assert InboundMail.objects.get().state == "done"
    assert not any("inbound mail" in w for w in Client().get("/readyz").json()["warnings"])


def test_reprocess_with_nothing_failed_says_so(dataflow, capsys):
    assert main(["mail", "reprocess"]) == 0
    assert capsys.readouterr().out.strip() == "no failed mail to reprocess"


def test_ingest_reads_a_message_on_standard_input(dataflow, capsys, monkeypatch):
    import io
    import sys

    raw = mail(subject="From stdin", body="piped in")
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(raw)))

    assert main(["mail", "ingest"]) == 0
    ticket = Ticket.objects.get()
    assert capsys.readouterr().out.strip() == f"<stdin>: created ticket {ticket.pk}"


def test_ingest_of_several_files_reports_each_and_fails_when_one_failed(dataflow, capsys,
                                                                       tmp_path):
    good, bad = tmp_path / "good.eml", tmp_path / "bad.eml"
    good.write_bytes(mail(subject="Good one"))
    bad.write_bytes(b"garbage without headers")

    assert main(["mail", "ingest", str(good), str(bad)]) == 1
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0] == f"{good}: created ticket {Ticket.objects.get().pk}"
    assert lines[1] == (f"{bad}: failed: unreadable mail: no header section: this is not "
                        "an RFC 5322 message")
