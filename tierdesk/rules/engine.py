"""The rules engine: the pack's triggers (on created/updated/replied/SLA/survey events)
and automations (``on: time``, run by the sweep), like Zendesk's.

1. A rule fires when its event happens and its condition holds, once per *episode*: it
   may fire again only after its condition has been false (unless ``repeat: true``).
2. Actions that change the ticket raise an ``updated`` event that runs the rules again,
   in the same cascade; a rule fires at most once per cascade, and a cascade stops after
   ``MAX_PASSES``, so two rules that undo each other cannot loop.
3. Every firing is a ``rule_fired`` event naming the rule and what it did.
"""

import contextvars
import functools
import logging
from datetime import datetime
from typing import Any

from tierdesk.common import prepared
from tierdesk.packs.selectors import active_pack
from tierdesk.rules.actions import run_actions
from tierdesk.rules.compiled import compiled_for
from tierdesk.rules.facts import rule_facts, thresholds
from tierdesk.rules.models import RuleState
from tierdesk.sla.calendars import calendar_for_spec
from tierdesk.tickets import batch, events
from tierdesk.tickets.models import Ticket, TicketEvent

log = logging.getLogger(__name__)
MAX_PASSES = 8
# The cascade running for a ticket in this context: nested events join it, never recurse.
_running: contextvars.ContextVar[dict[int, list[str]] | None] = contextvars.ContextVar(
    "rules_cascade", default=None)
# Facts the event brings that the ticket does not hold (a survey's score), for its cascade.
_event_facts: contextvars.ContextVar[dict[str, Any] | None] = contextvars.ContextVar(
    "rules_event_facts", default=None)


def on_event(*, ticket: Ticket, event: str, now: datetime, fresh: bool = False,
             facts: dict[str, Any] | None = None) -> None:
    """Run the pack's rules for ``event`` on ``ticket`` (inside the caller's transaction);
    ``fresh`` (a ticket created in this transaction) has no rule states to read;
    ``facts`` are what the event adds to the ticket's own (a survey's ``score``)."""
    running = _running.get()
    if running is not None and ticket.pk in running:
        running[ticket.pk].append(event)
        return
    pack = active_pack()
    if pack is None or not pack.rules:
        return
    token = _running.set({**(running or {}), ticket.pk: [event]})
    extra = _event_facts.set(facts or None)
    try:
        _cascade(pack, ticket, now, fresh)
    finally:
        _event_facts.reset(extra)
        _running.reset(token)


def _calendar(ticket: Ticket) -> Any:
    batch.flush_events()
    spec = (TicketEvent.objects.filter(ticket=ticket, type="sla_targets_set")
            .order_by("-id").values_list("data", flat=True).first())
    return calendar_for_spec(spec["calendar"]) if spec and spec.get("calendar") else None


@functools.cache
def _states_statement(vendor: str) -> tuple[str, prepared.Columns]:
    from django.db import connection

    cols = prepared.Columns(RuleState, "r")
    table = connection.ops.quote_name(RuleState._meta.db_table)
    return f"SELECT {cols.sql} FROM {table} r WHERE r.ticket_id = %s", cols


def _states_of(ticket_id: int) -> list[RuleState]:
    """One ticket's rule states, a prepared statement: every change to a ticket reads them
    (a reply, a chat line), where compiling the ORM's query cost more than running it."""
    from django.db import connection

    sql, cols = _states_statement(connection.vendor)
    return [cols.build(row) for row in prepared.fetch_all(sql, [ticket_id])]


def _cascade(pack: Any, ticket: Ticket, now: datetime, fresh: bool = False) -> None:
    queue = _running.get()[ticket.pk]
    fired: set[str] = set()
    preloaded = batch.memo().get(_STATES)  # a sweep batch reads every ticket's at once
    if fresh:
        states = {}
    elif preloaded is not None and ticket.pk in preloaded:
        states = preloaded[ticket.pk]
    else:
        states = {s.rule: s for s in _states_of(ticket.pk)}
    calendar = _calendar(ticket) if any(r.business_time for r in pack.rules) else None
    compiled = compiled_for(pack.rules)  # compiled once per pack version per process
    passes = 0
    changed: set[str] = set()  # rule states to write when the cascade ends
    while queue:
        event = queue.pop(0)
        passes += 1
        if passes > MAX_PASSES:
            events.record(ticket, "rule_loop_stopped", None, now, pending=[event, *queue],
                          passes=MAX_PASSES)
            log.warning("rules cascade stopped after %s passes", MAX_PASSES,
                        extra={"ticket_id": ticket.pk})
            queue.clear()
            break
        facts = rule_facts(ticket, now)
        business = rule_facts(ticket, now, calendar) if calendar is not None else None
        extra = _event_facts.get()
        if extra:
            facts.update(extra)
            if business is not None:
                business.update(extra)
        # Conditions of every rule (not only those listening): a false one ends an episode.
        holding = set(compiled.matching(None, facts, business_facts=business))
        for index, rule in enumerate(pack.rules):
            holds = index in holding
            state = states.get(rule.name)
            if not holds:
                if state is not None and state.active:
                    state.active = False
                    changed.add(rule.name)
                continue
            # Time rules also fire on a change: their clock may have run out while some
            # other condition was false.
            if event not in rule.on and "time" not in rule.on:
                continue
            if state is not None and state.active and not rule.repeat:
                continue  # same episode: fired already
            if rule.name in fired:
                events.record(ticket, "rule_loop_stopped", None, now, rule=rule.name,
                              reason="would fire twice in one cascade")
                continue
            fired.add(rule.name)
            state = _fire(pack, rule, ticket, event, now, state)
            states[rule.name] = state
            changed.add(rule.name)
    _save_states(pack, states, changed)
    _schedule(pack, ticket, states, calendar, now)


def _save_states(pack: Any, states: dict[str, RuleState], changed: set[str]) -> None:
    """Write the states the cascade changed: updates one by one (rare), new ones in one
    insert. A new state is stored only if it can still matter: its rule fired and its
    condition still holds, and some later event could make it fire again (a rule on
    ``created`` alone never can). Its ``rule_fired`` events are the record of firings."""
    new = []
    for rule in pack.rules:
        state = states.get(rule.name)
        if rule.name not in changed or state is None:
            continue
        if state.pk is not None:
            prepared.update(state, ["active", "fired_count", "last_fired_at"])
        elif state.active and (rule.repeat or set(rule.on) - {"created"}):
            new.append(state)
    batch.insert_later(new)


def _fire(pack: Any, rule: Any, ticket: Ticket, event: str, now: datetime,
          state: RuleState | None) -> RuleState:
    done = run_actions(pack=pack, ticket=ticket, actions=rule.do, at=now,
                       cause=f"rule {rule.name!r}", cache=batch.memo())
    events.record(ticket, "rule_fired", None, now, rule=rule.name,
                  event="time" if event == "time_sweep" else event, actions=done)
    if state is None:
        state = RuleState(ticket=ticket, rule=rule.name)
    state.active = True
    state.fired_count += 1
    state.last_fired_at = now
    return state


def _schedule(pack: Any, ticket: Ticket, states: dict[str, RuleState], calendar: Any,
              now: datetime) -> None:
    """Store when a time rule could next come true (the sweep's indexed column)."""
    upcoming = [
        at
        for rule in pack.rules if "time" in rule.on
        and not (states.get(rule.name) and states[rule.name].active and not rule.repeat)
        for at in thresholds(rule, ticket, calendar if rule.business_time else None)
        if at > now
    ]
    check_at = min(upcoming) if upcoming else None
    if ticket.rules_check_at != check_at:
        if batch.holds(ticket):
            ticket.rules_check_at = check_at
            batch.save_fields(ticket, ["rules_check_at"])
        else:
            Ticket.objects.filter(pk=ticket.pk).update(rules_check_at=check_at)
            ticket.rules_check_at = check_at


_STATES = "rules.states"  # batch memo: ticket id -> {rule: RuleState}, read for a sweep batch


def rules_sweep(*, now: datetime, batch: int = 500) -> int:
    """Run time rules for every ticket whose ``rules_check_at`` has come; return how many.

    Due tickets are taken ``batch`` at a time, in one transaction each: their rows are
    locked (PostgreSQL skips rows another sweep holds), their rule states read in one
    query, and their rules run inside one write batch (``tickets.batch``): the events,
    outbox rows and new rule states of all of them go in one insert each, the lookups
    (recipients, tiers, queues) are made once, and each ticket's changes, its
    ``rules_check_at`` included, in one ``UPDATE``. So the cost grows with what is due,
    not with what is open. If a batch fails, its tickets are run one by one as before.
    """
    done = 0
    while True:
        try:
            seen = _sweep_batch(now, batch)
            done += seen
        except Exception:
            log.exception("rules sweep batch failed; running its tickets one by one")
            seen = _sweep_one_by_one(now, batch)
            done += seen
        if seen < batch:
            return done


def _sweep_batch(now: datetime, size: int) -> int:
    from django.db import connection, transaction

    with transaction.atomic():
        due = Ticket.objects.filter(rules_check_at__lte=now).order_by("rules_check_at")
        if connection.features.has_select_for_update_skip_locked:
            due = due.select_for_update(of=("self",), skip_locked=True)
        tickets = list(due.select_related("organisation", "requester", "tier")[:size])
        if not tickets:
            return 0
        states: dict[int, dict[str, RuleState]] = {t.pk: {} for t in tickets}
        for state in RuleState.objects.filter(ticket_id__in=list(states)):
            states[state.ticket_id][state.rule] = state
        with batch.writing() as writes:
            writes.memo[_STATES] = states
            for ticket in tickets:
                batch.hold(ticket)
                # Claimed: whatever the rules decide, the column moves off the past.
                ticket.rules_check_at = None
                batch.save_fields(ticket, ["rules_check_at"])
                on_event(ticket=ticket, event="time_sweep", now=now)
        return len(tickets)


def _sweep_one_by_one(now: datetime, batch: int) -> int:
    from django.db import transaction

    done = 0
    ids = list(Ticket.objects.filter(rules_check_at__lte=now).order_by("rules_check_at")
               .values_list("id", "rules_check_at")[:batch])
    for ticket_id, check_at in ids:
        with transaction.atomic():
            # Claim: a second sweep sees the column moved and skips this ticket.
            if not Ticket.objects.filter(pk=ticket_id, rules_check_at=check_at).update(
                    rules_check_at=None):
                continue
            ticket = (Ticket.objects.select_for_update(of=("self",))
                      .select_related("organisation", "requester", "tier").get(pk=ticket_id))
            on_event(ticket=ticket, event="time_sweep", now=now)
        done += 1
    return done
