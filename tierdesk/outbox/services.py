"""Queue messages in the outbox inside the caller's transaction; deliver them after.

Delivery is at-least-once with a stable id per message (email ``Message-ID``, webhook
``X-Tierdesk-Delivery``) so a receiver can drop the rare duplicate left by a worker
that died between sending and recording.
"""

import contextlib
import contextvars
import hashlib
import hmac
import json
import logging
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction

from tierdesk import clock
from tierdesk.common import prepared
from tierdesk.jobs.dispatch import kick
from tierdesk.outbox import registry
from tierdesk.outbox.models import DeliveryAttempt, OutboxMessage

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
CLAIM_SECONDS = 300
BACKOFF_BASE_SECONDS = 30
BACKOFF_CAP_SECONDS = 3600


class DeliveryError(Exception):
    """The receiver did not take the message; it will be retried."""


# The kinds the model lists; a message of one whose app is not installed is found by the
# delivery sweep and dead-lettered with a message instead of waiting unseen.
_KNOWN_KINDS = frozenset(OutboxMessage.Kind.values)


_collecting: contextvars.ContextVar[list[OutboxMessage] | None] = contextvars.ContextVar(
    "outbox_collecting", default=None)


@contextmanager
def collect() -> Iterator[None]:
    """Within the block, ``enqueue`` gathers messages and writes them in one bulk insert at
    the end (a sweep batch queues thousands); use inside the caller's transaction."""
    gathered: list[OutboxMessage] = []
    token = _collecting.set(gathered)
    try:
        yield
    finally:
        _collecting.reset(token)
    if gathered:
        prepared.insert_many(gathered)
        if any(m.kind != OutboxMessage.Kind.EMAIL or settings.EMAIL_ENABLED for m in gathered):
            transaction.on_commit(lambda: kick("deliver_outbox"))


def enqueue(*, kind: str, payload: dict[str, Any], ticket_id: int | None = None,
            at: datetime | None = None) -> OutboxMessage:
    """Write a message to the outbox in the current transaction and kick the worker on commit.

    A kind no app can deliver is refused here, in the caller's transaction, rather than
    left to wait in the outbox.
    """
    if kind not in _KNOWN_KINDS and kind not in registry.kinds():
        raise registry.UnknownKind(f"cannot queue outbox kind {kind!r}: no app registers a "
                                   "delivery handler for it")
    now = at or clock.now()
    message = OutboxMessage(
        kind=kind, payload=payload, ticket_id=ticket_id, next_attempt_at=now, created_at=now,
    )
    gathering = _collecting.get()
    if gathering is not None:
        gathering.append(message)
        return message
    prepared.insert(message)
    if kind != OutboxMessage.Kind.EMAIL or settings.EMAIL_ENABLED:
        # Undeliverable mail (email not configured) waits for the sweep: no kick, no scan.
        transaction.on_commit(lambda: kick("deliver_outbox"))
    return message


def enqueue_email(*, to: str, subject: str, body: str, ticket_id: int | None = None,
                  template: str = "", at: datetime | None = None,
                  **extra: Any) -> OutboxMessage | None:
    """Queue a mail; ``extra`` (``from_name``...) is kept in the payload for the composers
    (see ``registry.register_email_composer``)."""
    if not to:
        return None
    return enqueue(kind=OutboxMessage.Kind.EMAIL, ticket_id=ticket_id, at=at, payload={
        "to": [to], "subject": subject, "body": body, "template": template, **extra,
    })


def backoff(attempts: int) -> timedelta:
    """Return the wait before try ``attempts + 1``: 30 s doubling, capped at an hour."""
    return timedelta(seconds=min(BACKOFF_BASE_SECONDS * 2 ** max(attempts - 1, 0),
                                 BACKOFF_CAP_SECONDS))


def deliver_due(*, now: datetime | None = None, limit: int = 100) -> int:
    """Try every due message once; return how many were delivered.

    1. Pick due ids of deliverable kinds from the (state, kind, next_attempt_at) index.
    2. Claim each with a conditional update, so two workers never send one message.
    3. Send outside any transaction; record the outcome and the attempt.
    """
    now = now or clock.now()
    kinds = sorted(k for k in _KNOWN_KINDS | registry.kinds()
                   # Mail waits in the outbox, untried, until an SMTP server is configured.
                   if k != OutboxMessage.Kind.EMAIL or settings.EMAIL_ENABLED)
    pending = OutboxMessage.objects.filter(
        state=OutboxMessage.State.PENDING, kind__in=kinds, next_attempt_at__lte=now
    )
    due = list(
        pending.order_by("next_attempt_at", "id").values_list("id", flat=True)[:limit]
    )
    delivered = 0
    with _one_smtp_connection():
        for message_id in due:
            delivered += _deliver_one(message_id, now)
    return delivered


def _deliver_one(message_id: int, now: datetime) -> int:
    """Claim, send and record one message; 1 when it was delivered."""
    # The claim runs from the moment it is taken, not from the start of the batch: a
    # long batch would otherwise hand later messages claims that have already run out,
    # and a second worker would send them again while this one still is.
    claimed = OutboxMessage.objects.filter(
        pk=message_id, state=OutboxMessage.State.PENDING, next_attempt_at__lte=now,
    ).update(next_attempt_at=max(now, clock.now()) + timedelta(
        seconds=getattr(settings, "OUTBOX_CLAIM_SECONDS", CLAIM_SECONDS)))
    if claimed != 1:
        return 0
    message = OutboxMessage.objects.get(pk=message_id)
    try:
        _send(message)
    except (registry.UnknownKind, registry.Undeliverable) as exc:  # no retry can help
        _record_failure(message, now, str(exc), dead=True)
    except Exception as exc:  # any failure of the receiver means: retry later
        _record_failure(message, now, f"{type(exc).__name__}: {exc}")
    else:
        _record_success(message, now)
        return 1
    return 0


# The SMTP connection the mail of one delivery batch shares (see _one_smtp_connection).
_batch_smtp: contextvars.ContextVar[dict | None] = contextvars.ContextVar(
    "outbox_batch_smtp", default=None)


@contextmanager
def _one_smtp_connection() -> Iterator[None]:
    """Within the block, mail goes out over one SMTP connection, opened for the first
    message and closed at the end (or after a failure, the next message opening a new
    one). A connection per message cost a connect, EHLO and QUIT each: a backlog of
    10,000 acknowledgements drained at about 5 a second on a busy machine."""
    holder: dict = {}
    token = _batch_smtp.set(holder)
    try:
        yield
    finally:
        _batch_smtp.reset(token)
        connection = holder.pop("connection", None)
        if connection is not None:
            with contextlib.suppress(Exception):
                connection.close()


@transaction.atomic
def _record_success(message: OutboxMessage, now: datetime) -> None:
    message.state = OutboxMessage.State.DELIVERED
    message.attempts += 1
    message.delivered_at = now
    message.last_error = ""
    message.save(update_fields=["state", "attempts", "delivered_at", "last_error"])
    DeliveryAttempt.objects.create(message=message, attempted_at=now, ok=True)


@transaction.atomic
def _record_failure(message: OutboxMessage, now: datetime, error: str, *,
                    dead: bool = False) -> None:
    message.attempts += 1
    message.last_error = error[:2000]
    if dead or message.attempts >= MAX_ATTEMPTS:
        message.state = OutboxMessage.State.DEAD
        log.error("outbox message %s is dead after %s attempts: %s", message.pk,
                  message.attempts, error, extra={"ticket_id": message.ticket_id})
    else:
        message.next_attempt_at = now + backoff(message.attempts)
        log.warning("outbox message %s failed (attempt %s): %s", message.pk, message.attempts,
                    error, extra={"ticket_id": message.ticket_id})
    message.save(update_fields=["state", "attempts", "last_error", "next_attempt_at"])
    DeliveryAttempt.objects.create(message=message, attempted_at=now, ok=False, error=error)


@transaction.atomic
def retry_dead(*, message_id: int) -> None:
    """Put a dead letter back in the queue once an operator has fixed the receiver."""
    OutboxMessage.objects.filter(pk=message_id, state=OutboxMessage.State.DEAD).update(
        state=OutboxMessage.State.PENDING, attempts=0, next_attempt_at=clock.now()
    )


def _send(message: OutboxMessage) -> None:
    """Hand the message to the handler its app registered for its kind."""
    registry.handler_for(message.kind)(message)


def send_email(message: OutboxMessage) -> None:
    """The ``email`` handler: SMTP with a stable ``Message-ID`` per outbox message."""
    payload = message.payload
    domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2] or "tierdesk.localhost"
    email = EmailMessage(
        subject=payload["subject"], body=payload["body"], to=payload["to"],
        from_email=settings.DEFAULT_FROM_EMAIL,
        headers={"Message-ID": f"<outbox-{message.pk}@{domain}>"},
    )
    for compose in registry.email_composers():  # domain apps add threading headers...
        compose(message, email)
    holder = _batch_smtp.get()
    if holder is None:
        with get_connection(fail_silently=False) as connection:
            connection.send_messages([email])
        return
    connection = holder.get("connection")
    if connection is None:
        connection = get_connection(fail_silently=False)
        connection.open()
        holder["connection"] = connection
    try:
        connection.send_messages([email])
    except Exception:  # its state is unknown: the next message opens a new connection
        holder.pop("connection", None)
        with contextlib.suppress(Exception):
            connection.close()
        raise


def webhook_signature(secret: str, timestamp: str, body: bytes) -> str:
    """Return the HMAC-SHA256 over ``timestamp.body``, as Stripe-style receivers expect."""
    return hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


def send_webhook(message: OutboxMessage) -> None:
    """The ``webhook`` handler: a signed JSON POST; anything but 2xx is retried."""
    payload = message.payload
    body = json.dumps(payload["body"], sort_keys=True).encode()
    timestamp = str(int(time.time()))
    headers = {"Content-Type": "application/json", "X-Tierdesk-Delivery": str(message.pk),
               "X-Tierdesk-Timestamp": timestamp}
    if payload.get("secret"):
        headers["X-Tierdesk-Signature"] = "sha256=" + webhook_signature(
            payload["secret"], timestamp, body)
    request = urllib.request.Request(payload["url"], data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            if not 200 <= response.status < 300:
                raise DeliveryError(f"HTTP {response.status}")
    except urllib.error.HTTPError as exc:
        raise DeliveryError(f"HTTP {exc.code}") from exc
