"""Problem details (RFC 9457): the body of every error response."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["FieldError", "Problem"]


class FieldError(BaseModel):
    """One invalid field of a request body, or one invalid query parameter or header."""

    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)

    path: str = Field(examples=["$.leadership.support.tactical"])
    """JSON path of the field, from `$`, the body (a key that is not a plain name is quoted:
    `$["leadership.support.tactical"]`); for a parameter, its name as sent (`from`)."""
    type: str = Field(examples=["value-not-allowed"])
    """Stable reason: `unknown-field`, `value-not-allowed`, `wrong-type`, `missing`, `too-long`,
    `too-short`, `out-of-range`, `pattern-mismatch`, `invalid`, or for a query parameter
    `unknown-parameter` or `repeated-parameter`."""
    message: str
    """What is wrong and how to fix it, for a person (with a did-you-mean for a near miss)."""
    allowed: list[str] | None = None
    """For `value-not-allowed`: the values the field accepts; for `unknown-field` and
    `unknown-parameter`: the names the object or endpoint takes."""


class Problem(BaseModel):
    """An error, as `application/problem+json`."""

    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)

    type: str = Field(examples=["https://readiness.invalid/problems/validation-failed"])
    """A URI naming the kind of problem; it ends with `code`."""
    title: str
    """Short summary of the kind of problem."""
    status: int
    """The HTTP status code."""
    code: str = Field(examples=["validation-failed"])
    """Stable machine-readable code (see the README's table)."""
    detail: str
    """What happened in this case, for a person."""
    request_id: str | None = None
    """The request id, also in the `X-Request-Id` header; quote it when reporting a problem."""
    errors: list[FieldError] | None = None
    """For validation failures: every invalid field."""
