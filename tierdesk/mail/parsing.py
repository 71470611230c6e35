"""Raw RFC 5322 bytes to what a ticket needs: who, what, which thread, which files.

Real mail is messy, so nothing here trusts a header: encoded words are joined and
decoded leniently, a body whose bytes are wrong for its declared charset is read as
UTF-8 and then Windows-1252 (never with U+FFFD), HTML-only mail is turned into text
and sanitised HTML with remote images blocked, ``multipart/alternative`` yields one
rendering, and parts nested deeper than ``MAX_DEPTH`` are not walked (no hang, no
recursion error). Only ``MalformedMail`` escapes: the caller files the message as failed.
"""

from __future__ import annotations

import binascii
import email
import email.policy
import re
from dataclasses import dataclass, field
from email.header import decode_header, make_header
from email.message import Message
from email.utils import getaddresses, parseaddr

from tierdesk.mail.html import html_to_text, sanitise_html

MAX_DEPTH = 30
MAX_PARTS = 500
NO_SUBJECT = "(no subject)"
_MSGID = re.compile(r"<[^<>\s]{1,250}>")
_CHARSET_ALIASES = {"utf8": "utf-8", "cp-1256": "cp1256", "windows-1256": "cp1256",
                    "unicode-1-1-utf-7": "utf-7", "x-unknown": "", "unknown-8bit": ""}


class MalformedMail(ValueError):
    """The bytes are not a message Tierdesk can read (no sender, not MIME, binary junk)."""


@dataclass
class Part:
    """A file that came with the mail: byte-exact content, its name and type."""

    filename: str
    content_type: str
    data: bytes
    content_id: str = ""
    inline: bool = False


@dataclass
class ParsedMail:
    subject: str
    sender: str  # the address replies go to (From)
    sender_name: str
    to: list[str]
    cc: list[str]
    message_id: str
    in_reply_to: list[str]
    references: list[str]
    text: str
    html: str  # sanitised; remote images removed, cid: images point at /inline-cid/<id>
    headers: dict[str, str]  # lower-case name -> decoded value (first occurrence)
    content_type: str
    return_path: str | None  # None: no Return-Path header; "": the null sender <>
    parts: list[Part] = field(default_factory=list)
    report_type: str = ""  # multipart/report's report-type (delivery-status...)
    report_recipients: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what parsing had to skip, and why
    lifted: dict[bytes, bytes] = field(default_factory=dict, repr=False)

    @property
    def high_importance(self) -> bool:
        """``X-Priority: 1`` (or 2, "high") or ``Importance: High`` / ``Priority: urgent``."""
        xp = self.headers.get("x-priority", "").strip()[:1]
        imp = self.headers.get("importance", "").strip().lower()
        pri = self.headers.get("priority", "").strip().lower()
        return xp in ("1", "2") or imp == "high" or pri == "urgent"


def decode_words(value: str | None) -> str:
    """Decode RFC 2047 encoded words (adjacent ones joined); unknown charsets leniently."""
    if not value:
        return ""
    value = str(value)
    try:
        decoded = str(make_header(decode_header(value)))
    except (LookupError, UnicodeError, ValueError, binascii.Error, AssertionError):
        chunks = []
        try:
            for data, charset in decode_header(value):
                chunks.append(data if isinstance(data, str) else decode_bytes(data, charset))
        except (ValueError, binascii.Error, AssertionError):
            return value
        decoded = "".join(chunks)
    return " ".join(decoded.replace("\r", " ").replace("\n", " ").split())


def decode_bytes(data: bytes, charset: str | None) -> str:
    """Decode in the declared charset; bytes invalid there are read as UTF-8, then as
    Windows-1252 (Latin-1 for its five unassigned bytes): never U+FFFD."""
    name = _charset(charset)
    for candidate in ([name] if name else []) + ["utf-8", "cp1252"]:
        try:
            return data.decode(candidate)
        except (LookupError, UnicodeDecodeError):
            continue
    return data.decode("latin-1")


def _charset(charset: str | None) -> str:
    name = (charset or "").strip().strip('"').lower()
    return _CHARSET_ALIASES.get(name, name)


def message_ids(value: str | None) -> list[str]:
    """Every ``<id>`` in a Message-ID, In-Reply-To or References header, in order."""
    return _MSGID.findall(value or "")[:100]


def _addresses(msg: Message, name: str) -> list[str]:
    values = [decode_words(v) for v in msg.get_all(name, [])]
    out = []
    for _, addr in getaddresses(values):
        addr = addr.strip().lower()
        if "@" in addr and addr not in out:
            out.append(addr)
    return out


def _payload_bytes(part: Message, lifted: dict[bytes, bytes] | None = None) -> bytes:
    """The part's decoded bytes (lenient with broken base64 and quoted-printable)."""
    if lifted:
        body = part.get_payload(decode=False)
        key = body.strip().encode("ascii", "replace") if isinstance(body, str) else b""
        if key in lifted:
            return _base64(lifted[key])
    data = part.get_payload(decode=True)
    return data if isinstance(data, bytes) else b""


def _base64(data: bytes) -> bytes:
    try:
        return binascii.a2b_base64(data)  # skips newlines and stray characters
    except binascii.Error:
        cleaned = re.sub(rb"[^A-Za-z0-9+/]", b"", data)
        return binascii.a2b_base64(cleaned[: len(cleaned) - len(cleaned) % 4] or b"")


_BOUNDARY = re.compile(rb'boundary\s*=\s*(?:"([^"\r\n]{1,200})"|([^\s;"\r\n]{1,200}))',
                       re.IGNORECASE)
BIG_BODY = 256 * 1024


def _lift_big_bodies(raw: bytes) -> tuple[bytes, dict[bytes, bytes]]:
    """Take large base64 bodies out before the standard parser reads the message line by
    line (a 12 MB attachment is 220,000 lines: seconds of CPU); each is replaced by a
    short key and decoded in one call when its part is read."""
    if len(raw) < BIG_BODY:
        return raw, {}
    boundaries: set[bytes] = set()
    for needle in (b"boundary", b"Boundary", b"BOUNDARY"):  # bytes.find: no regex scan
        at = raw.find(needle)
        while at != -1:
            match = _BOUNDARY.match(raw, at, at + 300)
            if match:
                boundaries.add(match.group(1) or match.group(2))
            at = raw.find(needle, at + len(needle))
    positions: list[int] = []
    for boundary in boundaries:
        delimiter = b"\n--" + boundary
        at = raw.find(delimiter)
        while at != -1:
            positions.append(at)
            at = raw.find(delimiter, at + len(delimiter))
    positions.sort()
    lifted: dict[bytes, bytes] = {}
    out: list[bytes] = []
    last = 0
    for start, end in zip(positions, positions[1:], strict=False):
        if end - start < BIG_BODY:
            continue
        segment_head = raw[start:start + 8192]
        blank = re.search(rb"\r?\n\r?\n", segment_head[1:])
        if blank is None:
            continue
        headers = segment_head[:blank.start() + 1].lower()
        if b"base64" not in headers or b"multipart/" in headers or b"message/" in headers:
            continue
        body_start = start + 1 + blank.end()
        key = b"tierdesk-lifted-body-%d" % len(lifted)
        lifted[key] = raw[body_start:end]
        out += [raw[last:body_start], key, b"\n"]
        last = end
    if not lifted:
        return raw, {}
    out.append(raw[last:])
    return b"".join(out), lifted


def _filename(part: Message) -> str:
    name = part.get_param("filename", header="content-disposition") or part.get_param("name")
    if isinstance(name, tuple):  # RFC 2231
        name = email.utils.collapse_rfc2231_value(name, errors="replace")
    return decode_words(name) if name else ""


def parse(raw: bytes) -> ParsedMail:
    """Parse a raw message; raise ``MalformedMail`` when it is not mail at all."""
    if not raw or not raw.strip():
        raise MalformedMail("the message is empty")
    head = raw[:65536]
    if b":" not in head.split(b"\n\n", 1)[0].split(b"\r\n\r\n", 1)[0]:
        raise MalformedMail("no header section: this is not an RFC 5322 message")
    small, lifted = _lift_big_bodies(raw)
    msg = email.message_from_bytes(small, policy=email.policy.compat32)
    headers: dict[str, str] = {}
    for name, value in msg.items():
        headers.setdefault(name.lower(), decode_words(value))
    sender_name, sender = parseaddr(headers.get("from", ""))
    sender = sender.strip().lower()
    if "@" not in sender:
        raise MalformedMail("the message has no From address")
    return_path = None
    if "return-path" in headers:
        return_path = parseaddr(headers["return-path"])[1].strip().lower()
    mid = message_ids(headers.get("message-id"))
    parsed = ParsedMail(
        subject=headers.get("subject", "").strip() or NO_SUBJECT,
        sender=sender, sender_name=decode_words(sender_name) or sender.split("@")[0],
        to=_addresses(msg, "to"), cc=_addresses(msg, "cc"),
        message_id=mid[0] if mid else "",
        in_reply_to=message_ids(headers.get("in-reply-to")),
        references=message_ids(headers.get("references")),
        text="", html="", headers=headers,
        content_type=msg.get_content_type(), return_path=return_path,
    )
    if parsed.content_type == "multipart/report":
        parsed.report_type = (msg.get_param("report-type") or "").lower()
    texts: list[str] = []
    htmls: list[str] = []
    parsed.lifted = lifted
    _walk(msg, parsed, texts, htmls, depth=0, counter=[0])
    parsed.lifted = {}
    html = "\n".join(htmls)
    referenced = set(re.findall(r"cid:([^\"'\s>]+)", html, re.IGNORECASE))
    for attached in parsed.parts:  # an image the HTML shows is inline, whatever it says
        attached.inline = attached.inline or attached.content_id in referenced
    parsed.text = "\n\n".join(t.strip("\n") for t in texts if t.strip()) or (
        html_to_text(html) if html else "")
    parsed.html = sanitise_html(html) if html else ""
    return parsed


def _walk(part: Message, parsed: ParsedMail, texts: list[str], htmls: list[str], *,
          depth: int, counter: list[int]) -> None:
    counter[0] += 1
    if counter[0] > MAX_PARTS:
        if counter[0] == MAX_PARTS + 1:
            parsed.notes.append(f"more than {MAX_PARTS} MIME parts: the rest were not read")
        return
    ctype = part.get_content_type()
    if ctype in ("message/delivery-status", "message/feedback-report"):
        parsed.report_recipients += _failed_recipients(part)
        return
    if part.is_multipart() and ctype != "message/rfc822":
        if depth >= MAX_DEPTH:
            parsed.notes.append(f"MIME parts nested deeper than {MAX_DEPTH} levels were "
                                "not read")
            return
        children = part.get_payload()
        if ctype == "multipart/alternative":
            _alternative(children, parsed, texts, htmls, depth=depth, counter=counter)
            return
        for child in children:
            _walk(child, parsed, texts, htmls, depth=depth + 1, counter=counter)
        return
    disposition = str(part.get("content-disposition", "")).split(";")[0].strip().lower()
    filename = _filename(part)
    content_id = str(part.get("content-id", "")).strip().strip("<>")
    if ctype in ("text/plain", "text/html") and disposition != "attachment" and not filename:
        text = decode_bytes(_payload_bytes(part, parsed.lifted), part.get_content_charset())
        (texts if ctype == "text/plain" else htmls).append(text)
        return
    if ctype == "message/rfc822" and not filename:
        filename = "forwarded-message.eml"
    data = (_payload_bytes(part, parsed.lifted) if ctype != "message/rfc822"
            else _embedded_bytes(part))
    parsed.parts.append(Part(
        filename=filename or _default_name(ctype), content_type=ctype, data=data,
        content_id=content_id, inline=bool(content_id) and disposition == "inline"))


def _alternative(children: list[Message], parsed: ParsedMail, texts: list[str],
                 htmls: list[str], *, depth: int, counter: list[int]) -> None:
    """One rendering of the alternatives: their plain text and their HTML (the richer
    part may itself be multipart/related, carrying cid: images)."""
    plain: list[str] = []
    rich: list[str] = []
    for child in children:
        sub_texts: list[str] = []
        sub_htmls: list[str] = []
        _walk(child, parsed, sub_texts, sub_htmls, depth=depth + 1, counter=counter)
        if sub_texts and not plain:
            plain = sub_texts
        if sub_htmls:
            rich = sub_htmls  # the last is the preferred one (RFC 2046)
    texts.extend(plain or ([html_to_text("\n".join(rich))] if rich else []))
    htmls.extend(rich)


def _embedded_bytes(part: Message) -> bytes:
    payload = part.get_payload()
    if isinstance(payload, list) and payload:
        return payload[0].as_bytes()
    return _payload_bytes(part)


def _failed_recipients(part: Message) -> list[str]:
    """``Final-Recipient`` addresses of a delivery-status report."""
    payload = part.get_payload()
    blocks = payload if isinstance(payload, list) else []
    found: list[str] = []
    text = "\n".join(b.as_string() for b in blocks) if blocks else str(payload)
    for match in re.finditer(r"(?im)^(?:final|original)-recipient:\s*[^;]*;\s*<?([^>\s]+)>?",
                             text):
        addr = match.group(1).lower()
        if addr not in found:
            found.append(addr)
    return found


def _default_name(ctype: str) -> str:
    main, _, sub = ctype.partition("/")
    return f"{main or 'file'}.{sub or 'bin'}".replace("+", "-")


def clean_text(text: str) -> str:
    """Plain text safe for storage: no NULs, normalised newlines."""
    return text.replace("\x00", "").replace("\r\n", "\n").replace("\r", "\n")

