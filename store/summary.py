"""Regional aggregates for dashboards, with small groups suppressed."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping
from math import fsum
from typing import Any

from schemas.vocabulary import DIMENSIONS, READINESS_LEVELS
from store.repository import RegionFigures

__all__ = ["summary"]

_FINDINGS = {
    "gap": "gaps",
    "obstacle": "obstacles",
    "missing_factor": "missing_success_factors",
    "first_action": "first_actions",
}
_STAGES = ("1", "2", "3", "4")


def _every_level(counts: Counter[str]) -> dict[str, int]:
    """`counts` by readiness level, every level listed, zero or not."""
    return {level: counts.get(level, 0) for level in READINESS_LEVELS}


def _mean(scores: list[float]) -> float | None:
    return round(fsum(scores) / len(scores), 1) if scores else None


def summary(
    region: str,
    figures: RegionFigures,
    min_organisations: int,
    period: dict[str, str | None],
    titles: Mapping[str, Mapping[str, str]] | None = None,
) -> dict[str, Any]:
    """The summary of a region's figures (see `Repository.region_figures`).

    A group (the region, a quarter, a gap or obstacle row) with fewer than `min_organisations`
    organisations is suppressed: its figures are left out, so no organisation can be singled out.
    `titles` gives, per list (`gaps`, `obstacles`, `missing_success_factors`, `first_actions`),
    the title of each id in the reader's language; a row whose id has none (a rule since
    removed) has none.
    """
    organisations = figures.organisations
    base: dict[str, Any] = {
        "region": region,
        "period": period,
        "organisations": organisations,
        "assessments": figures.assessments,
        "min_organisations": min_organisations,
        "suppressed": organisations < min_organisations,
    }
    if base["suppressed"]:
        return base
    levels: dict[str, Counter[str]] = defaultdict(Counter)
    scores: dict[str, list[float]] = defaultdict(list)
    for dimension, level, score in figures.dimensions:
        levels[dimension][level] += 1
        if score is not None:
            scores[dimension].append(score)
    dimensions = [
        {
            "dimension": dimension,
            "levels": _every_level(levels[dimension]),
            "mean_score": _mean(scores[dimension]),
            "answered_by": len(scores[dimension]),
        }
        for dimension in DIMENSIONS
    ]
    frequent: dict[str, Any] = {}
    for kind, key in _FINDINGS.items():
        counts = {item: n for (k, item), n in figures.findings.items() if k == kind}
        named = (titles or {}).get(key, {})
        frequent[key] = [
            {
                "id": item,
                **({"title": named[item]} if item in named else {}),
                "organisations": n,
                "share": round(n / organisations, 3),
            }
            for item, n in sorted(counts.items(), key=lambda pair: (-pair[1], pair[0]))
            if n >= min_organisations
        ]
        frequent[f"{key}_suppressed"] = sum(1 for n in counts.values() if n < min_organisations)
    stages = Counter(stage for stage in figures.stages if stage is not None)
    trend = []
    for quarter in figures.quarters:
        row: dict[str, Any] = {
            "quarter": quarter.quarter,
            "organisations": quarter.organisations,
            "assessments": quarter.assessments,
            "suppressed": quarter.organisations < min_organisations,
        }
        if not row["suppressed"]:
            row["mean_score"] = _mean([s for _, s in quarter.latest if s is not None])
            row["levels"] = _every_level(Counter(level for level, _ in quarter.latest))
        trend.append(row)
    return {
        **base,
        "readiness_levels": _every_level(Counter(figures.levels)),
        "stages": {s: stages.get(int(s), 0) for s in _STAGES},
        "dimensions": dimensions,
        **frequent,
        "trend": trend,
    }
