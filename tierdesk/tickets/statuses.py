"""The ticket status state machine (pure): which moves are allowed, and why not."""

from tierdesk.common.errors import InvalidTransition

NEW, OPEN, PENDING, ON_HOLD = "new", "open", "pending", "on_hold"
SOLVED, CLOSED = "solved", "closed"

# A closed ticket is final (a follow-up is a new ticket); a solved one may be reopened.
ALLOWED: dict[str, frozenset[str]] = {
    NEW: frozenset({OPEN, PENDING, ON_HOLD, SOLVED}),
    OPEN: frozenset({PENDING, ON_HOLD, SOLVED}),
    PENDING: frozenset({OPEN, ON_HOLD, SOLVED}),
    ON_HOLD: frozenset({OPEN, PENDING, SOLVED}),
    SOLVED: frozenset({OPEN, CLOSED}),
    CLOSED: frozenset(),
}
UNRESOLVED = frozenset({NEW, OPEN, PENDING, ON_HOLD})


def check_transition(current: str, target: str) -> None:
    """Raise ``InvalidTransition`` unless ``current -> target`` is a legal move."""
    if target not in ALLOWED:
        raise InvalidTransition(f"unknown status {target!r}", field="status")
    if target not in ALLOWED[current]:
        allowed = ", ".join(sorted(ALLOWED[current])) or "none: the ticket is closed"
        raise InvalidTransition(
            f"a {current} ticket cannot become {target} (allowed: {allowed})", field="status"
        )
