"""Who delivers each kind of outbox message.

The outbox knows how to queue, claim, retry and dead-letter a message, not how to send
it: each app registers a handler for the kinds it queues, in its ``AppConfig.ready()``
(the outbox's own ``email`` and ``webhook``; integrations' ``slack`` and ``jira``; the
SLA sweep's ``sla_actions``). This module imports no app, so infrastructure never
depends on the domains it serves.

A handler takes the claimed ``OutboxMessage``, runs outside any transaction, and raises
on failure (the outbox retries with backoff). A message whose kind has no handler is a
dead letter at once, with a message saying so.
"""

from collections.abc import Callable
from typing import Any

Handler = Callable[[Any], None]

_handlers: dict[str, Handler] = {}


class UnknownKind(LookupError):
    """No app registered a delivery handler for this message kind."""


def register_handler(kind: str, fn: Handler) -> None:
    """Make ``fn(message)`` the sender of every outbox message of ``kind``."""
    existing = _handlers.get(kind)
    if existing is not None and existing is not fn:
        raise ValueError(f"outbox kind {kind!r} already has a handler: "
                         f"{existing.__module__}.{existing.__qualname__}")
    _handlers[kind] = fn


def handler_for(kind: str) -> Handler:
    try:
        return _handlers[kind]
    except KeyError:
        known = ", ".join(sorted(_handlers)) or "none"
        raise UnknownKind(f"no delivery handler is registered for outbox kind {kind!r} "
                          f"(registered: {known}); is the app that queues it installed?"
                          ) from None


def kinds() -> frozenset[str]:
    """Every kind some app can deliver."""
    return frozenset(_handlers)


Composer = Callable[[Any, Any], None]
_composers: list[Composer] = []


class Undeliverable(Exception):
    """A composer refuses to send this mail (a bounced address): a dead letter at once."""


def register_email_composer(fn: Composer) -> None:
    """Let a domain app adjust every outgoing mail before it is sent:
    ``fn(message, email)`` may set headers, the sender's name, the subject, or raise
    ``Undeliverable``. The mail app threads ticket mail this way."""
    if fn not in _composers:
        _composers.append(fn)


def email_composers() -> tuple[Composer, ...]:
    return tuple(_composers)
