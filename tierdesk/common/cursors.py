"""Opaque keyset cursors: pages stay fast and stable however deep a client reads."""

import base64

from tierdesk.common.errors import ServiceError


def encode(last_id: int) -> str:
    return base64.urlsafe_b64encode(f"id:{last_id}".encode()).decode().rstrip("=")


def decode(cursor: str | None) -> int | None:
    if not cursor:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        kind, _, value = raw.partition(":")
        if kind != "id":
            raise ValueError(kind)
        return int(value)
    except (ValueError, UnicodeDecodeError):
        raise ServiceError("cursor is not one this API handed out", field="cursor") from None
