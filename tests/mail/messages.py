"""Real MIME messages for the tests, built with the standard library as a mail client would."""

import uuid
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from tierdesk import clock

SUPPORT = "support@dataflow.com"


def new_id(domain: str = "customer.example.com") -> str:
    return make_msgid(idstring=uuid.uuid4().hex[:8], domain=domain)


def mail(*, sender: str = "Ann Lee <ann@redwood.example.com>", to: str = SUPPORT,
         subject: str | None = "Dashboards are empty", body: str | None = "Hello, help.",
         html: str | None = None, cc: str | None = None, headers: dict | None = None,
         attachments: list[tuple[str, str, bytes]] = (),
         inline: list[tuple[str, str, bytes]] = (), message_id: str | None = None,
         in_reply_to: str | None = None, references: str | None = None) -> bytes:
    """A message from ``sender``; ``attachments`` and ``inline`` are (name, type, data)."""
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = to
    if cc:
        msg["Cc"] = cc
    if subject is not None:
        msg["Subject"] = subject
    msg["Date"] = format_datetime(clock.now())
    msg["Message-ID"] = message_id or new_id()
    if in_reply_to:
        msg["In-Reply-To"] = in_reply_to
    if references:
        msg["References"] = references
    if body is not None:
        msg.set_content(body)
    if html is not None:
        if body is None:
            msg.set_content(html, subtype="html")
        else:
            msg.add_alternative(html, subtype="html")
    for name, ctype, data in inline:
        main, _, sub = ctype.partition("/")
        html_part = msg.get_payload()[-1] if msg.is_multipart() else msg
        html_part.add_related(data, maintype=main, subtype=sub, cid=f"<{name}>",
                              filename=name)
    for name, ctype, data in attachments:
        main, _, sub = ctype.partition("/")
        msg.add_attachment(data, maintype=main, subtype=sub, filename=name)
    for name, value in (headers or {}).items():  # after the content: set_content drops
        msg[name] = value                         # Content-* headers set before it
    return msg.as_bytes()


def raw(text: str) -> bytes:
    """A message written out by hand (headers and body exactly as given), CRLF-free."""
    return text.lstrip("\n").encode("latin-1")
