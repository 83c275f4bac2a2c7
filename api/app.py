"""The litestar application factory: routes, errors, headers, logs and OpenAPI over the engine."""

from __future__ import annotations

import base64
import copy
import hashlib
import json
import re
from collections.abc import Iterable
from datetime import timedelta
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from litestar import Litestar, Response, get, route
from litestar.config.cors import CORSConfig
from litestar.di import Provide
from litestar.enums import HttpMethod
from litestar.exceptions import HTTPException
from litestar.handlers import HTTPRouteHandler
from litestar.openapi.plugins import OpenAPIRenderPlugin
from litestar.openapi.spec import SecurityRequirement
from litestar.static_files import create_static_files_router
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from api.assessments import assessment_handlers, run_batch
from api.auth import CallerMiddleware, KeyVerifier
from api.catalog import catalog_handlers
from api.examples import stored_examples, with_examples
from api.health import health_handlers
from api.history import history_handlers
from api.observability import RequestContextMiddleware, configure_logging
from api.openapi import (
    DOCS_ASSETS,
    DOCS_ASSETS_PATH,
    KEY_OPTIONAL,
    KEY_REQUIRED,
    ROUND_CODE,
    openapi_config,
)
from api.pages import PAGES_ASSETS, PAGES_ASSETS_PATH, pages_router, template_config
from api.params import refuse_unknown_parameters
from api.problems import ProblemError, handle_http_exception, handle_problem, handle_unexpected
from api.questionnaire import build_questionnaires, questionnaire_handlers
from api.regions import region_handlers
from api.reload import Reloader
from api.rounds import ROUND_CODE_HEADER, purge_at_startup, respondent_handlers, round_handlers
from api.rulesadmin import rules_admin_handlers
from api.runtime import Runtime, Served
from api.settings import Settings
from engine import Engine, default_examples_dir, load_round_spec, load_ruleset
from schemas.assessment import AssessmentRequest
from schemas.batch import BatchRequest
from schemas.rounds import ROUND_EXAMPLE, RoundRequest
from store.database import Database
from store.pages import PageSessions
from store.repository import Repository
from store.rounds import Rounds

__all__ = ["create_app"]

_EXAMPLE = default_examples_dir() / "design-examples.json"


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
    # The documentation shows the real batch answer, read back once at start-up as a plain tree.
    batch = json.loads(run_batch(runtime.engine, [request, invalid], "en", False, None))
    return {
        "request": request,
        "result": result.model_dump(mode="json", exclude_none=True),
        "batch_request": {"assessments": [request, invalid]},
        "batch": batch,
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

    @get(
        "/v1/examples/round",
        tags=["examples"],
        summary="An example round",
        description="A round to open: POST it to /v1/rounds.",
        operation_id="exampleRound",
        sync_to_thread=False,
    )
    def example_round() -> RoundRequest:
        return RoundRequest.model_validate(ROUND_EXAMPLE)

    return [example_assessment, example_batch, example_round]


# Sent on every response; a response that sets one itself keeps its own.
_ALWAYS = (
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
)
_CREDENTIALS = (b"authorization", b"x-api-key", ROUND_CODE_HEADER.lower().encode())
"""Headers that say who is asking: an answer to a request with one is for that caller only."""
# JSON, CSV and problems: nothing may be loaded, run or framed.
_API_POLICY = b"default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
_INLINE_SCRIPT = re.compile(
    rb"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", re.DOTALL | re.IGNORECASE
)
_HREF = re.compile(r"href=['\"]([^'\"]+)['\"]")


def docs_sources(plugins: Iterable[OpenAPIRenderPlugin]) -> dict[str, list[str]]:
    """The sources the documentation pages load, by CSP directive.

    Taken from the render plugins' configuration, never from a page itself: a file served by
    this app (a path) is `'self'`, an external one its exact URL.
    """
    sources: dict[str, list[str]] = {"script-src": [], "style-src": [], "img-src": []}
    for plugin in plugins:
        for name, directive in (
            ("js_url", "script-src"),
            ("standalone_preset_js_url", "script-src"),
            ("css_url", "style-src"),
        ):
            url = getattr(plugin, name, None)
            if isinstance(url, str) and _source(url) not in sources[directive]:
                sources[directive].append(_source(url))
        favicon = _HREF.search(getattr(plugin, "favicon", "") or "")
        if favicon and _source(favicon.group(1)) not in sources["img-src"]:
            sources["img-src"].append(_source(favicon.group(1)))
        if getattr(plugin, "google_fonts", False):
            sources["style-src"].append("https://fonts.googleapis.com/css")
            sources.setdefault("font-src", []).append("https://fonts.gstatic.com")
    return sources


def _source(url: str) -> str:
    """The CSP source that allows loading `url`."""
    if url.startswith("data:"):
        return "data:"
    return "'self'" if url.startswith("/") and not url.startswith("//") else url


def html_policy(sources: dict[str, list[str]], body: bytes) -> bytes:
    """The CSP of an HTML page: its inline scripts by hash, external files by exact URL.

    The pages are the OpenAPI viewers; their only inline script starts the viewer on the
    OpenAPI document, which holds no caller input. Inline styles are allowed (the viewers set
    styles from script); inline event handlers and `javascript:` URLs are not.
    """
    hashes = [
        "'sha256-" + base64.b64encode(hashlib.sha256(script).digest()).decode() + "'"
        for script in _INLINE_SCRIPT.findall(body)
    ]
    directives = [
        "default-src 'none'",
        "script-src " + " ".join([*hashes, *sources.get("script-src", [])] or ["'none'"]),
        "style-src " + " ".join(["'unsafe-inline'", *sources.get("style-src", [])]),
        "img-src " + " ".join(dict.fromkeys(["'self'", "data:", *sources.get("img-src", [])])),
        "connect-src 'self'",  # Swagger UI's "try it out" calls this API
        "worker-src blob:",  # Redoc runs its search in a worker made from a blob
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "form-action 'none'",
    ]
    if sources.get("font-src"):
        directives.insert(4, "font-src " + " ".join(sources["font-src"]))
    return "; ".join(directives).encode()


class SecurityHeadersMiddleware:
    """Adds `X-Content-Type-Options`, `Referrer-Policy`, `X-Frame-Options` and a CSP to responses.

    Every response gets `default-src 'none'` as its Content-Security-Policy except HTML pages,
    which get `html_policy`: their body is held until complete to hash their inline scripts.
    Responses to requests that present an API key (or a round's invitation code) get
    `Cache-Control: no-store` unless they say otherwise, so that no shared cache keeps what only
    that caller may see.
    """

    def __init__(self, app: ASGIApp, docs: dict[str, list[str]]) -> None:
        self.app = app
        self._docs = docs

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Handle one ASGI connection."""
        if scope["type"] != "http":  # type: ignore[comparison-overlap]  # the enum is a str
            await self.app(scope, receive, send)
            return
        keyed = any(k in _CREDENTIALS for k, _ in scope["headers"])
        held: Message | None = None
        held_headers: list[tuple[bytes, bytes]] = []
        chunks: list[bytes] = []

        async def send_secured(message: Message) -> None:
            nonlocal held, held_headers
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {k.lower() for k, _ in headers}
                headers += [(k, v) for k, v in _ALWAYS if k not in names]
                if keyed and b"cache-control" not in names:
                    headers.append((b"cache-control", b"no-store"))  # answers for a key only
                html = any(
                    k.lower() == b"content-type" and v.lower().startswith(b"text/html")
                    for k, v in headers
                )
                message["headers"] = headers
                if html and b"content-security-policy" not in names:
                    held, held_headers = message, headers
                    return
                if b"content-security-policy" not in names:
                    headers.append((b"content-security-policy", _API_POLICY))
                await send(message)
                return
            if held is not None and message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
                if message.get("more_body", False):
                    return
                body = b"".join(chunks)
                policy = html_policy(self._docs, body)
                held_headers.append((b"content-security-policy", policy))
                await send(held)
                await send({"type": "http.response.body", "body": body, "more_body": False})
                return
            await send(message)

        await self.app(scope, receive, send_secured)


_CORS_REQUEST_HEADERS = [
    "Authorization", "X-API-Key", "Content-Type", "Accept-Language", "Idempotency-Key",
    "X-Request-Id", ROUND_CODE_HEADER,
]  # fmt: skip
_CORS_EXPOSED_HEADERS = [
    "X-Request-Id", "X-Ruleset-Version", "X-Ruleset-Digest", "Retry-After", "Location",
    "Content-Language", "X-Assessment-Id", "Idempotent-Replayed", "Link",
    "X-Export-Truncated", "Content-Disposition",
]  # fmt: skip


def _cors(origins: list[str]) -> CORSConfig | None:
    """CORS for the listed origins only; None (no CORS headers at all) when there are none."""
    if not origins:
        return None
    return CORSConfig(
        allow_origins=origins,
        allow_methods=["GET", "POST", "PUT", "DELETE", "OPTIONS"],
        allow_headers=_CORS_REQUEST_HEADERS,
        expose_headers=_CORS_EXPOSED_HEADERS,
        allow_credentials=False,
        max_age=600,
    )


def with_options(handlers: list[HTTPRouteHandler]) -> list[HTTPRouteHandler]:
    """`handlers`, after an OPTIONS handler for each path that more than one of them serves.

    Litestar makes a path's OPTIONS answer when the first handler of the path is registered, and
    its `Allow` header then misses the methods of handlers registered later (`GET` beside `POST`
    on `/v1/assessments`). An OPTIONS handler of our own, registered first, lists them all.
    """
    serving: dict[str, list[HTTPRouteHandler]] = {}
    for handler in handlers:
        for path in handler.paths:
            serving.setdefault(path, []).append(handler)
    shared = [
        _options(path, ", ".join(sorted({"OPTIONS", *(m for h in found for m in h.http_methods)})))
        for path, found in serving.items()
        if len(found) > 1
    ]
    return [*shared, *handlers]


def _options(path: str, allow: str) -> HTTPRouteHandler:
    @route(path, http_method=[HttpMethod.OPTIONS], include_in_schema=False, sync_to_thread=False)
    def options() -> Response[None]:
        return Response(content=None, status_code=204, headers={"Allow": allow})

    return options


def _secured(
    handlers: Iterable[HTTPRouteHandler], security: list[SecurityRequirement]
) -> list[HTTPRouteHandler]:
    """Copies of `handlers` whose OpenAPI operations carry `security`.

    The handlers check keys themselves (`require_key`, `optional_key`); this says in the
    document what they check, without touching the shared handler objects.
    """
    secured = []
    for handler in handlers:
        handler = copy.copy(handler)
        handler.security = security
        secured.append(handler)
    return secured


def create_app(settings: Settings | None = None) -> Litestar:
    """Build the app. The ruleset is loaded, validated and compiled once, here.

    Args:
        settings: The settings; `Settings.from_env()` when None (the uvicorn factory path).
    """
    settings = settings or Settings.from_env()
    configure_logging(settings.log_level)
    engine = Engine(load_ruleset(settings.rules_dir), settings.engine)
    round_spec = load_round_spec(settings.rules_dir)
    database = Database(settings.database_url)
    repository = Repository(database)
    runtime = Runtime(
        Served(engine, build_questionnaires(engine.ruleset, round_spec), round_spec),
        settings,
        repository,
        Rounds(database),
    )
    reloader = Reloader(runtime, settings.rules_dir, settings.reload_interval)
    runtime.reloader = reloader
    runtime.pages = PageSessions(database, timedelta(hours=settings.page_session_hours))
    examples = _examples(runtime)

    def provide_runtime() -> Runtime:
        return runtime

    assessing = KEY_OPTIONAL if settings.assess_without_key else KEY_REQUIRED
    app = Litestar(
        route_handlers=[
            *with_options(
                [
                    *health_handlers(),
                    *_secured(
                        assessment_handlers(examples, settings.max_batch_body_bytes), assessing
                    ),
                    *catalog_handlers(),
                    *questionnaire_handlers(),
                    *_secured(
                        with_examples(
                            [
                                *history_handlers(),
                                *region_handlers(),
                                *rules_admin_handlers(),
                                *round_handlers(),
                            ],
                            stored_examples(engine, examples["request"]),
                        ),
                        KEY_REQUIRED,
                    ),
                    *_secured(respondent_handlers(), ROUND_CODE),
                    *_example_handlers(examples),
                ]
            ),
            create_static_files_router(
                DOCS_ASSETS_PATH, directories=[DOCS_ASSETS], include_in_schema=False
            ),
            create_static_files_router(
                PAGES_ASSETS_PATH, directories=[PAGES_ASSETS], include_in_schema=False
            ),
            pages_router(runtime),
        ],
        template_config=template_config(),
        dependencies={"runtime": Provide(provide_runtime, sync_to_thread=False, use_cache=True)},
        exception_handlers={
            ProblemError: handle_problem,
            HTTPException: handle_http_exception,
            Exception: handle_unexpected,
        },
        openapi_config=openapi_config(_version()),
        cors_config=_cors(settings.cors_origin_list),
        request_max_body_size=settings.max_body_bytes,
        before_request=refuse_unknown_parameters,
        on_startup=[reloader.start, lambda: purge_at_startup(runtime)],
        on_shutdown=[reloader.stop, repository.db.close],
        logging_config=None,
        debug=False,
    )
    limited = CallerMiddleware(app.asgi_handler, settings.rate_limit, KeyVerifier(repository))
    plugins = app.openapi_config.render_plugins if app.openapi_config else []
    secured = SecurityHeadersMiddleware(limited, docs_sources(plugins))
    # Outermost, so that router errors (404, 405), oversized bodies and refusals for too many
    # requests get ids, ruleset and security headers too.
    app.asgi_handler = RequestContextMiddleware(secured, current=lambda: runtime.served)
    return app
