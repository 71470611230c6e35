"""Opaque keyset cursors: pages stay fast and stable however deep a client reads."""

import base64

from tierdesk.common.errors import ServiceError


def encode(last_id: int, kind: str = "id") -> str:
    return base64.urlsafe_b64encode(f"{kind}:{last_id}".encode()).decode().rstrip("=")


def decode(cursor: str | None, kind: str = "id") -> int | None:
    """The number in ``cursor``; ``kind`` tells keyset cursors ("id") from ranked search
    offsets ("rank"), so one is never taken for the other."""
    if not cursor:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        found, _, value = raw.partition(":")
        if found != kind:
            raise ValueError(found)
        number = int(value)
        if number < 0:
            raise ValueError(value)
        return number
    except (ValueError, UnicodeDecodeError):
        raise ServiceError("cursor is not one this API handed out", field="cursor") from None
