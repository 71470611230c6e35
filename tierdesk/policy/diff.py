"""What changed between two versions of a pack, in lines a support manager can review
before applying it (``tierdesk policy diff old.yaml new.yaml``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .durations import format_duration
from .schema import Pack
from .schema_rules import SLA_METRICS, SlaPolicy


def _keyed(
    old: dict[str, Any], new: dict[str, Any], what: str, describe: Callable[[Any, Any], list[str]]
) -> list[str]:
    lines = [f"+ {what} {name!r} added" for name in new if name not in old]
    lines += [f"- {what} {name!r} removed" for name in old if name not in new]
    for name in old:
        if name in new and old[name] != new[name]:
            details = describe(old[name], new[name])
            lines += [f"~ {what} {name!r}: {d}" for d in details] or [f"~ {what} {name!r} changed"]
    return lines


def _sla_changes(old: SlaPolicy, new: SlaPolicy) -> list[str]:
    lines = []
    for metric in SLA_METRICS:
        a, b = getattr(old.targets, metric) or {}, getattr(new.targets, metric) or {}
        for key in [*a, *(k for k in b if k not in a)]:
            if a.get(key) != b.get(key):
                before = format_duration(a[key]) if key in a else "none"
                after = format_duration(b[key]) if key in b else "none"
                scope = "" if key == "other" else f" {key}"
                lines.append(f"{metric}{scope} {before} -> {after}")
    for field in ("calendar", "when", "warn_before", "on_warning", "on_breach"):
        if getattr(old, field) != getattr(new, field):
            lines.append(f"{field} changed")
    return lines


def _fields_changed(old: Any, new: Any) -> list[str]:
    return [
        f"{name} changed"
        for name in type(old).model_fields
        if getattr(old, name) != getattr(new, name)
    ]


def diff_packs(old: Pack, new: Pack) -> list[str]:
    """Return human lines (``+`` added, ``-`` removed, ``~`` changed); empty if equal."""
    lines: list[str] = []
    for field in ("name", "version", "title", "timezone"):
        if getattr(old, field) != getattr(new, field):
            lines.append(f"~ {field}: {getattr(old, field)} -> {getattr(new, field)}")
    for field, what in (("languages", "language"), ("plans", "plan"), ("categories", "category")):
        a, b = getattr(old, field), getattr(new, field)
        lines += [f"+ {what} {x!r} added" for x in b if x not in a]
        lines += [f"- {what} {x!r} removed" for x in a if x not in b]
    if old.priority_codes != new.priority_codes and sorted(old.priority_codes) == sorted(
        new.priority_codes
    ):
        lines.append(f"~ priority order: {old.priority_codes} -> {new.priority_codes}")
    sections: list[tuple[dict[str, Any], dict[str, Any], str, Callable[[Any, Any], list[str]]]] = [
        (
            {p.code: p for p in old.priorities},
            {p.code: p for p in new.priorities},
            "priority",
            _fields_changed,
        ),
        (
            {p.name: p for p in old.sla_policies},
            {p.name: p for p in new.sla_policies},
            "sla policy",
            _sla_changes,
        ),
        ({r.name: r for r in old.rules}, {r.name: r for r in new.rules}, "rule", _fields_changed),
        (dict(old.calendars), dict(new.calendars), "calendar", _fields_changed),
        ({t.code: t for t in old.tiers}, {t.code: t for t in new.tiers}, "tier", _fields_changed),
        (dict(old.channels), dict(new.channels), "channel", _fields_changed),
        (dict(old.error_codes), dict(new.error_codes), "error code", _fields_changed),
        (dict(old.templates), dict(new.templates), "template", _fields_changed),
        (dict(old.surveys), dict(new.surveys), "survey", _fields_changed),
    ]
    for a, b, what, describe in sections:
        lines += _keyed(a, b, what, describe)
    old_order = [p.name for p in old.sla_policies if p.name in {q.name for q in new.sla_policies}]
    new_order = [p.name for p in new.sla_policies if p.name in {q.name for q in old.sla_policies}]
    if old_order != new_order:
        lines.append("~ sla policy order changed (first match wins): " + ", ".join(new_order))
    for field in ("classification", "escalation", "on_call", "refunds", "kpis", "units", "roles"):
        if getattr(old, field) != getattr(new, field):
            lines.append(f"~ {field} changed")
    return lines
