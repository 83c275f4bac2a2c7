"""Errors as problem details (RFC 9457), each with a stable code, and the handlers that send them."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException
from pydantic import ValidationError
from pydantic_core import ErrorDetails

from schemas.codes import ProblemCode
from schemas.problem import FieldError, Problem

__all__ = [
    "PROBLEM_MEDIA_TYPE",
    "ProblemError",
    "field_errors",
    "handle_http_exception",
    "handle_problem",
    "handle_unexpected",
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
_FIELD_TYPES = {
    "extra_forbidden": "unknown-field",
    "literal_error": "value-not-allowed",
    "enum": "value-not-allowed",
    "missing": "missing",
    "string_too_long": "too-long",
    "string_too_short": "too-short",
    "too_long": "too-long",
    "too_short": "too-short",
    "greater_than_equal": "out-of-range",
    "less_than_equal": "out-of-range",
    "greater_than": "out-of-range",
    "less_than": "out-of-range",
    "string_pattern_mismatch": "pattern-mismatch",
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


def _json_path(loc: Sequence[int | str]) -> str:
    path = "$"
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else f".{part}"
    return path


def _field_error(err: ErrorDetails, prefix: Sequence[int | str]) -> FieldError:
    kind = err["type"]
    mapped = _FIELD_TYPES.get(kind)
    if mapped is None:
        mapped = "wrong-type" if kind.endswith("_type") or kind.endswith("_parsing") else "invalid"
    allowed = None
    message = err["msg"]
    if mapped == "value-not-allowed":
        expected = (err.get("ctx") or {}).get("expected", "")
        allowed = [part.strip(" '") for part in expected.replace(" or ", ", ").split(",") if part]
    if mapped == "unknown-field":
        message = f"unknown field {str(err['loc'][-1])!r}"
    return FieldError(
        path=_json_path([*prefix, *err["loc"]]), type=mapped, message=message, allowed=allowed
    )


def field_errors(exc: ValidationError, prefix: Sequence[int | str] = ()) -> list[FieldError]:
    """Turn a pydantic `ValidationError` into field errors with JSON paths under `prefix`."""
    return [_field_error(err, prefix) for err in exc.errors(include_url=False)]


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


def handle_http_exception(
    request: Request[Any, Any, Any], exc: HTTPException
) -> Response[dict[str, Any]]:
    """Answer litestar's own errors (404, 405, 413, ...) as problems, without internals."""
    status = exc.status_code
    code = _CODES_BY_STATUS.get(status, "bad-request" if status < 500 else "internal-error")
    if isinstance(exc, ValidationException):
        # Litestar validated a query parameter or header before the handler ran.
        keys = [str(e.get("key")) for e in (exc.extra or []) if isinstance(e, dict)]
        messages = [str(e.get("message")) for e in (exc.extra or []) if isinstance(e, dict)]
        errors = [
            FieldError(path=key, type="invalid", message=message)
            for key, message in zip(keys, messages, strict=True)
        ]
        detail = f"invalid parameter: {', '.join(keys) or 'request'}"
        problem = problem_of(400, "invalid-parameter", detail, _request_id(request), errors)
        return _respond(request, problem)
    if status == 405:
        detail = f"{request.method} is not allowed on {request.url.path}"
    elif status == 404:
        detail = f"nothing at {request.url.path}"
    elif status == 413:
        detail = "the request body is larger than the server accepts"
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
