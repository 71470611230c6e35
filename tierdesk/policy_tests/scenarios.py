"""The scenario file: a pack's promises written as cases (pure: no Django).

```yaml
pack: dataflow.yaml            # optional; the CLI names the pack
cases:
  - name: enterprise-p1-weekend
    handbook: "| Enterprise | 1 hr | 4 hr | 12 hr| 24 hr|"
    customer: {plan: Enterprise, country: GB, timezone: Europe/London}
    ticket: {at: Sat 2026-11-28 10:00, channel: email, error_code: SSO-9001,
             subject: "SSO-9001: Login failure"}
    expect:
      priority: P1
      policy: Enterprise
      clocks: {first_response: {due: Mon 2026-11-30 13:00, state: running}}
    then:
      - {at: Mon 2026-11-30 12:00, do: reply, expect: {clocks: {first_response: {state: met}}}}
```

Times without a zone are in the customer's zone. ``then`` steps move the simulated clock
forward; every step first lets the periodic sweeps run at its time (as a server would
have), then does its action, then checks what it expects.

Steps (``do``): ``reply``, ``customer_reply``, ``note``, ``pending``, ``open``,
``on_hold``, ``solve``, ``close``, ``reopen``, ``wait`` (the default: time passing),
``{escalate: ENG}``, ``{set: {priority: P0}}``, and the money and satisfaction steps:

```yaml
      # The customer answers the survey mailed after the solve (its link, as a click);
      # refused ("no satisfaction survey was mailed") before the pack's send_after passed.
      - {at: Tue 2026-12-01 10:00, do: {survey: {score: 2, comment: "Too slow"}},
         expect: {tasks: [{role: support_manager, due: Tue 2026-12-01 22:00}],
                  templates: [initial_response, csat_survey, low_satisfaction_follow_up],
                  credits: [100]}}
      # A refund, credit or cancellation documented by a role (default agent; amount in
      # the pack's currency unless ``currency`` says otherwise): approved at once when
      # that role's ladder line allows it, else routed, with a task, to the level that may.
      - {at: Mon 2026-11-23 11:00,
         do: {refund: {amount: 149, days_since_charge: 45, reason: "Unused", by: agent}},
         expect: {refunds: [{status: routed, to: support_manager}],
                  tasks: [{role: support_manager, source: refunds}]}}
      # The ticket's latest routed request, decided by a role (a note for a refusal).
      - {at: Mon 2026-11-23 12:00, do: {approve_refund: support_manager},
         expect: {refunds: [{status: approved, by: support_manager}]}}
      - {at: Mon 2026-11-23 12:00, do: {refuse_refund: {by: finance_director, note: "..."}}}
```

``refund`` takes ``amount``, ``days_since_charge``, ``reason``, ``by``, and optionally
``kind`` (refund, credit, cancellation), ``currency`` and ``contract_dispute``.
``expect.refunds`` lists every request on the ticket in order (each with any of
``amount``, ``kind``, ``status`` approved|routed|refused, ``to``: the deciding level,
``by``: who decided); ``expect.tasks`` every task opened on the ticket in order (``role``,
``due``, ``source``, ``done``).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from tierdesk.policy_tests.times import BadTime, parse_time

ACTIONS = ("reply", "customer_reply", "note", "pending", "open", "on_hold", "solve", "close",
           "reopen", "escalate", "set", "wait", "survey", "refund", "approve_refund",
           "refuse_refund")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Customer(_Strict):
    plan: str = ""
    country: str = ""
    timezone: str = "UTC"
    vip: bool = False
    language: str = "en"
    external_id: str | None = None
    name: str | None = None


class TicketIn(_Strict):
    at: str
    channel: str = "email"
    subject: str = "Support request"
    body: str = "See the subject."
    error_code: str = ""
    priority: str = ""
    category: str = ""
    language: str = ""
    tags: list[str] = Field(default_factory=list)
    refused: str | None = None  # expect the ticket to be refused, with this in the message


class ClockExpect(_Strict):
    due: str | None = None
    state: Literal["running", "paused", "met", "stopped", "none"] | None = None
    breached: bool | None = None
    target: str | None = None  # "4h", "1h30m"


class RefundExpect(_Strict):
    """A refund request as the ladder left it; only the fields given are compared."""

    amount: float | None = None
    kind: Literal["refund", "credit", "cancellation"] | None = None
    status: Literal["approved", "routed", "refused"] | None = None
    to: str | None = None  # the level that decides it (routed to)
    by: str | None = None  # who approved or refused it


class TaskExpect(_Strict):
    """A task opened on the ticket; only the fields given are compared."""

    role: str | None = None
    due: str | None = None
    source: str | None = None  # the app that made it: surveys, refunds
    done: bool | None = None


class Expect(_Strict):
    priority: str | None = None
    category: str | None = None
    status: str | None = None
    tier: str | None = None
    policy: str | None = None
    calendar: str | None = None
    tags: list[str] | None = None          # each present
    clocks: dict[str, ClockExpect] = Field(default_factory=dict)
    escalated_to: list[str] | None = None  # every escalation so far, in order
    notified: list[str] | None = None      # roles notified so far (each at least once)
    not_notified: list[str] | None = None
    templates: list[str] | None = None     # templates mailed to the customer, in order
    credits: list[float] | None = None     # credits issued, in order
    rules_fired: list[str] | None = None   # each fired at least once so far
    rules_not_fired: list[str] | None = None
    refunds: list[RefundExpect] | None = None  # every refund request so far, in order
    tasks: list[TaskExpect] | None = None      # every task opened on the ticket, in order


class SurveyStep(_Strict):
    score: int
    comment: str = ""


class RefundStep(_Strict):
    amount: float | str
    days_since_charge: int | None = None
    reason: str = "Requested by the customer (policy test)"
    by: str = "agent"
    kind: Literal["refund", "credit", "cancellation"] = "refund"
    currency: str | None = None  # default: the pack's refunds currency
    contract_dispute: bool = False


class DecisionStep(_Strict):
    by: str
    note: str = ""

    @classmethod
    def of(cls, value: Any) -> DecisionStep:
        """``approve_refund: support_manager`` or ``{by: support_manager, note: ...}``."""
        return cls(by=value) if isinstance(value, str) else cls.model_validate(value)


STEP_VALUES = {"survey": SurveyStep.model_validate, "refund": RefundStep.model_validate,
               "approve_refund": DecisionStep.of, "refuse_refund": DecisionStep.of}


class Step(_Strict):
    at: str
    do: str | dict[str, Any] = "wait"
    refused: str | None = None  # expect the action to be refused, with this in the message
    expect: Expect | None = None

    @field_validator("do")
    @classmethod
    def _known_action(cls, value: str | dict[str, Any]) -> str | dict[str, Any]:
        name = value if isinstance(value, str) else (next(iter(value)) if len(value) == 1
                                                     else None)
        if name not in ACTIONS:
            raise ValueError(f"unknown action {value!r}; use one of {', '.join(ACTIONS)} "
                             f"(escalate and set take a value: {{escalate: ENG}}, "
                             f"{{set: {{priority: P0}}}})")
        if name in STEP_VALUES:
            if isinstance(value, str):
                raise ValueError(f"{name} needs a value, e.g. {_EXAMPLES[name]}")
            try:
                STEP_VALUES[name](value[name])
            except ValidationError as exc:
                raise ValueError(f"{name}: " + "; ".join(
                    f"{_path(e['loc']) or 'value'}: {e['msg']}" for e in exc.errors())
                    + f" (e.g. {_EXAMPLES[name]})") from None
        return value


_EXAMPLES = {"survey": "{survey: {score: 2, comment: ...}}",
             "refund": "{refund: {amount: 149, days_since_charge: 10, reason: ..., by: agent}}",
             "approve_refund": "{approve_refund: support_manager}",
             "refuse_refund": "{refuse_refund: {by: support_manager, note: ...}}"}


class Case(_Strict):
    name: str
    handbook: str = Field(min_length=3)  # the handbook line the case checks, quoted
    customer: Customer = Field(default_factory=Customer)
    ticket: TicketIn
    expect: Expect | None = None
    then: list[Step] = Field(default_factory=list)


class ScenarioFile(_Strict):
    pack: str | None = None
    cases: list[Case]


class ScenarioInvalid(Exception):
    def __init__(self, errors: list[str]) -> None:
        super().__init__("; ".join(errors))
        self.errors = errors


def _path(loc: tuple) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def load_scenarios(source: str | Path) -> ScenarioFile:
    """Parse and check a scenario file; every mistake is reported with its path."""
    text = Path(source).read_text(encoding="utf-8") if isinstance(source, Path) else source
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ScenarioInvalid([f"not YAML: {exc}"]) from None
    try:
        scenarios = ScenarioFile.model_validate(data)
    except ValidationError as exc:
        raise ScenarioInvalid([f"{_path(e['loc'])}: {e['msg']}" for e in exc.errors()]) \
            from None
    errors = _time_errors(scenarios)
    names = [c.name for c in scenarios.cases]
    errors += [f"cases: the name {n!r} is used twice" for n in sorted(set(names))
               if names.count(n) > 1]
    if errors:
        raise ScenarioInvalid(errors)
    return scenarios


def _time_errors(scenarios: ScenarioFile) -> list[str]:
    """Every time must parse, and the steps of a case must move forward."""
    errors: list[str] = []
    for i, case in enumerate(scenarios.cases):
        tz = case.customer.timezone
        where = f"cases[{i}]"

        def check(text: str | None, path: str, tz: str = tz) -> datetime | None:
            if text is None:
                return None
            try:
                return parse_time(text, tz)[0]
            except BadTime as exc:
                errors.append(f"{path}: {exc}")
                return None

        last = check(case.ticket.at, f"{where}.ticket.at")
        for metric, c in (case.expect.clocks if case.expect else {}).items():
            check(c.due, f"{where}.expect.clocks.{metric}.due")
        for k, task in enumerate((case.expect.tasks or []) if case.expect else []):
            check(task.due, f"{where}.expect.tasks[{k}].due")
        for j, step in enumerate(case.then):
            at = check(step.at, f"{where}.then[{j}].at")
            if at is not None and last is not None and at < last:
                errors.append(f"{where}.then[{j}].at: {step.at} is before the step before it;"
                              f" the simulated clock only moves forward")
            last = at or last
            for metric, c in (step.expect.clocks if step.expect else {}).items():
                check(c.due, f"{where}.then[{j}].expect.clocks.{metric}.due")
            for k, task in enumerate((step.expect.tasks or []) if step.expect else []):
                check(task.due, f"{where}.then[{j}].expect.tasks[{k}].due")
    return errors


def scenario_file_for(pack_path: Path) -> Path:
    """``packs/dataflow.yaml`` -> ``packs/dataflow.scenarios.yaml``."""
    return pack_path.with_name(f"{pack_path.stem}.scenarios.yaml")
