"""Which language a mail is in: the hook the intake calls for every new ticket.

The text decides first (lingua, restricted to the pack's languages: ``tierdesk.languages``);
text too short to read falls back to what the mail and the customer say: a
``Content-Language`` the pack speaks, then the contact's or organisation's language
(``tickets.services`` falls back to those when given "").
"""

from tierdesk.languages.detection import UNDETERMINED, detect_for_pack
from tierdesk.mail.parsing import ParsedMail
from tierdesk.packs.selectors import active_pack


def detect_language(text: str) -> str | None:
    """Return the language of ``text`` among the pack's, or None (not detected)."""
    found = detect_for_pack(text, active_pack())
    return None if found == UNDETERMINED else found


def mail_language(mail: ParsedMail, text: str, contact) -> str:
    """The ticket's language for a new mail ("" lets the ticket service decide)."""
    pack = active_pack()
    spoken = set(pack.languages) if pack is not None else None
    detected = detect_language(text)
    if detected and (spoken is None or detected in spoken):
        return detected
    declared = mail.headers.get("content-language", "").split(",")[0].strip().lower()
    declared = declared.split("-")[0]
    if declared and (spoken is None or declared in spoken):
        return declared[:8]
    return ""
