"""Messages for a name the pack does not declare: the valid names and the nearest one.

A support lead fixing ``calendar: buisness-hours`` should not have to open the file to
find the right spelling: the error says ``did you mean 'business-hours'?`` and lists
what the pack does declare.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

# Longer lists are cut: an error line should stay readable.
MAX_LISTED = 12


def nearest(value: str, valid: Iterable[str]) -> str | None:
    """Return the valid name closest to ``value`` (ignoring case), or None if none is close."""
    names = list(valid)
    by_lower = {n.lower(): n for n in names}
    match = difflib.get_close_matches(value.lower(), list(by_lower), n=1, cutoff=0.6)
    return by_lower[match[0]] if match else None


def unknown_suffix(value: str, valid: Iterable[str], quote: str = "'{}'") -> str:
    """Return `` (did you mean 'x'?)`` for the nearest valid name, or an empty string."""
    best = nearest(value, valid)
    return f" (did you mean {quote.format(best)}?)" if best else ""


def listing(valid: Iterable[str], quote: str = "{}") -> str:
    """Return ``a, b, c`` (at most ``MAX_LISTED``, then ``... (N in all)``)."""
    names = sorted(set(valid), key=str.lower)
    shown = ", ".join(quote.format(n) for n in names[:MAX_LISTED])
    return shown + (f", ... ({len(names)} in all)" if len(names) > MAX_LISTED else "")


def unknown_message(kind: str, value: str, valid: Iterable[str], plural: str | None = None,
                    quote: str = "'{}'") -> str:
    """Return ``unknown calendar 'x' (did you mean 'y'?); valid: a, y``."""
    names = sorted(set(valid), key=str.lower)
    head = f"unknown {kind} {quote.format(value)}{unknown_suffix(value, names, quote)}"
    if not names:
        return f"{head}; the pack declares no {plural or kind + 's'}"
    return f"{head}; valid: {listing(names)}"
