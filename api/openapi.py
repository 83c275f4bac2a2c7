"""The OpenAPI document: request bodies with examples, problem responses, metadata."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from litestar.openapi import OpenAPIConfig, ResponseSpec
from litestar.openapi.plugins import JsonRenderPlugin, RedocRenderPlugin, SwaggerRenderPlugin
from litestar.openapi.spec import Example, OpenAPIMediaType, Operation, Reference, RequestBody

from api.problems import PROBLEM_MEDIA_TYPE
from schemas.problem import Problem

__all__ = ["body_operation", "openapi_config", "problem_responses"]

_DESCRIPTION = """\
Readiness assessment for implementing new methods in Swedish and Danish social services.

POST an assessment (typed answers about leadership, the tovholder, venues, training, process,
risks and strengths); get back readiness per dimension, the gaps the rules derived, the obstacles
and success factors the source documents tie to them, and ranked recommendations, every item
cited (source id + locator). Texts in Swedish, Danish or English (`?lang=` or `Accept-Language`).

Every response carries `X-Ruleset-Version`, `X-Ruleset-Digest` and `X-Request-Id`. Errors are
`application/problem+json` with a stable `code`.
"""


def openapi_config(version: str) -> OpenAPIConfig:
    """The OpenAPI 3.1 configuration: JSON at `/schema/openapi.json`, pages at `/schema/...`."""
    return OpenAPIConfig(
        title="Readiness assessment API",
        version=version,
        description=_DESCRIPTION,
        path="/schema",
        render_plugins=[
            JsonRenderPlugin(),
            SwaggerRenderPlugin(),
            RedocRenderPlugin(),
        ],
    )


def body_operation(schema: str, description: str, example: dict[str, Any]) -> type[Operation]:
    """An `Operation` whose request body is the JSON schema component `schema`.

    The handlers read and validate the body themselves, for precise problem responses; this
    puts the body back into the OpenAPI document.
    """

    @dataclass
    class _BodyOperation(Operation):
        def __post_init__(self) -> None:
            self.request_body = RequestBody(
                description=description,
                required=True,
                content={
                    "application/json": OpenAPIMediaType(
                        schema=Reference(ref=f"#/components/schemas/{schema}"),
                        examples={"example": Example(summary="A realistic request", value=example)},
                    )
                },
            )

    return _BodyOperation


def problem_responses(*statuses: int) -> dict[int, ResponseSpec]:
    """Problem responses for `statuses`, as the OpenAPI document lists them."""
    meanings = {
        400: "Malformed request: invalid JSON, empty body, too deep, or a bad query parameter",
        401: "No API key, or one that is not valid",
        403: "The API key lacks the scope, or the data is outside its binding",
        409: "The Idempotency-Key was used before with a different request",
        404: "No such resource, or none the API key may see",
        413: "Body larger than the configured limit",
        415: "Body not sent as application/json",
        422: "Body is JSON but not a valid assessment (field errors listed)",
    }
    return {
        status: ResponseSpec(
            data_container=Problem,
            description=meanings[status],
            media_type=PROBLEM_MEDIA_TYPE,
            generate_examples=False,
        )
        for status in statuses
    }
