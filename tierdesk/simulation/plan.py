"""The staffing plan: who works when, which tiers and languages, and how long tickets take
when there is no history to learn it from (pure: no Django).

```yaml
name: November rota
timezone: Europe/London          # of the shifts (default: the pack's)
agents:
  - name: l1-early
    count: 6
    tier: L1
    languages: [en, es]
    shift: {days: mon-fri, hours: "07:00-15:00"}
  - {name: eng, count: 2, tier: ENG, shift: {days: mon-sun, hours: "00:00-24:00"}}
handling:                        # used when the history has no example
  mean: 30m
  distribution: exponential      # or fixed
  by_priority: {P0: 2h, P1: 1h}
  cap: 4h                        # longest handling believed from history
```
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from tierdesk.policy.durations import parse_duration

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _seconds(value: object) -> float:
    return parse_duration(value).total_seconds()


def _days(text: str) -> tuple[int, ...]:
    out: list[int] = []
    for part in str(text).lower().replace(" ", "").split(","):
        if "-" in part:
            a, b = part.split("-", 1)
            if a not in DAY_NAMES or b not in DAY_NAMES:
                raise ValueError(f"unknown day in {text!r}; use {', '.join(DAY_NAMES)}")
            i, j = DAY_NAMES.index(a), DAY_NAMES.index(b)
            out += list(range(i, j + 1)) if i <= j else [*range(i, 7), *range(0, j + 1)]
        elif part in DAY_NAMES:
            out.append(DAY_NAMES.index(part))
        else:
            raise ValueError(f"unknown day {part!r}; use {', '.join(DAY_NAMES)}")
    return tuple(sorted(set(out)))


class Shift(_Strict):
    days: str = "mon-fri"
    hours: str = "09:00-17:00"

    @field_validator("days")
    @classmethod
    def _valid_days(cls, value: str) -> str:
        _days(value)
        return value

    @field_validator("hours")
    @classmethod
    def _valid_hours(cls, value: str) -> str:
        start, end = _span(value)
        if not 0 <= start < end <= 24 * 3600:
            raise ValueError(f"hours {value!r} must be HH:MM-HH:MM within one day")
        return value

    def day_numbers(self) -> tuple[int, ...]:
        return _days(self.days)

    def seconds(self) -> tuple[int, int]:
        return _span(self.hours)


def _span(text: str) -> tuple[int, int]:
    try:
        a, b = str(text).replace(" ", "").split("-")
        ha, ma = (int(x) for x in a.split(":"))
        hb, mb = (int(x) for x in b.split(":"))
    except ValueError:
        raise ValueError(f"hours {text!r}: write them like 09:00-17:00") from None
    return ha * 3600 + ma * 60, hb * 3600 + mb * 60


class AgentGroup(_Strict):
    name: str
    count: int = Field(ge=0)
    tier: str | None = None          # None: takes tickets of any tier
    languages: list[str] = Field(default_factory=list)  # empty: every language
    shift: Shift = Field(default_factory=Shift)


class Handling(_Strict):
    mean: str = "30m"
    distribution: Literal["exponential", "fixed"] = "exponential"
    by_priority: dict[str, str] = Field(default_factory=dict)
    by_category: dict[str, str] = Field(default_factory=dict)
    cap: str = "4h"

    @field_validator("mean", "cap")
    @classmethod
    def _duration(cls, value: str) -> str:
        _seconds(value)
        return value

    def mean_for(self, priority: str | None, category: str | None) -> float:
        if priority in self.by_priority:
            return _seconds(self.by_priority[priority])
        if category in self.by_category:
            return _seconds(self.by_category[category])
        return _seconds(self.mean)


class StaffingPlan(_Strict):
    name: str = "plan"
    timezone: str | None = None
    agents: list[AgentGroup]
    handling: Handling = Field(default_factory=Handling)


class PlanInvalid(Exception):
    def __init__(self, errors: list[str]) -> None:
        super().__init__("; ".join(errors))
        self.errors = errors


def load_plan(source: str | Path) -> StaffingPlan:
    text = Path(source).read_text(encoding="utf-8") if isinstance(source, Path) else source
    try:
        return StaffingPlan.model_validate(yaml.safe_load(text))
    except yaml.YAMLError as exc:
        raise PlanInvalid([f"not YAML: {exc}"]) from None
    except ValidationError as exc:
        errors = []
        for e in exc.errors():
            path = ""
            for part in e["loc"]:
                path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else part)
            errors.append(f"{path}: {e['msg']}")
        raise PlanInvalid(errors) from None
