"""Mail reaches Tierdesk through three doors, each tested for real: the CLI, the HTTP
hook, and SMTP into a private Dovecot mailbox that the IMAP poller reads."""

import os
import re
import smtplib
import uuid
from email.utils import parseaddr

import pytest
from django.test import Client

from tests.mail.dovecot import (
    PASSWORD,
    USER,
    DovecotUnavailable,
    MailServer,
    start_dovecot,
    stop_dovecot,
)
from tests.outbox.fixtures import _threads_release_db_connections, smtp_server  # noqa: F401
from tierdesk.mail.models import InboundMail
from tierdesk.mail.poller import Mailbox, poll
from tierdesk.mail.services import Result
from tierdesk.packs.services import pack_apply
from tierdesk.policy import PACKS_DIR

SECRET = "inbound-test-secret"
SUPPORT = "support@dataflow.com"


@pytest.fixture(scope="session")
def dovecot():
    """Dovecot for the session; a machine without it fails loudly (set
    TIERDESK_TEST_SKIP_DOVECOT=1 to skip these tests instead, with the reason)."""
    try:
        server = start_dovecot()
    except DovecotUnavailable as exc:
        if os.environ.get("TIERDESK_TEST_SKIP_DOVECOT"):
            pytest.skip(f"IMAP tests skipped: {exc}")
        pytest.fail(f"the IMAP tests need a real Dovecot and it could not start: {exc}",
                    pytrace=False)
    yield server
    stop_dovecot(server)


@pytest.fixture(scope="session")
def mta(dovecot):
    """SMTP on loopback delivering into Dovecot: the customer's mail server's last hop."""
    server = MailServer(dovecot).start()
    yield server
    server.stop()


@pytest.fixture
def mailbox(dovecot, mta, settings):
    """A fresh folder of the support mailbox for this test, configured for the poller."""
    folder = f"t{uuid.uuid4().hex[:12]}"
    with dovecot.client() as client:
        client.create_folder(folder)
    mta.handler.folder = folder
    url = (f"imap://{USER}:{PASSWORD}@127.0.0.1:{dovecot.port}/{folder}"
           f"?address={SUPPORT}")
    settings.MAIL_IMAP = [url]
    return Mailbox.from_url(url)


@pytest.fixture(autouse=True)
def _mail_settings(settings):
    settings.MAIL_INBOUND_SECRET = SECRET
    settings.MAIL_SUPPORT_ADDRESS = SUPPORT
    settings.MAIL_SUPPORT_NAME = "DataFlow Support"
    settings.DEFAULT_FROM_EMAIL = SUPPORT


@pytest.fixture
def dataflow(db):
    """The DataFlow pack applied, as the issue's benchmarks and handbook assume."""
    return pack_apply(source=(PACKS_DIR / "dataflow.yaml").read_text()).version


def send_smtp(port: int, raw: bytes) -> None:
    """Hand ``raw`` to an SMTP server as a mail client would (CRLF line ends)."""
    from email import message_from_bytes

    raw = re.sub(rb"\r?\n", b"\r\n", raw)
    head = message_from_bytes(raw.split(b"\n\n", 1)[0] + b"\n\n")
    sender = parseaddr(str(head.get("From", "")))[1] or "someone@example.com"
    with smtplib.SMTP("127.0.0.1", port, local_hostname="localhost", timeout=10) as smtp:
        smtp.sendmail(sender, [SUPPORT], raw)


class Doors:
    """Send one raw message through a door; answer what the door reported."""

    def __init__(self, name, tmp_path, capsys, mta=None, mailbox=None) -> None:
        self.name, self.tmp_path, self.capsys = name, tmp_path, capsys
        self.mta, self.mailbox = mta, mailbox

    def __call__(self, raw: bytes) -> dict:
        return getattr(self, self.name)(raw)

    def cli(self, raw: bytes) -> dict:
        from tierdesk.cli import main

        path = self.tmp_path / f"{uuid.uuid4().hex}.eml"
        path.write_bytes(raw)
        self.capsys.readouterr()
        main(["mail", "ingest", str(path)])
        printed = self.capsys.readouterr().out.strip()
        latest = InboundMail.objects.order_by("-id").first()
        result = Result(latest.pk, latest.outcome, latest.ticket_id, latest.reason).as_dict()
        assert printed == f"{path}: {result['result']}"
        return result

    def http(self, raw: bytes) -> dict:
        response = Client().post("/api/v1/channels/email/inbound", data=raw,
                                 content_type="message/rfc822",
                                 HTTP_X_TIERDESK_INBOUND_SECRET=SECRET)
        assert response.status_code in (200, 422), response.content
        return response.json()

    def imap(self, raw: bytes) -> dict:
        if max(len(line) for line in raw.split(b"\n")) > 998:
            # SMTP refuses lines over 998 octets (RFC 5321); such mail reaches a mailbox
            # only by local delivery, which APPEND is.
            with self.mta.handler.dovecot.client() as client:
                client.append(self.mta.handler.folder, raw)
        else:
            send_smtp(self.mta.port, raw)
        (result,) = poll(self.mailbox)
        return result.as_dict()


@pytest.fixture(params=["cli", "http", "imap"])
def door(request, tmp_path, capsys):
    """Each behaviour through every door: the CLI, the HTTP hook, SMTP → Dovecot → poller."""
    if request.param == "imap":
        return Doors("imap", tmp_path, capsys, request.getfixturevalue("mta"),
                     request.getfixturevalue("mailbox"))
    return Doors(request.param, tmp_path, capsys)


@pytest.fixture
def cli_door(tmp_path, capsys):
    return Doors("cli", tmp_path, capsys)
