"""Readiness scoring per dimension and overall: scores, score ranges, levels and the stage."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

from pydantic_core import to_json

from engine.indicators import INDICATORS
from engine.ranking import stage_of
from engine.rulefile import ScoringSpec
from schemas.result import Readiness
from schemas.vocabulary import DIMENSIONS, Dimension, ReadinessLevel

__all__ = ["Blocker", "Scorer", "readiness", "readiness_data"]

_ORDER: dict[ReadinessLevel, int] = {"not_ready": 0, "partly_ready": 1, "ready": 2}

Blocker = tuple[str, Dimension]
"""The id and dimension of a blocking (or, in `highs`, a high) gap or escalation."""

_Table = tuple[tuple[str, dict[str, float]], ...]
"""A dimension's scored indicators that apply: (path, worth by answered value)."""


def _tables(scope: Mapping[str, tuple[str, frozenset[str]]], values: Mapping[str, str]) -> dict[
    Dimension, _Table
]:
    """Per dimension, the scored indicators that apply to this assessment's context."""
    tables: dict[Dimension, _Table] = {}
    for dimension in DIMENSIONS:
        rows = []
        for indicator in INDICATORS:
            if indicator.dimension != dimension or not indicator.scale.scored:
                continue
            scoped = scope.get(indicator.path)
            if scoped is not None and values[scoped[0]] not in scoped[1]:
                continue
            worth = {v: w for v in indicator.scale.values if (w := indicator.scale.worth_of(v)) is not None}
            rows.append((indicator.path, worth))
        tables[dimension] = tuple(rows)
    return tables


def _floor(x: float) -> float:
    return math.floor(x * 10 + 1e-9) / 10


def _ceil(x: float) -> float:
    return math.ceil(x * 10 - 1e-9) / 10


def _level(
    spec: ScoringSpec,
    score: float | None,
    completeness: float,
    worst: float | None,
    best: float | None,
    blocked: bool,
    high: bool,
) -> ReadinessLevel:
    """The level: a blocker decides; else the score when enough is answered; else the range."""
    if blocked:
        return spec.blocking_cap
    if score is None or worst is None or best is None:
        return "unknown"

    def of(value: float) -> ReadinessLevel:
        found: ReadinessLevel = (
            "ready"
            if value >= spec.ready_at
            else "partly_ready"
            if value >= spec.partly_ready_at
            else "not_ready"
        )
        return "partly_ready" if found == "ready" and high else found

    if completeness >= spec.min_completeness:
        return of(score)
    low, top = of(worst), of(best)
    return low if low == top else "unknown"


class Scorer:
    """Readiness under one scoring spec and scope; a context's tables are built once."""

    def __init__(
        self,
        spec: ScoringSpec,
        scope: Mapping[str, tuple[str, frozenset[str]]] | None = None,
    ) -> None:
        self.spec = spec
        self.scope = dict(scope or {})
        self._context_paths = tuple(sorted({on for on, _ in self.scope.values()}))
        self._by_context: dict[tuple[str, ...], dict[Dimension, _Table]] = {}

    def _tables_for(self, values: Mapping[str, str]) -> dict[Dimension, _Table]:
        key = tuple(values[p] for p in self._context_paths)
        tables = self._by_context.get(key)
        if tables is None:
            tables = _tables(self.scope, values)
            self._by_context[key] = tables
        return tables

    def data(
        self,
        values: Mapping[str, str],
        blockers: Iterable[Blocker],
        highs: Iterable[Blocker] = (),
    ) -> dict[str, Any]:
        """Score an assessment, as the plain data of a `Readiness`.

        A dimension's score is 100 times the mean worth of its answered indicators that apply
        (yes 1, partly 0.5, no 0; for risks, low 1, medium 0.5, high 0); its range puts every
        unanswered one at worst (0) and at best (1). The overall score is the mean of the
        answered dimensions' scores weighted by `spec.weights`; its range weighs every
        dimension's range. A blocking gap or escalation makes its dimension and the overall
        level `not_ready`; otherwise the level follows the score (`ready` never with a high gap)
        when at least `spec.min_completeness` is answered, and below that the level both ends of
        the range agree on, or `unknown`.
        """
        spec = self.spec
        blocking: dict[str, list[str]] = {}
        for gap_id, dimension in blockers:
            blocking.setdefault(dimension, []).append(gap_id)
        high_in = {dimension for _, dimension in highs}
        entries = []
        weighted = weight_sum = low_sum = top_sum = range_weight = 0.0
        answered_all = total_all = 0
        for dimension, table in self._tables_for(values).items():
            worths = [worth.get(values[path]) for path, worth in table]
            answered = len(worths) - worths.count(None)
            worth_sum = float(sum(filter(None, worths)))
            total = len(table)
            score = round(100 * worth_sum / answered, 1) if answered else None
            completeness = round(answered / total, 3) if total else 0.0
            worst = 100 * worth_sum / total if total else None
            best = 100 * (worth_sum + total - answered) / total if total else None
            capped = sorted(blocking.get(dimension, ()))
            entries.append(
                {
                    "dimension": dimension,
                    "score": score,
                    "level": _level(
                        spec,
                        score,
                        completeness,
                        worst,
                        best,
                        bool(capped),
                        dimension in high_in,
                    ),
                    "completeness": completeness,
                    "answered": answered,
                    "total": total,
                    "capped_by": capped,
                }
            )
            weight = spec.weights.get(dimension, 0.0)
            if weight > 0 and score is not None:
                weighted += weight * score
                weight_sum += weight
            if weight > 0 and worst is not None and best is not None:
                low_sum += weight * worst
                top_sum += weight * best
                range_weight += weight
            answered_all += answered
            total_all += total
        overall = round(weighted / weight_sum, 1) if weight_sum else None
        completeness = round(answered_all / total_all, 3) if total_all else 0.0
        worst_all = best_all = None
        if range_weight and overall is not None:
            worst_all = min(_floor(low_sum / range_weight), overall)
            best_all = max(_ceil(top_sum / range_weight), overall)
        every = sorted(gap for gaps in blocking.values() for gap in gaps)
        return {
            "score": overall,
            "level": _level(
                spec, overall, completeness, worst_all, best_all, bool(every), bool(high_in)
            ),
            "completeness": completeness,
            "score_range": {"worst": worst_all, "best": best_all},
            "stage": stage_of(values),
            "capped_by": every,
            "dimensions": entries,
        }

    def json(
        self,
        values: Mapping[str, str],
        blockers: Iterable[Blocker],
        highs: Iterable[Blocker] = (),
    ) -> bytes:
        """Score an assessment, as the JSON of its `Readiness` (what `data` holds, encoded)."""
        return to_json(self.data(values, blockers, highs))


def readiness(
    values: Mapping[str, str],
    blockers: Iterable[Blocker],
    spec: ScoringSpec,
    highs: Iterable[Blocker] = (),
    scope: Mapping[str, tuple[str, frozenset[str]]] | None = None,
) -> Readiness:
    """Score an assessment; see `Scorer.data`, of which this is the typed form."""
    return Readiness.model_validate(readiness_data(values, blockers, spec, highs, scope))


def readiness_data(
    values: Mapping[str, str],
    blockers: Iterable[Blocker],
    spec: ScoringSpec,
    highs: Iterable[Blocker] = (),
    scope: Mapping[str, tuple[str, frozenset[str]]] | None = None,
) -> dict[str, Any]:
    """Score an assessment, as the plain data of a `Readiness`; see `Scorer.data`."""
    return Scorer(spec, scope).data(values, blockers, highs)
