"""The assessment result: readiness, gaps, obstacles, success factors and ranked recommendations."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

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
    "ScoreRange",
    "SeverityBasis",
    "StepLeft",
    "SubPoint",
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
    """`not_ready` while a blocking gap is in this dimension; otherwise from the score, never
    `ready` with a high gap; `unknown` when too little is answered to conclude."""
    completeness: float
    """Share of the dimension's scored indicators that are answered, 0.0-1.0."""
    answered: int
    """How many scored indicators are answered."""
    total: int
    """How many scored indicators of the dimension apply to this intervention."""
    capped_by: list[str]
    """Ids of blocking gaps that make the level `not_ready`."""


class ScoreRange(_Out):
    """The lowest and highest overall score the unanswered indicators could still lead to."""

    worst: float | None
    """The score if every unanswered indicator that applies had its worst answer."""
    best: float | None
    """The score if every unanswered indicator that applies had its best answer."""


class StepLeft(_Out):
    """A step of the organisation's phase that is not done, and how it was answered."""

    step: int = Field(ge=1, le=14)
    answer: Literal["partly", "not", "unknown"]
    """`partly` done, `not` done, or not answered."""


class Readiness(_Out):
    """Overall readiness, the organisation's stage, and readiness per dimension."""

    score: float | None
    """Weighted mean of the dimension scores (weights in `rules/index.yaml`), 0-100."""
    level: ReadinessLevel
    """`not_ready` with any blocking gap; else from the score (never `ready` with a high gap);
    `unknown` when too little is answered and the score range spans more than one level."""
    completeness: float
    """Share of the scored indicators that apply to this intervention and are answered."""
    score_range: ScoreRange
    """How far the score could still move over the unanswered indicators."""
    stage: int
    """The implementation phase the organisation is in, 1-4, from the fourteen steps: 1 +
    the number of consecutive phases, from the first, whose steps are all done."""
    steps_left: list[StepLeft] = Field(default_factory=list)
    """The steps of that phase that are not done, in order: what keeps the organisation in it
    (at stage 4, Steg 14 until it is done). Empty in results stored before it was given."""
    implemented: bool | None = None
    """Whether the method counts as implemented by the Swedish guide's measure: more than half
    of the professionals who should use it use it as intended (`process.used_as_intended` is
    `yes`); false when fewer do, null when not answered (and in results stored before 0.5.0)."""
    capped_by: list[str]
    """Ids of blocking gaps that make the overall level `not_ready`."""
    dimensions: list[DimensionReadiness]
    """One entry per dimension, in a fixed order."""


class SeverityBasis(_Out):
    """Why a gap or escalation has its severity: a source passage, or the rule authors' reason."""

    source: str | None
    """The source whose passage weighs it so (with `locator`)."""
    locator: str | None
    """Where in that source."""
    judgement: str | None
    """Where no source weighs it: the rule authors' one-line reason, in the result's language."""


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
    severity_basis: SeverityBasis
    """Why it has this severity."""
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
    severity_basis: SeverityBasis
    """Why it has this severity."""
    raises: list[str]
    """Ids of the recommendations it escalates."""
    sources: list[Citation]
    """Where the sources describe it."""


class Obstacle(_Out):
    """A barrier named in a source that the gaps lead to."""

    id: str
    """Catalog id."""
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
    """Catalog id."""
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
    """What a recommendation's rank is computed from (see the README: Recommendation ranking)."""

    stage: int
    """0 when it is due now (its phase is the organisation's stage or an earlier one, or it is
    blocking), else its phase: what is due now comes first, later phases after, in order."""
    severity: Severity
    """The most severe of the gaps it closes (of the escalations raising it, if it closes
    none)."""
    escalated: bool
    """Whether an escalation raises it."""
    finds_out: bool
    """Whether it only closes gaps of kind unknown: what the answers show to be missing comes
    before what is still to be found out."""
    urgency: int
    """The severity as a number (blocking 4, high 3, medium 2, low 1), one higher (at most 4)
    when an escalation raises it. A low one (1) due now from a phase the organisation has
    finished (`phase` below its stage) comes after every other one that closes a gap the answers
    show, later phases included."""
    things_closed: int
    """How many distinct things the gaps it closes are about: gaps of one indicator family
    (the room, the tovholder, the capacity of the staff) count once."""
    gaps_closed: int
    """How many gaps it closes: at equal things closed, more first (within a family, the
    action that answers most of it leads and the others fold into it)."""
    lifted_by: list[str]
    """Recommendations that need this one first and rank higher on their own: this one takes
    the best of their places, so that it comes before them."""


class SubPoint(_Out):
    """A recommendation folded into another because it answers the same missing thing."""

    id: str
    """Catalog id."""
    title: str
    """Short title."""
    action: str
    """What to do."""
    owner: Owner
    """Who acts on it."""
    closes_gaps: list[str]
    """Ids of the gaps it closes."""
    priority: Priority | None = None
    """Its own, from its own urgency (see the place's `priority`); every result carries it, but
    results stored before sub-points had one are kept and read as they were sent, without it."""


class Recommendation(_Out):
    """An action that closes gaps."""

    id: str
    """Catalog id."""
    title: str
    """Short title."""
    action: str
    """What to do."""
    rationale: str
    """Why it helps."""
    priority: Priority
    """How urgent the work of this place is: 4 critical, 3 high, 2 medium, 1 low, from its
    `score.urgency`, or from a sub-point's urgency where that is higher (a prerequisite lifted to
    the place of what needs it, and that took it in: giving the tovholder time inside appointing
    one)."""
    rank: int
    """1 is the first thing to do."""
    phase: int
    """Implementation phase 1-4 its step belongs to."""
    step: int
    """Implementation step 1-14."""
    also_steps: list[int] = []
    """Later steps whose work it is part of as well (informing management is also how Steg 13's
    feedback reaches the leaders). While the organisation is at the stage of one of their phases,
    past its own, it ranks as that step's work (see the ranking)."""
    owner: Owner
    """Who acts on it."""
    after: list[str]
    """Recommendations in this result that must come first: its prerequisites, then those of its
    sub-points from outside it (a place is done with its sub-points); each ranks above it, or is
    a sub-point of one that does."""
    closes_gaps: list[str]
    """Ids of the gaps it closes."""
    escalations: list[str]
    """Ids of the escalations that raise it."""
    obstacles: list[str]
    """Ids of the obstacles it addresses."""
    success_factors: list[str]
    """Ids of the missing success factors it builds."""
    sub_points: list[SubPoint]
    """Recommendations folded into this one: they close gaps of the same indicator family (the
    same room, the same tovholder), so they are done as part of it."""
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
    """Ranked, rank 1 first; see the README for the order."""
    trace: list[TraceEntry] | None = None
    """Every rule that fired, in order; only when explain was requested."""

    def given(self) -> list[tuple[Recommendation, Recommendation | SubPoint]]:
        """Every recommendation the result gives, with its place, in rank order.

        A place comes with itself, each of its sub-points after it with that place.
        """
        found: list[tuple[Recommendation, Recommendation | SubPoint]] = []
        for place in self.recommendations:
            found.append((place, place))
            found += [(place, sub) for sub in place.sub_points]
        return found
