"""Errors as problem details (RFC 9457), each with a stable code, and the handlers that send them."""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from datetime import date
from enum import Enum
from typing import Any, Literal, get_args, get_origin

from litestar import Request, Response
from litestar.exceptions import (
    HTTPException,
    ImproperlyConfiguredException,
    ValidationException,
)
from litestar.handlers import HTTPRouteHandler

from schemas.codes import ProblemCode
from schemas.field_errors import field_errors, json_path, unwrap
from schemas.problem import FieldError, Problem

__all__ = [
    "PROBLEM_MEDIA_TYPE",
    "ProblemError",
    "field_errors",
    "handle_http_exception",
    "handle_problem",
    "handle_unexpected",
    "json_path",
    "problem_of",
]

PROBLEM_MEDIA_TYPE = "application/problem+json"
_TYPE_BASE = "https://readiness.invalid/problems/"
_log = logging.getLogger("readiness.api")

_TITLES = {
    400: "Bad request",
    401: "Unauthorized",
    403: "Forbidden",
    409: "Conflict",
    404: "Not found",
    405: "Method not allowed",
    406: "Not acceptable",
    408: "Request timeout",
    413: "Content too large",
    414: "URI too long",
    415: "Unsupported media type",
    422: "Unprocessable content",
    429: "Too many requests",
    431: "Request header fields too large",
    500: "Internal server error",
    503: "Service unavailable",
}
_CODES_BY_STATUS: dict[int, ProblemCode] = {
    400: "bad-request",
    404: "not-found",
    405: "method-not-allowed",
    413: "body-too-large",
    415: "unsupported-media-type",
    500: "internal-error",
}


class ProblemError(Exception):
    """Raised by handlers to answer with a problem; `schemas.codes` documents each code."""

    def __init__(
        self,
        status: int,
        code: ProblemCode,
        detail: str,
        errors: Sequence[FieldError] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.code = code
        self.detail = detail
        self.errors = list(errors) if errors is not None else None
        self.headers = headers or {}


def problem_of(
    status: int,
    code: ProblemCode,
    detail: str,
    request_id: str | None = None,
    errors: list[FieldError] | None = None,
) -> Problem:
    """Build a problem body."""
    return Problem(
        type=f"{_TYPE_BASE}{code}",
        title=_TITLES.get(status, "Error"),
        status=status,
        code=code,
        detail=detail,
        request_id=request_id,
        errors=errors,
    )


def _request_id(request: Request[Any, Any, Any]) -> str | None:
    value = request.scope.get("state", {}).get("request_id")
    return value if isinstance(value, str) else None


def _respond(
    request: Request[Any, Any, Any], problem: Problem, headers: dict[str, str] | None = None
) -> Response[dict[str, Any]]:
    return Response(
        content=problem.model_dump(mode="json", exclude_none=True),
        status_code=problem.status,
        media_type=PROBLEM_MEDIA_TYPE,
        headers=headers or {},
    )


def handle_problem(request: Request[Any, Any, Any], exc: ProblemError) -> Response[dict[str, Any]]:
    """Answer a `ProblemError`."""
    problem = problem_of(exc.status, exc.code, exc.detail, _request_id(request), exc.errors)
    return _respond(request, problem, exc.headers)


_NAMES = ("query", "header", "name")
_TYPE_WORDS = {"int": "an integer", "str": "a string", "float": "a number", "bool": "true or false"}
_MSGSPEC_TYPE = re.compile(r"^Expected `(int|str|float|bool)`")


def _accepted(annotation: Any) -> list[str] | None:
    """The values a parameter typed `annotation` accepts, when they are few."""
    annotation = unwrap(annotation)
    if get_origin(annotation) is Literal:
        return [str(arg) for arg in get_args(annotation)]
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return [str(member.value) for member in annotation]
    if annotation is bool:
        return ["true", "false"]
    return None


def _parameter_error(request: Request[Any, Any, Any], key: str, message: str) -> FieldError:
    """The error for parameter `key` (its Python name) as the caller sent it (its alias)."""
    handler = request.scope.get("route_handler")
    parameters = getattr(getattr(handler, "parsed_fn_signature", None), "parameters", {})
    field = parameters.get(key)
    if field is None:
        return FieldError(path=key, type="invalid", message=message)
    kwarg = field.kwarg_definition
    name = next((n for n in (getattr(kwarg, a, None) for a in _NAMES) if n), key)
    allowed = _accepted(field.annotation)
    if allowed is not None:
        sent = request.query_params.get(name)
        shown = "" if sent is None else f"{sent[:40]!r} "
        message = f"{shown}is not one of {', '.join(allowed)}"
        return FieldError(path=name, type="value-not-allowed", message=message, allowed=allowed)
    if unwrap(field.annotation) is date:
        message = "expected a date as YYYY-MM-DD"
    else:  # msgspec's "Expected `int` >= 1": in JSON's words
        message = _MSGSPEC_TYPE.sub(lambda m: "expected " + _TYPE_WORDS[m[1]], message)
    return FieldError(path=name, type="invalid", message=message)


def _too_large(request: Request[Any, Any, Any]) -> str:
    """The detail of a 413 for a body over the limit of the request's route, naming the limit."""
    handler = request.scope.get("route_handler")
    try:
        limit = (
            handler.resolve_request_max_body_size()
            if isinstance(handler, HTTPRouteHandler)
            else None
        )
    except ImproperlyConfiguredException:  # no limit set on any layer (not this app)
        limit = None
    if not isinstance(limit, int):
        return "the request body is larger than the server accepts"
    mib = f" ({limit // (1024 * 1024)} MiB)" if limit % (1024 * 1024) == 0 else ""
    return f"the request body is larger than this endpoint accepts: at most {limit} bytes{mib}"


def handle_http_exception(
    request: Request[Any, Any, Any], exc: HTTPException
) -> Response[dict[str, Any]]:
    """Answer litestar's own errors (404, 405, 413, ...) as problems, without internals."""
    status = exc.status_code
    code = _CODES_BY_STATUS.get(status, "bad-request" if status < 500 else "internal-error")
    if isinstance(exc, ValidationException):
        # Litestar validated a query parameter or header before the handler ran.
        errors = [
            _parameter_error(request, str(e.get("key")), str(e.get("message")))
            for e in (exc.extra or [])
            if isinstance(e, dict)
        ]
        detail = f"invalid parameter: {', '.join(e.path for e in errors) or 'request'}"
        problem = problem_of(400, "invalid-parameter", detail, _request_id(request), errors)
        return _respond(request, problem)
    if status == 405:
        detail = f"{request.method} is not allowed on {request.url.path}"
    elif status == 404:
        detail = f"nothing at {request.url.path}"
    elif status == 413:
        detail = _too_large(request)
    elif status >= 500:
        detail = "the server failed; quote the request id when reporting it"
    else:
        detail = str(exc.detail) if exc.detail else _TITLES.get(status, "error")
    headers = {
        k: v for k, v in (exc.headers or {}).items() if k.lower() in ("allow", "retry-after")
    }
    return _respond(request, problem_of(status, code, detail, _request_id(request)), headers)


def handle_unexpected(request: Request[Any, Any, Any], exc: Exception) -> Response[dict[str, Any]]:
    """Answer any other exception with a 500 that shows no internals, and log it."""
    request_id = _request_id(request)
    rule = getattr(exc, "rule", None)
    code = getattr(exc, "code", None) or type(exc).__name__
    _log.error(
        "request failed",
        exc_info=exc,
        extra={"request_id": request_id, "rule": rule, "error_code": code},
    )
    detail = "the server failed to handle the request; quote the request id when reporting it"
    return _respond(request, problem_of(500, "internal-error", detail, request_id))
