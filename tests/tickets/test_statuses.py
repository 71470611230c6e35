import pytest

from tierdesk.common.errors import InvalidTransition
from tierdesk.tickets.statuses import ALLOWED, check_transition

LEGAL = [(a, b) for a, targets in ALLOWED.items() for b in sorted(targets)]
ILLEGAL = [(a, b) for a in ALLOWED for b in ALLOWED if b not in ALLOWED[a] and a != b]


@pytest.mark.parametrize(("current", "target"), LEGAL)
def test_every_listed_move_is_allowed(current, target):
    check_transition(current, target)


@pytest.mark.parametrize(("current", "target"), ILLEGAL)
def test_every_unlisted_move_is_refused_with_the_allowed_moves_named(current, target):
    with pytest.raises(InvalidTransition) as exc:
        check_transition(current, target)
    assert exc.value.field == "status"
    assert f"a {current} ticket cannot become {target}" in exc.value.message


def test_a_closed_ticket_is_final():
    assert ALLOWED["closed"] == frozenset()


def test_a_solved_ticket_can_be_reopened_or_closed():
    assert ALLOWED["solved"] == {"open", "closed"}


def test_unknown_status_is_refused():
    with pytest.raises(InvalidTransition, match="unknown status"):
        check_transition("open", "archived")
