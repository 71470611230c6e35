"""Bucket tables and specialised closures for the hot path.

Two ``bisect`` calls per ``add`` cost ~1.2 us on a modest core, missing the
1M calls/s target. Instead we cut time into fixed buckets. A bucket holding no
interval boundary maps straight to its answer, so a lookup is one ``int()``
and one list index; a bucket holding exactly one boundary is resolved with one
extra comparison (``edges``); anything else falls back to the bisect path.

The closures capture the window's tables as cell variables and are installed
on the calendar instance, shadowing the generic methods; that removes the
attribute loads and tuple unpacking a method would need.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

#: A power of two, so ``x * (1 / BUCKET)`` is exact and ``int()`` floors exactly.
BUCKET = 1024.0
_INV = 1.0 / BUCKET
#: Boundaries this close to a bucket edge count as inside it: absorbs float rounding
#: of ``start - lo`` (an ulp is < 1e-4 s for any datetime-representable epoch).
_MARGIN = 1e-3
#: Smaller additions could vanish in ``cum + seconds`` rounding and land on the
#: previous closing time; they take the exact bisect path instead.
MIN_FAST_SECONDS = 1e-6

Table = list[Any]
Edges = dict[int, tuple[float, Any, Any]]
Fn = Callable[[float, float], float]


def _build(origin: float, bounds: list[float], values: list[Any]) -> tuple[Table, Edges]:
    """Bucket k covers [origin + k*B, origin + (k+1)*B).

    ``values[i]`` is the answer between bounds[i-1] and bounds[i].

    Returns the bucket list (None where a boundary falls inside) and ``edges``:
    bucket -> (boundary, value below, value above) for buckets with exactly one
    boundary, so the closures resolve them with one comparison.
    """
    if not bounds:
        return [], {}
    table: Table = [None] * (int((bounds[-1] - origin) * _INV) + 1)
    last = len(table) - 1
    margin = _MARGIN * _INV
    floor, ceil = math.floor, math.ceil
    edges: Edges = {}
    clash: set[int] = set()
    prev_hi = -1
    final = len(bounds) - 1
    for i, bound in enumerate(bounds):
        r = (bound - origin) * _INV
        lo_k, hi_k = ceil(r - margin) - 1, floor(r + margin)  # buckets touching bound
        k0, k1 = prev_hi + 1, min(lo_k - 1, last)
        if k1 >= k0:  # clean buckets strictly between the previous boundary and this one
            table[k0:k1 + 1] = [values[i]] * (k1 - k0 + 1)
        for k in range(max(lo_k, 0), min(hi_k, last) + 1):
            if i == final or k in edges:
                clash.add(k)
            else:
                edges[k] = (bound, values[i], values[i + 1])
        prev_hi = hi_k
    for k in clash:
        edges.pop(k, None)
    return table, edges


def epoch_tables(lo: float, starts: list[float], ends: list[float],
                 cum_start: list[float]) -> tuple[Table, Edges]:
    """Epoch bucket -> (start, start - cum_start) of the first interval ending after it.

    With that pair, business seconds elapsed up to t are ``max(t, start) - offset``.
    """
    pairs = [(starts[i], starts[i] - cum_start[i]) for i in range(len(ends))]
    return _build(lo, ends, pairs)


def cum_tables(ends: list[float], cum_end: list[float]) -> tuple[Table, Edges]:
    """Cumulative-business-seconds bucket -> offset turning it back into epoch time."""
    return _build(0.0, cum_end, [e - c for e, c in zip(ends, cum_end, strict=True)])


def make_add(lo: float, epoch: tuple[Table, Edges], cum: tuple[Table, Edges],
             fallback: Fn) -> Fn:
    by_epoch, epoch_edges = epoch
    by_cum, cum_edges = cum
    inv = _INV
    tiny = MIN_FAST_SECONDS

    def add_epoch(start_s: float, seconds: float) -> float:
        if seconds >= tiny and start_s >= lo:
            try:
                k = int((start_s - lo) * inv)
                hit = by_epoch[k]
                if hit is None:
                    edge, below, above = epoch_edges[k]
                    hit = below if start_s < edge else above
                st, off = hit
                target = (start_s if start_s > st else st) - off + seconds
                k = int(target * inv)
                back = by_cum[k]
                if back is None:
                    edge, below, above = cum_edges[k]
                    back = below if target <= edge else above
                return target + back
            except (IndexError, KeyError, OverflowError):  # off the tables: fall back
                pass
        return fallback(start_s, seconds)

    return add_epoch


def make_between(lo: float, epoch: tuple[Table, Edges], fallback: Fn) -> Fn:
    by_epoch, epoch_edges = epoch
    inv = _INV

    def between_epoch(a_s: float, b_s: float) -> float:
        if lo <= a_s < b_s:
            try:
                k = int((a_s - lo) * inv)
                ha = by_epoch[k]
                if ha is None:
                    edge, below, above = epoch_edges[k]
                    ha = below if a_s < edge else above
                k = int((b_s - lo) * inv)
                hb = by_epoch[k]
                if hb is None:
                    edge, below, above = epoch_edges[k]
                    hb = below if b_s < edge else above
                sa, oa = ha
                sb, ob = hb
                return ((b_s if b_s > sb else sb) - ob) - ((a_s if a_s > sa else sa) - oa)
            except (IndexError, KeyError, OverflowError):
                pass
        return fallback(a_s, b_s)

    return between_epoch
