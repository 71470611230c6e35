"""Run scenario cases through the real ticket, SLA, rules and escalation services of a
throwaway instance, and say what differs in the handbook's words."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from tierdesk import clock
from tierdesk.policy.durations import parse_duration
from tierdesk.policy_tests.instance import STAFF_DOMAIN, Instance
from tierdesk.policy_tests.scenarios import Case, Expect, ScenarioFile, Step
from tierdesk.policy_tests.times import parse_time, show

STATUS_ACTIONS = {"pending": "pending", "open": "open", "on_hold": "on_hold",
                  "solve": "solved", "close": "closed", "reopen": "open"}


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
    """Build the throwaway instance once, then run every case on a fresh copy of it."""
    started, cpu = time.perf_counter(), time.process_time()
    instance = instance or Instance()
    try:
        with clock.frozen_at(parse_time(scenarios.cases[0].ticket.at, "UTC")[0]
                             if scenarios.cases else clock.now()):
            instance.build(pack_source)
        results = []
        for case in scenarios.cases:
            instance.reset()
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
            self.requester = _customer(self.case)
            try:
                ticket = _open_ticket(self.requester, t)
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
                _act(self.ticket_id, step.do, self.requester)
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


def _minutes(n: int) -> str:
    hours, minutes = divmod(n, 60)
    return f"{hours}h{minutes:02d}m" if minutes else f"{hours}h"


_PACK_ROLES: dict[str, str] = {}


def _role(name: str) -> str:
    return _PACK_ROLES.get(name, name)


# -- the instance's side: services in, observations out ----------------------------------
def _customer(case: Case) -> Any:
    from django.contrib.auth import get_user_model

    from tierdesk.customers.models import Contact, Organisation

    c = case.customer
    org = Organisation.objects.create(
        name=c.name or f"{case.name} Ltd", external_id=c.external_id or case.name[:64],
        plan=c.plan, country=c.country, timezone=c.timezone, language=c.language, vip=c.vip)
    user = get_user_model().objects.create(username="customer", email="customer@example.com")
    return Contact.objects.create(organisation=org, user=user, name=f"Customer of {org.name}",
                                  email="customer@example.com", language=c.language)


def _agent_viewer() -> Any:
    from tierdesk.people.access import viewer_for
    from tierdesk.people.models import Agent

    agent = (Agent.objects.filter(tier__isnull=False).order_by("tier__rank", "id").first()
             or Agent.objects.filter(role="agent").first())
    return viewer_for(agent.user)


def _open_ticket(requester: Any, t: Any) -> Any:
    from tierdesk.people.access import viewer_for
    from tierdesk.tickets.services import ticket_create

    by_agent = bool(t.priority or t.category)
    viewer = _agent_viewer() if by_agent else viewer_for(requester.user)
    ticket, _ = ticket_create(viewer=viewer, subject=t.subject, body=t.body,
                              requester=requester, channel=t.channel, priority=t.priority,
                              category=t.category, error_code=t.error_code,
                              language=t.language, tags=t.tags)
    return ticket


def _act(ticket_id: int, do: Any, requester: Any) -> None:
    from tierdesk.escalation.services import required_handoff, ticket_escalate
    from tierdesk.packs.selectors import active_pack
    from tierdesk.people.access import viewer_for
    from tierdesk.tickets import services
    from tierdesk.tickets.models import Ticket

    name, value = (do, None) if isinstance(do, str) else next(iter(do.items()))
    if name == "wait":
        return
    ticket = Ticket.objects.get(pk=ticket_id)
    agent = _agent_viewer()
    if name == "reply":
        services.ticket_reply(ticket=ticket, viewer=agent, body="An agent's answer.")
    elif name == "customer_reply":
        services.ticket_reply(ticket=ticket, viewer=viewer_for(requester.user),
                              body="The customer's answer.")
    elif name == "note":
        services.ticket_add_note(ticket=ticket, viewer=agent, body="An internal note.")
    elif name in STATUS_ACTIONS:
        services.ticket_update(ticket=ticket, viewer=agent,
                               changes={"status": STATUS_ACTIONS[name]})
    elif name == "set":
        services.ticket_update(ticket=ticket, viewer=agent, changes=dict(value or {}))
    elif name == "escalate":
        spec = value if isinstance(value, dict) else {"to": value}
        from_tier = ticket.tier.code if ticket.tier_id else None
        needed = required_handoff(active_pack(), from_tier or _first_tier(), spec["to"])
        ticket_escalate(ticket=ticket, viewer=agent, to=spec["to"],
                        criteria=list(spec.get("criteria") or []),
                        handoff={f: f"{f} (policy test)" for f in needed},
                        note="policy test")


def _first_tier() -> str | None:
    from tierdesk.packs.selectors import active_pack

    pack = active_pack()
    return pack.tiers[0].code if pack and pack.tiers else None


def sweep(now: datetime) -> None:
    """What a server's sweeps would have done by ``now``: every periodic job but mail
    delivery, then the SLA breach actions the SLA sweep queued (credits, apologies,
    notifications). Mail, Slack, Jira and webhooks stay in the outbox, where the checks
    read them; nothing is sent."""
    from tierdesk.jobs import registry
    from tierdesk.jobs.scheduler import SENDING_JOBS
    from tierdesk.outbox.models import OutboxMessage
    from tierdesk.outbox.registry import handler_for
    from tierdesk.sla.sweep import ACTIONS_KIND

    for name in registry.periodic_names():
        if name not in SENDING_JOBS:
            registry.run(name, now=now)
    for message in OutboxMessage.objects.filter(kind=ACTIONS_KIND,
                                                state=OutboxMessage.State.PENDING):
        handler_for(ACTIONS_KIND)(message)
        OutboxMessage.objects.filter(pk=message.pk).update(
            state=OutboxMessage.State.DELIVERED, delivered_at=now)


def observe(ticket_id: int) -> dict[str, Any]:
    """What a person would see of the ticket now: fields, clocks, mail, events."""
    from tierdesk.outbox.models import OutboxMessage
    from tierdesk.sla.models import SlaTarget
    from tierdesk.tickets.models import Ticket, TicketEvent

    ticket = Ticket.objects.select_related("tier", "requester").get(pk=ticket_id)
    events = list(TicketEvent.objects.filter(ticket_id=ticket_id).order_by("id")
                  .values_list("type", "data"))
    targets = [data for kind, data in events if kind == "sla_targets_set"]
    last = targets[-1] if targets else {}
    clocks = {row.metric: {"due": row.due_at, "state": row.state,
                           "breached": row.breached_at is not None,
                           "target_minutes": row.target_minutes}
              for row in SlaTarget.objects.filter(ticket_id=ticket_id)}
    mail = list(OutboxMessage.objects.filter(ticket_id=ticket_id, kind="email")
                .order_by("id").values_list("payload", flat=True))
    roles = _staff_roles()
    customer = ticket.requester.email
    notified = {roles[to] for m in mail if str(m.get("template", "")).startswith("notify:")
                for to in m.get("to", []) if to.endswith(f"@{STAFF_DOMAIN}") and to in roles}
    return {
        "priority": ticket.priority, "category": ticket.category, "status": ticket.status,
        "tier": ticket.tier.code if ticket.tier_id else None, "tags": list(ticket.tags),
        "policy": last.get("policy"), "calendar": (last.get("calendar") or {}).get("name"),
        "clocks": clocks,
        "escalated_to": [d.get("to") for k, d in events if k == "escalated"],
        "templates": [m.get("template") for m in mail if customer in m.get("to", [])
                      and m.get("template") and m.get("template") != "agent_reply"],
        "credits": [d.get("amount") for k, d in events if k == "credit_issued"],
        "rules_fired": [d.get("rule") for k, d in events if k == "rule_fired"],
        "notified": notified,
    }


_ROLES_BY_EMAIL: dict[str, str] = {}


def _staff_roles() -> dict[str, str]:
    """The staff's roles by email: the same in every copy of the template, read once."""
    from tierdesk.people.models import Agent

    if not _ROLES_BY_EMAIL:
        _ROLES_BY_EMAIL.update(Agent.objects.values_list("user__email", "role"))
    return _ROLES_BY_EMAIL


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
