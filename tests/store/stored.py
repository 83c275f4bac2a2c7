"""The columns kept beside a stored result, read off the typed result: the reference of the tests.

This is how the service derived them before they were taken from the engine's outcome; the tests
store with it, and hold the outcome's columns to it (`tests/api/test_stored_summary.py`).
"""

from __future__ import annotations

from schemas.result import AssessmentResult
from store.repository import FIRST_ACTIONS, ResultSummary

__all__ = ["summary_of"]


def summary_of(result: AssessmentResult) -> ResultSummary:
    """The summary of `result`, from its typed fields."""
    kinds = [
        *(("gap", g.id) for g in result.gaps),
        *(("escalation", e.id) for e in result.escalations),
        *(("obstacle", o.id) for o in result.obstacles),
        *(("missing_factor", f.id) for f in result.success_factors if f.status == "missing"),
        *(("first_action", r.id) for r in result.recommendations[:FIRST_ACTIONS]),
    ]
    return ResultSummary(
        language=result.language,
        ruleset_version=result.ruleset.version,
        ruleset_digest=result.ruleset.digest,
        readiness_level=result.readiness.level,
        readiness_score=result.readiness.score,
        gap_count=len(result.gaps),
        blocking_gap_count=sum(1 for g in result.gaps if g.severity == "blocking"),
        top_recommendation=result.recommendations[0].id if result.recommendations else None,
        top_recommendation_title=(
            result.recommendations[0].title if result.recommendations else None
        ),
        stage=result.readiness.stage,
        dimensions=tuple((d.dimension, d.level, d.score) for d in result.readiness.dimensions),
        findings=tuple(kinds),
    )
