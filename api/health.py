"""Liveness and readiness."""

from __future__ import annotations

from typing import Any

from litestar import Request, get
from litestar.di import NamedDependency
from litestar.handlers import HTTPRouteHandler
from pydantic import BaseModel

from api.runtime import Runtime
from schemas.result import RulesetInfo

__all__ = ["HealthStatus", "ReadyStatus", "health_handlers"]


class HealthStatus(BaseModel):
    """The process answers."""

    status: str


class ReadyStatus(BaseModel):
    """The ruleset is loaded and the server takes assessments."""

    status: str
    ruleset: RulesetInfo
    rules: int
    engine: str
    """The rule-evaluation backend: `durable` or `compiled`."""
    reload: dict[str, Any] | None = None
    """The last reload attempt: when, whether it passed, the digest tried, and why it failed."""


def health_handlers() -> list[HTTPRouteHandler]:
    """Build the handlers."""

    @get(
        "/health",
        tags=["operations"],
        summary="Liveness",
        operation_id="health",
        sync_to_thread=False,
    )
    def health() -> HealthStatus:
        return HealthStatus(status="ok")

    @get(
        "/ready",
        tags=["operations"],
        summary="ReadyStatus",
        description="The loaded ruleset's name, version, digest and rule count, and the engine backend.",
        operation_id="ready",
        sync_to_thread=False,
    )
    def ready(request: Request[Any, Any, Any], runtime: NamedDependency[Runtime]) -> ReadyStatus:
        engine = runtime.engine_for(request)
        ruleset = engine.ruleset
        reload = runtime.reloader.status.to_json() if runtime.reloader else None
        return ReadyStatus(
            status="ready",
            ruleset=ruleset.info,
            rules=len(ruleset.rules),
            engine=engine.backend.name,
            reload=reload,
        )

    return [health, ready]
