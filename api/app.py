"""The litestar application factory: routes, errors, headers, logs and OpenAPI over the engine."""

from __future__ import annotations

import json
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from litestar import Litestar, get
from litestar.di import Provide
from litestar.exceptions import HTTPException
from litestar.handlers import HTTPRouteHandler

from api.assessments import assessment_handlers, run_batch
from api.catalog import catalog_handlers
from api.health import health_handlers
from api.history import history_handlers
from api.observability import RequestContextMiddleware, configure_logging
from api.openapi import openapi_config
from api.problems import ProblemError, handle_http_exception, handle_problem, handle_unexpected
from api.questionnaire import build_questionnaires, questionnaire_handlers
from api.reload import Reloader
from api.rulesadmin import rules_admin_handlers
from api.runtime import Runtime
from api.settings import Settings
from engine.assess import Engine
from engine.loader import load_ruleset
from schemas.assessment import AssessmentRequest
from schemas.batch import BatchRequest, BatchResult
from store.database import Database
from store.repository import Repository

__all__ = ["create_app"]

_EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "design-examples.json"


def _version() -> str:
    try:
        return version("readiness-rules")
    except PackageNotFoundError:  # running from a checkout without installing
        return "0.0.0"


def _examples(runtime: Runtime) -> dict[str, Any]:
    """Example bodies for the documentation, computed by the engine itself at start-up."""
    request = json.loads(_EXAMPLE.read_text(encoding="utf-8"))
    result = runtime.engine.assess(AssessmentRequest.model_validate(request))
    invalid = {"leadership": {"support": {"tactical": "maybe"}}}
    batch = BatchResult.model_validate_json(
        run_batch(runtime.engine, [request, invalid], "en", False, None)
    )
    return {
        "request": request,
        "result": result.model_dump(mode="json", exclude_none=True),
        "batch_request": {"assessments": [request, invalid]},
        "batch": batch.model_dump(mode="json", exclude_none=True),
    }


def _example_handlers(examples: dict[str, Any]) -> list[HTTPRouteHandler]:
    @get(
        "/v1/examples/assessment",
        tags=["examples"],
        summary="An example assessment",
        description="A realistic assessment to start from; POST it to /v1/assessments.",
        operation_id="exampleAssessment",
        sync_to_thread=False,
    )
    def example_assessment() -> AssessmentRequest:
        return AssessmentRequest.model_validate(examples["request"])

    @get(
        "/v1/examples/batch",
        tags=["examples"],
        summary="An example batch",
        description="A batch with one valid and one invalid assessment.",
        operation_id="exampleBatch",
        sync_to_thread=False,
    )
    def example_batch() -> BatchRequest:
        return BatchRequest.model_construct(
            assessments=[AssessmentRequest.model_validate(examples["request"])]
        )

    return [example_assessment, example_batch]


def create_app(settings: Settings | None = None) -> Litestar:
    """Build the app. The ruleset is loaded, validated and compiled once, here.

    Args:
        settings: The settings; `Settings.from_env()` when None (the uvicorn factory path).
    """
    settings = settings or Settings.from_env()
    configure_logging(settings.log_level)
    engine = Engine(load_ruleset(settings.rules_dir), settings.engine)
    repository = Repository(Database(settings.database_url))
    runtime = Runtime(engine, settings, repository, build_questionnaires(engine.ruleset))
    reloader = Reloader(runtime, settings.rules_dir, settings.reload_interval)
    runtime.reloader = reloader
    examples = _examples(runtime)

    def provide_runtime() -> Runtime:
        return runtime

    app = Litestar(
        route_handlers=[
            *health_handlers(),
            *assessment_handlers(examples, settings.max_batch_body_bytes),
            *catalog_handlers(),
            *questionnaire_handlers(),
            *history_handlers(),
            *rules_admin_handlers(),
            *_example_handlers(examples),
        ],
        dependencies={"runtime": Provide(provide_runtime, sync_to_thread=False, use_cache=True)},
        exception_handlers={
            ProblemError: handle_problem,
            HTTPException: handle_http_exception,
            Exception: handle_unexpected,
        },
        openapi_config=openapi_config(_version()),
        request_max_body_size=settings.max_body_bytes,
        on_startup=[reloader.start],
        on_shutdown=[reloader.stop],
        logging_config=None,
        debug=False,
    )
    # Outermost, so that router errors (404, 405) and oversized bodies get ids and headers too.
    app.asgi_handler = RequestContextMiddleware(app.asgi_handler, current=lambda: runtime.engine)
    return app
