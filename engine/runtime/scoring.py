"""Readiness scoring per dimension and overall: scores, score ranges, levels and the stage."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from operator import itemgetter
from typing import Any

from pydantic_core import to_json

from engine.indicators import INDICATORS
from engine.rulebase.rulefile import ScoringSpec
from engine.runtime.outcome import DimensionFigures, ReadinessFigures
from engine.runtime.ranking import stage_of, steps_left
from schemas.vocabulary import DIMENSIONS, Dimension, ReadinessLevel

__all__ = ["KEPT", "Blocker", "Scorer"]

_ORDER: dict[ReadinessLevel, int] = {"not_ready": 0, "partly_ready": 1, "ready": 2}

Blocker = tuple[str, Dimension]
"""The id and dimension of a blocking (or, in `highs`, a high) gap or escalation."""

KEPT = 4096
"""Per dimension and context, how many entries a `Scorer` keeps."""

# Kunskapsguiden's measure: a method is implemented when more than half of the professionals
# who should use it use it as intended (the indicator's `yes`).
USED_AS_INTENDED = "process.used_as_intended"
_IMPLEMENTED = {"yes": True, "partly": False, "no": False}

_Table = tuple[tuple[str, dict[str, float]], ...]
"""A dimension's scored indicators that apply: (path, worth by answered value)."""


def _tables(
    scope: Mapping[str, tuple[str, frozenset[str]]], values: Mapping[str, str]
) -> dict[Dimension, _Table]:
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
            worth = {
                v: w
                for v in indicator.scale.values
                if (w := indicator.scale.worth_of(v)) is not None
            }
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


_Plan = tuple[tuple[Dimension, tuple[dict[str, float], ...], Any, int, float, dict[Any, Any]], ...]
"""Per dimension of one context: its worth tables, a getter of its answers, how many apply,
its weight, and its entries kept by (worth sum, answered) and, capped by blockers or held back
by a high gap, by (worth sum, answered, blockers, high)."""


def _getter(paths: tuple[str, ...]) -> Any:
    """A function from all answers to the answers at `paths`, as a tuple."""
    if not paths:
        return lambda values: ()
    if len(paths) == 1:
        path = paths[0]
        return lambda values: (values[path],)
    return itemgetter(*paths)


class Scorer:
    """Readiness under one scoring spec and scope.

    A context's tables are built once; a dimension's entry depends only on the sum of its
    answers' worths, how many are answered and how many apply (and on the blockers and high gaps
    in it), so entries are kept by those (and by the blockers and whether a high gap is in it) and
    shared between assessments (at most `KEPT` per dimension and context; worths are multiples of
    0.5, so the sums are exact).
    """

    def __init__(
        self,
        spec: ScoringSpec,
        scope: Mapping[str, tuple[str, frozenset[str]]] | None = None,
    ) -> None:
        self.spec = spec
        self.scope = dict(scope or {})
        self._context_paths = tuple(sorted({on for on, _ in self.scope.values()}))
        self._plans: dict[tuple[str, ...], _Plan] = {}

    def _plan_for(self, values: Mapping[str, str]) -> _Plan:
        key = tuple([values[p] for p in self._context_paths])
        plan = self._plans.get(key)
        if plan is None:
            plan = tuple(
                (
                    dimension,
                    tuple(worth for _, worth in table),
                    _getter(tuple(path for path, _ in table)),
                    len(table),
                    self.spec.weights.get(dimension, 0.0),
                    {},
                )
                for dimension, table in _tables(self.scope, values).items()
            )
            self._plans[key] = plan
        return plan

    def _entry(
        self, dimension: Dimension, worth_sum: float, answered: int, total: int
    ) -> tuple[DimensionFigures, float | None, float | None]:
        spec = self.spec
        score = round(100 * worth_sum / answered, 1) if answered else None
        completeness = round(answered / total, 3) if total else 0.0
        worst = 100 * worth_sum / total if total else None
        best = 100 * (worth_sum + total - answered) / total if total else None
        level = _level(spec, score, completeness, worst, best, False, False)
        return _dimension(dimension, score, level, completeness, answered, total, ()), worst, best

    def figures(
        self,
        values: Mapping[str, str],
        blockers: Iterable[Blocker],
        highs: Iterable[Blocker] = (),
        stage: int | None = None,
    ) -> ReadinessFigures:
        """Score an assessment.

        A dimension's score is 100 times the mean worth of its answered indicators that apply
        (yes 1, partly 0.5, no 0; for risks, low 1, medium 0.5, high 0); its range puts every
        unanswered one at worst (0) and at best (1). The overall score is the mean of the
        answered dimensions' scores weighted by `spec.weights`; its range weighs every
        dimension's range. A blocking gap or escalation makes its dimension and the overall
        level `not_ready`; otherwise the level follows the score (`ready` never with a high gap)
        when at least `spec.min_completeness` is answered, and below that the level both ends of
        the range agree on, or `unknown`. `stage` is the organisation's stage when the caller
        has it already (see `engine.runtime.ranking.stage_of`).
        """
        spec = self.spec
        blocking: dict[str, list[str]] = {}
        for gap_id, dimension in blockers:
            blocking.setdefault(dimension, []).append(gap_id)
        high_in = {dimension for _, dimension in highs}
        dimensions: list[DimensionFigures] = []
        weighted = weight_sum = low_sum = top_sum = range_weight = 0.0
        answered_all = total_all = 0
        for dimension, tables, answers_of, total, weight, kept in self._plan_for(values):
            worths = list(map(dict.get, tables, answers_of(values)))
            answered = len(worths) - worths.count(None)
            worth_sum = float(sum(filter(None, worths)))
            found = kept.get((worth_sum, answered))
            if found is None:
                found = self._entry(dimension, worth_sum, answered, total)
                if len(kept) < KEPT:
                    kept[(worth_sum, answered)] = found
            entry, worst, best = found
            score = entry.score
            capped = blocking.get(dimension)
            high = dimension in high_in
            if capped or high:
                # Kept as well, by what caps it: most weak organisations share their blockers.
                capped_by = tuple(sorted(capped)) if capped else ()
                key = (worth_sum, answered, capped_by, high)
                held = kept.get(key)
                if held is None:
                    level = _level(spec, score, entry.completeness, worst, best, bool(capped), high)
                    held = _dimension(
                        dimension, score, level, entry.completeness, answered, total, capped_by
                    )
                    if len(kept) < KEPT:
                        kept[key] = held
                entry = held
            dimensions.append(entry)
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
        level = _level(spec, overall, completeness, worst_all, best_all, bool(every), bool(high_in))
        stage = stage_of(values) if stage is None else stage
        left = steps_left(values, stage)
        implemented = _IMPLEMENTED.get(values.get(USED_AS_INTENDED, ""))
        summary = {
            "score": overall,
            "level": level,
            "completeness": completeness,
            "score_range": {"worst": worst_all, "best": best_all},
            "stage": stage,
            "steps_left": [{"step": step, "answer": answer} for step, answer in left],
            "implemented": implemented,
            "capped_by": every,
        }
        encoded = b"".join(
            (
                to_json(summary)[:-1],
                b',"dimensions":[',
                b",".join([d.encoded for d in dimensions]),
                b"]}",
            )
        )
        return ReadinessFigures(
            overall,
            level,
            completeness,
            worst_all,
            best_all,
            stage,
            left,
            implemented,
            tuple(every),
            tuple(dimensions),
            encoded,
        )


def _dimension(
    dimension: Dimension,
    score: float | None,
    level: ReadinessLevel,
    completeness: float,
    answered: int,
    total: int,
    capped_by: tuple[str, ...],
) -> DimensionFigures:
    """A dimension's figures, with their JSON."""
    encoded = to_json(
        {
            "dimension": dimension,
            "score": score,
            "level": level,
            "completeness": completeness,
            "answered": answered,
            "total": total,
            "capped_by": list(capped_by),
        }
    )
    return DimensionFigures(
        dimension, score, level, completeness, answered, total, capped_by, encoded
    )
