"""The benchmark app: the real app plus a validation-only echo endpoint and a self-description.

Start it as `uvicorn --factory bench.app:create_bench_app` with the READINESS_* settings and
`BENCH_CORPUS` (an NDJSON file from `bench.corpus.write_ndjson`; the default corpus without it).
These routes exist only here, never in `api.app:create_app`:

- `POST /bench/echo` reads and validates the body exactly as `POST /v1/assessments` does (same
  parameters, the same key check and `read_assessment`) and answers with the
  real result bytes for that corpus item, computed at start-up: the same response, no engine.
  The item is found by `organisation.id` (`bench-<n>`). The stricter floor: no response is built.
- `POST /bench/echo-model` does the same, but answers with that result as a pydantic model
  (`AssessmentResult`, validated at start-up) that the framework serialises, as an ordinary
  litestar endpoint returning a pydantic response does: the floor as the performance issue
  describes it (validate the body, return a pydantic response of the same size, no engine).
- `GET /bench/info` says which event loop and HTTP parser serve the request, and which loggers
  are on.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any

from litestar import Litestar, MediaType, Request, Response, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import HeaderParameter, QueryParameter

from api.assessments import caller, read_assessment
from api.language import AcceptLanguage, LangQuery, negotiate
from api.problems import ProblemError
from api.runtime import Runtime
from api.server import serving_app
from bench.backends import json_assessor
from bench.corpus import corpus, id_of, read_ndjson
from schemas.assessment import AssessmentRequest
from schemas.result import AssessmentResult
from schemas.vocabulary import Language

__all__ = ["create_bench_app"]

# The same parameters as the real handler, so the framework does the same work per request.
ExplainQuery = Annotated[bool, QueryParameter(description="Ignored: there is no engine here")]
StoreQuery = Annotated[bool, QueryParameter(description="Ignored: nothing is stored here")]
IdempotencyKey = Annotated[str | None, HeaderParameter(name="Idempotency-Key", max_length=128)]

_LOGGERS = ("readiness", "readiness.access", "uvicorn.error", "uvicorn.access")


def _runtime_of(app: Litestar) -> Runtime:
    provider = app.dependencies["runtime"]
    runtime = provider.dependency() if isinstance(provider, Provide) else provider()
    if not isinstance(runtime, Runtime):
        raise TypeError(f"the app's runtime dependency gave {type(runtime).__name__}")
    return runtime


def _responses(runtime: Runtime, language: Language) -> dict[str, bytes]:
    """Return the real result bytes for every corpus item, by `organisation.id`."""
    source = os.environ.get("BENCH_CORPUS")
    bodies = read_ndjson(Path(source)) if source else corpus()
    assess = json_assessor(runtime.engine, language)
    responses: dict[str, bytes] = {}
    for body in bodies:
        key = id_of(body)
        if key is not None:
            responses[key] = assess(AssessmentRequest.model_validate(body))
    return responses


def _echo_handler(path: str, answers: Mapping[str, bytes | AssessmentResult]) -> Any:
    """`POST path`: validate as the real endpoint does, then answer with the kept answer.

    Bytes are sent as they are; a model is serialised by the framework.
    """

    @post(path, status_code=200, include_in_schema=False)
    async def echo(
        request: Request[Any, Any, Any],
        runtime: NamedDependency[Runtime],
        lang: LangQuery = None,
        accept_language: AcceptLanguage = None,
        explain: ExplainQuery = False,
        store: StoreQuery = False,
        idempotency_key: IdempotencyKey = None,
    ) -> Response[Any]:
        language = negotiate(lang, accept_language)
        caller(request, runtime, store=False)
        assessment = await read_assessment(request, runtime)
        answer = answers.get(assessment.organisation.id or "")
        if answer is None:
            # A code of the benchmark's own app, not of the API: `schemas.codes` lists the API's.
            raise ProblemError(422, "not-in-corpus", "organisation.id names no corpus item")  # type: ignore[arg-type]
        return Response(
            content=answer,
            media_type=MediaType.JSON,
            headers={"Content-Language": language, "Cache-Control": "no-store"},
        )

    return echo


def _info_handler(runtime: Runtime, items: int) -> Any:
    @get("/bench/info", include_in_schema=False, sync_to_thread=False)
    def info() -> dict[str, Any]:
        loop = type(asyncio.get_running_loop())
        parsers = [
            name.rsplit(".", 1)[1]
            for name in ("uvicorn.protocols.http.httptools_impl", "uvicorn.protocols.http.h11_impl")
            if name in sys.modules
        ]
        loggers = {}
        for name in _LOGGERS:
            logger = logging.getLogger(name)
            loggers[name] = {
                "level": logging.getLevelName(logger.getEffectiveLevel()),
                "info_enabled": logger.isEnabledFor(logging.INFO) and not logger.disabled,
                "handlers": len(logger.handlers),
            }
        return {
            "loop": f"{loop.__module__}.{loop.__qualname__}",
            "http": parsers,
            "engine": getattr(runtime.engine.backend, "name", None),
            "corpus_items": items,
            "loggers": loggers,
            "settings": {
                "workers": runtime.settings.workers,
                "log_level": runtime.settings.log_level,
                "reload_interval": runtime.settings.reload_interval,
                "assess_without_key": runtime.settings.assess_without_key,
                "max_body_bytes": runtime.settings.max_body_bytes,
            },
        }

    return info


def create_bench_app() -> Litestar:
    """Build the app as a server worker does (`api.server.serving_app()`), plus the bench routes."""
    app = serving_app()
    runtime = _runtime_of(app)
    responses = _responses(runtime, negotiate(None, None))
    app.register(_echo_handler("/bench/echo", responses))
    models = {key: AssessmentResult.model_validate_json(body) for key, body in responses.items()}
    app.register(_echo_handler("/bench/echo-model", models))
    app.register(_info_handler(runtime, len(responses)))
    return app
