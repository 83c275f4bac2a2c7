"""What changed between two assessments of one organisation: phase 4, learn and improve."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

from store.repository import HistoryEntry, StoredAssessment

__all__ = ["delta"]


class _Read(BaseModel):
    """Reads only its own fields out of a stored result; the rest is skipped, not built."""

    model_config = ConfigDict(extra="ignore", frozen=True)


class _Titled(_Read):
    id: str
    title: str


class _Gap(_Titled):
    severity: str


class _Dimension(_Read):
    dimension: str
    score: float | None
    level: str


class _Readiness(_Read):
    dimensions: list[_Dimension]


class _Recommendation(_Titled):
    sub_points: list[_Titled] = []
    """Results stored before recommendations had sub-points have none."""


class _Compared(_Read):
    """What a delta needs of a stored result beyond the columns kept beside it."""

    readiness: _Readiness
    gaps: list[_Gap]
    recommendations: list[_Recommendation]


def _advised(result: _Compared) -> dict[str, str]:
    """The title of every recommendation `result` gives: a place, or a sub-point of one."""
    found = {r.id: r.title for r in result.recommendations}
    found.update({s.id: s.title for r in result.recommendations for s in r.sub_points})
    return found


def _read(stored: StoredAssessment) -> _Compared:
    return _Compared.model_validate_json(stored.result_json)


def _change(after: float | None, before: float | None) -> float | None:
    return round(after - before, 1) if after is not None and before is not None else None


def delta(
    current: StoredAssessment, earlier: StoredAssessment, history: list[HistoryEntry]
) -> dict[str, Any]:
    """Compare `current` with `earlier`.

    Args:
        current: The later assessment.
        earlier: The one to compare with: an earlier assessment of the same organisation and
            intervention, one of `history` before `current` (the handler refuses any other
            with 422 `invalid-against`).
        history: The organisation's assessments of the same intervention up to `current`, oldest
            first, with their gaps (`Repository.gap_history`); used to say since when a
            persisting gap has been open. Times are when the assessments were made.
    """
    now, before = _read(current), _read(earlier)
    now_gaps = {g.id: g for g in now.gaps}
    before_gaps = {g.id: g for g in before.gaps}
    ids = [entry.id for entry in history]
    upto = history[: ids.index(current.id) + 1] if current.id in ids else history
    persisting = []
    for gap_id in sorted(set(now_gaps) & set(before_gaps)):
        since_id, since_at = current.id, current.made_at
        for entry in reversed(upto):
            if gap_id not in entry.gaps:
                break
            since_id, since_at = entry.id, entry.assessed_at
        persisting.append(
            {
                "id": gap_id,
                "title": now_gaps[gap_id].title,
                "severity": now_gaps[gap_id].severity,
                "severity_before": before_gaps[gap_id].severity,
                "open_since": since_at.isoformat().replace("+00:00", "Z"),
                "open_since_assessment": since_id,
                "days_open": (current.made_at - since_at).days,
            }
        )
    dimensions = [
        {
            "dimension": new_dim.dimension,
            "before": old_dim.score,
            "after": new_dim.score,
            "change": _change(new_dim.score, old_dim.score),
            "level_before": old_dim.level,
            "level_after": new_dim.level,
        }
        for new_dim, old_dim in zip(
            now.readiness.dimensions, before.readiness.dimensions, strict=True
        )
    ]
    # A recommendation folded into another place is still given: only one given in neither way
    # is no longer needed, or new.
    now_recs = set(_advised(now))
    before_recs = _advised(before)
    return {
        "assessment": current.id,
        "against": earlier.id,
        "days_between": (current.made_at - earlier.made_at).days,
        "readiness": {
            "before": earlier.readiness_score,
            "after": current.readiness_score,
            "change": _change(current.readiness_score, earlier.readiness_score),
            "level_before": earlier.readiness_level,
            "level_after": current.readiness_level,
            "stage_before": earlier.stage,
            "stage_after": current.stage,
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
