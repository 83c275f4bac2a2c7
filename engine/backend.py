"""The interface between the engine and a rule-evaluation backend, and what backends share."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple, Protocol

from engine.ruleset import Ruleset

__all__ = ["Backend", "Firing", "derived_facts_needed", "facts_needed"]


class Firing(NamedTuple):
    """One rule that fired, with the facts it matched (by matcher name), in firing order."""

    rule: str
    matched: dict[str, dict[str, Any]]


class Backend(Protocol):
    """Evaluates indicator facts against a compiled ruleset with forward chaining."""

    name: str

    def evaluate(self, facts: Sequence[Mapping[str, Any]]) -> list[Firing]:
        """Assert `facts`, let the rules fire, and return each rule that fired once, in order.

        Raises:
            EvaluationError: When a rule action or the backend itself fails.
        """
        ...

    def close(self) -> None:
        """Release what the backend holds; it is not used afterwards."""
        ...


def facts_needed(ruleset: Ruleset) -> frozenset[str]:
    """Return the indicator fact names some rule tests; other facts need not be asserted."""
    return frozenset(
        m.fact for r in ruleset.rules for alt in r.alternatives for m in alt.matchers if not m.ref
    )


def derived_facts_needed(ruleset: Ruleset) -> frozenset[str]:
    """Return the derived facts (`gap:id`, `escalation:id`) some rule's condition needs."""
    return frozenset(ref for r in ruleset.rules for ref in r.refs)
