"""Shared pieces of the authorization matrices: the personas, and filling in the ids of the
records a test made into a matrix row's path and body."""

import pytest

PERSONAS = ["anonymous", "customer", "foreign_customer", "agent", "outsider_agent", "manager"]


def persona_user(world, name):
    return {
        "anonymous": None,
        "customer": world.customer.user,
        "foreign_customer": world.foreign_customer.user,
        "agent": world.agent.user,
        "outsider_agent": world.outsider_agent.user,
        "manager": world.manager.user,
    }[name]


def cases(matrix):
    """One pytest case per (row, persona); rows are (name, method, path, body, expected)."""
    return [
        pytest.param(name, method, path, body, persona, expected[i], id=f"{name}-{persona}")
        for name, method, path, body, expected in matrix
        for i, persona in enumerate(PERSONAS)
    ]


def fill(value, ids):
    """Replace ``"{ticket}"`` (a whole value) or ``{ticket}`` (inside a path) with ids."""
    if isinstance(value, str) and value.startswith("{") and value.endswith("}"):
        return ids[value[1:-1]]
    if isinstance(value, str):
        return value.format(**ids)
    if isinstance(value, dict):
        return {k: fill(v, ids) for k, v in value.items()}
    if isinstance(value, list):
        return [fill(v, ids) for v in value]
    return value
