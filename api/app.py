"""The litestar application: assessment and health endpoints over the engine."""

from __future__ import annotations

from litestar import Litestar, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromQuery, JSONBody

from api.settings import Settings
from engine.assess import Engine
from engine.loader import load_ruleset
from schemas.assessment import AssessmentRequest
from schemas.result import AssessmentResult
from schemas.vocabulary import Language

__all__ = ["create_app"]


@get("/health", sync_to_thread=False)
def health() -> dict[str, str]:
    """Liveness: the process answers."""
    return {"status": "ok"}


@post("/v1/assessments", sync_to_thread=False, status_code=200)
def assess(
    data: JSONBody[AssessmentRequest],
    engine: NamedDependency[Engine],
    lang: FromQuery[Language] = "en",
    explain: FromQuery[bool] = False,
) -> AssessmentResult:
    """Assess one organisation's readiness and return gaps and ranked recommendations."""
    return engine.assess(data, language=lang, explain=explain)


def create_app(settings: Settings | None = None) -> Litestar:
    """Build the app; the ruleset is loaded and compiled once, here."""
    settings = settings or Settings.from_env()
    engine = Engine(load_ruleset(settings.rules_dir))
    return Litestar(
        route_handlers=[health, assess],
        dependencies={"engine": Provide(lambda: engine, sync_to_thread=False)},
    )
