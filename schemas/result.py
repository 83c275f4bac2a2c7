"""The assessment result: readiness, gaps, obstacles, success factors and ranked recommendations."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

from schemas.citation import Citation
from schemas.vocabulary import (
    Dimension,
    GapKind,
    Language,
    Owner,
    Priority,
    ReadinessLevel,
    Severity,
)

__all__ = [
    "AssessmentResult",
    "DimensionReadiness",
    "Escalation",
    "Gap",
    "Obstacle",
    "Readiness",
    "Recommendation",
    "RecommendationScore",
    "RulesetInfo",
    "SuccessFactor",
    "TraceEntry",
]

IndicatorValue = str


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)


class RulesetInfo(_Out):
    """Which rules produced a result."""

    name: str
    """Name of the ruleset."""
    version: str
    """Semantic version of the ruleset (from `rules/index.yaml`)."""
    digest: str
    """`sha256:` digest of the content of every rule file."""


class DimensionReadiness(_Out):
    """Readiness in one dimension."""

    dimension: Dimension
    """The dimension."""
    score: float | None
    """0-100 from the answered indicators only; null when none is answered."""
    level: ReadinessLevel
    """Level from the score, capped by blocking gaps in this dimension."""
    completeness: float
    """Share of the dimension's scored indicators that are answered, 0.0-1.0."""
    answered: int
    """How many scored indicators are answered."""
    total: int
    """How many scored indicators the dimension has."""
    capped_by: list[str]
    """Ids of blocking gaps that cap the level."""


class Readiness(_Out):
    """Overall readiness and readiness per dimension."""

    score: float | None
    """Weighted mean of the dimension scores (weights in `rules/index.yaml`), 0-100."""
    level: ReadinessLevel
    """Level from the score, capped by any blocking gap."""
    completeness: float
    """Share of all scored indicators that are answered, 0.0-1.0."""
    capped_by: list[str]
    """Ids of blocking gaps that cap the overall level."""
    dimensions: list[DimensionReadiness]
    """One entry per dimension, in a fixed order."""


class Gap(_Out):
    """Something missing or at risk that a rule derived from the answers."""

    id: str
    """The id of the rule that derived it (its path under `rules/logic/`)."""
    title: str
    """Short title in the requested language."""
    dimension: Dimension
    """The dimension it belongs to."""
    severity: Severity
    """How much it endangers the implementation."""
    kind: GapKind
    """`missing`, `at_risk`, or `unknown` (find out before judging)."""
    evidence: dict[str, IndicatorValue]
    """The indicator values that made the rule fire, by indicator path."""
    derived_from: list[str]
    """Ids of other gaps this one was chained from."""
    sources: list[Citation]
    """Where the sources describe it."""


class Escalation(_Out):
    """A combination of gaps or risks that is worse together than apart."""

    id: str
    """The id of the rule that derived it."""
    title: str
    """Short title in the requested language."""
    dimension: Dimension
    """The dimension it belongs to."""
    severity: Severity
    """How much the combination endangers the implementation."""
    evidence: dict[str, IndicatorValue]
    """Indicator values involved."""
    derived_from: list[str]
    """Ids of the gaps and escalations it combines."""
    raises: list[str]
    """Ids of the recommendations it escalates."""
    sources: list[Citation]
    """Where the sources describe it."""


class Obstacle(_Out):
    """A barrier named in a source that the gaps lead to."""

    id: str
    """Catalogue id."""
    title: str
    """Short title."""
    description: str
    """One paragraph."""
    gaps: list[str]
    """Ids of the gaps and escalations that lead to it."""
    sources: list[Citation]
    """Where the sources name it."""


class SuccessFactor(_Out):
    """A facilitator named in a source that the organisation has or lacks."""

    id: str
    """Catalogue id."""
    title: str
    """Short title."""
    description: str
    """One paragraph."""
    status: Literal["present", "missing"]
    """`missing` when any gap links it, otherwise `present` (some rule saw it in the answers)."""
    gaps: list[str]
    """Ids of the gaps that make it missing."""
    rules: list[str]
    """Ids of the rules that saw it present."""
    sources: list[Citation]
    """Where the sources name it."""


class RecommendationScore(_Out):
    """The components of a recommendation's score; `total` is their sum."""

    severity: int
    """Points for the most severe gap it closes (blocking 400, high 300, medium 200, low 100)."""
    phase: int
    """50 when its step is a planning step (1-10), else 0."""
    escalation: int
    """1000 when an escalation raises it, else 0."""
    obstacles: int
    """5 points per obstacle it addresses, at most 45."""
    total: int
    """The sum; recommendations are ranked by it, highest first, ties by step, then id."""


class Recommendation(_Out):
    """An action that closes gaps."""

    id: str
    """Catalogue id."""
    title: str
    """Short title."""
    action: str
    """What to do."""
    rationale: str
    """Why it helps."""
    priority: Priority
    """Label derived from the score (see the README)."""
    rank: int
    """1 is the first thing to do."""
    phase: int
    """Implementation phase 1-4 its step belongs to."""
    step: int
    """Implementation step 1-14."""
    owner: Owner
    """Who acts on it."""
    closes_gaps: list[str]
    """Ids of the gaps it closes."""
    escalations: list[str]
    """Ids of the escalations that raise it."""
    obstacles: list[str]
    """Ids of the obstacles it addresses."""
    success_factors: list[str]
    """Ids of the missing success factors it builds."""
    score: RecommendationScore
    """The components of its rank."""
    sources: list[Citation]
    """Where the sources recommend it."""


class TraceEntry(_Out):
    """One rule firing, in firing order."""

    order: int
    """Position in the firing sequence, from 1."""
    rule: str
    """Id of the rule that fired."""
    matched: dict[str, dict[str, IndicatorValue]]
    """The facts it matched, by fact name, restricted to the fields the rule tests."""


class AssessmentResult(_Out):
    """What the rules derived from one assessment."""

    language: Language
    """Language of every text in the result."""
    ruleset: RulesetInfo
    """Which rules produced it."""
    readiness: Readiness
    """Scores and levels."""
    gaps: list[Gap]
    """Gaps, most severe first, then by id."""
    escalations: list[Escalation]
    """Escalations, most severe first, then by id."""
    obstacles: list[Obstacle]
    """Obstacles, most gaps first, then by id."""
    success_factors: list[SuccessFactor]
    """Missing success factors first, then present ones, each by id."""
    recommendations: list[Recommendation]
    """Ranked, rank 1 first."""
    trace: list[TraceEntry] | None = None
    """Every rule that fired, in order; only when explain was requested."""
