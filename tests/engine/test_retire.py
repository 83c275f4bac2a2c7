"""A replaced engine is released once nothing holds it: a batch streamed to a slow client keeps it.

After a rules reload the old engine is retired (`api.reload`); a batch whose answer is still being
streamed holds it (`Engine.held`), so its remaining items are evaluated on the rules it began with.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from engine import Ruleset
from engine.runtime.assess import Engine
from engine.runtime.backend import Backend, Evaluation
from schemas.assessment import AssessmentRequest

ASSESSMENT = AssessmentRequest.model_validate({"leadership": {"support": {"tactical": "no"}}})


class Closing:
    """A backend that counts its closes and refuses to evaluate once closed."""

    def __init__(self, backend: Backend) -> None:
        self.backend = backend
        self.closes = 0

    def evaluate(self, facts: Sequence[Mapping[str, Any]]) -> Evaluation:
        assert not self.closes, "evaluated after close"
        return self.backend.evaluate(facts)

    def close(self) -> None:
        self.closes += 1

    def __getattr__(self, name: str) -> Any:
        return getattr(self.backend, name)


def _engine(ruleset: Ruleset) -> tuple[Engine, Closing]:
    engine = Engine(ruleset, "compiled")
    closing = Closing(engine.backend)
    engine.backend = closing
    return engine, closing


def test_an_engine_nothing_holds_is_released_when_retired(ruleset: Ruleset) -> None:
    engine, backend = _engine(ruleset)
    after: list[int] = []
    engine.retire(then=lambda: after.append(backend.closes))
    assert backend.closes == 1
    assert after == [1]  # `then` runs after the release


def test_a_held_engine_is_released_when_its_last_holder_is_done(ruleset: Ruleset) -> None:
    engine, backend = _engine(ruleset)
    after: list[int] = []
    with engine.held():
        with engine.held():
            engine.retire(then=lambda: after.append(backend.closes))
            assert engine.assess_json(ASSESSMENT)  # still evaluates on its rules
        assert (backend.closes, after) == (0, [])
        assert engine.assess_json(ASSESSMENT)
    assert (backend.closes, after) == (1, [1])


def test_holding_an_engine_that_is_never_retired_never_releases_it(ruleset: Ruleset) -> None:
    engine, backend = _engine(ruleset)
    for _ in range(3):
        with engine.held():
            engine.assess_json(ASSESSMENT)
    assert backend.closes == 0


def test_an_engine_is_released_once(ruleset: Ruleset) -> None:
    engine, backend = _engine(ruleset)
    released: list[int] = []
    with engine.held():
        engine.retire(then=lambda: released.append(backend.closes))
    with engine.held():  # a late holder (none is expected) does not release it again
        pass
    assert (backend.closes, released) == (1, [1])
