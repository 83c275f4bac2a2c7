"""Batch assessment: many assessments in one request, each evaluated on its own."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

from schemas.problem import Problem
from schemas.result import AssessmentResult, RulesetInfo

__all__ = ["BatchItem", "BatchRequest", "BatchResult"]


class BatchRequest(BaseModel):
    """Assessments to evaluate in one call; each item is validated on its own."""

    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)

    assessments: list[Any]
    """The assessments (each an `AssessmentRequest`), at most the server's configured batch limit
    (default 1,000).

    Any JSON value is accepted in the list: each item is validated as an assessment on its own,
    and one that is not valid is answered, in its place, with its own problem, so that one bad
    item never costs the others their results. (So the list's items have no schema here.)"""


class BatchItem(BaseModel):
    """The outcome for one item, by its index in the request: a result or a problem."""

    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)

    index: int
    """Position of the item in `assessments`, from 0."""
    result: AssessmentResult | None = None
    """The result, when the item was valid."""
    error: Problem | None = None
    """Why the item could not be assessed."""


class BatchResult(BaseModel):
    """Outcomes in input order."""

    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)

    ruleset: RulesetInfo
    """Which rules produced the results."""
    items: list[BatchItem]
    """One entry per input item, in input order."""
    succeeded: int
    """How many items have a result (after the items: the answer is sent as they are evaluated)."""
    failed: int
    """How many items have an error."""
