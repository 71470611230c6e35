"""Check the HMAC signatures on webhooks, ours going out and Jira's coming in.

Both compare in constant time (``hmac.compare_digest``) so a forger learns nothing from
how long a wrong guess takes. Our outbound signature covers ``timestamp.body`` and the
receiver rejects old timestamps, so a captured delivery cannot be replayed later.
Jira Cloud signs only the body (``X-Hub-Signature: sha256=…``), so replays of its
webhooks are harmless only because applying a status twice changes nothing.
"""

import hashlib
import hmac
from datetime import datetime

from tierdesk.outbox.services import webhook_signature

SIGNATURE_PREFIX = "sha256="
DEFAULT_TOLERANCE_SECONDS = 300


def verify_webhook(secret: str, timestamp: str, body: bytes, signature: str,
                   now: datetime | float, tolerance: int = DEFAULT_TOLERANCE_SECONDS) -> bool:
    """Return True if a Tierdesk delivery is genuine and fresh.

    ``timestamp`` and ``signature`` are the ``X-Tierdesk-Timestamp`` and
    ``X-Tierdesk-Signature`` headers as received, ``body`` the raw request body and
    ``now`` the receiver's clock (a datetime or Unix seconds). A timestamp more than
    ``tolerance`` seconds away from ``now``, in either direction, is refused: the
    signature would still match, but the request may be a replay.
    """
    if not secret or not signature.startswith(SIGNATURE_PREFIX):
        return False
    try:
        sent_at = int(timestamp)
    except (TypeError, ValueError):
        return False
    now_seconds = now.timestamp() if isinstance(now, datetime) else float(now)
    if abs(now_seconds - sent_at) > tolerance:
        return False
    expected = webhook_signature(secret, timestamp, body)
    return hmac.compare_digest(expected, signature[len(SIGNATURE_PREFIX):])


def jira_signature(secret: str, body: bytes) -> str:
    """Return the ``X-Hub-Signature`` value Jira Cloud sends for ``body``."""
    return SIGNATURE_PREFIX + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verify_jira_signature(secret: str, body: bytes, header: str | None) -> bool:
    """Return True if ``header`` is Jira's HMAC-SHA256 of the raw ``body`` with ``secret``."""
    if not secret or not header:
        return False
    return hmac.compare_digest(jira_signature(secret, body).encode(), header.strip().encode())
