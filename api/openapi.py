"""The OpenAPI document: request bodies with examples, problem responses, metadata."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from litestar import Request
from litestar.openapi import OpenAPIConfig, ResponseSpec
from litestar.openapi.plugins import JsonRenderPlugin, RedocRenderPlugin, SwaggerRenderPlugin
from litestar.openapi.spec import (
    Components,
    Example,
    OpenAPIFormat,
    OpenAPIMediaType,
    OpenAPIType,
    Operation,
    Reference,
    RequestBody,
    Schema,
    SecurityRequirement,
    SecurityScheme,
)
from pydantic import BaseModel

from api.problems import PROBLEM_MEDIA_TYPE
from schemas.problem import Problem

__all__ = [
    "ANSWER_EXAMPLE",
    "DOCS_ASSETS",
    "DOCS_ASSETS_PATH",
    "KEY_OPTIONAL",
    "KEY_REQUIRED",
    "ROUND_CODE",
    "body_operation",
    "close_forbidding_models",
    "export_operation",
    "openapi_config",
    "problem_responses",
]

_DESCRIPTION = """\
Readiness assessment for implementing new methods in Swedish and Danish social services.

POST an assessment (typed answers about leadership, the tovholder, venues, training, process,
risks and strengths); get back readiness per dimension, the gaps the rules derived, the obstacles
and success factors the source documents tie to them, and ranked recommendations, every item
cited (source id + locator). Texts in Swedish, Danish or English (`?lang=` or `Accept-Language`).

Most operations need an API key, sent as `Authorization: Bearer rk_…` or `X-API-Key: rk_…`
(the `bearer` and `apiKey` security schemes; "Authorize" on the Swagger page). Keys are made
with `readiness keys create --scopes assess,read --region <region>`; the catalog, the questionnaire and
the probes are open. Respondents of an assessment round need no key: they send the invitation
code they were given as `X-Round-Code` (the `roundCode` scheme).

Every response carries `X-Ruleset-Version`, `X-Ruleset-Digest` and `X-Request-Id`. Errors are
`application/problem+json` with a stable `code`.
"""


def _forbidding_models() -> set[str]:
    """Names of the pydantic models that reject unknown fields (`extra="forbid"`).

    A name two models share is left out unless both forbid extras, so that no schema is closed
    by mistake.
    """
    verdicts: dict[str, set[bool]] = {}
    pending: list[type[BaseModel]] = [BaseModel]
    while pending:
        model = pending.pop()
        pending.extend(model.__subclasses__())
        if model is not BaseModel:
            forbids = model.model_config.get("extra") == "forbid"
            verdicts.setdefault(model.__name__, set()).add(forbids)
    return {name for name, seen in verdicts.items() if seen == {True}}


_CONSTRAINTS = ("anyOf", "oneOf", "minProperties", "maxProperties")
"""The JSON Schema keywords a model may state about itself as a whole (`json_schema_extra`)."""


def _model_constraints() -> dict[str, dict[str, Any]]:
    """The constraints each pydantic model states about itself as a whole, by model name.

    A model validates them (a validator, or the handler that reads it); litestar leaves a
    model's own `json_schema_extra` out of its component, so they are put back here. A name two
    models share is left out.
    """
    found: dict[str, list[dict[str, Any]]] = {}
    pending: list[type[BaseModel]] = [BaseModel]
    while pending:
        model = pending.pop()
        pending.extend(model.__subclasses__())
        extra = model.model_config.get("json_schema_extra")
        stated = (
            {k: v for k, v in extra.items() if k in _CONSTRAINTS} if isinstance(extra, dict) else {}
        )
        found.setdefault(model.__name__, []).append(stated)
    return {name: seen[0] for name, seen in found.items() if len(seen) == 1 and seen[0]}


def close_forbidding_models(document: dict[str, Any]) -> dict[str, Any]:
    """Return `document` with `additionalProperties: false` on every closed model's schema.

    Litestar leaves `additionalProperties` out of the component schemas it generates from
    pydantic models, so a schema said "any other field is fine" while the model rejects every
    unknown field with 422 `validation-failed`. This puts the models' real contract back, for
    the request bodies (clients and generated test data) and the response bodies (checks), with
    what a model states about itself as a whole (`_model_constraints`).
    """
    closed = copy.deepcopy(document)
    names = _forbidding_models()
    constraints = _model_constraints()
    for name, schema in closed.get("components", {}).get("schemas", {}).items():
        if name in names and schema.get("type") == "object" and "properties" in schema:
            schema["additionalProperties"] = False
        schema.update(copy.deepcopy(constraints.get(name, {})))
    return _with_sorted_headers(_with_rate_limit(_with_bad_request(closed)))


def _with_sorted_headers(document: dict[str, Any]) -> dict[str, Any]:
    """Sort each response's headers by name.

    Litestar collects a handler's response headers in a set, so their order followed the
    process's string hashing: the same app described itself differently from one start to the
    next, and the documentation pages, which embed the document, changed their script hash.
    """
    for operations in document.get("paths", {}).values():
        for operation in operations.values():
            if not isinstance(operation, dict):
                continue
            for response in operation.get("responses", {}).values():
                if isinstance(response, dict) and isinstance(response.get("headers"), dict):
                    response["headers"] = dict(sorted(response["headers"].items()))
    return document


UNLIMITED_PATHS = frozenset({"/health", "/ready"})
"""The paths the rate limit never applies to (the probes)."""

_RATE_LIMITED = {
    "description": (
        "Over READINESS_RATE_LIMIT requests a minute for this API key (or client address); "
        "`Retry-After` says when to try again"
    ),
    "headers": {"Retry-After": {"description": "Seconds to wait", "schema": {"type": "integer"}}},
    "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
}


def _checked_operations(document: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """The operations the rate limit and the query check apply to (all but the probes).

    Nothing when the document has no `Problem` schema to refer to (a partial document).
    """
    if "Problem" not in document.get("components", {}).get("schemas", {}):
        return
    for path, operations in document.get("paths", {}).items():
        if path in UNLIMITED_PATHS:
            continue
        for operation in operations.values():
            if isinstance(operation, dict) and "responses" in operation:
                yield operation


def _with_rate_limit(document: dict[str, Any]) -> dict[str, Any]:
    """Add the 429 `rate-limited` problem to every operation the rate limit applies to."""
    for operation in _checked_operations(document):
        operation["responses"].setdefault("429", copy.deepcopy(_RATE_LIMITED))
    return document


_BAD_REQUEST = {
    "description": (
        "A query parameter the operation does not take (`unknown-parameter`) or sent twice "
        "(`repeated-parameter`), or an invalid one"
    ),
    "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
}


def _with_bad_request(document: dict[str, Any]) -> dict[str, Any]:
    """Add the 400 problem to every operation whose query is checked (all but the probes).

    It replaces the 400 litestar documents by itself for an operation with parameters, which
    describes litestar's own JSON error body, not the problem this API answers with.
    """
    for operation in _checked_operations(document):
        documented = operation["responses"].get("400", {})
        if PROBLEM_MEDIA_TYPE not in documented.get("content", {}):
            operation["responses"]["400"] = copy.deepcopy(_BAD_REQUEST)
    return document


class _ClosedSchemas:
    """Renders the document with closed model schemas (see `close_forbidding_models`)."""

    _closed: dict[str, Any] | None = None

    def closed(
        self, openapi_schema: dict[str, Any], request: Request[Any, Any, Any]
    ) -> dict[str, Any]:
        """The closed document with its answer examples, computed once (it does not change)."""
        if self._closed is None:
            self._closed = _with_answer_examples(close_forbidding_models(openapi_schema), request)
        return self._closed


class _JsonPlugin(_ClosedSchemas, JsonRenderPlugin):
    def render(self, request: Request[Any, Any, Any], openapi_schema: dict[str, Any]) -> bytes:
        return super().render(request, self.closed(openapi_schema, request))


class _SwaggerPlugin(_ClosedSchemas, SwaggerRenderPlugin):
    def render(self, request: Request[Any, Any, Any], openapi_schema: dict[str, Any]) -> bytes:
        return super().render(request, self.closed(openapi_schema, request))


class _RedocPlugin(_ClosedSchemas, RedocRenderPlugin):
    def render(self, request: Request[Any, Any, Any], openapi_schema: dict[str, Any]) -> bytes:
        return super().render(request, self.closed(openapi_schema, request))


ANSWER_EXAMPLE = "answer_example"
"""The key of a handler's `opt` that holds an example of its JSON answer: (summary, value)."""


def _with_answer_examples(
    document: dict[str, Any], request: Request[Any, Any, Any]
) -> dict[str, Any]:
    """Show each handler's answer example (`ANSWER_EXAMPLE`) on its 200 JSON response.

    Set here, on the rendered document, because litestar leaves every null out of the examples
    it renders, and a null is often the very value an answer has (a score not yet known).
    """
    examples = {
        handler.operation_id: handler.opt[ANSWER_EXAMPLE]
        for route in request.app.routes
        for handler in getattr(route, "route_handlers", [])
        if ANSWER_EXAMPLE in getattr(handler, "opt", {})
    }
    for operations in document.get("paths", {}).values():
        for operation in operations.values():
            found = (
                examples.get(operation.get("operationId")) if isinstance(operation, dict) else None
            )
            if found is None:
                continue
            summary, value = found
            content = operation["responses"]["200"]["content"]["application/json"]
            content["examples"] = {"example": {"summary": summary, "value": value}}
    return document


KEY_REQUIRED: list[SecurityRequirement] = [{"bearer": []}, {"apiKey": []}]
"""The security of an operation that needs an API key: either header."""

KEY_OPTIONAL: list[SecurityRequirement] = [{}, *KEY_REQUIRED]
"""The security of an operation open to all, which takes a key when one is presented."""

ROUND_CODE: list[SecurityRequirement] = [{"roundCode": []}]
"""The security of a respondent's operation: an invitation code to a round, no API key."""

_SECURITY_SCHEMES: dict[str, SecurityScheme | Reference] = {
    "bearer": SecurityScheme(
        type="http",
        scheme="bearer",
        bearer_format="rk_<id>_<secret>",
        description="An API key as `Authorization: Bearer <key>`",
    ),
    "apiKey": SecurityScheme(
        type="apiKey",
        name="X-API-Key",
        security_scheme_in="header",
        description="An API key as `X-API-Key: <key>`",
    ),
    "roundCode": SecurityScheme(
        type="apiKey",
        name="X-Round-Code",
        security_scheme_in="header",
        description="A respondent's invitation code to an assessment round as `X-Round-Code: <code>`",
    ),
}

DOCS_ASSETS = Path(__file__).parent / "static"
"""Swagger UI and Redoc, served by the app itself (see static/README.md)."""

DOCS_ASSETS_PATH = "/schema/assets"
"""Where the app serves `DOCS_ASSETS`."""

_NO_FAVICON = "<link rel='icon' href='data:,'>"  # no request for /favicon.ico, no outside host


def openapi_config(version: str) -> OpenAPIConfig:
    """The OpenAPI 3.1 configuration: JSON at `/schema/openapi.json`, pages at `/schema/...`.

    The pages load their scripts and styles from `DOCS_ASSETS_PATH`, never from a CDN.
    """
    swagger = f"{DOCS_ASSETS_PATH}/swagger-ui"
    return OpenAPIConfig(
        title="Readiness assessment API",
        version=version,
        description=_DESCRIPTION,
        path="/schema",
        components=Components(security_schemes=_SECURITY_SCHEMES),
        render_plugins=[
            _JsonPlugin(favicon=_NO_FAVICON),
            _SwaggerPlugin(
                js_url=f"{swagger}/swagger-ui-bundle.js",
                css_url=f"{swagger}/swagger-ui.css",
                standalone_preset_js_url=f"{swagger}/swagger-ui-standalone-preset.js",
                favicon=_NO_FAVICON,
            ),
            _RedocPlugin(
                js_url=f"{DOCS_ASSETS_PATH}/redoc/redoc.standalone.js",
                google_fonts=False,
                favicon=_NO_FAVICON,
            ),
        ],
    )


def body_operation(
    schema: str | Schema,
    description: str,
    example: dict[str, Any],
    summary: str = "A realistic request",
) -> type[Operation]:
    """An `Operation` whose request body is `schema`: a schema component's name, or a schema.

    The handlers read and validate the body themselves, for precise problem responses; this
    puts the body back into the OpenAPI document.
    """
    body = Reference(ref=f"#/components/schemas/{schema}") if isinstance(schema, str) else schema

    @dataclass
    class _BodyOperation(Operation):
        def __post_init__(self) -> None:
            self.request_body = RequestBody(
                description=description,
                required=True,
                content={
                    "application/json": OpenAPIMediaType(
                        schema=body, examples={"example": Example(summary=summary, value=example)}
                    )
                },
            )

    return _BodyOperation


def export_operation(media_types: dict[str, str]) -> type[Operation]:
    """An `Operation` whose 200 response may also come as the export `media_types`.

    Args:
        media_types: Description of each export format by media type (`text/csv`, ...), next
            to the documented `application/json`; the body is text in that format, or bytes
            (`format: binary`) for a spreadsheet workbook.
    """

    @dataclass
    class _ExportOperation(Operation):
        def __post_init__(self) -> None:
            ok = (self.responses or {}).get("200")
            if ok is None or isinstance(ok, Reference):
                return
            ok.content = dict(ok.content or {})
            for media_type, description in media_types.items():
                binary = media_type.startswith("application/vnd.")
                ok.content[media_type] = OpenAPIMediaType(
                    schema=Schema(
                        type=OpenAPIType.STRING,
                        description=description,
                        format=OpenAPIFormat.BINARY if binary else None,
                    )
                )

    return _ExportOperation


def problem_responses(*statuses: int, **meant: str) -> dict[int, ResponseSpec]:
    """Problem responses for `statuses`, as the OpenAPI document lists them.

    `meant` gives an operation's own description of a status (`s422="..."`).
    """
    meanings = {
        400: (
            "Malformed request: invalid JSON, empty body, too deep, or a query parameter that "
            "is invalid, unknown or repeated"
        ),
        401: "No API key, or one that is not valid",
        403: "The API key lacks the scope, or the data is outside its binding",
        409: "A conflict with what is stored (the code says which)",
        404: "No such resource, or none the API key may see",
        408: "The body did not arrive within READINESS_BODY_TIMEOUT",
        413: "Body larger than the configured limit, or holding too many JSON values",
        415: "Body not sent as application/json",
        422: "Body is JSON but not a valid assessment (field errors listed)",
    }
    return {
        status: ResponseSpec(
            data_container=Problem,
            description=meant.get(f"s{status}", meanings[status]),
            media_type=PROBLEM_MEDIA_TYPE,
            generate_examples=False,
        )
        for status in statuses
    }
