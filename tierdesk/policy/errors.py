"""Errors a policy pack can have, each pinned to the place in the file that is wrong.

A support manager fixes a pack from the error list alone, so every error carries a path
in the pack (``sla_policies[2].targets.first_response.P5``) and a plain message, and a
check reports all of them at once instead of stopping at the first.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from .suggest import unknown_message


@dataclass(frozen=True, order=True)
class PackError:
    """One problem in a pack: where it is (``path``) and what is wrong (``message``)."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class PackInvalid(Exception):  # noqa: N818 - the name reads as the verdict: "pack invalid"
    """Raised by ``load_pack`` with every error found, so callers can show them all."""

    def __init__(self, errors: Iterable[PackError]) -> None:
        self.errors: list[PackError] = list(errors)
        super().__init__("\n".join(str(e) for e in self.errors))


def loc_to_path(loc: Iterable[Any]) -> str:
    """Return a pydantic ``loc`` tuple as a pack path: ints as ``[i]``, names as ``.name``.

    Pydantic appends ``[key]`` to the location of a bad dictionary *key*; the key itself
    is already the previous element, so the marker is dropped.
    """
    path = ""
    for part in loc:
        if part == "[key]":
            continue
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else str(part)
    return path


def _message(err: dict[str, Any]) -> str:
    kind = err["type"]
    if kind == "extra_forbidden":
        return "unknown field"
    if kind == "missing":
        return "missing required field"
    msg: str = err["msg"]
    if kind == "literal_error" and isinstance(err.get("input"), str):
        # "Input should be 'created', 'updated' or 'time'": name the nearest and list them.
        valid = re.findall(r"'([^']*)'", str(err.get("ctx", {}).get("expected", "")))
        return unknown_message("value", err["input"], valid)
    if kind == "value_error":
        return msg.removeprefix("Value error, ")
    value = err.get("input")
    if isinstance(value, str | int | float | bool) and value is not None:
        return f"{msg} (got {value!r})"
    return msg


def errors_from_validation(exc: ValidationError, prefix: tuple[Any, ...] = ()) -> list[PackError]:
    """Return a pydantic ``ValidationError`` as ``PackError``s under ``prefix``."""
    return [PackError(loc_to_path(prefix + tuple(e["loc"])), _message(e)) for e in exc.errors()]
