"""The durable_rules backend: the only module that imports durable_rules.

durable_rules matches in its C core (`durable_rules_engine`): a Rete network, the agenda, the
state per session id (sid). Its Python layer (`durable.engine`) wraps each action in JSON round
trips (state and message decoded, state encoded and stored back) that cost about 25 µs per fired
rule. This backend drives the core directly, as that layer does, without those round trips: it
asserts the facts, then asks the core for the next pending action until there is none, asserting
derived facts as rules fire. The core still does all matching, joining and agenda ordering.

durable_rules 2.0.28 is unmaintained and its core has faults that can kill the process. Each is
worked around here (see docs/durable_rules.md):

1. `delete_state` crashes when no action ran on a sid: a sentinel rule matches the first fact of
   every evaluation and its action runs before anything else is asserted.
2. Error 303 when one fact matches about 64 conditions: the caller asserts small facts, one per
   model of the assessment (`leadership.support`, `risks`, ...), with only the fields rules test.
3. At most 1,024 live sids: one sid per evaluation, always deleted in `finally`.
4. The Python layer's Host starts timer threads that race with `delete_state`: no Host is made;
   a lock serialises evaluations on one compiled ruleset.
5. The Python layer swallows exceptions raised in actions: our actions run in our own loop, and
   any error in them is raised as `EvaluationError` naming the rule.
6. Asserting a fact no rule matches is "not handled", a status, not an error, at this level; derived
   facts are asserted only when a rule needs them, and once. The core's batch assert
   (`assert_facts`) silently drops every fact after one it cannot parse, so each fact is asserted
   on its own, before any action runs.
7. `$or` and `any` fire twice: each rule is recorded once per evaluation, whatever fires it.
8. Events are consumed: only facts are used.
9. Loose comparisons: every value is a string from a closed scale; a test of several values is one
   anchored regular expression (`$mt`), which the core matches as a whole string.
"""

from __future__ import annotations

import itertools
import json
import re
import threading
from collections.abc import Mapping, Sequence
from typing import Any

import durable_rules_engine as _core

from engine.conditions import FactAnd, FactExpr, FactOr, Test
from engine.errors import EvaluationError
from engine.ruleset import Ruleset
from engine.runtime.backend import Action, Evaluation, actions_of

__all__ = ["DurableBackend", "definition_of"]

_SENTINEL_FACT = "$assessment"
_SENTINEL = "$sentinel"
_names = itertools.count(1)
_SAFE_VALUE = re.compile(r"[a-z0-9_]+")


def _expr(node: FactExpr) -> dict[str, Any]:
    if isinstance(node, Test):
        field = node.path.rsplit(".", 1)[1]
        values = sorted(node.values)
        if len(values) == 1:
            return {field: values[0]}
        # Scale values are plain lower-case words (the schemas guarantee it; checked here), so the
        # alternation needs no escaping; the core anchors `$mt` at both ends.
        assert all(_SAFE_VALUE.fullmatch(v) for v in values)  # noqa: S101
        return {"$mt": {field: "|".join(values)}}
    parts = [_expr(p) for p in node.parts]
    if isinstance(node, FactAnd):
        return {"$and": parts}
    assert isinstance(node, FactOr)  # noqa: S101 - FactExpr is a closed union
    return {"$or": parts}


def definition_of(actions: Sequence[Action]) -> dict[str, Any]:
    """Return the durable_rules ruleset definition of `actions`, the sentinel first."""
    definition: dict[str, Any] = {_SENTINEL: {"all": [{"m": {"t": _SENTINEL_FACT}}]}}
    for action in actions:
        joins = []
        for number, matcher in enumerate(action.alternative.matchers):
            if matcher.ref is not None:
                tests: list[dict[str, Any]] = [{"t": matcher.fact}, {"ref": matcher.ref}]
            else:
                tests = [{"t": matcher.fact}, *(_expr(t) for t in matcher.tests)]
            joins.append({f"f{number}": {"$and": tests}})
        definition[action.name] = {"all": joins}
    return definition


def _decode(raw: str, name: str) -> dict[str, dict[str, Any]]:
    """The facts an action matched, from the core's message, without the sid."""
    frames = json.loads(raw)[name]
    return {key: {k: v for k, v in fact.items() if k != "sid"} for key, fact in frames.items()}


class DurableBackend:
    """Evaluates assessments with durable_rules' core, one sid per evaluation, under a lock."""

    name = "durable"

    def __init__(self, ruleset: Ruleset) -> None:
        actions = actions_of(ruleset)
        self._by_name = {a.name: a for a in actions}
        # Derived facts as JSON without the closing brace; the sid is appended per evaluation.
        self._derived = {
            a.derives: json.dumps({"t": a.derives.split(":", 1)[0], "ref": a.rule})[:-1]
            for a in actions
            if a.derives is not None
        }
        self._lock = threading.Lock()
        self._sids = itertools.count(1)
        name = f"readiness-{next(_names)}"
        try:
            self._handle: int | None = _core.create_ruleset(
                name, json.dumps(definition_of(actions), ensure_ascii=False)
            )
        except Exception as exc:
            raise EvaluationError("engine-failure", f"durable_rules: {exc}") from exc

    def close(self) -> None:
        """Free the compiled ruleset in the core; waits for an evaluation in progress."""
        with self._lock:
            if self._handle is not None:
                _core.delete_ruleset(self._handle)
                self._handle = None

    def evaluate(self, facts: Sequence[Mapping[str, Any]]) -> Evaluation:
        """Assert `facts` on a fresh sid and return the firings; see `Backend.evaluate`."""
        with self._lock:
            handle = self._handle
            if handle is None:
                raise EvaluationError("engine-failure", "the ruleset was closed")
            sid = str(next(self._sids))
            sentinel_ran = False
            try:
                _, state = _core.assert_fact(handle, f'{{"sid": "{sid}", "t": "{_SENTINEL_FACT}"}}')
                if _core.start_action_for_state(handle, state) is None:
                    raise EvaluationError("engine-failure", "the sentinel rule did not run")
                sentinel_ran = True
                pending = _core.complete_and_start_action(handle, state)
                assert pending is None  # noqa: S101 - only the sentinel fact exists yet
                # One call per fact: the core's batch call stops at the first fact it cannot
                # parse and reports success, silently dropping the rest; this one raises.
                for fact in facts:
                    _core.assert_fact(handle, json.dumps({**fact, "sid": sid}, ensure_ascii=False))
                started = _core.start_action_for_state(handle, state)
                return self._drain(handle, state, sid, started[1] if started else None)
            except EvaluationError:
                raise
            except Exception as exc:
                raise EvaluationError("engine-failure", f"durable_rules failed: {exc}") from exc
            finally:
                if sentinel_ran:
                    _core.delete_state(handle, sid)

    def _drain(self, handle: int, state: int, sid: str, raw: str | None) -> Evaluation:
        """Run pending actions, lowest index first, until the core has none left."""
        fired: set[str] = set()
        rules: list[str] = []
        messages: list[tuple[str, str]] = []
        suffix = f', "sid": "{sid}"}}'
        while raw is not None:
            # A message is {"<action name>": {"f0": {...}, ...}}; only the name is needed now.
            name = raw[2 : raw.index('"', 2)]
            action = self._by_name[name]
            if action.rule not in fired:
                fired.add(action.rule)
                try:
                    rules.append(action.rule)
                    messages.append((raw, name))
                    if action.derives is not None:
                        _core.assert_fact(handle, self._derived[action.derives] + suffix)
                except Exception as exc:
                    raise EvaluationError(
                        "rule-action-failed",
                        f"rule {action.rule!r} failed: {exc!r}",
                        rule=action.rule,
                    ) from exc
            raw = _core.complete_and_start_action(handle, state)
        return Evaluation(rules, lambda position: _decode(*messages[position]))
