"""The one source of "now", so tests and `--now` sweeps can move time."""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

_frozen: datetime | None = None


def now() -> datetime:
    """Return the current aware UTC instant (or the frozen one in tests and replays)."""
    return _frozen if _frozen is not None else datetime.now(UTC)


def freeze(at: datetime | None) -> None:
    """Pin the clock to ``at`` (aware), or release it with ``None``."""
    global _frozen
    if at is not None and at.tzinfo is None:
        raise ValueError("the clock only holds aware datetimes")
    _frozen = at


def advance(delta: timedelta) -> datetime:
    """Move a frozen clock forward; used by tests that walk an SLA through time."""
    freeze(now() + delta)
    return now()


@contextmanager
def frozen_at(at: datetime) -> Iterator[None]:
    previous = _frozen
    freeze(at)
    try:
        yield
    finally:
        freeze(previous)
