"""Rule evaluation throughput: 100 rules against 100,000 ticket changes, one core (issue 5).

Usage: .venv/bin/python benchmarks/rules/bench_rules.py [--rules 100] [--changes 100000]
       [--runs 5] [--baseline-changes 10000] [--baseline-runs 3] [--seed 5]

Compares the pack models' ``rule.when.matches`` loop (the engine today) with
``tierdesk.rules.compiled``, checks both give the same rules on every change, and prints
a markdown table. No Django, no database: rules are ``Rule`` models, changes are fact
dicts shaped like ``tierdesk.rules.facts.rule_facts``.
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import random
import sys
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tierdesk.policy.schema_rules import ClassifyRule, Rule  # noqa: E402
from tierdesk.rules.compiled import CompiledRules, compile_rules  # noqa: E402

PRIORITIES = (["P0"] * 2 + ["P1"] * 10 + ["P2"] * 40 + ["P3"] * 48)
STATUSES = ["new"] * 15 + ["open"] * 40 + ["pending"] * 20 + ["on_hold"] * 5 + \
    ["solved"] * 12 + ["closed"] * 8
PLANS = ["Starter"] * 50 + ["Professional"] * 35 + ["Enterprise"] * 15
CHANNELS = ["email", "web", "chat", "phone", "api"]
CATEGORIES = ["billing", "bug", "access", "integration", "data", "account", "feature"]
LANGUAGES = ["en"] * 8 + ["fr", "de", "es"]
TIERS = ["L1"] * 6 + ["L2"] * 3 + ["L3", "ENG", None, None]
TAGS = ["bug", "feature-request", "risk", "security-incident", "operational-issue",
        "repeatable", "engineering-fix", "escalated-devops", "escalated-eng", "refund",
        "churn-risk", "vip-watch", "outage", "sso", "api", "billing-dispute", "gdpr",
        "priority-unclear", "mobile", "export", "import", "webhook", "slow", "legal", "press"]
CLASSIFIED_BY = ["default"] * 2 + ["agent"] * 5 + ["error_code"] * 2 + ["rule: outage"]
ERROR_CODES = [f"ERR-{100 + i}" for i in range(30)]
ORGS = [str(1000 + i) for i in range(500)]
EVENTS = ["created"] * 20 + ["updated"] * 60 + ["time"] * 15 + ["closed"] * 5
DO = [{"add_tags": ["x"]}]
WORDS = ["outage", "down", "refund", "invoice", "login", "password", "slow", "crash",
         "export", "import", "webhook", "sso", "gdpr", "delete", "cancel", "upgrade"]


def make_rules(rnd: random.Random, count: int) -> list[Rule]:
    """Rules shaped like the shipped packs' (escalations, SLA nudges, tag routing...)."""

    def some(pool: list[Any], most: int = 3) -> list[Any]:
        return rnd.sample(sorted(set(pool), key=str), rnd.randint(1, most))

    def hours() -> str:
        return f"{rnd.choice([1, 2, 4, 8, 24, 48, 72])}h"

    templates: list[Callable[[], tuple[list[str], dict[str, Any]]]] = [
        lambda: (["created", "updated"], {"priority": rnd.choice(["P0", "P1"]),
                                          "tags": {"not": [rnd.choice(TAGS)]}}),
        lambda: (["time"], {"priority": some(PRIORITIES, 2), "status": ["new", "open", "pending"],
                            "since_created": {"gte": hours()}, "tier": {"not": ["ENG"]}}),
        lambda: (["created", "updated"], {"priority": ["P2", "P3"], "tags": some(TAGS, 2),
                                          "status": ["new", "open", "pending"]}),
        lambda: (["created", "updated"], {"tags": some(TAGS, 2)}),
        lambda: (["time"], {"classified_by": "default", "since_created": {"gte": "15m"},
                            "status": ["new", "open"]}),
        lambda: (["created"], {"plan": rnd.choice(PLANS), "channel": some(CHANNELS, 2),
                               "category": rnd.choice(CATEGORIES)}),
        lambda: (["created", "updated"], {"error_code": some(ERROR_CODES, 4)}),
        lambda: (["created", "updated"], {"vip": True, "priority": some(PRIORITIES, 2)}),
        lambda: (["time"], {"status": "pending", "since_updated": {"gte": hours()}}),
        lambda: (["updated"], {"status": "open", "since_closed": {"lt": "7d"}}),
        lambda: (["created"], {"business_hours": False, "priority": ["P0", "P1"]}),
        lambda: (["created"], {"language": {"not": ["en"]}, "plan": "Enterprise"}),
        lambda: (["created", "updated"], {"organisation": some(ORGS, 3)}),
        lambda: (["updated"], {"status": "solved", "tier": some(["L1", "L2", "L3", "ENG"], 2)}),
        lambda: (["closed"], {"tags": "repeatable", "since_created": {"gt": "1h"}}),
        lambda: (["time"], {"priority": rnd.choice(PRIORITIES), "status": {"not": ["solved",
                            "closed"]}, "since_updated": {"gte": hours(), "lt": "30d"}}),
        lambda: (["created"], {}),
    ]
    out = []
    for i in range(count):
        on, when = rnd.choice(templates)()
        out.append(Rule.model_validate({"name": f"rule {i}", "on": on, "when": when,
                                        "business_time": rnd.random() < 0.2, "do": DO}))
    return out


def make_changes(rnd: random.Random, count: int) -> list[tuple[str, dict[str, Any]]]:
    """(event, facts) pairs shaped like ``rule_facts`` output."""
    out = []
    for _ in range(count):
        created = rnd.randint(0, 30 * 24 * 60)
        updated = rnd.randint(0, created)
        status = rnd.choice(STATUSES)
        facts = {
            "priority": rnd.choice(PRIORITIES), "channel": rnd.choice(CHANNELS),
            "category": rnd.choice(CATEGORIES), "plan": rnd.choice(PLANS),
            "organisation": rnd.choice(ORGS), "vip": rnd.random() < 0.05,
            "language": rnd.choice(LANGUAGES),
            "error_code": rnd.choice(ERROR_CODES) if rnd.random() < 0.2 else None,
            "status": status, "tier": rnd.choice(TIERS),
            "tags": set(rnd.sample(TAGS, rnd.choice([0, 0, 1, 1, 2, 3]))),
            "classified_by": rnd.choice(CLASSIFIED_BY),
            "subject": " ".join(rnd.sample(WORDS, 3)),
            "since_created": timedelta(minutes=created),
            "since_updated": timedelta(minutes=updated, seconds=rnd.randint(0, 59)),
            "since_closed": timedelta(minutes=updated) if status in ("solved", "closed")
            else None,
            "business_hours": rnd.random() < 0.4,
        }
        out.append((rnd.choice(EVENTS), facts))
    return out


def make_classify_rules(rnd: random.Random, count: int) -> list[ClassifyRule]:
    """Classification rules with keywords (the only conditions that have them)."""
    return [
        ClassifyRule.model_validate({
            "name": f"classify {i}", "set": {"priority": rnd.choice(["P0", "P1", "P2"])},
            "when": {"keywords": rnd.sample(WORDS, rnd.randint(1, 3)),
                     **({"channel": rnd.choice(CHANNELS)} if rnd.random() < 0.3 else {})},
        })
        for i in range(count)
    ]


Matcher = Callable[[str, dict[str, Any]], list[int]]


def baseline(rules: list[Any], by_event: bool) -> Matcher:
    """The engine today: every rule's pydantic ``when.matches`` per change."""
    pairs = [(i, r.when.matches, getattr(r, "on", ())) for i, r in enumerate(rules)]
    if by_event:
        return lambda event, facts: [i for i, m, on in pairs if event in on and m(facts)]
    return lambda event, facts: [i for i, m, _ in pairs if m(facts)]


def compiled(rules: CompiledRules, by_event: bool) -> Matcher:
    matching = rules.matching
    if by_event:
        return matching  # type: ignore[return-value]
    return lambda event, facts: matching(None, facts)


def timed(matcher: Matcher, changes: list[tuple[str, dict[str, Any]]],
          runs: int) -> tuple[float, float, list[list[int]]]:
    """Return (best CPU seconds, best wall seconds, answers of the last run)."""
    best_cpu = best_wall = float("inf")
    answers: list[list[int]] = []
    for _ in range(runs):
        gc.collect()
        gc.disable()
        try:
            wall, cpu = time.perf_counter(), time.process_time()
            answers = [matcher(event, facts) for event, facts in changes]
            cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        finally:
            gc.enable()
        best_cpu, best_wall = min(best_cpu, cpu), min(best_wall, wall)
    return best_cpu, best_wall, answers


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rules", type=int, default=100)
    parser.add_argument("--changes", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--baseline-changes", type=int, default=10_000,
                        help="changes per timed baseline run (all are still checked once)")
    parser.add_argument("--baseline-runs", type=int, default=3)
    parser.add_argument("--classify-rules", type=int, default=30)
    parser.add_argument("--seed", type=int, default=5)
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {max(os.sched_getaffinity(0))})  # one core

    rnd = random.Random(args.seed)
    rules = make_rules(rnd, args.rules)
    changes = make_changes(rnd, args.changes)
    classify_rules = make_classify_rules(rnd, args.classify_rules)

    compile_times = []
    for _ in range(20):
        start = time.process_time()
        fast = compile_rules(rules)
        compile_times.append(time.process_time() - start)
    fast_classify = compile_rules(classify_rules)

    rows = []
    cases = [
        ("conditions only (event=None): what the engine needs", rules, fast, False),
        ("rules listening to the change's event", rules, fast, True),
        (f"{args.classify_rules} classification rules with keywords", classify_rules,
         fast_classify, False),
    ]
    for label, rule_list, compiled_rules, by_event in cases:
        slow = baseline(rule_list, by_event)
        # Every change through both: answers must be identical.
        full_cpu, full_wall, want = timed(slow, changes, 1)
        cpu, wall, got = timed(compiled(compiled_rules, by_event), changes, args.runs)
        if got != want:
            bad = next(i for i, (g, w) in enumerate(zip(got, want, strict=True)) if g != w)
            raise SystemExit(f"MISMATCH on change {bad}: {changes[bad]} {got[bad]} {want[bad]}")
        subset = changes[:args.baseline_changes]
        base_cpu, base_wall, _ = timed(slow, subset, args.baseline_runs)
        base_rate = min(len(subset) / base_cpu, len(changes) / full_cpu)
        base_wall_rate = min(len(subset) / base_wall, len(changes) / full_wall)
        matched = sum(map(len, want)) / len(want)
        rows.append((label, len(rule_list), matched, base_rate, base_wall_rate,
                     len(changes) / cpu, len(changes) / wall))

    print(f"Python {platform.python_version()}, nproc {os.cpu_count()}, "
          f"{platform.machine()}, {args.rules} rules, {args.changes:,} changes "
          f"(seed {args.seed}), pinned to one core, best of {args.runs} "
          f"(baseline: best of {args.baseline_runs} x {args.baseline_changes:,} and one full "
          f"pass); all {args.changes:,} answers identical.")
    print(f"compile_rules({args.rules} rules): best {min(compile_times) * 1e3:.2f} ms, "
          f"median {sorted(compile_times)[len(compile_times) // 2] * 1e3:.2f} ms CPU")
    print()
    print("| evaluation | rules | rules matched/change | model `matches` evals/s (CPU) | "
          "(wall) | compiled evals/s (CPU) | (wall) | speed-up (CPU) |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for label, count, matched, base, base_wall, fast_rate, fast_wall in rows:
        print(f"| {label} | {count} | {matched:.2f} | {base:,.0f} | {base_wall:,.0f} | "
              f"{fast_rate:,.0f} | {fast_wall:,.0f} | {fast_rate / base:.0f}x |")


if __name__ == "__main__":
    main()
