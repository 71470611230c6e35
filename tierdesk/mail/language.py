"""Which language a mail is in: the hook the intake calls for every new ticket.

Language detection from the text (lingua, restricted to the pack's languages) belongs
to the languages work of issue 12 (section 5), built separately; until it lands,
``detect_language`` answers None and the intake uses what the mail and the customer
say: a ``Content-Language`` the pack speaks, then the contact's or organisation's
language (``tickets.services`` falls back to those when given "").
"""

from tierdesk.mail.parsing import ParsedMail
from tierdesk.packs.selectors import active_pack


def detect_language(text: str) -> str | None:
    """Return the language of ``text`` among the pack's, or None (not detected).

    The hook for text-based detection: replace the body with the detector's call."""
    return None


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
