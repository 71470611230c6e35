"""Words as the index stores them: one normaliser for the text indexed and the text searched.

Normalising in Python (not in the database) makes SQLite and PostgreSQL index exactly the
same words, whatever extensions the server has: PostgreSQL's ``unaccent`` is an optional
contrib module, and neither engine knows Arabic spelling variants.

1. Arabic: tatweel (the stretching ``ـ``) is dropped, ``ٱ`` becomes ``ا``, alef maksura
   ``ى`` becomes ``ي`` and teh marbuta ``ة`` becomes ``ه`` (as Lucene's Arabic normaliser
   does), Arabic-Indic digits become 0-9.
2. Unicode compatibility decomposition (NFKD), then every combining mark is dropped: Latin
   accents (``é`` -> ``e``), Arabic harakat and the hamza/madda carried by alef
   (``أ إ آ`` -> ``ا``), ligatures (``ﬁ`` -> ``fi``).
3. Case folding (``Straße`` -> ``strasse``).
4. Words are runs of letters and digits. A code written with hyphens or underscores that
   mixes letters and digits (``DB-2002``, ``sso_9001``) is one word, ``db2002``: an error
   code matches whole, never by its number alone.

Pure Python, no Django: the KB and the bot use the same words.
"""

import re
import unicodedata

MAX_WORD = 64  # longer "words" are hashes, base64 or noise, not what anyone types
MAX_QUERY_WORDS = 16

_ARABIC = str.maketrans({
    "\u0640": None,  # tatweel
    "\u0671": "\u0627",  # alef wasla -> alef
    "\u0649": "\u064a",  # alef maksura -> yeh
    "\u0629": "\u0647",  # teh marbuta -> heh
    **{chr(0x0660 + d): str(d) for d in range(10)},  # Arabic-Indic digits
    **{chr(0x06F0 + d): str(d) for d in range(10)},  # Eastern Arabic-Indic digits
})
_JOINED = re.compile(r"\b[^\W_]+(?:[-_][^\W_]+)+")
_SEPARATOR = re.compile(r"[-_]")
_PART = re.compile(r"[^\W_]+")


def fold(text: str) -> str:
    """Return ``text`` with Arabic variants unified, marks dropped and case folded."""
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text.translate(_ARABIC))
        text = "".join(c for c in text if not unicodedata.combining(c))
    return text.casefold()


def words(text: str) -> list[str]:
    """Return the words of ``text`` in order, as the index stores them."""
    folded = fold(text)
    if "-" in folded or "_" in folded:
        folded = _JOINED.sub(_join_code, folded)
    out = _PART.findall(folded)
    if out and max(map(len, out)) > MAX_WORD:
        out = [w for w in out if len(w) <= MAX_WORD]
    return out


def _join_code(match: re.Match) -> str:
    """``db-2002`` -> ``db2002``; a joined word without both letters and digits
    (``e-mail``, ``2026-11-23``) stays as it is, to be split into its parts."""
    compound = match.group()
    if any(c.isdigit() for c in compound) and any(c.isalpha() for c in compound):
        return _SEPARATOR.sub("", compound)
    return compound


def indexed_text(text: str, limit: int) -> str:
    """Return the words of ``text`` joined by spaces, at most ``limit`` characters."""
    joined = " ".join(words(text))
    if len(joined) > limit:
        joined = joined[:limit].rsplit(" ", 1)[0]
    return joined


def query_words(text: str) -> list[str]:
    """Return the distinct words of a search, in order, at most ``MAX_QUERY_WORDS``."""
    seen: list[str] = []
    for word in words(text):
        if word not in seen:
            seen.append(word)
    return seen[:MAX_QUERY_WORDS]
