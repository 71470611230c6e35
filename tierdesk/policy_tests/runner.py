"""Run scenario cases through the real ticket, SLA, rules, escalation, survey and refund
services of a throwaway instance, and say what differs in the handbook's words."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from tierdesk import clock
from tierdesk.policy.durations import parse_duration
from tierdesk.policy_tests.actions import act, customer, open_ticket, sweep
from tierdesk.policy_tests.instance import Instance
from tierdesk.policy_tests.observe import observe, refunds_of, tasks_of
from tierdesk.policy_tests.scenarios import (
    Case,
    Expect,
    RefundExpect,
    ScenarioFile,
    Step,
    TaskExpect,
)
from tierdesk.policy_tests.times import parse_time, show


@dataclass
class CaseResult:
    name: str
    handbook: str
    failures: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.failures


@dataclass
class RunResult:
    cases: list[CaseResult]
    seconds: float
    cpu_seconds: float = 0.0

    @property
    def failed(self) -> list[CaseResult]:
        return [c for c in self.cases if not c.passed]


def run_scenarios(pack_source: str, scenarios: ScenarioFile,
                  instance: Instance | None = None) -> RunResult:
    """Build the throwaway instance once, then run every case in a transaction rolled
    back after it."""
    started, cpu = time.perf_counter(), time.process_time()
    instance = instance or Instance()
    try:
        with clock.frozen_at(parse_time(scenarios.cases[0].ticket.at, "UTC")[0]
                             if scenarios.cases else clock.now()):
            instance.build(pack_source)
        results = []
        for case in scenarios.cases:
            with instance.case():
                results.append(_run_case(case))
    finally:
        instance.cleanup()
    return RunResult(results, time.perf_counter() - started, time.process_time() - cpu)


class _Stop(Exception):
    """A step failed in a way that makes the rest of the case meaningless."""


def _run_case(case: Case) -> CaseResult:
    result = CaseResult(case.name, case.handbook)
    try:
        _CaseRun(case, result).run()
    except _Stop as exc:
        result.failures.append(f"{case.name}: {exc}")
    return result


class _CaseRun:
    def __init__(self, case: Case, result: CaseResult) -> None:
        self.case = case
        self.result = result
        self.tz = case.customer.timezone
        self.ticket_id: int | None = None

    def fail(self, text: str) -> None:
        self.result.failures.append(f"{self.case.name}: {text}")

    def at(self, text: str) -> datetime:
        return parse_time(text, self.tz)[0]

    # -- the story -------------------------------------------------------------------
    def run(self) -> None:
        from tierdesk.common.errors import ServiceError

        t = self.case.ticket
        now = self.at(t.at)
        with clock.frozen_at(now):
            self.requester = customer(self.case)
            try:
                ticket = open_ticket(self.requester, t)
            except ServiceError as exc:
                if t.refused is not None and t.refused.lower() in exc.message.lower():
                    return
                expected = f" (expected a refusal saying {t.refused!r})" if t.refused else ""
                raise _Stop(f"the ticket was refused at {show(now, self.tz)}: "
                            f"{exc.message}{expected}") from None
        if t.refused is not None:
            raise _Stop(f"expected the ticket to be refused ({t.refused!r}), but it was "
                        f"opened as #{ticket.pk} ({ticket.priority})")
        self.ticket_id = ticket.pk
        if self.case.expect is not None:
            with clock.frozen_at(now):
                self.check(self.case.expect, f"on arrival {show(now, self.tz)}")
        for i, step in enumerate(self.case.then):
            self.step(i, step)

    def step(self, i: int, step: Step) -> None:
        from tierdesk.common.errors import ServiceError

        now = self.at(step.at)
        with clock.frozen_at(now):
            sweep(now)
            label = step.do if isinstance(step.do, str) else next(iter(step.do))
            try:
                act(self.ticket_id, step.do, self.requester, _role)
            except ServiceError as exc:
                if step.refused is None or step.refused.lower() not in exc.message.lower():
                    wanted = f" (expected a refusal saying {step.refused!r})" \
                        if step.refused else ""
                    raise _Stop(f"then[{i}] {label} at {show(now, self.tz)} was refused: "
                                f"{exc.message}{wanted}") from None
            else:
                if step.refused is not None:
                    self.fail(f"then[{i}] {label} at {show(now, self.tz)} expected a "
                              f"refusal saying {step.refused!r}, but it was done")
            if step.expect is not None:
                self.check(step.expect, f"after {label} at {show(now, self.tz)}")

    # -- expectations ------------------------------------------------------------------
    def check(self, expect: Expect, when: str) -> None:
        seen = observe(self.ticket_id)
        context = f"(policy {seen['policy'] or 'none'}, calendar {seen['calendar'] or 'none'})"
        for name in ("priority", "category", "status", "tier", "policy", "calendar"):
            wanted = getattr(expect, name)
            if wanted is not None and str(seen[name]) != str(wanted):
                self.fail(f"{name} expected {wanted}, got {seen[name] or 'none'} {when}")
        for metric, want in expect.clocks.items():
            got = seen["clocks"].get(metric)
            self._check_clock(metric, want, got, when, context)
        if expect.tags is not None:
            missing = [tag for tag in expect.tags if tag not in seen["tags"]]
            if missing:
                self.fail(f"tags expected {', '.join(missing)} {when}; the ticket has "
                          f"{', '.join(seen['tags']) or 'no tags'}")
        for name in ("escalated_to", "templates", "credits"):
            wanted = getattr(expect, name)
            if wanted is not None and list(seen[name]) != list(wanted):
                self.fail(f"{name.replace('_', ' ')} expected {_items(wanted)}, got "
                          f"{_items(seen[name])} {when} {context}")
        if expect.notified is not None:
            missing = [r for r in expect.notified if _role(r) not in seen["notified"]]
            if missing:
                self.fail(f"notified expected {_items(missing)}, got "
                          f"{_items(sorted(seen['notified']))} {when}")
        if expect.not_notified is not None:
            extra = [r for r in expect.not_notified if _role(r) in seen["notified"]]
            if extra:
                self.fail(f"expected nobody notified of role {_items(extra)} {when}, "
                          f"but they were")
        if expect.rules_fired is not None:
            missing = [r for r in expect.rules_fired if r not in seen["rules_fired"]]
            if missing:
                self.fail(f"rules fired expected {_items(missing)}, got "
                          f"{_items(seen['rules_fired'])} {when}")
        if expect.rules_not_fired is not None:
            extra = [r for r in expect.rules_not_fired if r in seen["rules_fired"]]
            if extra:
                self.fail(f"expected rule {_items(extra)} not to fire {when}, but it did")
        if expect.refunds is not None:
            self._check_refunds(expect.refunds, when)
        if expect.tasks is not None:
            self._check_tasks(expect.tasks, when)

    def _check_refunds(self, wanted: list[RefundExpect], when: str) -> None:
        """``refunds expected [$1500 refund routed to finance_director], got [$1,500
        refund approved by support_manager under refunds.limits[1] (...)]``."""
        got = refunds_of(self.ticket_id)
        matches = len(got) == len(wanted) and all(
            _refund_matches(w, g) for w, g in zip(wanted, got, strict=True))
        if not matches:
            shown = [f"{g} under {g.rule}" for g in got]
            currency = got[0].currency if got else _pack_currency()
            self.fail(f"refunds expected {_items(_refund_text(w, currency) for w in wanted)}, got "
                      f"{_items(shown)} {when}")

    def _check_tasks(self, wanted: list[TaskExpect], when: str) -> None:
        """``tasks expected [support_manager due Tue 2026-12-01 22:00 EST], got none``."""
        got = tasks_of(self.ticket_id)
        dues = [parse_time(w.due, self.tz) if w.due else (None, self.tz) for w in wanted]
        matches = len(got) == len(wanted) and all(
            (w.role is None or _role(w.role) == g.role) and (d is None or d == g.due)
            and (w.source is None or w.source == g.source)
            and (w.done is None or w.done == g.done)
            for w, (d, _), g in zip(wanted, dues, got, strict=True))
        if not matches:
            zone = dues[0][1] if dues else self.tz
            expected = [" ".join(p for p in (w.role or "a task", f"due {show(d, z)}" if d
                                             else "", f"({w.source})" if w.source else "",
                                             {True: "done", False: "open"}.get(w.done, ""))
                                 if p) for w, (d, z) in zip(wanted, dues, strict=True)]
            shown = [f"{g.role or 'nobody'} due {show(g.due, zone)} ({g.source}: {g.title})"
                     f"{' done' if g.done else ''}" for g in got]
            self.fail(f"tasks expected {_items(expected)}, got {_items(shown)} {when}")

    def _check_clock(self, metric: str, want: Any, got: dict | None, when: str,
                     context: str) -> None:
        if got is None:
            if want.state != "none":
                self.fail(f"{metric} expected a clock {when}, got none {context}")
            return
        if want.state == "none":
            self.fail(f"{metric} expected no clock {when}, got one ({got['state']}) {context}")
            return
        if want.due is not None:
            due, zone = parse_time(want.due, self.tz)
            if got["due"] != due:
                self.fail(f"{metric} due expected {show(due, zone)}, got "
                          f"{show(got['due'], zone)} {context}")
        if want.state is not None and got["state"] != want.state:
            self.fail(f"{metric} state expected {want.state}, got {got['state']} {when} "
                      f"{context}")
        if want.breached is not None and got["breached"] != want.breached:
            self.fail(f"{metric} expected {'breached' if want.breached else 'not breached'}"
                      f" {when}, got {'breached' if got['breached'] else 'not breached'} "
                      f"{context}")
        if want.target is not None:
            minutes = int(parse_duration(want.target).total_seconds() // 60)
            if got["target_minutes"] != minutes:
                self.fail(f"{metric} target expected {want.target}, got "
                          f"{_minutes(got['target_minutes'])} {context}")


def _items(values: Any) -> str:
    values = list(values)
    return ("[" + ", ".join(f"{v:g}" if isinstance(v, float) else str(v) for v in values)
            + "]") if values else "none"


def _refund_matches(want: RefundExpect, got: Any) -> bool:
    return ((want.amount is None or want.amount == got.amount)
            and (want.kind is None or want.kind == got.kind)
            and (want.status is None or want.status == got.status)
            and (want.to is None or _role(want.to) == got.to)
            and (want.by is None or _role(want.by) == got.by))


def _refund_text(want: RefundExpect, currency: str) -> str:
    """``$149 refund approved by agent``: the expectation in the words it is shown in."""
    from tierdesk.refunds.ladder import to_minor
    from tierdesk.refunds.services import money

    amount = ""
    if want.amount is not None:
        try:
            amount = money(to_minor(want.amount, currency), currency)
        except ValueError:  # more decimals than the currency has: shown as written
            amount = f"{want.amount:g} {currency}"
    parts = [amount, want.kind or "", want.status or "",
             f"to {want.to}" if want.to else "", f"by {want.by}" if want.by else ""]
    return " ".join(p for p in parts if p)


def _pack_currency() -> str:
    from tierdesk.packs.selectors import active_pack

    pack = active_pack()
    return pack.refunds.currency if pack is not None and pack.refunds else "USD"


def _minutes(n: int) -> str:
    hours, minutes = divmod(n, 60)
    return f"{hours}h{minutes:02d}m" if minutes else f"{hours}h"


_PACK_ROLES: dict[str, str] = {}


def _role(name: str) -> str:
    return _PACK_ROLES.get(name, name)


def set_pack_roles(pack: Any) -> None:
    """Map the pack's own role names (``cto``, based on director) to the platform's."""
    _PACK_ROLES.clear()
    for r in pack.roles:
        code = getattr(r, "code", r)
        _PACK_ROLES[code] = getattr(r, "based_on", None) or code


def format_result(result: RunResult, label: str, verbose: bool = False) -> str:
    lines = []
    for case in result.cases:
        if case.passed:
            if verbose:
                lines.append(f"ok    {case.name}")
        else:
            lines.extend(f"FAIL  {failure}" for failure in case.failures)
    passed = len(result.cases) - len(result.failed)
    lines.append(f"{label}: {passed} of {len(result.cases)} case(s) pass, "
                 f"{len(result.failed)} fail ({result.seconds:.1f} s, "
                 f"{result.cpu_seconds:.1f} s CPU)")
    return "\n".join(lines)
