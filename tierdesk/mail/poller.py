"""Reading support mailboxes over IMAP (imapclient), one cursor per mailbox.

The cursor is the folder's ``UIDVALIDITY`` and the last UID filed, so a restart neither
skips nor repeats (a crash between filing and moving the cursor re-reads one message,
which the Message-ID check drops as a duplicate). A message is fetched with
``BODY.PEEK[]`` (nothing changes on the server), filed (committed), and only then
flagged ``\\Seen`` + ``$TierdeskFiled`` or moved to the configured folder. Nothing is ever
deleted: mail that fails is flagged ``$TierdeskFailed`` and waits in the failed-mail store.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from urllib.parse import parse_qs, unquote, urlsplit

from django.conf import settings

from tierdesk import clock
from tierdesk.mail.models import InboundMail, MailboxCursor
from tierdesk.mail.services import Result, ingest

log = logging.getLogger(__name__)
FILED_FLAG = b"$TierdeskFiled"
FAILED_FLAG = b"$TierdeskFailed"


@dataclass(frozen=True)
class Mailbox:
    host: str
    port: int
    ssl: bool
    user: str
    password: str
    folder: str = "INBOX"
    move_to: str = ""
    address: str = ""

    @property
    def name(self) -> str:
        return f"{self.user}@{self.host}:{self.port}/{self.folder}"

    @classmethod
    def from_url(cls, url: str) -> Mailbox:
        """``imap[s]://user:password@host[:port][/FOLDER][?move_to=X&address=a@b]``."""
        parts = urlsplit(url)
        if parts.scheme not in ("imap", "imaps"):
            raise ValueError(f"mailbox URL {url.split('@')[-1]!r}: scheme must be imap or "
                             "imaps")
        query = parse_qs(parts.query)
        secure = parts.scheme == "imaps"
        return cls(host=parts.hostname or "127.0.0.1",
                   port=parts.port or (993 if secure else 143), ssl=secure,
                   user=unquote(parts.username or ""), password=unquote(parts.password or ""),
                   folder=unquote(parts.path.lstrip("/")) or "INBOX",
                   move_to=query.get("move_to", [""])[0],
                   address=query.get("address", [""])[0].lower())


def configured() -> list[Mailbox]:
    return [Mailbox.from_url(url) for url in settings.MAIL_IMAP]


def poll(mailbox: Mailbox, *, limit: int = 500) -> list[Result]:
    """File every message past the cursor (up to ``limit``); return what happened."""
    from imapclient import IMAPClient

    results: list[Result] = []
    with IMAPClient(mailbox.host, port=mailbox.port, ssl=mailbox.ssl, timeout=30) as client:
        client.login(mailbox.user, mailbox.password)
        info = client.select_folder(mailbox.folder)
        validity = int(info[b"UIDVALIDITY"])
        cursor, _ = MailboxCursor.objects.get_or_create(
            mailbox=mailbox.name[:200], defaults={"uidvalidity": validity, "last_uid": 0,
                                                  "updated_at": clock.now()})
        if cursor.uidvalidity != validity:
            # The folder was recreated: its UIDs mean something else now. Read it again
            # from the start; Message-IDs already filed come back as duplicates.
            log.warning("mailbox %s: UIDVALIDITY changed %s -> %s; reading it from the start",
                        mailbox.name, cursor.uidvalidity, validity)
            cursor.uidvalidity, cursor.last_uid = validity, 0
            cursor.updated_at = clock.now()
            cursor.save()
        uids = sorted(u for u in client.search(["UID", f"{cursor.last_uid + 1}:*"])
                      if u > cursor.last_uid)[:limit]
        if mailbox.move_to and uids and not client.folder_exists(mailbox.move_to):
            client.create_folder(mailbox.move_to)
        for uid in uids:
            fetched = client.fetch([uid], ["BODY.PEEK[]"]).get(uid, {})
            raw = fetched.get(b"BODY[]")
            if raw is None:
                continue  # expunged by someone else meanwhile
            result = ingest(bytes(raw), source=f"imap:{mailbox.name}")
            results.append(result)
            # Committed: now the server may learn of it.
            MailboxCursor.objects.filter(pk=cursor.pk).update(last_uid=uid,
                                                              updated_at=clock.now())
            if result.outcome == InboundMail.Outcome.FAILED:
                client.add_flags([uid], [FAILED_FLAG])
            elif mailbox.move_to:
                client.add_flags([uid], [b"\\Seen", FILED_FLAG])
                client.move([uid], mailbox.move_to)
            else:
                client.add_flags([uid], [b"\\Seen", FILED_FLAG])
    return results


def poll_all(now=None) -> int:
    """The periodic job: every configured mailbox; one failing does not stop the rest."""
    filed = 0
    for mailbox in configured():
        try:
            filed += len(poll(mailbox))
        except Exception:
            log.exception("polling mailbox %s failed", mailbox.name)
    return filed
