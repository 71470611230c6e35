"""Read a pack from YAML and validate it, collecting every error.

Steps:
1. Parse YAML with YAML 1.2 scalars (``on``, ``no``, ``yes`` stay text, so ``on: time``
   and the country code ``NO`` work) and reject duplicate keys; a syntax error becomes
   one error naming its line and column.
2. Validate each top-level section on its own, so an error in ``rules`` does not hide
   one in ``calendars``; unknown top-level keys are errors.
3. In a list or mapping section with errors, keep the items that validated (and the
   names the broken ones declare), so a bad duration in ``sla_policies[0]`` does not
   hide an unknown calendar in ``sla_policies[2]``.
4. Check cross-references (``schema_checks``) among what validated.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Annotated, Any, get_args, get_origin

import yaml
from pydantic import TypeAdapter, ValidationError

from .errors import PackError, PackInvalid, errors_from_validation
from .schema import Pack
from .schema_checks import Salvaged, check_references
from .suggest import unknown_suffix

PACKS_DIR = Path(__file__).parent / "packs"


class _Loader(yaml.SafeLoader):
    """SafeLoader with YAML 1.2 booleans and numbers and no duplicate keys."""


# Drop YAML 1.1's bool/int/float rules (yes/no/on/off, 1:30 as 90) for YAML 1.2's.
_DROPPED = {"tag:yaml.org,2002:bool", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float"}
_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag not in _DROPPED]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:int", re.compile(r"^[-+]?[0-9]+$"), list("-+0123456789")
)
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?(?:[0-9]+\.[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?$"),
    list("-+0123456789."),
)


def _mapping(loader: _Loader, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark
            )
        seen.add(key)
    return loader.construct_mapping(node, deep=deep)


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)


def parse_yaml(text: str) -> tuple[Any, list[PackError]]:
    """Return the YAML document in ``text``, or errors naming line and column."""
    try:
        return yaml.load(text, Loader=_Loader), []
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "yaml"
        problem = exc.problem or exc.context or "invalid YAML"
        return None, [PackError(where, f"YAML syntax error: {problem}")]
    except yaml.YAMLError as exc:
        return None, [PackError("yaml", f"YAML syntax error: {exc}")]


@cache
def _section_adapter(name: str) -> TypeAdapter[Any]:
    field = Pack.model_fields[name]
    if not field.metadata:
        return TypeAdapter(field.annotation)
    return TypeAdapter(Annotated[(field.annotation, *field.metadata)])  # type: ignore[misc]


@cache
def _item_adapter(name: str) -> TypeAdapter[Any] | None:
    """Return the adapter of one item of a list or mapping section (None for others)."""
    annotation = Pack.model_fields[name].annotation
    args = get_args(annotation)
    if get_origin(annotation) is list and args:
        return TypeAdapter(args[0])
    if get_origin(annotation) is dict and len(args) == 2:
        return TypeAdapter(args[1])
    return None


# The field that names an item of a list section, for names a broken item still declares.
_ITEM_NAME = {"roles": "code", "priorities": "code", "tiers": "code", "units": "code",
              "sla_policies": "name", "rules": "name"}


def _salvage(name: str, raw: Any) -> Salvaged | None:
    """Return the items of a failed section that validate on their own, with their places."""
    adapter = _item_adapter(name)
    if adapter is None:
        return None
    if isinstance(raw, list):
        kept, where, names = [], [], []
        for i, item in enumerate(raw):
            key = _ITEM_NAME.get(name)
            if isinstance(item, str) and name == "roles":
                names.append(item)
            elif key and isinstance(item, dict) and isinstance(item.get(key), str | int):
                names.append(str(item[key]))
            try:
                kept.append(adapter.validate_python(item))
                where.append(i)
            except ValidationError:
                continue
        return Salvaged(kept, where, names)
    if isinstance(raw, dict):
        valid: dict[Any, Any] = {}
        for key, item in raw.items():
            try:
                valid[key] = adapter.validate_python(item)
            except ValidationError:
                continue
        return Salvaged(valid, list(valid), [str(k) for k in raw])
    return None


def validate_data(data: Any) -> tuple[Pack | None, list[PackError]]:
    """Return the pack for already-parsed ``data`` and every error in it."""
    if not isinstance(data, dict):
        return None, [PackError("", "a pack is a YAML mapping of sections (name:, priorities:...)")]
    errors: list[PackError] = []
    values: dict[str, Any] = {}
    failed: set[str] = set()
    salvaged: dict[str, Salvaged] = {}
    for key in data:
        if key not in Pack.model_fields:
            errors.append(PackError(str(key), "unknown field" + _nearest_field(str(key))))
    for name, field in Pack.model_fields.items():
        if name not in data:
            if field.is_required():
                errors.append(PackError(name, "missing required field"))
                failed.add(name)
            continue
        try:
            values[name] = _section_adapter(name).validate_python(data[name])
        except ValidationError as exc:
            errors.extend(errors_from_validation(exc, (name,)))
            kept = _salvage(name, data[name])
            if kept is None:
                failed.add(name)
            else:
                values[name] = kept.items
                salvaged[name] = kept
    # Sections that failed are left at their defaults and skipped by the reference check.
    values.setdefault("priorities", [])
    partial = Pack.model_construct(**values)
    errors.extend(check_references(partial, failed, salvaged))
    if errors:
        return None, errors
    return Pack.model_validate(data), []


def _nearest_field(key: str) -> str:
    return unknown_suffix(key, list(Pack.model_fields))


def _read(source: str | Path) -> str:
    """Return pack text: ``source`` is a path (``Path`` or a ``.yaml`` name) or YAML text."""
    if isinstance(source, Path) or (
        "\n" not in source and source.strip().endswith((".yaml", ".yml"))
    ):
        try:
            return Path(source).read_text(encoding="utf-8")
        except OSError as exc:
            raise PackInvalid([PackError(str(source), f"cannot read: {exc.strerror}")]) from exc
    return source


def load_pack(source: str | Path) -> Pack:
    """Return the validated pack from a file path or YAML text; raise ``PackInvalid``."""
    pack, errors = validate_data_text(_read(source))
    if errors or pack is None:
        raise PackInvalid(errors)
    return pack


def validate_data_text(text: str) -> tuple[Pack | None, list[PackError]]:
    """Return the pack in YAML ``text`` and its errors (parse, then validate)."""
    data, errors = parse_yaml(text)
    if errors:
        return None, errors
    return validate_data(data)


def check_pack(source: str | Path) -> list[PackError]:
    """Return every error in a pack file (empty when it is valid)."""
    try:
        return validate_data_text(_read(source))[1]
    except PackInvalid as exc:
        return exc.errors


def builtin_pack_names() -> list[str]:
    """Return the names of the packs shipped with Tierdesk (not their scenario files)."""
    return sorted(p.stem for p in PACKS_DIR.glob("*.yaml")
                  if not p.name.endswith(".scenarios.yaml"))


def load_builtin_pack(name: str) -> Pack:
    """Return a shipped pack by name (``dataflow``, ``nexacore``...)."""
    if name not in builtin_pack_names():
        raise PackInvalid([PackError("", f"no built-in pack {name!r}")])
    return load_pack(PACKS_DIR / f"{name}.yaml")
