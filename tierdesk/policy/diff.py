"""What changed between two versions of a pack, in lines a support manager can review
before applying it (``tierdesk policy diff old.yaml new.yaml``).

Every change is named down to the field that moved (``calendar 'office': week.mon-fri
09:00-17:00 -> 08:00-18:00``), durations read as words (``4 h -> 2 h (2 h earlier)``),
and lists of named things (escalation paths, refund limits, KPIs) are compared item by
item, by their name.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from pydantic import BaseModel

from .durations import shift_words
from .schema import Pack
from .schema_rules import SLA_METRICS, SlaPolicy

# How an item of a list is named in a diff, first key present wins.
_ITEM_KEYS = ("code", "group", "name", "label", "role")


def words(value: timedelta) -> str:
    """Return ``value`` as ``1 d 2 h 30 min`` (the notation diffs print)."""
    minutes = round(value.total_seconds() / 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days and not hours and not mins:
        return f"{days * 24} h"  # SLA targets read in hours: "72 h", not "3 d"
    parts = [f"{n} {u}" for n, u in ((days * 24 + hours, "h"), (mins, "min")) if n]
    return " ".join(parts) or f"{round(value.total_seconds())} s"


def _plain(value: Any) -> Any:
    """Return a model as nested dicts and lists (by the names the pack file uses)."""
    if isinstance(value, BaseModel):
        return {
            (field.alias or name): _plain(getattr(value, name))
            for name, field in type(value).model_fields.items()
        }
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _fmt(value: Any, path: str) -> str:
    if value is None:
        return "none"
    if isinstance(value, timedelta):
        return words(value)
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float) and value == int(value):
        return str(int(value))
    if isinstance(value, list):
        if ".week" in f".{path}" and all(isinstance(r, list) and len(r) == 2 for r in value):
            return ", ".join(f"{_hhmm(a)}-{_hhmm(b)}" for a, b in value) or "closed"
        return "[" + ", ".join(_fmt(v, path) for v in value) + "]"
    if isinstance(value, dict):
        shown = {k: v for k, v in value.items() if v not in (None, [], {})}
        return "{" + ", ".join(f"{k}: {_fmt(v, path)}" for k, v in shown.items()) + "}"
    return str(value)


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _item_name(item: Any) -> str | None:
    if not isinstance(item, dict):
        return None
    if "from" in item and "to" in item:
        return f"{item['from']} -> {item['to']}"
    for key in _ITEM_KEYS:
        if isinstance(item.get(key), str):
            return item[key]
    return None


def changes(old: Any, new: Any, path: str = "") -> list[str]:
    """Return ``path: old -> new`` for every leaf that differs between two plain values."""
    if old == new:
        return []
    if isinstance(old, dict) and isinstance(new, dict):
        lines = []
        for key in [*old, *(k for k in new if k not in old)]:
            lines += changes(old.get(key), new.get(key), f"{path}.{key}" if path else key)
        return lines
    if isinstance(old, list) and isinstance(new, list):
        names_a, names_b = [_item_name(x) for x in old], [_item_name(x) for x in new]
        keyed = all(names_a + names_b) and len(set(names_a)) == len(names_a) \
            and len(set(names_b)) == len(names_b)
        if keyed and (old or new):
            a, b = dict(zip(names_a, old, strict=True)), dict(zip(names_b, new, strict=True))
            lines = [f"{path}[{n}] added: {_fmt(b[n], path)}" for n in b if n not in a]
            lines += [f"{path}[{n}] removed" for n in a if n not in b]
            for n in a:
                if n in b:
                    lines += changes(a[n], b[n], f"{path}[{n}]")
            if not lines and names_a != names_b:
                lines.append(f"{path} order: {', '.join(names_a)} -> {', '.join(names_b)}")
            return lines
    if isinstance(old, timedelta) and isinstance(new, timedelta):
        shift = shift_words((new - old).total_seconds())
        return [f"{path}: {words(old)} -> {words(new)} ({shift})"]
    return [f"{path}: {_fmt(old, path)} -> {_fmt(new, path)}"]


def _fields(old: Any, new: Any) -> list[str]:
    return changes(_plain(old), _plain(new))


def _keyed(
    old: dict[str, Any], new: dict[str, Any], what: str, describe: Callable[[Any, Any], list[str]]
) -> list[str]:
    lines = [f"+ {what} {name!r} added" for name in new if name not in old]
    lines += [f"- {what} {name!r} removed" for name in old if name not in new]
    for name in old:
        if name in new and old[name] != new[name]:
            lines += [f"~ {what} {name!r}: {d}" for d in describe(old[name], new[name])]
    return lines


def _sla_changes(old: SlaPolicy, new: SlaPolicy) -> list[str]:
    lines = []
    for metric in SLA_METRICS:
        a, b = getattr(old.targets, metric) or {}, getattr(new.targets, metric) or {}
        for key in [*a, *(k for k in b if k not in a)]:
            if a.get(key) != b.get(key):
                scope = "" if key == "other" else f" {key}"
                if key in a and key in b:
                    shift = shift_words((b[key] - a[key]).total_seconds())
                    lines.append(f"{metric}{scope} {words(a[key])} -> {words(b[key])} ({shift})")
                else:
                    before = words(a[key]) if key in a else "none"
                    after = words(b[key]) if key in b else "none"
                    lines.append(f"{metric}{scope} {before} -> {after}")
    for field in ("calendar", "when", "warn_before", "on_warning", "on_breach"):
        lines += changes(_plain(getattr(old, field)), _plain(getattr(new, field)), field)
    return lines


def diff_packs(old: Pack, new: Pack) -> list[str]:
    """Return human lines (``+`` added, ``-`` removed, ``~`` changed); empty if equal."""
    lines: list[str] = []
    for field in ("name", "version", "title", "timezone", "acknowledgement"):
        if getattr(old, field) != getattr(new, field):
            lines.append(f"~ {field}: {_fmt(getattr(old, field), field)} -> "
                         f"{_fmt(getattr(new, field), field)}")
    for field, what in (("languages", "language"), ("plans", "plan"), ("categories", "category")):
        a, b = getattr(old, field), getattr(new, field)
        lines += [f"+ {what} {x!r} added" for x in b if x not in a]
        lines += [f"- {what} {x!r} removed" for x in a if x not in b]
    if old.priority_codes != new.priority_codes and sorted(old.priority_codes) == sorted(
        new.priority_codes
    ):
        lines.append(f"~ priority order: {old.priority_codes} -> {new.priority_codes}")
    sections: list[tuple[dict[str, Any], dict[str, Any], str, Callable[[Any, Any], list[str]]]] = [
        ({p.code: p for p in old.priorities}, {p.code: p for p in new.priorities}, "priority",
         _fields),
        ({p.name: p for p in old.sla_policies}, {p.name: p for p in new.sla_policies},
         "sla policy", _sla_changes),
        ({r.name: r for r in old.rules}, {r.name: r for r in new.rules}, "rule", _fields),
        (dict(old.calendars), dict(new.calendars), "calendar", _fields),
        ({t.code: t for t in old.tiers}, {t.code: t for t in new.tiers}, "tier", _fields),
        (dict(old.channels), dict(new.channels), "channel", _fields),
        (dict(old.error_codes), dict(new.error_codes), "error code", _fields),
        (dict(old.templates), dict(new.templates), "template", _fields),
        (dict(old.surveys), dict(new.surveys), "survey", _fields),
    ]  # fmt: skip
    for a, b, what, describe in sections:
        lines += _keyed(a, b, what, describe)
    old_order = [p.name for p in old.sla_policies if p.name in {q.name for q in new.sla_policies}]
    new_order = [p.name for p in new.sla_policies if p.name in {q.name for q in old.sla_policies}]
    if old_order != new_order:
        lines.append("~ sla policy order changed (first match wins): " + ", ".join(new_order))
    for field in ("classification", "escalation", "on_call", "refunds", "kpis", "units", "roles"):
        before, after = _plain(getattr(old, field)), _plain(getattr(new, field))
        if before in (None, []) and after not in (None, []):
            lines.append(f"+ {field} added")
        elif after in (None, []) and before not in (None, []):
            lines.append(f"- {field} removed")
        else:
            lines += [f"~ {field}: {c}" for c in changes(before, after)]
    return lines
