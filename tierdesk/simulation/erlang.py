"""Erlang C: the M/M/c queue's waiting probability, service level and staffing (pure).

The classic contact-centre sizing formula: with ``c`` agents, arrivals at ``rate`` per
second and a mean handling time ``aht`` seconds, ``A = rate * aht`` erlangs are offered.
"""

import math


def erlang_b(agents: int, load: float) -> float:
    """Blocking probability, by the stable recursion B(k) = A B(k-1) / (k + A B(k-1))."""
    b = 1.0
    for k in range(1, agents + 1):
        b = load * b / (k + load * b)
    return b


def erlang_c(agents: int, load: float) -> float:
    """Probability that an arrival waits (1.0 when the queue is unstable, A >= c)."""
    if agents <= 0 or load >= agents:
        return 1.0
    if load <= 0:
        return 0.0
    b = erlang_b(agents, load)
    return agents * b / (agents - load * (1 - b))


def service_level(agents: int, rate: float, aht: float, target: float) -> float:
    """P(wait <= target): 1 - C * exp(-(c - A) * target / aht)."""
    load = rate * aht
    if agents <= 0 or load >= agents:
        return 0.0
    if load <= 0:
        return 1.0
    return 1.0 - erlang_c(agents, load) * math.exp(-(agents - load) * target / aht)


def mean_wait(agents: int, rate: float, aht: float) -> float:
    """Mean time in queue, C * aht / (c - A); infinite when unstable."""
    load = rate * aht
    if load >= agents:
        return math.inf
    return erlang_c(agents, load) * aht / (agents - load)


def agents_needed(rate: float, aht: float, target: float, goal: float,
                  limit: int = 10_000) -> int:
    """Fewest agents answering ``goal`` (0.95) of arrivals within ``target`` seconds."""
    if rate <= 0 or aht <= 0:
        return 0
    c = max(1, math.floor(rate * aht) + 1)
    while c < limit and service_level(c, rate, aht, target) < goal:
        c += 1
    return c
