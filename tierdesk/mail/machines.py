"""Never answer a machine: which inbound mail was written by software, not a person.

An auto-reply answered with an acknowledgement answers back: two robots can mail each
other forever. So mail recognised here creates no ticket and causes no outbound mail.
The signals are the ones RFC 3834 and mail systems use (``Auto-Submitted``,
``X-Autoreply``, ``Precedence``, ``List-Id``, the null ``Return-Path``, ``MAILER-DAEMON``,
``multipart/report``) and Tierdesk's own addresses (a loop).
"""

from dataclasses import dataclass

from tierdesk.mail.parsing import ParsedMail

BOUNCE = "bounce"
AUTO_REPLY = "auto-reply"
BULK = "bulk"
LOOP = "loop"
_DAEMONS = ("mailer-daemon@", "postmaster@", "mail-daemon@")


@dataclass(frozen=True)
class Machine:
    kind: str  # BOUNCE, AUTO_REPLY, BULK or LOOP
    why: str


def recognise(mail: ParsedMail, own_addresses: frozenset[str]) -> Machine | None:
    """Return what kind of machine wrote ``mail``, or None for a person."""
    h = mail.headers
    if mail.sender in own_addresses:
        return Machine(LOOP, f"the sender {mail.sender} is one of Tierdesk's own addresses")
    if h.get("x-tierdesk-ticket") or h.get("x-tierdesk-loop"):
        return Machine(LOOP, "the message carries Tierdesk's own X-Tierdesk header")
    if mail.content_type == "multipart/report":
        kind = mail.report_type or "report"
        return Machine(BOUNCE, f"a multipart/report ({kind}) delivery report")
    if mail.sender.startswith(_DAEMONS):
        return Machine(BOUNCE, f"sent by {mail.sender}")
    if mail.return_path == "":
        return Machine(AUTO_REPLY, "null Return-Path <> (an automatic message)")
    auto = h.get("auto-submitted", "").strip().lower()
    if auto and auto != "no":
        return Machine(AUTO_REPLY, f"Auto-Submitted: {auto}")
    for name in ("x-autoreply", "x-autorespond"):
        if name in h:
            return Machine(AUTO_REPLY, f"{name}: {h[name]}")
    precedence = h.get("precedence", "").strip().lower()
    if precedence in ("bulk", "list", "junk", "auto_reply"):
        kind = AUTO_REPLY if precedence == "auto_reply" else BULK
        return Machine(kind, f"Precedence: {precedence}")
    if "list-id" in h or "list-unsubscribe" in h:
        return Machine(BULK, f"mailing-list mail (List-Id: {h.get('list-id', '-')})")
    return None
