"""The interface between the engine and a rule-evaluation backend, and what backends share.

Every backend follows one agenda, the one durable_rules' core follows:

1. The indicator facts of an assessment are asserted together.
2. Each rule alternative is an *action* with a fixed index: rules in ruleset order, each rule's
   alternatives in order (`Action.index`).
3. While some action has a pending match, the one with the lowest index runs. The first action of a
   rule to run records the rule as fired (later ones are no-ops: a rule fires once per evaluation)
   and, when another rule's condition needs it, asserts the derived fact `gap:<id>` or
   `escalation:<id>`. That fact can complete the match of further actions, of any index.

So the firing order is a function of the rules and the answers alone, and two backends that follow
the agenda give the same trace.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple, Protocol

from engine.conditions import Alternative
from engine.ruleset import Rule, Ruleset

__all__ = [
    "Action",
    "Backend",
    "Evaluation",
    "Firing",
    "actions_of",
    "derived_facts_needed",
    "fields_needed",
    "fields_tested",
    "matched_facts",
]


class Firing(NamedTuple):
    """One rule that fired, with the facts it matched (by matcher name `f0`, `f1`, ...)."""

    rule: str
    matched: dict[str, dict[str, Any]]


class Evaluation:
    """What one evaluation fired: rule ids in firing order, and the facts each matched.

    The matched facts are only needed for a trace, so they are produced on request, from what
    the backend kept (one list and one function per evaluation, not an object per firing).

    Attributes:
        rules: Ids of the rules that fired, each once, in firing order.
    """

    __slots__ = ("_load", "rules")

    def __init__(self, rules: list[str], load: Callable[[int], dict[str, dict[str, Any]]]) -> None:
        self.rules = rules
        self._load = load

    def matched(self, position: int) -> dict[str, dict[str, Any]]:
        """Return the facts the `position`-th firing (from 0) matched, by matcher name."""
        return self._load(position)

    def firings(self) -> list[Firing]:
        """Return every firing with its matched facts, in order."""
        return [Firing(rule, self._load(i)) for i, rule in enumerate(self.rules)]

    def __len__(self) -> int:
        return len(self.rules)


@dataclass(frozen=True, slots=True)
class Action:
    """One rule alternative on the agenda.

    Attributes:
        index: Its position on the agenda; the lowest pending index runs first.
        name: Its name in a compiled ruleset, `r<rule number>.<alternative number>`.
        rule: The id of its rule.
        alternative: The facts it joins and the tests on them.
        derives: The derived fact its rule asserts on firing (`gap:<id>`), when a rule needs it.
        refs: The derived facts it waits for.
    """

    index: int
    name: str
    rule: str
    alternative: Alternative
    derives: str | None
    refs: tuple[str, ...]


def actions_of(ruleset: Ruleset) -> list[Action]:
    """Return the agenda's actions in index order."""
    needed = derived_facts_needed(ruleset)
    actions: list[Action] = []
    for number, rule in enumerate(ruleset.rules):
        key = f"{rule.kind}:{rule.id}"
        for alt_number, alt in enumerate(rule.alternatives):
            actions.append(
                Action(
                    index=len(actions),
                    name=f"r{number:04d}.{alt_number}",
                    rule=rule.id,
                    alternative=alt,
                    derives=key if key in needed else None,
                    refs=tuple(f"{m.fact}:{m.ref}" for m in alt.matchers if m.ref is not None),
                )
            )
    return actions


def matched_facts(
    action: Action, facts: Mapping[str, Mapping[str, Any]]
) -> dict[str, dict[str, Any]]:
    """Return the facts `action` joins, by matcher name, from the asserted `facts` by name."""
    matched: dict[str, dict[str, Any]] = {}
    for number, matcher in enumerate(action.alternative.matchers):
        if matcher.ref is not None:
            matched[f"f{number}"] = {"t": matcher.fact, "ref": matcher.ref}
        else:
            matched[f"f{number}"] = dict(facts[matcher.fact])
    return matched


class Backend(Protocol):
    """Evaluates indicator facts against a compiled ruleset with forward chaining."""

    name: str

    def evaluate(self, facts: Sequence[Mapping[str, Any]]) -> Evaluation:
        """Assert `facts`, let the rules fire, and return each rule that fired once, in order.

        Raises:
            EvaluationError: When a rule action or the backend itself fails.
        """
        ...

    def close(self) -> None:
        """Release what the backend holds; it is not used afterwards."""
        ...


def fields_tested(rule: Rule) -> dict[str, set[str]]:
    """Return, per indicator fact name, the fields `rule`'s condition tests."""
    fields: dict[str, set[str]] = {}
    for alt in rule.alternatives:
        for matcher in alt.matchers:
            if matcher.ref is not None:
                continue
            tested = fields.setdefault(matcher.fact, set())
            stack: list[Any] = list(matcher.tests)
            while stack:
                node = stack.pop()
                if hasattr(node, "path"):
                    tested.add(node.path.rsplit(".", 1)[1])
                else:
                    stack.extend(node.parts)
    return fields


def fields_needed(ruleset: Ruleset) -> dict[str, frozenset[str]]:
    """Return, per indicator fact name, the fields some rule tests; the rest need not be sent."""
    needed: dict[str, set[str]] = {}
    for rule in ruleset.rules:
        for fact, fields in fields_tested(rule).items():
            needed.setdefault(fact, set()).update(fields)
    return {fact: frozenset(names) for fact, names in needed.items()}


def derived_facts_needed(ruleset: Ruleset) -> frozenset[str]:
    """Return the derived facts (`gap:id`, `escalation:id`) some rule's condition needs."""
    return frozenset(ref for r in ruleset.rules for ref in r.refs)
