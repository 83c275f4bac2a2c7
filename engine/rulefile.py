"""The rule-file format: pydantic models for every kind of file under `rules/`."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from schemas.citation import Citation
from schemas.vocabulary import Dimension, GapKind, Language, Owner, ReadinessLevel, Severity

__all__ = [
    "CaseSpec",
    "CatalogueEntryFile",
    "FolderIndexFile",
    "LocalizedText",
    "ManifestFile",
    "ObstacleFile",
    "Question",
    "QuestionnaireFile",
    "RecommendationFile",
    "RuleFile",
    "ScoringSpec",
    "SourceDocument",
    "SourceElement",
    "SuccessFactorFile",
]

Text = Annotated[str, Field(min_length=1, max_length=2000)]
Id = Annotated[str, Field(min_length=1, max_length=120, pattern=r"^[a-z0-9][a-z0-9_/-]*$")]
Citations = Annotated[list[Citation], Field(min_length=1)]


class _File(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)


class LocalizedText(_File):
    """A text in every language the product speaks."""

    sv: Text
    """Swedish."""
    da: Text
    """Danish."""
    en: Text
    """English."""

    def in_(self, language: Language) -> str:
        """Return the text in `language`."""
        text: str = getattr(self, language)
        return text


class FolderIndexFile(_File):
    """`index.yaml` of a folder: what the folder covers."""

    title: Text
    """What the folder holds."""
    description: Text | None = None
    """Longer description."""


class ScoringSpec(_File):
    """How readiness is scored; see the README for the formula."""

    weights: dict[Dimension, Annotated[float, Field(ge=0, le=10)]]
    """Weight of each dimension in the overall score."""
    ready_at: Annotated[float, Field(gt=0, le=100)] = 75
    """Lowest score that counts as `ready`."""
    partly_ready_at: Annotated[float, Field(gt=0, le=100)] = 40
    """Lowest score that counts as `partly_ready`."""
    min_completeness: Annotated[float, Field(ge=0, le=1)] = 0.3
    """Below this share of answered indicators a level is `unknown`: too little is known to judge
    (the score is still reported)."""
    blocking_cap: ReadinessLevel = "partly_ready"
    """The highest level a dimension (and the whole) can reach while it has a blocking gap."""

    @model_validator(mode="after")
    def _ordered(self) -> ScoringSpec:
        if self.partly_ready_at >= self.ready_at:
            raise ValueError("partly_ready_at must be below ready_at")
        return self


class ManifestFile(FolderIndexFile):
    """`rules/index.yaml`: the ruleset's name, version and scoring."""

    name: Id
    """Name of the ruleset."""
    version: Annotated[str, Field(pattern=r"^\d+\.\d+\.\d+$")]
    """Semantic version: adding rules is a minor change, renaming or removing one is major."""
    scoring: ScoringSpec
    """Scoring parameters."""


Level = Literal["individual", "interpersonal", "institutional", "infrastructural"]


class Question(_File):
    """How the questionnaire asks for one field of the assessment."""

    text: LocalizedText
    """The question."""
    step: Annotated[int, Field(ge=1, le=14)] | None = None
    """The implementation step (1-14) the question belongs to, if any."""
    level: Level | None = None
    """The implementation level (Danish framework) the question belongs to, if any."""


class QuestionnaireFile(_File):
    """`rules/questionnaire.yaml`: the texts of `GET /v1/questionnaire`."""

    scales: dict[str, dict[str, LocalizedText]]
    """Answer labels per scale and value."""
    groups: dict[str, LocalizedText]
    """Headings of the sections and sub-groups, by path."""
    questions: dict[str, Question]
    """One question per field of the assessment, by path."""


class SourceElement(_File):
    """One element of a source document (a step, a factor, a milestone, a listed obstacle)."""

    locator: Annotated[str, Field(min_length=3, max_length=300)]
    """The canonical locator citations use; a citation of `<locator> – <detail>` or
    `<locator>: <detail>` also counts for this element."""
    what: Text
    """What the element is, in English."""
    encoded_by: list[str] = []
    """What cites it (`rule:<id>`, `obstacle:<id>`, `success-factor:<id>`,
    `recommendation:<id>`); kept current by `python -m engine rules coverage --write`."""


class SourceDocument(_File):
    """`rules/sources/<id>.yaml`: a source document and the coverage map of its elements."""

    title: Text
    """Title in the document's own language."""
    publisher: Text
    """Who published it."""
    year: Annotated[int, Field(ge=1990, le=2100)] | None = None
    """Year of publication, when known."""
    language: Language
    """Language of the document."""
    elements: Annotated[list[SourceElement], Field(min_length=1)]
    """Every element of the document the rule base encodes."""


class CatalogueEntryFile(_File):
    """Fields every catalogue entry has."""

    title: LocalizedText
    """Short title."""
    sources: Citations
    """Where the sources name it."""


class ObstacleFile(CatalogueEntryFile):
    """A catalogue file under `rules/catalog/obstacles/`."""

    description: LocalizedText
    """One paragraph for a social-services leader."""


class SuccessFactorFile(CatalogueEntryFile):
    """A catalogue file under `rules/catalog/success-factors/`."""

    description: LocalizedText
    """One paragraph for a social-services leader."""


class RecommendationFile(CatalogueEntryFile):
    """A catalogue file under `rules/catalog/recommendations/`."""

    action: LocalizedText
    """What to do, concretely."""
    rationale: LocalizedText
    """Why it helps."""
    step: Annotated[int, Field(ge=1, le=14)]
    """The implementation step (1-14) the action belongs to; the phase follows from it."""
    owner: Owner
    """Who acts."""


class GapAssertion(_File):
    """The rule derives a gap."""

    severity: Severity | dict[str, Severity]
    """How much the gap endangers the implementation; or, for a rule that tests one indicator, a
    severity per answer (`{"no": high, partly: medium}`), so that a better answer keeps the same
    gap at a lower severity instead of swapping it for another."""
    kind: GapKind = "missing"
    """`missing`, `at_risk`, or `unknown` for a find-out gap."""


class EscalationAssertion(_File):
    """The rule derives an escalation."""

    severity: Severity
    """How much the combination endangers the implementation."""


class StrengthAssertion(_File):
    """The rule sees success factors present."""

    success_factors: Annotated[list[Id], Field(min_length=1)]
    """Ids of the success factors present when the rule fires."""


class Asserts(_File):
    """What a rule derives when it fires: exactly one of gap, escalation, strength."""

    gap: GapAssertion | None = None
    """A gap."""
    escalation: EscalationAssertion | None = None
    """An escalation."""
    strength: StrengthAssertion | None = None
    """Success factors present."""

    @model_validator(mode="after")
    def _exactly_one(self) -> Asserts:
        given = [n for n in ("gap", "escalation", "strength") if getattr(self, n) is not None]
        if len(given) != 1:
            raise ValueError("asserts needs exactly one of gap, escalation, strength")
        return self


class Links(_File):
    """Catalogue entries a rule links; looked up, not fired, when the rule fires."""

    obstacles: list[Id] = []
    """Obstacles the gap leads to."""
    success_factors: list[Id] = []
    """Success factors the gap means are missing."""
    recommendations: list[Id] = []
    """Recommendations that close the gap (or that an escalation raises)."""


class CaseSpec(_File):
    """A named case: an assessment fragment and what the rule base must make of it."""

    name: Annotated[str, Field(min_length=10, max_length=300)]
    """A sentence saying what the case shows."""
    input: dict[str, Any]
    """An assessment request fragment; everything left out is unknown."""
    fires: bool
    """Whether this rule fires."""
    gaps: list[Id] = []
    """Gap ids that must be in the result."""
    recommendations: list[Id] = []
    """Recommendation ids that must be in the result."""
    top_recommendation: Id | None = None
    """The recommendation that must rank first."""


class RuleFile(_File):
    """A rule file under `rules/logic/`; its path there is its id."""

    id: Id
    """Must equal the file's path under `rules/logic/`, without `.yaml`."""
    title: LocalizedText
    """Title of what it derives."""
    dimension: Dimension
    """Dimension the derived gap or escalation belongs to."""
    when: dict[str, Any]
    """The condition: indicator tests (`path: value` or `path: [values]`), `gap: id`,
    `escalation: id`, combined with `all`, `any` and `not`."""
    asserts: Asserts
    """What it derives."""
    links: Links = Links()
    """Catalogue entries it links."""
    sources: Citations
    """Where the sources support it."""
    cases: Annotated[list[CaseSpec], Field(min_length=2)]
    """At least one case where it fires and one where it does not."""
