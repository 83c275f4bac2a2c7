"""The regional summary computed the plain way, from every stored row: the oracle of the tests.

This is how the service computed summaries before they were aggregated in the database: read
every assessment of the region, parse each organisation's latest result, count. Means use `fsum`,
as the service does, so that the order of the sums does not matter.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from math import fsum
from typing import Any

from schemas.result import AssessmentResult
from schemas.vocabulary import DIMENSIONS, ReadinessLevel
from store.repository import StoredAssessment

LEVELS: tuple[ReadinessLevel, ...] = ("ready", "partly_ready", "not_ready", "unknown")
"""Every readiness level, each listed in a summary with its count, zero or not."""

__all__ = ["reference_summary"]

_FINDINGS = {
    "gap": "gaps",
    "obstacle": "obstacles",
    "missing_factor": "missing_success_factors",
    "first_action": "first_actions",
}


def _latest(
    rows: list[tuple[StoredAssessment, list[tuple[str, str]]]],
) -> dict[str, tuple[StoredAssessment, list[tuple[str, str]]]]:
    latest: dict[str, tuple[StoredAssessment, list[tuple[str, str]]]] = {}
    for stored, found in rows:  # oldest first: the last one per organisation wins
        latest[stored.organisation_id] = (stored, found)
    return latest


def _counts(
    latest: dict[str, tuple[StoredAssessment, list[tuple[str, str]]]],
    results: dict[str, AssessmentResult],
) -> dict[str, Counter[str]]:
    """How many organisations have each finding, by kind."""
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for _stored, found in latest.values():
        for kind, item in set(found):
            if kind in _FINDINGS and kind != "first_action":
                counts[kind][item] += 1
    # What comes first is read off each result itself: its first three places.
    for result in results.values():
        for recommendation in result.recommendations[:3]:
            counts["first_action"][recommendation.id] += 1
    return counts


def _quarter(stored: StoredAssessment) -> str:
    return f"{stored.made_at.year}-Q{(stored.made_at.month - 1) // 3 + 1}"


def reference_summary(
    region: str,
    rows: list[tuple[StoredAssessment, list[tuple[str, str]]]],
    min_organisations: int,
    period: dict[str, str | None],
) -> dict[str, Any]:
    """Aggregate a region's assessments (oldest first), counting each organisation's latest.

    A group (the region, a quarter, a gap or obstacle row) with fewer than `min_organisations`
    organisations is suppressed: its figures are left out, so no organisation can be singled out.
    """
    latest = _latest(rows)
    organisations = len(latest)
    base: dict[str, Any] = {
        "region": region,
        "period": period,
        "organisations": organisations,
        "assessments": len(rows),
        "min_organisations": min_organisations,
        "suppressed": organisations < min_organisations,
    }
    if base["suppressed"]:
        return base
    results = {
        oid: AssessmentResult.model_validate_json(s.result_json) for oid, (s, _) in latest.items()
    }
    dimensions = []
    for dimension in DIMENSIONS:
        levels: Counter[str] = Counter()
        scores = []
        for result in results.values():
            entry = next(d for d in result.readiness.dimensions if d.dimension == dimension)
            levels[entry.level] += 1
            if entry.score is not None:
                scores.append(entry.score)
        dimensions.append(
            {
                "dimension": dimension,
                "levels": {lvl: levels.get(lvl, 0) for lvl in LEVELS},
                "mean_score": round(fsum(scores) / len(scores), 1) if scores else None,
                "answered_by": len(scores),
            }
        )
    overall_levels = Counter(r.readiness.level for r in results.values())
    counts = _counts(latest, results)
    stages = Counter(r.readiness.stage for r in results.values())
    frequent: dict[str, Any] = {}
    for kind, key in _FINDINGS.items():
        shown = [
            {"id": item, "organisations": n, "share": round(n / organisations, 3)}
            for item, n in sorted(counts[kind].items(), key=lambda pair: (-pair[1], pair[0]))
            if n >= min_organisations
        ]
        frequent[key] = shown
        frequent[f"{key}_suppressed"] = sum(
            1 for n in counts[kind].values() if n < min_organisations
        )
    by_quarter: dict[str, list[tuple[StoredAssessment, list[tuple[str, str]]]]] = defaultdict(list)
    for stored, found in rows:
        by_quarter[_quarter(stored)].append((stored, found))
    trend = []
    for quarter in sorted(by_quarter):
        quarter_latest = _latest(by_quarter[quarter])
        row: dict[str, Any] = {
            "quarter": quarter,
            "organisations": len(quarter_latest),
            "assessments": len(by_quarter[quarter]),
            "suppressed": len(quarter_latest) < min_organisations,
        }
        if not row["suppressed"]:
            scores = [
                s.readiness_score
                for s, _ in quarter_latest.values()
                if s.readiness_score is not None
            ]
            row["mean_score"] = round(fsum(scores) / len(scores), 1) if scores else None
            found_levels = Counter(s.readiness_level for s, _ in quarter_latest.values())
            row["levels"] = {level: found_levels.get(level, 0) for level in LEVELS}
        trend.append(row)
    return {
        **base,
        "readiness_levels": {level: overall_levels.get(level, 0) for level in LEVELS},
        "stages": {str(n): stages.get(n, 0) for n in (1, 2, 3, 4)},
        "dimensions": dimensions,
        **frequent,
        "trend": trend,
    }
