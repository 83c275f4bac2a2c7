"""Readiness scoring per dimension and overall, from answered indicators, capped by blockers."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from operator import itemgetter
from typing import Any

from pydantic_core import to_json

from engine.indicators import INDICATORS
from engine.rulefile import ScoringSpec
from schemas.result import Readiness
from schemas.vocabulary import DIMENSIONS, Dimension, ReadinessLevel

__all__ = ["Blocker", "Scorer", "readiness", "readiness_data"]

_ORDER: dict[ReadinessLevel, int] = {"not_ready": 0, "partly_ready": 1, "ready": 2}

_SCORED = {
    dimension: [i for i in INDICATORS if i.dimension == dimension and i.scale.scored]
    for dimension in DIMENSIONS
}
# Per dimension: (path, worth by answered value) of each scored indicator; unknown is absent.
_WORTHS = {
    dimension: tuple(
        (
            i.path,
            {v: w for v in i.scale.values if (w := i.scale.worth_of(v)) is not None},
        )
        for i in indicators
    )
    for dimension, indicators in _SCORED.items()
}


def _getter(paths: tuple[str, ...]) -> Callable[[Mapping[str, str]], tuple[str, ...]]:
    """A function from all answers to a dimension's scored answers, as a tuple."""
    if not paths:
        return lambda values: ()
    if len(paths) == 1:
        path = paths[0]
        return lambda values: (values[path],)
    return itemgetter(*paths)


_ANSWERS = {
    dimension: _getter(tuple(path for path, _ in worths)) for dimension, worths in _WORTHS.items()
}
_TABLES = {dimension: tuple(table for _, table in worths) for dimension, worths in _WORTHS.items()}
if any(2 * w != int(2 * w) for t in _TABLES.values() for table in t for w in table.values()):
    # Entries are kept by worth sums: multiples of 0.5 add up exactly, in any order.
    raise ValueError("an indicator's worth is not a multiple of 0.5; scoring keeps exact sums")


def _sums(
    tables: tuple[dict[str, float], ...],
    answers_of: Callable[[Mapping[str, str]], tuple[str, ...]],
    values: Mapping[str, str],
) -> tuple[float, int]:
    """The sum of the worths of a dimension's answered indicators, and how many are answered.

    `tables` and `answers_of` are the dimension's (`_TABLES`, `_ANSWERS`). Worths are 0, 0.5
    and 1, so the sum is exact in any order.
    """
    worths = list(map(dict.get, tables, answers_of(values)))
    answered = len(worths) - worths.count(None)
    return float(sum(filter(None, worths))), answered


Blocker = tuple[str, Dimension]
"""The id and dimension of a blocking gap or escalation."""

_Entry = tuple[dict[str, Any], float | None, bytes]
"""A dimension's uncapped entry, its score and its JSON."""

KEPT_CAPPED = 4096
"""Per dimension, how many capped entries a `Scorer` keeps (by sums and blockers)."""


def _level(
    score: float | None, completeness: float, spec: ScoringSpec, capped: bool
) -> ReadinessLevel:
    if score is None or completeness < spec.min_completeness:
        return "unknown"
    level: ReadinessLevel = (
        "ready"
        if score >= spec.ready_at
        else "partly_ready"
        if score >= spec.partly_ready_at
        else "not_ready"
    )
    cap = spec.blocking_cap
    if capped and cap in _ORDER and _ORDER[level] > _ORDER[cap]:
        return cap
    return level


def _by_dimension(blockers: Iterable[Blocker]) -> dict[str, list[str]]:
    """The blockers' ids by dimension, in the order given."""
    grouped: dict[str, list[str]] = {}
    for gap_id, dimension in blockers:
        grouped.setdefault(dimension, []).append(gap_id)
    return grouped


def _overall(
    spec: ScoringSpec,
    weighted: float,
    weight_sum: float,
    answered: int,
    total: int,
    blocking: Mapping[str, list[str]],
) -> dict[str, Any]:
    """The overall figures: weighted mean score, level, completeness and every blocker."""
    overall = round(weighted / weight_sum, 1) if weight_sum else None
    all_blockers = sorted(gap for gaps in blocking.values() for gap in gaps)
    completeness = round(answered / total, 3) if total else 0.0
    return {
        "score": overall,
        "level": _level(overall, completeness, spec, bool(all_blockers)),
        "completeness": completeness,
        "capped_by": all_blockers,
    }


def readiness(
    values: Mapping[str, str], blockers: Iterable[Blocker], spec: ScoringSpec
) -> Readiness:
    """Score an assessment; see `readiness_data`, of which this is the typed form."""
    return Readiness.model_validate(readiness_data(values, blockers, spec))


def readiness_data(
    values: Mapping[str, str], blockers: Iterable[Blocker], spec: ScoringSpec
) -> dict[str, Any]:
    """Score an assessment, as the plain data of a `Readiness`; see `Scorer.data`."""
    return Scorer(spec).data(values, blockers)


class Scorer:
    """Readiness under one scoring spec; each dimension's entry is kept by what decides it.

    A dimension's entry depends only on the sum of its answers' worths and on how many are
    answered (and, when a blocker caps it, on the blockers), so assessments share entries; there
    are few such pairs per dimension (the sum is a multiple of 0.5), and capped entries are kept
    up to `KEPT_CAPPED` per dimension.
    """

    def __init__(self, spec: ScoringSpec) -> None:
        self.spec = spec
        self._kept: dict[Dimension, dict[tuple[float, int], _Entry]] = {d: {} for d in DIMENSIONS}
        self._kept_capped: dict[Dimension, dict[tuple[float, int, tuple[str, ...]], bytes]] = {
            d: {} for d in DIMENSIONS
        }
        self._total = sum(len(_WORTHS[d]) for d in DIMENSIONS)
        # Per dimension, in order: what `json` reads of it.
        self._plan = tuple(
            (
                dimension,
                _TABLES[dimension],
                _ANSWERS[dimension],
                self._kept[dimension],
                self._kept_capped[dimension],
                spec.weights.get(dimension, 0.0),
            )
            for dimension in DIMENSIONS
        )

    def _dimension(self, dimension: Dimension, values: Mapping[str, str]) -> _Entry:
        return self._entry(dimension, *_sums(_TABLES[dimension], _ANSWERS[dimension], values))

    def _entry(self, dimension: Dimension, worth_sum: float, answered: int) -> _Entry:
        kept = self._kept[dimension]
        found = kept.get((worth_sum, answered))
        if found is not None:
            return found
        total = len(_WORTHS[dimension])
        score = round(100 * worth_sum / answered, 1) if answered else None
        completeness = round(answered / total, 3) if total else 0.0
        entry: dict[str, Any] = {
            "dimension": dimension,
            "score": score,
            "level": _level(score, completeness, self.spec, False),
            "completeness": completeness,
            "answered": answered,
            "total": total,
            "capped_by": [],
        }
        found = (entry, score, to_json(entry))
        kept[(worth_sum, answered)] = found
        return found

    def data(self, values: Mapping[str, str], blockers: Iterable[Blocker]) -> dict[str, Any]:
        """Score an assessment, as the plain data of a `Readiness`.

        A dimension's score is 100 times the mean worth of its answered indicators (yes 1,
        partly 0.5, no 0; for risks, low 1, medium 0.5, high 0); unanswered indicators are left
        out and lower only completeness. The overall score is the mean of the answered
        dimensions' scores weighted by `spec.weights`. A blocking gap or escalation caps its
        dimension's level and the overall level at `spec.blocking_cap`. Where fewer than
        `spec.min_completeness` of the indicators are answered, the level is `unknown` whatever
        the score.
        """
        summary, dimensions = self._summary(values, blockers)
        summary["dimensions"] = [entry for entry, _ in dimensions]
        return summary

    def json(self, values: Mapping[str, str], blockers: Iterable[Blocker]) -> bytes:
        """Score an assessment, as the JSON of its `Readiness` (what `data` holds, encoded).

        The same figures as `data`, added in the same order, read from the kept entries.
        """
        spec = self.spec
        blocking = _by_dimension(blockers)
        parts: list[bytes] = []
        weighted = weight_sum = 0.0
        answered_all = 0
        for dimension, tables, answers_of, kept, kept_capped, weight in self._plan:
            worth_sum, answered = _sums(tables, answers_of, values)
            found = kept.get((worth_sum, answered))
            if found is None:
                found = self._entry(dimension, worth_sum, answered)
            entry, score, encoded = found
            capped = blocking.get(dimension)
            if capped:
                ids = tuple(sorted(capped))
                cached = kept_capped.get((worth_sum, answered, ids))
                if cached is None:
                    level = _level(score, entry["completeness"], spec, True)
                    cached = to_json({**entry, "level": level, "capped_by": list(ids)})
                    if len(kept_capped) < KEPT_CAPPED:
                        kept_capped[(worth_sum, answered, ids)] = cached
                encoded = cached
            parts.append(encoded)
            if score is not None and weight > 0:
                weighted += weight * score
                weight_sum += weight
            answered_all += answered
        summary = _overall(spec, weighted, weight_sum, answered_all, self._total, blocking)
        return b"".join((to_json(summary)[:-1], b',"dimensions":[', b",".join(parts), b"]}"))

    def _summary(
        self, values: Mapping[str, str], blockers: Iterable[Blocker]
    ) -> tuple[dict[str, Any], list[tuple[dict[str, Any], bytes | None]]]:
        """The overall figures, and each dimension's entry with its JSON (None where capped)."""
        spec = self.spec
        blocking_by_dimension = _by_dimension(blockers)
        dimensions: list[tuple[dict[str, Any], bytes | None]] = []
        weighted = weight_sum = 0.0
        answered_all = total_all = 0
        weights = spec.weights
        for dimension in DIMENSIONS:
            entry, score, encoded = self._dimension(dimension, values)
            capped = blocking_by_dimension.get(dimension)
            if capped:
                entry = {
                    **entry,
                    "level": _level(score, entry["completeness"], spec, True),
                    "capped_by": sorted(capped),
                }
                dimensions.append((entry, None))
            else:
                dimensions.append((entry, encoded))
            weight = weights.get(dimension, 0.0)
            if score is not None and weight > 0:
                weighted += weight * score
                weight_sum += weight
            answered_all += entry["answered"]
            total_all += entry["total"]
        summary = _overall(
            spec, weighted, weight_sum, answered_all, total_all, blocking_by_dimension
        )
        return summary, dimensions
