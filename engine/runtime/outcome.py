"""What one evaluation found, as one immutable value; every view of a result is derived from it.

An `Outcome` holds what the rules decided, in no language: the rules that fired, each gap and
escalation with its severity, the readiness figures, the catalog entries the gaps link, and the
ranked recommendations with the components of their rank. The result's JSON
(`engine.runtime.render`), the typed `AssessmentResult` (`engine.runtime.typed`) and what the store
keeps beside a result are views of it, so none of them has to parse another.

Many parts repeat between assessments (a gap with the same deciding answers, a dimension with the
same sums, an obstacle linked by the same gaps), so one instance of such a part is shared between
outcomes. Parts that end up in the JSON carry `encoded`: their JSON in every language alike,
computed once with the part, so that the JSON view joins it instead of encoding it again. It is
derived from the other fields and takes no part in comparisons.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal, NamedTuple

from schemas.vocabulary import Dimension, GapKind, ReadinessLevel, Severity

__all__ = [
    "DimensionFigures",
    "Finding",
    "Grade",
    "LinkedFactor",
    "LinkedObstacle",
    "Outcome",
    "Placed",
    "ReadinessFigures",
    "Step",
]


@dataclass(frozen=True, slots=True)
class Finding:
    """A gap or escalation that fired.

    Attributes:
        id: The id of its rule.
        kind: `gap` or `escalation`.
        dimension: The dimension it belongs to.
        severity: Its severity for these answers.
        gap_kind: For a gap: `missing`, `at_risk`, `unknown` or `disagreement`; None for an
            escalation.
        evidence: The tested indicators whose values made a test hold, (path, value) by path.
        derived_from: The gaps and escalations it was chained from, by id.
        basis: Why it has this severity: its place in `Ruleset.severity_bases`, the same in
            every language (a judgement's reason is given in the result's language).
        encoded: Its JSON from the value of `severity` up to the value of `severity_basis`.
        tail: Its JSON after the value of `severity_basis`.
    """

    id: str
    kind: Literal["gap", "escalation"]
    dimension: Dimension
    severity: Severity
    gap_kind: GapKind | None
    evidence: tuple[tuple[str, str], ...]
    derived_from: tuple[str, ...]
    basis: int
    encoded: bytes = field(repr=False, compare=False)
    tail: bytes = field(repr=False, compare=False)


@dataclass(frozen=True, slots=True)
class DimensionFigures:
    """Readiness in one dimension (see `engine.runtime.scoring.Scorer`).

    Attributes:
        encoded: Its JSON, as the result's `readiness.dimensions` holds it.
    """

    dimension: Dimension
    score: float | None
    level: ReadinessLevel
    completeness: float
    answered: int
    total: int
    capped_by: tuple[str, ...]
    encoded: bytes = field(repr=False, compare=False)


@dataclass(frozen=True, slots=True)
class ReadinessFigures:
    """Overall readiness, the organisation's stage, and readiness per dimension.

    Attributes:
        worst: The lower end of the score range.
        best: The upper end of the score range.
        steps_left: The steps of the phase it is in that are not done, each with its answer.
        encoded: Its JSON, as the result's `readiness` holds it.
    """

    score: float | None
    level: ReadinessLevel
    completeness: float
    worst: float | None
    best: float | None
    stage: int
    steps_left: tuple[tuple[int, str], ...]
    implemented: bool | None
    capped_by: tuple[str, ...]
    dimensions: tuple[DimensionFigures, ...]
    encoded: bytes = field(repr=False, compare=False)


@dataclass(frozen=True, slots=True)
class LinkedObstacle:
    """An obstacle and the gaps and escalations that lead to it.

    Attributes:
        encoded: Its JSON from the value of `gaps` to the end.
    """

    id: str
    gaps: tuple[str, ...]
    encoded: bytes = field(repr=False, compare=False)


@dataclass(frozen=True, slots=True)
class LinkedFactor:
    """A success factor: missing when a gap links it, else present because a rule saw it.

    Attributes:
        encoded: Its JSON from the value of `status` to the end.
    """

    id: str
    missing: bool
    gaps: tuple[str, ...]
    rules: tuple[str, ...]
    encoded: bytes = field(repr=False, compare=False)


@dataclass(frozen=True, slots=True)
class Grade:
    """A recommendation as the gaps and escalations linking it make it, wherever it is placed.

    Attributes:
        id: Its catalog id.
        severity: The most severe of the gaps it closes (of the escalations, closing none).
        urgency: The severity as a number, one higher (at most 4) when escalated.
        escalated: Whether an escalation raises it.
        finds_out: Whether it only closes gaps of kind unknown.
        things_closed: How many distinct things its gaps are about.
        gaps_closed: How many gaps it closes.
        phase: The phase of its step.
        step: Its implementation step.
        also_steps: The later steps whose work it is part of as well.
        closes_gaps: The gaps it closes, by id.
        escalations: The escalations raising it, by id.
        obstacles: The obstacles it addresses, by id.
        success_factors: The success factors it builds, by id.
        encoded: Its JSON from `closes_gaps` to the opening of `sub_points`.
        score_due: Its JSON from the end of `sub_points` to the value of `lifted_by`, due now.
        score_later: The same when it waits for its phase.
        closes_encoded: The JSON of `closes_gaps`, its own `priority` and the brace that ends it
            as a sub-point.
    """

    id: str
    severity: Severity
    urgency: int
    escalated: bool
    finds_out: bool
    things_closed: int
    gaps_closed: int
    phase: int
    step: int
    also_steps: tuple[int, ...]
    closes_gaps: tuple[str, ...]
    escalations: tuple[str, ...]
    obstacles: tuple[str, ...]
    success_factors: tuple[str, ...]
    encoded: bytes = field(repr=False, compare=False)
    score_due: bytes = field(repr=False, compare=False)
    score_later: bytes = field(repr=False, compare=False)
    closes_encoded: bytes = field(repr=False, compare=False)


class Placed(NamedTuple):
    """A recommendation's place in the ranking (see `engine.runtime.ranking`).

    Attributes:
        grade: The recommendation, as what links it makes it.
        rank: 1 is the first thing to do.
        due: Whether it is due now (its score's stage is 0), else it waits for its phase.
        after: Its prerequisites in this outcome, by id.
        sub_points: The recommendations folded into it.
        lifted_by: The recommendations that need it first and lifted it to their place.
    """

    grade: Grade
    rank: int
    due: bool
    after: tuple[str, ...]
    sub_points: tuple[Grade, ...]
    lifted_by: tuple[str, ...]

    @property
    def id(self) -> str:
        """Its catalog id."""
        return self.grade.id

    @property
    def stage(self) -> int:
        """Its score's stage component: 0 when due now, else its phase."""
        return 0 if self.due else self.grade.phase

    @property
    def urgency(self) -> int:
        """The most urgent work the place holds (its `priority`): its own or a sub-point's.

        A prerequisite lifted to the place of what needs it may have taken that in as a
        sub-point: giving the tovholder time (high) inside appointing one.
        """
        own = self.grade.urgency
        for point in self.sub_points:
            if point.urgency > own:
                own = point.urgency
        return own


class Step(NamedTuple):
    """One rule that fired, with the facts it matched, restricted to the fields it tests."""

    rule: str
    matched: Mapping[str, Mapping[str, str]]


@dataclass(frozen=True, slots=True)
class Outcome:
    """What one evaluation found.

    Attributes:
        country: The organisation's country, which picks the catalog texts' variant.
        model: The intervention's model, which picks a recommendation's variant where it has one.
        kind: The kind of intervention, which does the same.
        fired: Every rule that fired, once, in firing order.
        gaps: The gaps, most severe first, then by id.
        escalations: The escalations, most severe first, then by id.
        readiness: Scores and levels.
        obstacles: The obstacles the gaps lead to, most gaps first, then by id.
        success_factors: Missing success factors first, then present ones, each by id.
        recommendations: The ranked places, rank 1 first.
        trace: Each firing with its matched facts, when the evaluation was asked to explain.
    """

    country: str
    model: str
    kind: str
    fired: tuple[str, ...]
    gaps: tuple[Finding, ...]
    escalations: tuple[Finding, ...]
    readiness: ReadinessFigures
    obstacles: tuple[LinkedObstacle, ...]
    success_factors: tuple[LinkedFactor, ...]
    recommendations: tuple[Placed, ...]
    trace: tuple[Step, ...] | None = None

    def recommendation_ids(self) -> list[str]:
        """Every recommendation's id: the ranked ones in order, each followed by its sub-points."""
        return [g.id for p in self.recommendations for g in (p.grade, *p.sub_points)]
