"""The durable_rules backend: the only module that imports durable_rules.

durable_rules 2.0.28 is unmaintained and its C core has faults that can kill the process. Each is
worked around here (see docs/durable_rules.md):

1. `delete_state` crashes when no action ran on a sid: a sentinel rule matches every assessment.
2. Error 303 when one fact matches about 64 conditions: the caller asserts small facts, one per
   model of the assessment (`leadership.support`, `risks`, ...).
3. At most 1,024 live sids: one sid per evaluation, always deleted in `finally`.
4. The Host's timer threads race with `delete_state`: `_Host._run` starts none; a lock
   serialises evaluations.
5. Exceptions in actions are swallowed into the state: our actions catch everything themselves
   and the evaluation raises `EvaluationError`.
6. Asserting a fact no rule matches raises `MessageNotHandledException`: ignored for indicator
   facts; derived facts are asserted only when a rule needs them, and at most once.
7. `any` fires twice: each rule is recorded once per evaluation, whatever fires it.
8. Events are consumed: only facts are used.
9. Loose comparisons: every value is a string from a closed scale.
"""

from __future__ import annotations

import contextlib
import itertools
import threading
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import durable_rules_engine as _engine_core
from durable import engine as _dr

from engine.backend import Firing, derived_facts_needed
from engine.conditions import FactAnd, FactExpr, FactOr, Test
from engine.errors import EvaluationError
from engine.ruleset import Ruleset

__all__ = ["DurableBackend"]

_SENTINEL_FACT = "$assessment"


class _Host(_dr.Host):  # type: ignore[misc]  # durable_rules ships no type information
    """A Host without the background dispatch and timer threads (the product uses no timers)."""

    def _run(self) -> None:
        return None


_host: _Host | None = None
_host_lock = threading.Lock()
_ruleset_names = itertools.count(1)


def _shared_host() -> _Host:
    global _host
    with _host_lock:
        if _host is None:
            _host = _Host()
        return _host


def _expr(node: FactExpr) -> dict[str, Any]:
    if isinstance(node, Test):
        field = node.path.rsplit(".", 1)[1]
        tests = [{field: value} for value in sorted(node.values)]
        return tests[0] if len(tests) == 1 else {"$or": tests}
    parts = [_expr(p) for p in node.parts]
    if isinstance(node, FactAnd):
        return {"$and": parts}
    assert isinstance(node, FactOr)  # noqa: S101 - FactExpr is a closed union
    return {"$or": parts}


class _Session:
    """What one evaluation collects while the rules fire."""

    __slots__ = ("errors", "fired", "firings", "sentinel_ran", "sid")

    def __init__(self, sid: str) -> None:
        self.sid = sid
        self.fired: set[str] = set()
        self.firings: list[Firing] = []
        self.errors: list[tuple[str, BaseException]] = []
        self.sentinel_ran = False


class DurableBackend:
    """Evaluates assessments with durable_rules, one sid per evaluation, serialised by a lock."""

    name = "durable"

    def __init__(self, ruleset: Ruleset) -> None:
        self._host = _shared_host()
        self._name = f"readiness-{next(_ruleset_names)}"
        self._lock = threading.Lock()
        self._session: _Session | None = None
        self._sids = itertools.count(1)
        needed = derived_facts_needed(ruleset)
        definition: dict[str, Any] = {
            "$sentinel": {"all": [{"m": {"t": _SENTINEL_FACT}}], "run": self._sentinel}
        }
        for number, rule in enumerate(ruleset.rules):
            derived_key = f"{rule.kind}:{rule.id}"
            derived = {"t": rule.kind, "ref": rule.id} if derived_key in needed else None
            action = self._action(rule.id, derived)
            for alt_number, alt in enumerate(rule.alternatives):
                joins = []
                for m_number, matcher in enumerate(alt.matchers):
                    if matcher.ref is not None:
                        tests: list[dict[str, Any]] = [{"t": matcher.fact}, {"ref": matcher.ref}]
                    else:
                        tests = [{"t": matcher.fact}, *(_expr(t) for t in matcher.tests)]
                    joins.append({f"f{m_number}": {"$and": tests}})
                definition[f"r{number:04d}.{alt_number}"] = {"all": joins, "run": action}
        self._host.register_rulesets({self._name: definition})

    def _sentinel(self, c: Any) -> None:
        if self._session is not None:
            self._session.sentinel_ran = True

    def _action(self, rule_id: str, derived: dict[str, str] | None) -> Callable[[Any], None]:
        def action(c: Any) -> None:
            session = self._session
            if session is None or rule_id in session.fired:
                return
            try:
                session.fired.add(rule_id)
                matched = {
                    name: {k: v for k, v in fact.items() if k != "sid"}
                    for name, fact in c._m.items()
                }
                session.firings.append(Firing(rule_id, matched))
                if derived is not None:
                    c.assert_fact(dict(derived))
            except BaseException as exc:
                session.errors.append((rule_id, exc))

        return action

    def close(self) -> None:
        """Retire this ruleset from the shared Host and free it in the C core.

        Registering a new name per version leaks; removing the old one from the Host and deleting
        its handle keeps memory flat across reloads. Waits for an evaluation in progress.
        """
        with self._lock, _host_lock:
            ruleset = self._host._ruleset_directory.pop(self._name, None)
            if ruleset is None:
                return
            self._host._ruleset_list.remove(ruleset)
            _engine_core.delete_ruleset(ruleset._handle)

    def evaluate(self, facts: Sequence[Mapping[str, Any]]) -> list[Firing]:
        """Assert `facts` on a fresh sid and return the firings; see `Backend.evaluate`."""
        with self._lock:
            sid = str(next(self._sids))
            session = _Session(sid)
            self._session = session
            try:
                self._host.assert_fact(self._name, {"sid": sid, "t": _SENTINEL_FACT})
                for fact in facts:
                    # Not handled: no rule matches this fact's values, so nothing follows from it.
                    with contextlib.suppress(_dr.MessageNotHandledException):
                        self._host.assert_fact(self._name, {**fact, "sid": sid})
                state = self._host.get_state(self._name, sid)
            except Exception as exc:
                raise EvaluationError("engine-failure", f"durable_rules failed: {exc}") from exc
            finally:
                self._session = None
                if session.sentinel_ran:
                    self._host.delete_state(self._name, sid)
            if session.errors:
                rule_id, error = session.errors[0]
                raise EvaluationError(
                    "rule-action-failed", f"rule {rule_id!r} failed: {error!r}", rule=rule_id
                ) from error
            if "exception" in state:
                raise EvaluationError("engine-failure", f"durable_rules: {state['exception']}")
            return session.firings
