"""Engines by backend name, and the one call per backend the benchmarks time.

The names are data: a backend the engine does not have yet (`compiled` while it is being built)
is reported as unavailable and skipped, never silently replaced by another.
"""

from __future__ import annotations

from collections.abc import Callable

from engine import Engine, Ruleset
from schemas.assessment import AssessmentRequest
from schemas.vocabulary import Language

__all__ = ["ALL_BACKENDS", "BackendUnavailableError", "json_assessor", "make_engine"]

ALL_BACKENDS = ("durable", "compiled")
"""Every backend the benchmarks know, in report order."""


class BackendUnavailableError(RuntimeError):
    """The engine has no backend of that name (yet)."""


def make_engine(ruleset: Ruleset, name: str) -> Engine:
    """Return an engine on backend `name`, checked by `engine.backend.name`.

    Raises:
        BackendUnavailableError: When the engine cannot build that backend.
    """
    try:
        engine = Engine(ruleset, backend=name)
    except (ImportError, LookupError, NotImplementedError, TypeError, ValueError) as exc:
        raise BackendUnavailableError(f"{name}: {type(exc).__name__}: {exc}") from exc
    if isinstance(engine.backend, str):  # an Engine from before backend names took a Backend
        if name != "durable":
            raise BackendUnavailableError(f"{name}: this Engine knows only its default backend")
        engine = Engine(ruleset)
    actual = getattr(engine.backend, "name", None)
    if actual != name:
        raise BackendUnavailableError(f"{name}: asked for it, the engine built {actual!r}")
    return engine


def json_assessor(
    engine: Engine, language: Language = "en"
) -> Callable[[AssessmentRequest], bytes]:
    """Return `request -> response bytes`: `assess_json` when the engine has it, else the fallback.

    The fallback, `assess(...).model_dump_json().encode()`, is what the endpoint does without it.
    """
    method = getattr(engine, "assess_json", None)
    if callable(method):

        def direct(request: AssessmentRequest) -> bytes:
            payload: bytes = method(request, language=language, explain=False)
            return payload

        return direct

    def fallback(request: AssessmentRequest) -> bytes:
        result = engine.assess(request, language=language, explain=False)
        return result.model_dump_json().encode()

    return fallback
