"""Stored assessments as the API sends them: records, pages, deltas, regional summaries, admin reports.

These models document and type what the dashboard and admin endpoints answer, so that a
generated client gets types for them. The server writes most of these bodies without building
the models (a stored result is sent byte for byte as it was stored); the tests validate real
answers against them, so the two cannot drift apart.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from schemas.result import AssessmentResult
from schemas.vocabulary import Dimension, Language, ReadinessLevel, Severity

__all__ = [
    "AssessmentPage",
    "Deleted",
    "Delta",
    "DimensionChange",
    "DimensionFigures",
    "FindingChange",
    "FrequentFinding",
    "LintFindingOut",
    "LintReportOut",
    "PersistingGap",
    "QuarterTrend",
    "ReadinessChange",
    "RecommendationGone",
    "RegionSummary",
    "ReloadReport",
    "StoredAssessmentOut",
    "StoredMeta",
]


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)


class StoredMeta(_Out):
    """What is kept beside a stored result."""

    id: str = Field(examples=["0661d600bd1760d6770d9ee11ca53976"])
    """The stored assessment's id (ids sort by storage time)."""
    created_at: datetime
    """When it was stored (UTC)."""
    assessed_at: datetime
    """When the assessment was made: `created_at` unless stored with `assessed_on`."""
    organisation_id: str = Field(examples=["se-0780-ifo"])
    organisation_name: str | None = Field(default=None, examples=["Växjö kommun, IFO"])
    region: str | None = Field(default=None, examples=["Region Kronoberg"])
    intervention: str = Field(examples=["Familjeorienterat arbetssätt"])
    """The intervention's name, else its model."""
    language: Language
    """The language of the stored result's texts."""
    readiness_level: ReadinessLevel
    readiness_score: float | None = None
    stage: int | None = Field(default=None, ge=1, le=4)
    """The organisation's stage (1-4) as the result gave it; null for a result stored before
    results had one."""
    ruleset_version: str
    ruleset_digest: str


class StoredAssessmentOut(StoredMeta):
    """A stored assessment: its metadata and the result exactly as it was sent."""

    result: AssessmentResult


class AssessmentPage(_Out):
    """One page of stored assessments, newest first."""

    items: list[StoredAssessmentOut]
    next: str | None = None
    """The cursor of the next page (pass it as `cursor`), null on the last page."""
    next_url: str | None = None
    """The next page's URL, with every parameter of this one (the `Link` header's target)."""


class ReadinessChange(_Out):
    """Overall readiness before and after."""

    before: float | None = None
    after: float | None = None
    change: float | None = None
    """`after - before`, null when either is unknown."""
    level_before: ReadinessLevel
    level_after: ReadinessLevel
    stage_before: int | None = Field(default=None, ge=1, le=4)
    """The organisation's stage at the earlier assessment; null for a result without one."""
    stage_after: int | None = Field(default=None, ge=1, le=4)
    """Its stage at the later one: a move from 1 to 2 is the initial assessment done."""


class FindingChange(_Out):
    """A gap closed or new."""

    id: str
    title: str
    severity: Severity


class PersistingGap(_Out):
    """A gap in both assessments, with since when it has been open."""

    id: str
    title: str
    severity: Severity
    severity_before: Severity
    open_since: datetime
    """When the earliest assessment of the unbroken run that has the gap was made."""
    open_since_assessment: str
    days_open: int


class DimensionChange(ReadinessChange):
    """One dimension's score and level before and after."""

    dimension: Dimension


class RecommendationGone(_Out):
    """A recommendation of the earlier assessment that the later one no longer gives.

    Neither as a place of its own nor as a sub-point of one: a recommendation folded into
    another place is still given.
    """

    id: str
    title: str


class Delta(_Out):
    """What changed between two assessments of one organisation and intervention."""

    assessment: str
    """The later assessment."""
    against: str
    """The earlier one."""
    days_between: int
    """Days between when the two were made."""
    readiness: ReadinessChange
    gaps_closed: list[FindingChange]
    gaps_new: list[FindingChange]
    gaps_persisting: list[PersistingGap]
    dimensions: list[DimensionChange]
    recommendations_no_longer_needed: list[RecommendationGone]
    recommendations_new: list[str]
    """Ids of the recommendations the later assessment adds (given by it, as a place or a
    sub-point, and by the earlier one in neither way)."""


class DimensionFigures(_Out):
    """One dimension over the organisations' latest assessments."""

    dimension: Dimension
    levels: dict[ReadinessLevel, int]
    mean_score: float | None = None
    answered_by: int
    """How many organisations have a score in the dimension."""


class FrequentFinding(_Out):
    """A gap, obstacle, missing success factor or first action, and its organisations."""

    id: str
    title: str | None = None
    """In the reader's language; absent for an id the current rules no longer have."""
    organisations: int
    share: float
    """Of the region's organisations, 0 to 1."""


class QuarterTrend(_Out):
    """One calendar quarter: its assessments and each organisation's latest in it."""

    quarter: str = Field(examples=["2026-Q4"])
    organisations: int
    assessments: int
    suppressed: bool
    """Fewer organisations than the minimum group: the figures below are left out."""
    mean_score: float | None = None
    levels: dict[ReadinessLevel, int] | None = None
    """Organisations by the level of their latest assessment in the quarter; every level is
    listed."""


class RegionSummary(_Out):
    """A region's figures for dashboards.

    Every group smaller than `min_organisations` is left out.
    """

    region: str
    period: dict[Literal["from", "to"], date | None]
    """The days the summary covers, `from` and `to` inclusive (null: open-ended)."""
    organisations: int
    assessments: int
    min_organisations: int
    suppressed: bool
    """The whole region is below the minimum group: only the counts above are given."""
    readiness_levels: dict[ReadinessLevel, int] | None = None
    """Organisations by the overall level of their latest assessment; every level is listed."""
    stages: dict[Literal["1", "2", "3", "4"], int] | None = None
    """Organisations by the stage of their latest assessment (the four phases of the work: 1
    initial assessment, 2 structure, 3 carrying it out, 4 learning and improving); every stage
    is listed. An assessment stored before results gave a stage is not counted here."""
    dimensions: list[DimensionFigures] | None = None
    gaps: list[FrequentFinding] | None = None
    gaps_suppressed: int | None = None
    """How many gaps were left out for being in too few organisations."""
    obstacles: list[FrequentFinding] | None = None
    obstacles_suppressed: int | None = None
    missing_success_factors: list[FrequentFinding] | None = None
    missing_success_factors_suppressed: int | None = None
    first_actions: list[FrequentFinding] | None = None
    """What the region's organisations have to do first: each recommendation, and how many
    organisations have it among the first three places of their latest assessment."""
    first_actions_suppressed: int | None = None
    trend: list[QuarterTrend] | None = None


class LintFindingOut(_Out):
    """One finding of `rules lint`."""

    file: str
    line: int
    column: int
    code: str
    """A lint or rule-file code (see the README's tables)."""
    severity: str
    """`error`, `warning` or `note`."""
    message: str
    hint: str


class LintReportOut(_Out):
    """What linting the uploaded files laid over the server's rules found."""

    rules: int
    errors: int
    warnings: int
    notes: int
    findings: list[LintFindingOut]


class ReloadReport(_Out):
    """The outcome of a reload of the rules folder."""

    attempted_at: datetime | None = None
    ok: bool
    digest: str | None = None
    """The digest of the set that was tried."""
    errors: list[str] | None = None
    serving: str
    """The digest of the set now serving."""


class Deleted(_Out):
    """How many stored assessments and rounds were deleted."""

    deleted: int
    """Stored assessments."""
    rounds: int
    """Rounds, each with its codes and answers."""
