"""Split a reply from the history it quotes and the signature under it.

A ticket shows each message once: the customer's new words are the message, and what
their mail client quoted (Gmail's "On … wrote:", Outlook's "From: … Sent: …" block or
"-----Original Message-----", Apple Mail's "On <date>, at <time>, <name> wrote:", or
plain "> " lines) and their signature are kept apart, behind a "show quoted" part.
"""

import re

_ATTRIBUTION = re.compile(
    r"^(On\s.{1,300}?(wrote|écrit|escribió|كتب)\s*:?|Le\s.{1,300}a écrit\s*:|"
    r"El\s.{1,300}escribió\s*:)\s*$", re.IGNORECASE)
_OUTLOOK = re.compile(
    r"^(-{2,}\s*(Original Message|Forwarded message|Message d'origine|Mensaje original)"
    r"\s*-{2,}|_{20,})\s*$", re.IGNORECASE)
_HEADER_BLOCK = re.compile(r"^\*?(From|De|Von)\s*:\*?\s.+", re.IGNORECASE)
_SENT_LINE = re.compile(r"^\*?(Sent|Date|Envoyé|Enviado)\s*:\*?\s.+", re.IGNORECASE)
_SIGNATURE = re.compile(
    r"^(-- ?|Sent from my (iPhone|iPad|Android|mobile device|Galaxy).*|"
    r"Get Outlook for (iOS|Android).*|Envoyé de mon (iPhone|iPad).*|"
    r"Enviado desde mi (iPhone|iPad).*)\s*$", re.IGNORECASE)


def split_reply(text: str) -> tuple[str, str]:
    """Return ``(reply, quoted)``: the new words, and the quoted history and signature.

    If nothing but quotation is found (a forward with no comment), the whole text is the
    reply: the ticket must never show an empty message.
    """
    lines = text.split("\n")
    cut = _cut_index(lines)
    if cut is None:
        return text.strip(), ""
    reply = "\n".join(lines[:cut]).strip()
    quoted = "\n".join(lines[cut:]).strip()
    if not reply:
        return text.strip(), ""
    return reply, quoted


def _cut_index(lines: list[str]) -> int | None:
    tail = len(lines)  # where the trailing block of "> " lines (and blanks) starts
    while tail > 0 and (not lines[tail - 1].strip() or lines[tail - 1].lstrip().startswith(">")):
        tail -= 1
    for i, raw in enumerate(lines):
        line = raw.strip()
        if not line:
            continue
        if _SIGNATURE.match(raw.rstrip("\n")) or _OUTLOOK.match(line):
            return i
        if _ATTRIBUTION.match(line):
            return i
        # Gmail wraps a long attribution: "On Mon, 3 Mar 2025 at 09:00, Ann Lee <ann@x" /
        # "> wrote:" or "ann@x> wrote:".
        if (line.lower().startswith("on ") and i + 1 < len(lines)
                and re.search(r"wrote:\s*$", lines[i + 1].strip(), re.IGNORECASE)
                and len(line) < 300):
            return i
        if _HEADER_BLOCK.match(line) and any(
                _SENT_LINE.match(following.strip()) for following in lines[i + 1:i + 4]):
            return i
        if line.startswith(">") and i >= tail:
            return i
    return None
