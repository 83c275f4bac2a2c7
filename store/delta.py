"""What changed between two assessments of one organisation: phase 4, learn and improve."""

from __future__ import annotations

from typing import Any

from schemas.result import AssessmentResult
from store.repository import StoredAssessment

__all__ = ["delta"]


def _result(stored: StoredAssessment) -> AssessmentResult:
    return AssessmentResult.model_validate_json(stored.result_json)


def delta(
    current: StoredAssessment, earlier: StoredAssessment, chain: list[StoredAssessment]
) -> dict[str, Any]:
    """Compare `current` with `earlier`.

    Args:
        current: The later assessment.
        earlier: The one to compare with.
        chain: The organisation's assessments of the same intervention, oldest first; used to
            say since when a persisting gap has been open.
    """
    now, before = _result(current), _result(earlier)
    now_gaps = {g.id: g for g in now.gaps}
    before_gaps = {g.id: g for g in before.gaps}
    upto = [s for s in chain if s.id <= current.id]
    results = {s.id: {g.id for g in _result(s).gaps} for s in upto}
    persisting = []
    for gap_id in sorted(set(now_gaps) & set(before_gaps)):
        since = current
        for stored in reversed(upto):
            if gap_id not in results[stored.id]:
                break
            since = stored
        persisting.append(
            {
                "id": gap_id,
                "title": now_gaps[gap_id].title,
                "severity": now_gaps[gap_id].severity,
                "severity_before": before_gaps[gap_id].severity,
                "open_since": since.created_at.isoformat().replace("+00:00", "Z"),
                "open_since_assessment": since.id,
                "days_open": (current.created_at - since.created_at).days,
            }
        )
    dimensions = []
    for new_dim, old_dim in zip(now.readiness.dimensions, before.readiness.dimensions, strict=True):
        change = (
            round(new_dim.score - old_dim.score, 1)
            if new_dim.score is not None and old_dim.score is not None
            else None
        )
        dimensions.append(
            {
                "dimension": new_dim.dimension,
                "before": old_dim.score,
                "after": new_dim.score,
                "change": change,
                "level_before": old_dim.level,
                "level_after": new_dim.level,
            }
        )
    overall = (
        round(now.readiness.score - before.readiness.score, 1)
        if now.readiness.score is not None and before.readiness.score is not None
        else None
    )
    now_recs = {r.id for r in now.recommendations}
    before_recs = {r.id: r.title for r in before.recommendations}
    return {
        "assessment": current.id,
        "against": earlier.id,
        "days_between": (current.created_at - earlier.created_at).days,
        "readiness": {
            "before": before.readiness.score,
            "after": now.readiness.score,
            "change": overall,
            "level_before": before.readiness.level,
            "level_after": now.readiness.level,
        },
        "gaps_closed": [
            {"id": g, "title": before_gaps[g].title, "severity": before_gaps[g].severity}
            for g in sorted(set(before_gaps) - set(now_gaps))
        ],
        "gaps_new": [
            {"id": g, "title": now_gaps[g].title, "severity": now_gaps[g].severity}
            for g in sorted(set(now_gaps) - set(before_gaps))
        ],
        "gaps_persisting": persisting,
        "dimensions": dimensions,
        "recommendations_no_longer_needed": [
            {"id": r, "title": before_recs[r]} for r in sorted(set(before_recs) - now_recs)
        ],
        "recommendations_new": sorted(now_recs - set(before_recs)),
    }
