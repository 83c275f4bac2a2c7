"""The API with faults a request can switch on, for the fault tests.

`create_app` builds the real app (`api.app.create_app`) and wires two
faults into its durable_rules backend, each switched on for one request by the header
`X-Test-Fault`:

- `rule-action`: the action of the first rule that derives a fact fails, inside the backend's
  own loop over the core's agenda, with a message full of internals (a file path, SQL), which
  must never reach the client. The engine raises `EvaluationError("rule-action-failed")`
  naming the rule.
- `engine`: the first fact is sent to durable_rules' core with 300 fields, more than the core
  takes in one fact (its error 302): a real core error, `EvaluationError("engine-failure")`.

Requests without the header are served as usual, by the same process and engine.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextvars import ContextVar
from typing import Any, cast

from litestar import Litestar
from litestar.di import Provide

from api.app import create_app as create_real_app
from api.runtime import Runtime
from api.settings import Settings
from engine.runtime.backend import Evaluation

FAULT: ContextVar[str | None] = ContextVar("fault", default=None)
LEAK = "injected fault in /srv/readiness/engine/runtime/_durable.py: SELECT secret FROM api_keys"
"""The failing action's message: internals the response must not show."""


class _FailingDerived(Mapping[str, str]):
    """The backend's derived facts, whose lookup fails while the `rule-action` fault is on."""

    def __init__(self, facts: Mapping[str, str]) -> None:
        self._facts = facts

    def __getitem__(self, key: str) -> str:
        if FAULT.get() == "rule-action":
            raise RuntimeError(LEAK)
        return self._facts[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._facts)

    def __len__(self) -> int:
        return len(self._facts)


class _FaultSwitch:
    """ASGI middleware: sets `FAULT` from the `X-Test-Fault` header for the request."""

    def __init__(self, app: Litestar) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        fault = None
        if scope["type"] == "http":
            fault = next((v.decode() for k, v in scope["headers"] if k == b"x-test-fault"), None)
        token = FAULT.set(fault)
        try:
            await self.app(scope, receive, send)
        finally:
            FAULT.reset(token)


def create_app(settings: Settings | None = None) -> _FaultSwitch:
    """The real app on `settings` (as `api.app.create_app`), faults wired into its backend."""
    app = create_real_app(settings)
    # `api.app.create_app` provides the runtime with `Provide`, not a bare callable.
    runtime = cast(Provide, app.dependencies["runtime"]).dependency()
    assert isinstance(runtime, Runtime)
    backend: Any = runtime.engine.backend
    assert backend.name == "durable", "the faults are wired into the durable_rules backend"
    backend._derived = _FailingDerived(backend._derived)
    evaluate = backend.evaluate

    def faulty_evaluate(facts: Sequence[Mapping[str, Any]]) -> Evaluation:
        if FAULT.get() == "engine":
            first, *rest = facts
            facts = [{**first, **{f"x{i}": "no" for i in range(300)}}, *rest]
        result: Evaluation = evaluate(facts)
        return result

    backend.evaluate = faulty_evaluate
    return _FaultSwitch(app)
