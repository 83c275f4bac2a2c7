"""Rule conditions: parsing the `when` tree, removing negation, and splitting it per fact."""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from engine.errors import ConditionError
from engine.indicators import INDICATORS

__all__ = [
    "MAX_ALTERNATIVES",
    "MAX_FACTS_PER_ALTERNATIVE",
    "All",
    "Alternative",
    "AnyOf",
    "Condition",
    "FactAnd",
    "FactExpr",
    "FactOr",
    "Matcher",
    "Not",
    "Ref",
    "Test",
    "alternatives",
    "condition_text",
    "holds",
    "parse",
    "positive",
    "tests_in",
]

MAX_FACTS_PER_ALTERNATIVE = 16
"""durable_rules rejects more than 16 facts in one join (error 304, at run time)."""
MAX_ALTERNATIVES = 32
"""A bound on how far `any` across facts may multiply a rule."""

RefKind = Literal["gap", "escalation"]


@dataclass(frozen=True, slots=True)
class Test:
    """The indicator at `path` has one of `values`."""

    path: str
    values: frozenset[str]


@dataclass(frozen=True, slots=True)
class Ref:
    """A derived fact (a gap or an escalation) with this rule id has been asserted."""

    kind: RefKind
    id: str


@dataclass(frozen=True, slots=True)
class All:
    """Every item holds."""

    items: tuple[Condition, ...]


@dataclass(frozen=True, slots=True)
class AnyOf:
    """At least one item holds."""

    items: tuple[Condition, ...]


@dataclass(frozen=True, slots=True)
class Not:
    """The item does not hold (indicator tests only)."""

    item: Condition


Condition = Test | Ref | All | AnyOf | Not


def parse(raw: Any, loc: tuple[str | int, ...] = ("when",)) -> Condition:
    """Parse a `when` tree from a rule file.

    A mapping means all of its entries; each entry is `all: [...]`, `any: [...]`, `not: {...}`,
    `gap: id`, `escalation: id`, or an indicator path with a value or a list of values.

    Raises:
        ConditionError: With a stable code and the location of the offending node.
    """
    if not isinstance(raw, Mapping) or not raw:
        raise ConditionError("invalid-condition", "a condition must be a non-empty mapping", loc)
    items = [_parse_entry(str(key), value, (*loc, str(key))) for key, value in raw.items()]
    return items[0] if len(items) == 1 else All(tuple(items))


def _parse_list(raw: Any, loc: tuple[str | int, ...]) -> tuple[Condition, ...]:
    if not isinstance(raw, Sequence) or isinstance(raw, str) or not raw:
        raise ConditionError("invalid-condition", "expected a non-empty list of conditions", loc)
    return tuple(parse(item, (*loc, i)) for i, item in enumerate(raw))


def _parse_entry(key: str, value: Any, loc: tuple[str | int, ...]) -> Condition:
    if key == "all":
        return All(_parse_list(value, loc))
    if key == "any":
        return AnyOf(_parse_list(value, loc))
    if key == "not":
        return Not(parse(value, loc))
    if key in ("gap", "escalation"):
        if not isinstance(value, str) or not value:
            raise ConditionError("invalid-condition", f"{key} takes a rule id", loc)
        return Ref(key, value)  # type: ignore[arg-type]  # key is narrowed to the literal above
    indicator = INDICATORS.get(key)
    if indicator is None:
        raise ConditionError("unknown-indicator", f"no indicator {key!r} in the assessment", loc)
    values = value if isinstance(value, list) else [value]
    if not values:
        raise ConditionError("invalid-condition", f"{key}: empty list of values", loc)
    for item in values:
        if not isinstance(item, str) or item not in indicator.scale.values:
            allowed = ", ".join(indicator.scale.values)
            raise ConditionError(
                "value-not-in-scale",
                f"{key}: {item!r} is not on the {indicator.scale.name} scale ({allowed})",
                loc,
            )
    return Test(key, frozenset(values))


def positive(condition: Condition, loc: tuple[str | int, ...] = ("when",)) -> Condition:
    """Return `condition` without `Not`: a negated test becomes a test of the other values.

    Scales are closed, so `not: {x: no}` is exactly `x: [every other value]`, unknown included.

    Raises:
        ConditionError: `negated-derived-fact` when `not` wraps a gap or escalation: whether a
            derived fact exists depends on firing order, so its absence is not a sound condition.
    """
    return _push(condition, negate=False, loc=loc)


def _push(node: Condition, *, negate: bool, loc: tuple[str | int, ...]) -> Condition:
    if isinstance(node, Not):
        return _push(node.item, negate=not negate, loc=loc)
    if isinstance(node, Test):
        if not negate:
            return node
        scale = INDICATORS.get(node.path)
        assert scale is not None  # noqa: S101 - parse() only builds tests of known indicators
        return Test(node.path, frozenset(scale.scale.values) - node.values)
    if isinstance(node, Ref):
        if negate:
            raise ConditionError(
                "negated-derived-fact",
                f"`not` cannot wrap {node.kind} {node.id!r}: negation applies to indicators only",
                loc,
            )
        return node
    items = tuple(_push(item, negate=negate, loc=loc) for item in node.items)
    # De Morgan: under negation `all` becomes `any` and vice versa.
    if isinstance(node, All) != negate:
        return All(items)
    return AnyOf(items)


@dataclass(frozen=True, slots=True)
class FactAnd:
    """Every part holds on the same fact."""

    parts: tuple[FactExpr, ...]


@dataclass(frozen=True, slots=True)
class FactOr:
    """At least one part holds on the same fact."""

    parts: tuple[FactExpr, ...]


FactExpr = Test | FactAnd | FactOr


@dataclass(frozen=True, slots=True)
class Matcher:
    """One fact a rule alternative joins on.

    Attributes:
        fact: The fact name (`leadership.support`) or `gap` / `escalation` for a derived fact.
        ref: The derived fact's rule id, for `gap` and `escalation` matchers.
        tests: Tests on the fact's fields, all of which must hold.
    """

    fact: str
    ref: str | None
    tests: tuple[FactExpr, ...]


@dataclass(frozen=True, slots=True)
class Alternative:
    """A conjunction of matchers on distinct facts; a rule fires when any alternative matches."""

    matchers: tuple[Matcher, ...]


_Split = list[dict[str, list[FactExpr]]]


def _split(node: Condition) -> _Split:
    if isinstance(node, Test):
        indicator = INDICATORS.get(node.path)
        assert indicator is not None  # noqa: S101 - parse() only builds tests of known indicators
        return [{indicator.fact: [node]}]
    if isinstance(node, Ref):
        return [{f"{node.kind}:{node.id}": []}]
    if isinstance(node, Not):
        raise ValueError("call positive() before alternatives()")
    parts = [_split(item) for item in node.items]
    if isinstance(node, All):
        result: _Split = []
        for combo in itertools.product(*parts):
            merged: dict[str, list[FactExpr]] = {}
            for piece in combo:
                for fact, tests in piece.items():
                    merged.setdefault(fact, []).extend(tests)
            result.append(merged)
        return result
    # `any` over one indicator fact stays one matcher with an or; across facts it splits.
    keys = {key for part in parts for alt in part for key in alt}
    if len(keys) == 1 and all(len(part) == 1 for part in parts) and ":" not in next(iter(keys)):
        key = next(iter(keys))
        branches = tuple(_conjoin(part[0][key]) for part in parts)
        return [{key: [FactOr(branches)]}]
    return [alt for part in parts for alt in part]


def _conjoin(tests: list[FactExpr]) -> FactExpr:
    return tests[0] if len(tests) == 1 else FactAnd(tuple(tests))


def alternatives(condition: Condition, loc: tuple[str | int, ...] = ("when",)) -> list[Alternative]:
    """Split a negation-free condition into alternatives of per-fact matchers.

    Raises:
        ConditionError: `condition-too-complex` or `too-many-facts` past the engine's limits.
    """
    split = _split(condition)
    if len(split) > MAX_ALTERNATIVES:
        raise ConditionError(
            "condition-too-complex",
            f"`any` across facts expands to {len(split)} alternatives (at most "
            f"{MAX_ALTERNATIVES}); group the tests by section",
            loc,
        )
    result = []
    for alt in split:
        if len(alt) > MAX_FACTS_PER_ALTERNATIVE:
            raise ConditionError(
                "too-many-facts",
                f"a rule may join at most {MAX_FACTS_PER_ALTERNATIVE} facts, this one joins "
                f"{len(alt)}",
                loc,
            )
        matchers = []
        for key in sorted(alt):
            if ":" in key:
                kind, ref = key.split(":", 1)
                matchers.append(Matcher(kind, ref, ()))
            else:
                matchers.append(Matcher(key, None, tuple(alt[key])))
        result.append(Alternative(tuple(matchers)))
    return result


def holds(
    condition: Condition, values: Mapping[str, str], derived: frozenset[str] = frozenset()
) -> bool:
    """Evaluate `condition` in Python over indicator `values` and derived `kind:id` facts."""
    if isinstance(condition, Test):
        return values[condition.path] in condition.values
    if isinstance(condition, Ref):
        return f"{condition.kind}:{condition.id}" in derived
    if isinstance(condition, Not):
        return not holds(condition.item, values, derived)
    if isinstance(condition, All):
        return all(holds(item, values, derived) for item in condition.items)
    return any(holds(item, values, derived) for item in condition.items)


def condition_text(condition: Condition) -> str:
    """Return `condition` as one readable expression, e.g. `a.b in [no, partly] and gap x`."""
    if isinstance(condition, Test):
        values = sorted(condition.values)
        shown = values[0] if len(values) == 1 else "[" + ", ".join(values) + "]"
        return f"{condition.path} {'=' if len(values) == 1 else 'in'} {shown}"
    if isinstance(condition, Ref):
        return f"{condition.kind} {condition.id}"
    if isinstance(condition, Not):
        return f"not ({condition_text(condition.item)})"
    joiner = " and " if isinstance(condition, All) else " or "
    parts = [
        f"({condition_text(item)})" if isinstance(item, All | AnyOf) else condition_text(item)
        for item in condition.items
    ]
    return joiner.join(parts)


def tests_in(condition: Condition) -> list[Test]:
    """Return every indicator test in `condition`, in order."""
    if isinstance(condition, Test):
        return [condition]
    if isinstance(condition, Ref):
        return []
    if isinstance(condition, Not):
        return tests_in(condition.item)
    return [t for item in condition.items for t in tests_in(item)]
