"""The compiled backend: the rule files as Python functions, following durable_rules' agenda.

At load time every distinct indicator test (a fact's field against a set of values) becomes one
line of a generated function, and every rule alternative a conjunction of those tests. An
evaluation calls that function once, which returns the actions whose indicator tests hold, then
runs the agenda described in `engine.runtime.backend`: lowest pending action first, each rule once, derived
facts arming the actions that wait for them. The differential test in
`tests/engine/test_backends_agree.py` holds it to the durable backend, trace order included.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from engine.conditions import FactAnd, FactExpr, FactOr, Test
from engine.errors import EvaluationError
from engine.ruleset import Ruleset
from engine.runtime.backend import Action, Evaluation, actions_of, matched_facts

__all__ = ["CompiledBackend"]

_Check = Callable[[Mapping[str, Mapping[str, Any]]], tuple[list[int], frozenset[int]]]


class _Generator:
    """Writes the check function: tests once each, then one boolean per action.

    `strict` reads facts and fields by indexing, which is faster and fits the facts the engine
    builds (every tested field present); the lenient form treats a missing fact or field as a
    test that does not hold, as durable_rules does, for facts from elsewhere.
    """

    def __init__(self, strict: bool) -> None:
        self.strict = strict
        self.facts: dict[str, str] = {}
        self.tests: dict[tuple[str, str, frozenset[str]], str] = {}
        self.constants: dict[str, object] = {}
        self.lines: list[str] = []

    def fact(self, name: str) -> str:
        if name not in self.facts:
            var = f"f{len(self.facts)}"
            self.facts[name] = var
            self.constants[f"N{var}"] = name
            read = f"F[N{var}]" if self.strict else f"F.get(N{var}, E)"
            self.lines.append(f"    {var} = {read}")
        return self.facts[name]

    def test(self, fact: str, node: Test) -> str:
        field = node.path.rsplit(".", 1)[1]
        key = (fact, field, node.values)
        if key not in self.tests:
            var = f"t{len(self.tests)}"
            self.tests[key] = var
            self.constants[f"K{var}"] = field
            self.constants[f"S{var}"] = node.values
            fact_var = self.fact(fact)
            read = f"{fact_var}[K{var}]" if self.strict else f"{fact_var}.get(K{var})"
            self.lines.append(f"    {var} = {read} in S{var}")
        return self.tests[key]

    def expr(self, fact: str, node: FactExpr) -> str:
        if isinstance(node, Test):
            return self.test(fact, node)
        joiner = " and " if isinstance(node, FactAnd) else " or "
        assert isinstance(node, FactAnd | FactOr)  # noqa: S101 - FactExpr is a closed union
        return "(" + joiner.join(self.expr(fact, part) for part in node.parts) + ")"

    def source(self, actions: Sequence[Action]) -> str:
        initial: list[str] = []
        armed: list[str] = []
        for action in actions:
            terms = [
                self.expr(m.fact, t)
                for m in action.alternative.matchers
                if m.ref is None
                for t in m.tests
            ]
            condition = " and ".join(terms) if terms else "True"
            target = armed if action.refs else initial
            target.append(
                f"    if {condition}: {'A' if action.refs else 'I'}.append({action.index})"
            )
        head = ["def check(F):", "    I = []", "    A = []"]
        tail = ["    return I, frozenset(A)"]
        return "\n".join([*head, *self.lines, *initial, *armed, *tail]) + "\n"


def _compile(actions: Sequence[Action], strict: bool) -> tuple[_Check, str]:
    generator = _Generator(strict)
    source = generator.source(actions)
    namespace: dict[str, Any] = {"E": {}, **generator.constants}
    # The source is generated from validated rules: names are our own variables, and every value
    # (fact and field names, value sets) is passed in the namespace, never written into the text.
    exec(compile(source, "<compiled rules>", "exec"), namespace)  # noqa: S102  # nosec B102
    return namespace["check"], source


class CompiledBackend:
    """Evaluates assessments with the rules compiled to Python. Safe to share between threads."""

    name = "compiled"

    def __init__(self, ruleset: Ruleset) -> None:
        self._actions = actions_of(ruleset)
        self._check, self.source = _compile(self._actions, strict=True)
        self._check_lenient, _ = _compile(self._actions, strict=False)
        alternatives: dict[str, int] = {}
        for action in self._actions:
            alternatives[action.rule] = alternatives.get(action.rule, 0) + 1
        # Per action, in index order: (rule id, derived fact or None, whether its rule has other
        # alternatives that may have fired first). Tuples read faster than attributes.
        self._steps = tuple((a.rule, a.derives, alternatives[a.rule] > 1) for a in self._actions)
        waiting: dict[str, list[tuple[int, tuple[str, ...]]]] = {}
        for action in self._actions:
            for ref in action.refs:
                waiting.setdefault(ref, []).append((action.index, action.refs))
        self._waiting = {ref: tuple(items) for ref, items in waiting.items()}

    def close(self) -> None:
        """Nothing to release: the functions go with the backend."""

    def evaluate(self, facts: Sequence[Mapping[str, Any]]) -> Evaluation:
        """Evaluate `facts` on the agenda and return the firings; see `Backend.evaluate`."""
        by_name = {fact["t"]: fact for fact in facts}
        try:
            try:
                initial, armed = self._check(by_name)
            except KeyError:  # a fact or field is missing: such a test does not hold
                initial, armed = self._check_lenient(by_name)
        except Exception as exc:
            raise EvaluationError("engine-failure", f"compiled rules failed: {exc!r}") from exc
        steps = self._steps
        actions = self._actions
        waiting = self._waiting
        fired: set[str] = set()
        derived: set[str] = set()
        rules: list[str] = []
        indices: list[int] = []
        # The agenda: `initial` is sorted and read in order; actions armed by derived facts go on
        # a heap; the lower of the two heads runs next.
        chained: list[int] = []
        position = 0
        count = len(initial)
        rule = ""
        try:
            while True:
                if chained and (position == count or chained[0] < initial[position]):
                    index = heapq.heappop(chained)
                elif position < count:
                    index = initial[position]
                    position += 1
                else:
                    break
                rule, derives, shared = steps[index]
                if shared:
                    if rule in fired:
                        continue
                    fired.add(rule)
                rules.append(rule)
                indices.append(index)
                if derives is not None:
                    derived.add(derives)
                    for waiter, refs in waiting.get(derives, ()):
                        if waiter in armed and (len(refs) == 1 or derived.issuperset(refs)):
                            heapq.heappush(chained, waiter)
        except Exception as exc:
            raise EvaluationError(
                "rule-action-failed", f"rule {rule!r} failed: {exc!r}", rule=rule
            ) from exc
        return Evaluation(
            rules, lambda position: matched_facts(actions[indices[position]], by_name)
        )
