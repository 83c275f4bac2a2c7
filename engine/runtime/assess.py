"""The engine: evaluate an assessment with the rules into an outcome, and the outcome's views."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import get_args

from engine.indicators import INDICATORS, values_of
from engine.rulebase.loader import load_ruleset
from engine.ruleset import Ruleset
from engine.runtime.backend import Backend, fields_needed, fields_tested
from engine.runtime.outcome import Outcome, Step
from engine.runtime.render import Fragments, render
from engine.runtime.resolve import Resolver
from engine.runtime.typed import Texts, build_model
from schemas.assessment import AssessmentRequest
from schemas.result import AssessmentResult
from schemas.vocabulary import Language

__all__ = ["BACKENDS", "Engine", "make_backend"]

COUNTRIES = ("SE", "DK", "unknown")
"""The values of `organisation.country`: texts may differ per country."""

BACKENDS = ("durable", "compiled")
"""The names of the rule-evaluation backends; `durable` is the default."""


def make_backend(name: str, ruleset: Ruleset) -> Backend:
    """Return a new backend called `name` (one of `BACKENDS`) for `ruleset`.

    Raises:
        ValueError: For an unknown name.
    """
    if name == "durable":
        from engine.runtime._durable import DurableBackend

        return DurableBackend(ruleset)
    if name == "compiled":
        from engine.runtime.compiled import CompiledBackend

        return CompiledBackend(ruleset)
    raise ValueError(f"no engine backend {name!r}; choose one of {', '.join(BACKENDS)}")


class Engine:
    """Assesses readiness with one ruleset on one backend. Safe to share between threads.

    `evaluate` gives an assessment's `Outcome`; `result_json` and `result_model` give its result, as the
    JSON the API sends and as a typed model. `assess_json` and `assess` do both steps at once.
    """

    def __init__(self, ruleset: Ruleset, backend: Backend | str = "durable") -> None:
        self.ruleset = ruleset
        self.backend: Backend = (
            make_backend(backend, ruleset) if isinstance(backend, str) else backend
        )
        needed = fields_needed(ruleset)
        # (fact, [(field, path), ...]) in schema order: only what some rule tests is asserted.
        layout: dict[str, list[tuple[str, str]]] = {}
        for indicator in INDICATORS:
            if indicator.field in needed.get(indicator.fact, ()):
                layout.setdefault(indicator.fact, []).append((indicator.field, indicator.path))
        self._layout = tuple((fact, tuple(fields)) for fact, fields in layout.items())
        self._fields = {rule.id: fields_tested(rule) for rule in ruleset.rules}
        self._resolver = Resolver(ruleset)
        # Prepared at load time for every language and country, off the request path.
        self._fragments = {
            (language, country): Fragments(ruleset, language, country=country)
            for language in get_args(Language)
            for country in COUNTRIES
        }
        # Built on first use: most engines never build a typed result.
        self._texts: dict[tuple[Language, str, str, str], Texts] = {}
        # Holders (`held`), and once retired while held, what runs after the release (`retire`).
        self._holders = 0
        self._retired: Callable[[], None] | None = None
        self._holding = threading.Lock()

    @classmethod
    def from_folder(cls, root: Path | None = None, backend: str = "durable") -> Engine:
        """Load the rules folder at `root` (default: the shipped one) on `backend`."""
        return cls(load_ruleset(root), backend)

    def evaluate(self, request: AssessmentRequest, *, explain: bool = False) -> Outcome:
        """Evaluate `request` and return what the rules found, in no language yet.

        With `explain`, the outcome keeps the trace: every firing with the facts it matched.

        Raises:
            EvaluationError: When the backend or a rule action fails.
        """
        values = values_of(request)
        evaluation = self.backend.evaluate(self.facts_for(values))
        trace = None
        if explain:
            trace = tuple(
                [
                    Step(rule, self._restrict(rule, evaluation.matched(i)))
                    for i, rule in enumerate(evaluation.rules)
                ]
            )
        return self._resolver.outcome(values, evaluation.rules, trace)

    def result_json(self, outcome: Outcome, *, language: Language = "en") -> bytes:
        """Return the result of `outcome` as JSON, texts in `language`.

        The bytes are exactly what `result_model(outcome, ...).model_dump_json()` gives (see
        `engine.runtime.render`).
        """
        return render(self._fragments[language, outcome.country], outcome)

    def result_model(self, outcome: Outcome, *, language: Language = "en") -> AssessmentResult:
        """Return the result of `outcome` as a typed model, texts in `language`."""
        key = (language, outcome.country, outcome.model, outcome.kind)
        texts = self._texts.get(key)
        if texts is None:
            texts = self._texts[key] = Texts(
                self.ruleset, language, outcome.country, outcome.model, outcome.kind
            )
        return build_model(texts, outcome)

    def assess(
        self, request: AssessmentRequest, *, language: Language = "en", explain: bool = False
    ) -> AssessmentResult:
        """Evaluate `request` and return its result, texts in `language`, as a typed model.

        Raises:
            EvaluationError: When the backend or a rule action fails.
        """
        return self.result_model(self.evaluate(request, explain=explain), language=language)

    def assess_json(
        self, request: AssessmentRequest, *, language: Language = "en", explain: bool = False
    ) -> bytes:
        """Evaluate `request` and return its result as JSON, without building the models.

        Raises:
            EvaluationError: When the backend or a rule action fails.
        """
        return self.result_json(self.evaluate(request, explain=explain), language=language)

    def close(self) -> None:
        """Release the backend now (an engine that was never served, or is no longer used)."""
        self.backend.close()

    @contextmanager
    def held(self) -> Iterator[Engine]:
        """Keep the backend open while the block runs, even if the engine is retired meanwhile.

        For work that may outlast the time a replaced engine is kept (a batch streamed to a slow
        client): `retire` then closes the backend when the last holder is done.
        """
        with self._holding:
            self._holders += 1
        try:
            yield self
        finally:
            with self._holding:
                self._holders -= 1
                then = None
                if not self._holders:
                    then, self._retired = self._retired, None  # released once
            if then is not None:
                self._release(then)

    def retire(self, then: Callable[[], None] = lambda: None) -> None:
        """Release the backend once nothing holds the engine (after a reload replaced it).

        `then` runs right after the backend is released: now, or when the last holder is done.
        """
        with self._holding:
            idle = not self._holders
            if not idle:
                self._retired = then
        if idle:
            self._release(then)

    def _release(self, then: Callable[[], None]) -> None:
        self.backend.close()
        then()

    def facts_for(self, values: Mapping[str, str]) -> list[dict[str, str]]:
        """Return the facts an evaluation asserts for indicator `values`.

        One fact per model of the assessment that some rule tests, holding only the fields rules
        test, plus `t`, the fact name.
        """
        facts = []
        for fact, fields in self._layout:
            item = {"t": fact}
            for field, path in fields:
                item[field] = values[path]
            facts.append(item)
        return facts

    def _restrict(self, rule: str, matched: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
        fields = self._fields[rule]
        restricted: dict[str, dict[str, str]] = {}
        for fact in matched.values():
            name = f"{fact['t']}:{fact['ref']}" if "ref" in fact else fact["t"]
            tested = fields.get(fact["t"], ())
            restricted[name] = {k: v for k, v in fact.items() if k in tested}
        return restricted
