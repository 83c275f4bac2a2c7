"""Problem details (RFC 9457): the body of every error response."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["FieldError", "Problem"]


class FieldError(BaseModel):
    """One invalid field of a request body."""

    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)

    path: str = Field(examples=["$.leadership.support.tactical"])
    """JSON path of the field, from `$`, the body."""
    type: str = Field(examples=["value-not-allowed"])
    """Stable reason: `unknown-field`, `value-not-allowed`, `wrong-type`, `missing`, `too-long`,
    `too-short`, `out-of-range`, `pattern-mismatch` or `invalid`."""
    message: str
    """What is wrong, for a person."""
    allowed: list[str] | None = None
    """For `value-not-allowed`: the values the field accepts."""


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
