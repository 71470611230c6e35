"""Compiled rule conditions answer exactly what the pack models' ``matches`` answers."""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from random import Random
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from tierdesk.policy import PACKS_DIR, builtin_pack_names, load_builtin_pack, load_pack
from tierdesk.policy.schema_rules import ClassifyRule, Rule, RuleConditions
from tierdesk.rules.compiled import compile_rules, compiled_for

EVENTS = ["created", "updated", "replied", "escalated", "closed", "sla_warning",
          "sla_breach", "survey_answered", "time"]
# Small pools so that conditions and facts collide often.
POOLS = {
    "priority": ["P0", "P1", "P2", "P3"],
    "status": ["new", "open", "pending", "solved", "closed"],
    "plan": ["Starter", "Professional", "Enterprise"],
    "channel": ["email", "web", "api"],
    "category": ["billing", "bug", "access"],
    "organisation": ["1033", "1034", "acme"],
    "language": ["en", "fr"],
    "tier": ["L1", "L2", "ENG"],
    "error_code": ["ERR-101", "ERR-202"],
    "tags": ["bug", "vip", "risk", "escalated-devops", "1"],
    "classified_by": ["default", "agent", "error_code"],
}
DURATIONS = ["since_created", "since_updated", "since_closed", "time_spent"]
BOOLS = ["vip", "business_hours"]
DO = [{"add_tags": ["x"]}]


# Rules and facts are built from a hypothesis-drawn seed: drawing every field through nested
# strategies (or ``st.randoms()``) cost ~100 ms per example on the 2-core box, this ~1 ms.
# A failure prints its seed; ``Random(seed)`` rebuilds the very rules and facts.
SEEDS = st.integers(0, 2**64)


def value_match(rnd: Random, pool: list[str]) -> Any:
    """Every way a pack may write a value condition, shorthands and edge cases included."""

    def some() -> list[str]:  # an empty list is ``in: []``: never matches
        return rnd.sample(pool, rnd.randint(0, min(3, len(pool))))

    return rnd.choice([
        lambda: rnd.choice(pool), some, lambda: {"in": some()}, lambda: {"not": some()},
        lambda: {"in": some(), "not": some()}, lambda: {},
    ])()


def number(rnd: Random) -> float:
    return rnd.randint(-2, 200) if rnd.random() < 0.5 else rnd.uniform(-10, 300)


def bounds(rnd: Random, value: Any) -> dict[str, Any]:
    kinds = rnd.sample(["gt", "gte", "lt", "lte"], rnd.randint(1, 4))
    return {kind: value() for kind in kinds}


DURATION_TEXT = ["15m", "30m", "1h", "90m", "2h", "1d"]


def conditions(rnd: Random) -> dict[str, Any]:
    when: dict[str, Any] = {}
    for name in rnd.sample([*POOLS, *DURATIONS, "score", *BOOLS], rnd.randint(0, 5)):
        if name in POOLS:
            when[name] = value_match(rnd, POOLS[name])
        elif name in DURATIONS:
            when[name] = bounds(rnd, lambda: rnd.choice(
                [rnd.choice(DURATION_TEXT), number(rnd)]))
        elif name == "score":
            when[name] = bounds(rnd, lambda: number(rnd))
        else:
            when[name] = rnd.random() < 0.5
    return when


def make_rules(rnd: Random) -> list[Rule]:
    return [
        Rule.model_validate({
            "name": f"rule {i}", "on": rnd.sample(EVENTS, rnd.randint(1, 3)),
            "when": conditions(rnd), "business_time": rnd.random() < 0.3, "do": DO,
        })
        for i in range(rnd.randint(0, 12))
    ]


def scalar(rnd: Random, pool: list[str]) -> Any:
    return rnd.choice([*pool, None, "other", 1033, 1034, True])


def tags(rnd: Random) -> Any:
    many = [rnd.choice([*POOLS["tags"], 1]) for _ in range(rnd.randint(0, 3))]
    shape = rnd.choice([set, frozenset, list, tuple, None, str])
    if shape is None:
        return None
    return rnd.choice(POOLS["tags"]) if shape is str else shape(many)


def measure(rnd: Random) -> Any:
    """What a duration or score fact may be: a timedelta, a number, NaN, a bool, a Decimal,
    and rarely text, which the models' comparisons raise TypeError on."""
    return rnd.choice([
        lambda: timedelta(seconds=rnd.randint(0, 2 * 86400)),
        lambda: timedelta(minutes=rnd.choice([15, 30, 60, 90, 120, 1440])),
        lambda: number(rnd), lambda: None, lambda: math.nan, lambda: rnd.random() < 0.5,
        lambda: Decimal(rnd.randint(-5, 200)),
    ])() if rnd.random() < 0.97 else "2h"


def make_facts(rnd: Random) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, pool in POOLS.items():
        if rnd.random() < 0.9:  # sometimes the fact is missing altogether
            out[name] = tags(rnd) if name == "tags" else scalar(rnd, pool)
    for name in [*DURATIONS, "score"]:
        if rnd.random() < 0.8:
            out[name] = measure(rnd)
    for name in BOOLS:
        if rnd.random() < 0.75:
            out[name] = rnd.choice([True, False, None, 0, 1, ""])
    return out


def outcome(call: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Return what ``call`` returns, or the exception type it raises."""
    try:
        return call(*args, **kwargs)
    except TypeError:
        return TypeError


def split_expected(rule_list: list[Rule], event: str | None, plain: dict[str, Any],
                   business: dict[str, Any]) -> list[int]:
    return [i for i, r in enumerate(rule_list) if (event is None or event in r.on)
            and r.when.matches(business if r.business_time else plain)]


def expected(rule_list: list[Any], event: str | None, fact_dict: dict[str, Any]) -> list[int]:
    return [i for i, r in enumerate(rule_list)
            if (event is None or event in r.on) and r.when.matches(fact_dict)]


@settings(max_examples=200, deadline=None)
@given(SEEDS)
def test_matching_equals_the_models(seed: int) -> None:
    rnd = Random(seed)
    rule_list = make_rules(rnd)
    compiled = compile_rules(rule_list)
    for _ in range(15):
        fact_dict = make_facts(rnd)
        for event in [None, *EVENTS]:
            assert outcome(compiled.matching, event, fact_dict) == outcome(
                expected, rule_list, event, fact_dict)
        for i, rule in enumerate(rule_list):
            assert outcome(compiled.holds, i, fact_dict) is outcome(rule.when.matches, fact_dict)


@settings(max_examples=100, deadline=None)
@given(SEEDS)
def test_business_time_rules_read_business_facts(seed: int) -> None:
    rnd = Random(seed)
    rule_list = make_rules(rnd)
    compiled = compile_rules(rule_list)
    for _ in range(10):
        plain, business = make_facts(rnd), make_facts(rnd)
        for event in [None, *EVENTS]:
            assert outcome(compiled.matching, event, plain, business_facts=business) == outcome(
                split_expected, rule_list, event, plain, business)


WORDS = ["outage", "down", "c++", "a.b", "404", "über", "Refund", "re-open", ""]
GLUE = [" ", "-", ".", "_", "x", "\n"]


def text(rnd: Random) -> str | None:
    if rnd.random() < 0.1:
        return None
    return "".join(rnd.choice(rnd.choice([WORDS, GLUE])) for _ in range(rnd.randint(0, 8)))


@settings(max_examples=200, deadline=None)
@given(SEEDS)
def test_classification_keywords(seed: int) -> None:
    """Keyword rules (classification only: event rules have no ``keywords``)."""
    rnd = Random(seed)
    rule_list = []
    for i in range(rnd.randint(0, 6)):
        when: dict[str, Any] = {"keywords": rnd.sample(WORDS, rnd.randint(0, 3))}
        if rnd.random() < 0.3:
            when["channel"] = value_match(rnd, POOLS["channel"])
        rule_list.append(ClassifyRule.model_validate(
            {"name": f"c{i}", "set": {"priority": "P1"}, "when": when}))
    compiled = compile_rules(rule_list)
    for _ in range(10):
        fact_dict = {"subject": text(rnd), "body": text(rnd),
                     "channel": rnd.choice([*POOLS["channel"], None])}
        for word in rnd.sample(WORDS, 1):
            fact_dict["subject"] = f"{fact_dict['subject'] or ''} {word.upper()}"
        want = [i for i, r in enumerate(rule_list) if r.when.matches(fact_dict)]
        assert compiled.matching(None, fact_dict) == want
        assert compiled.matching("created", fact_dict) == []  # no ``on``: no event


def grid() -> list[dict[str, Any]]:
    """Facts covering every value the shipped packs name, and some they do not."""
    out = []
    for priority, status, tier, tag_set, minutes, plan in itertools.product(
        ["P0", "P1", "P2", None], ["new", "solved", "closed"],
        ["L2", "L3", "T2", "ENG", None],
        [set(), {"bug"}, {"risk", "escalated-devops"}, {"repeatable", "engineering-fix"},
         {"security-incident", "operational-issue", "feature-request"}],
        [None, 10, 20, 130], ["Enterprise"],
    ):
        since = None if minutes is None else timedelta(minutes=minutes)
        out.append({
            "priority": priority, "status": status, "tier": tier, "tags": tag_set,
            "plan": plan, "since_created": since, "since_updated": since,
            "classified_by": "default" if minutes == 20 else "agent",
            "score": None if minutes is None else minutes % 5, "time_spent": minutes,
            "vip": minutes == 10, "business_hours": minutes == 130,
        })
    return out


@pytest.mark.parametrize("name", builtin_pack_names())
def test_shipped_packs(name: str) -> None:
    pack = load_builtin_pack(name)
    compiled = compile_rules(pack.rules)
    assert len(compiled) == len(pack.rules)
    hits = 0
    for fact_dict in grid():
        for event in [None, *EVENTS]:
            got = compiled.matching(event, fact_dict)
            assert got == expected(pack.rules, event, fact_dict)
            hits += len(got)
    assert hits  # the grid exercises the rules, not just empty answers


def test_rules_through_the_pack_loader() -> None:
    """The dataflow pack with its rules replaced, validated by the loader end to end."""
    source = yaml.safe_load((PACKS_DIR / "dataflow.yaml").read_text())
    source["rules"] = [
        {"name": "p1 stale", "on": ["time", "updated"],
         "when": {"priority": ["P1", "P2"], "since_updated": {"gte": "4h", "lt": "1d"},
                  "tags": {"not": "escalated-devops"}}, "do": DO},
        {"name": "enterprise", "on": "created", "when": {"plan": "Enterprise", "vip": True},
         "do": DO},
        {"name": "any", "on": "closed", "do": DO},
    ]
    pack = load_pack(yaml.safe_dump(source, sort_keys=False))
    compiled = compile_rules(pack.rules)
    stale = {"priority": "P2", "since_updated": timedelta(hours=5), "tags": {"bug"},
             "plan": "Enterprise", "vip": True}
    assert compiled.matching(None, stale) == [0, 1, 2]
    assert compiled.matching("time", stale) == [0]
    assert compiled.matching("created", stale) == [1]
    assert compiled.matching("updated", {**stale, "tags": ["escalated-devops"]}) == []
    assert compiled.matching("time", {**stale, "since_updated": timedelta(days=1)}) == []
    assert compiled.matching("created", {**stale, "vip": None}) == []
    assert compiled.matching("replied", stale) == []


def test_ill_typed_facts_raise_only_where_the_models_do() -> None:
    rule_list = [Rule.model_validate({"name": "r", "on": "time", "do": DO, "when": {
        "priority": "P1", "since_created": {"gte": "1h"}}})]
    compiled = compile_rules(rule_list)
    bad = {"priority": "P1", "since_created": "two hours"}
    with pytest.raises(TypeError):
        rule_list[0].when.matches(bad)
    with pytest.raises(TypeError):
        compiled.matching(None, bad)
    # Priority rules the rule out before the comparison: neither raises.
    assert compiled.matching(None, {**bad, "priority": "P2"}) == []
    assert not rule_list[0].when.matches({**bad, "priority": "P2"})


class Always(RuleConditions):
    """A conditions class with its own ``matches``: the compiler must defer to it."""

    def matches(self, facts: Any) -> bool:
        return facts.get("magic") == "yes"


def test_unknown_conditions_fall_back_to_the_model() -> None:
    plain = Rule.model_validate({"name": "p", "on": "updated", "when": {"status": "open"},
                                 "do": DO})
    odd = plain.model_copy(update={"name": "odd", "when": Always(status={"in": ["open"]})})
    compiled = compile_rules([plain, odd])
    assert compiled.matching("updated", {"status": "open"}) == [0]
    assert compiled.matching("updated", {"status": "solved", "magic": "yes"}) == [1]
    assert compiled.holds(-1, {"magic": "yes"})
    with pytest.raises(IndexError):
        compiled.holds(2, {})


def test_compiled_once_per_rule_list() -> None:
    pack = load_builtin_pack("dataflow")
    assert compiled_for(pack.rules) is compiled_for(pack.rules)
    assert compiled_for(list(pack.rules)) is not compiled_for(pack.rules)
