"""The rule-file format: pydantic models for every kind of file under `rules/`."""

from __future__ import annotations

import re
from itertools import pairwise
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from schemas.citation import Citation
from schemas.vocabulary import Dimension, GapKind, Language, Owner, ReadinessLevel, Severity

__all__ = [
    "CaseSpec",
    "CatalogEntryFile",
    "ContextSeveritySpec",
    "Country",
    "CountryDescribedText",
    "FolderIndexFile",
    "LocalizedText",
    "ManifestFile",
    "MiddleSufficient",
    "ObstacleFile",
    "QuestionSpec",
    "QuestionnaireFile",
    "RecommendationFile",
    "RecommendationVariantText",
    "RuleFile",
    "ScoringSpec",
    "SeverityBasisSpec",
    "SourceDocument",
    "SourceElement",
    "SpellingFile",
    "SpellingList",
    "SuccessFactorFile",
    "VariantKind",
    "VariantModel",
]

Text = Annotated[str, Field(min_length=1, max_length=2000)]
Id = Annotated[str, Field(min_length=1, max_length=120, pattern=r"^[a-z0-9][a-z0-9_/-]*$")]
Citations = Annotated[list[Citation], Field(min_length=1)]
_WORD = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*")


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


Reason = Annotated[str, Field(min_length=10, max_length=400)]


class JudgementText(LocalizedText):
    """A severity's one-line reason where no source weighs it, in every language.

    A rules folder written before reasons were translated gives one string; it is read as the
    reason in every language, and `rules lint` warns (`judgement-untranslated`), so an older
    folder still loads (`rules diff` against it, say) without passing for translated.
    """

    @model_validator(mode="before")
    @classmethod
    def _one_string(cls, data: Any) -> Any:
        return {"sv": data, "da": data, "en": data} if isinstance(data, str) else data

    sv: Reason
    """Swedish."""
    da: Reason
    """Danish."""
    en: Reason
    """English."""


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
    blocking_cap: ReadinessLevel = "not_ready"
    """The level of a dimension (and of the whole) while it has a blocking gap, whatever the
    score and completeness: a blocker is evidence enough."""

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
    families: dict[Id, Annotated[list[str], Field(min_length=2)]] = {}
    """Indicators that describe one thing (the room, the tovholder): the ranking gives one
    recommendation per family, and folds the others into it as sub-points."""
    spans: dict[str, Annotated[list[str], Field(min_length=2)]] = {}
    """Indicators that ask about several things the questionnaire also asks about one by one
    (Steg 5 asks for support from decision makers, managers and staff at once), by path: the
    indicators it spans. A gap on it is about the family of each, so its action folds into a
    place that answers any of them; the spanning indicator is in no family itself."""
    scope: dict[str, dict[str, list[str]]] = {}
    """Indicators that apply only in some contexts, by path: the categorical indicator and the
    values under which it applies. Out of scope it is neither scored nor counted, and a gap rule
    testing it must test its scope too."""


Level = Literal["individual", "interpersonal", "institutional", "infrastructural"]


class QuestionSpec(_File):
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
    questions: dict[str, QuestionSpec]
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
    `recommendation:<id>`); kept current by `readiness rules coverage --write`."""


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


class CatalogEntryFile(_File):
    """Fields every catalog entry has."""

    title: LocalizedText
    """Short title."""
    sources: Citations
    """Where the sources name it."""


Country = Literal["SE", "DK"]


class CountryDescribedText(_File):
    """The texts of an obstacle or success factor that differ in one country."""

    title: LocalizedText | None = None
    """Title in that country."""
    description: LocalizedText | None = None
    """Description in that country."""


class RecommendationVariantText(_File):
    """The texts of a recommendation that differ in one country or for one intervention model."""

    title: LocalizedText | None = None
    """Title there."""
    action: LocalizedText | None = None
    """Action there."""
    rationale: LocalizedText | None = None
    """Rationale there."""


class ObstacleFile(CatalogEntryFile):
    """A catalog file under `rules/catalog/obstacles/`."""

    description: LocalizedText
    """One paragraph for a social-services leader."""
    by_country: dict[Country, CountryDescribedText] = {}
    """Texts that differ in one country."""


class SuccessFactorFile(CatalogEntryFile):
    """A catalog file under `rules/catalog/success-factors/`."""

    description: LocalizedText
    """One paragraph for a social-services leader."""
    by_country: dict[Country, CountryDescribedText] = {}
    """Texts that differ in one country."""


VariantModel = Literal["family_group_conference", "family_oriented_work", "early_support"]
"""The intervention models a recommendation's texts may have a variant for."""

VariantKind = Literal["guideline", "law", "programme"]
"""The kinds of intervention a recommendation's texts may have a variant for (a method reads the
common text)."""


class RecommendationFile(CatalogEntryFile):
    """A catalog file under `rules/catalog/recommendations/`."""

    action: LocalizedText
    """What to do, concretely."""
    rationale: LocalizedText
    """Why it helps."""
    step: Annotated[int, Field(ge=1, le=14)]
    """The implementation step (1-14) the action belongs to; the phase follows from it."""
    also_steps: list[Annotated[int, Field(ge=1, le=14)]] = []
    """Later steps whose work the action is part of as well, in order: informing management is
    Steg 10's routine and also how Steg 13's feedback reaches the leaders. While the organisation
    is in one of their phases, past the action's own, it ranks as that step's work
    (`engine.runtime.ranking.step_at`)."""
    owner: Owner
    """Who acts."""
    after: list[Id] = []
    """Recommendations that must come first when both are in a result (appoint a tovholder
    before giving the tovholder time); the ranking honours them as a partial order."""
    by_country: dict[Country, RecommendationVariantText] = {}
    """Texts that differ in one country (support structures, agreements, forms)."""
    by_model: dict[VariantModel, RecommendationVariantText] = {}
    """Texts that differ for one intervention model (its own examples and tools). A text that has
    a model variant has no country or kind variant: the model's text is what that model's users
    read."""
    by_kind: dict[VariantKind, RecommendationVariantText] = {}
    """Texts that differ for one kind of intervention: what a law or a guideline asks of the
    advice (a law's requirements are not adapted locally, nor met in half the cases). A text that
    has a kind variant has no country or model variant."""

    @model_validator(mode="after")
    def _later_steps_in_order(self) -> RecommendationFile:
        steps = [self.step, *self.also_steps]
        if any(a >= b for a, b in pairwise(steps)):
            raise ValueError(
                f"also_steps {self.also_steps} must be later than step {self.step}, each once, "
                "in increasing order"
            )
        return self

    @model_validator(mode="after")
    def _each_prerequisite_once(self) -> RecommendationFile:
        if len(set(self.after)) != len(self.after):
            raise ValueError(f"after {self.after} names a recommendation twice; name each once")
        return self

    @model_validator(mode="after")
    def _one_variant_per_text(self) -> RecommendationFile:
        # Each text varies along one of country, model and kind at most, so no order between
        # them needs to be known to tell which variant a reader gets.
        dimensions = (
            ("by_model", self.by_model),
            ("by_kind", self.by_kind),
            ("by_country", self.by_country),
        )
        for name in ("title", "action", "rationale"):
            found = [
                f"{by}.{value}.{name}"
                for by, variants in dimensions
                for value, variant in variants.items()
                if getattr(variant, name) is not None
            ]
            along = {path.split(".")[0] for path in found}
            if len(along) > 1:
                raise ValueError(
                    f"{' and '.join(found)} set: a text varies by country, by model or by kind, "
                    "not by two of them"
                )
        return self


class SeverityBasisSpec(_File):
    """Why a severity is what it is: a source passage, or a judgement with its reason."""

    source: Annotated[str, Field(min_length=1, max_length=64)] | None = None
    """The source whose passage makes it this severe (with `locator`)."""
    locator: Annotated[str, Field(min_length=3, max_length=300)] | None = None
    """Where in that source: one of the locators of its coverage map."""
    judgement: JudgementText | None = None
    """Instead of a source: a one-line reason the rule authors stand behind, in every language
    (the result gives it in its own)."""

    @model_validator(mode="after")
    def _one_form(self) -> SeverityBasisSpec:
        cited = self.source is not None or self.locator is not None
        if cited and (self.source is None or self.locator is None):
            raise ValueError("a cited basis needs both source and locator")
        if cited == (self.judgement is not None):
            raise ValueError("a basis is either source + locator or judgement, not both")
        return self


SeverityGrade = Severity | dict[str, Severity]
"""One severity, or a severity per answer of the one graded indicator the rule tests."""


class ContextSeveritySpec(_File):
    """The severity in one context (country, kind of intervention, model, size, in use)."""

    when: dict[str, Any]
    """Tests of categorical indicators (`intervention.model`, `intervention.kind`,
    `organisation.country`, `organisation.size`), or of whether a scored indicator is answered at
    all (every answer it has, e.g. `process.used_as_intended: ["yes", partly, "no"]`: the
    intervention is in use), combined with `all`, `any` and `not`. Never which answer a scored
    indicator has: a better answer must not change the severity's context."""
    severity: SeverityGrade
    """The severity in this context; the same form as the rule's own."""
    basis: SeverityBasisSpec
    """Why, in this context."""


class _Asserted(_File):
    severity: SeverityGrade
    """How much it endangers the implementation; or, for a rule that tests one graded indicator,
    a severity per answer (`{"no": high, partly: medium}`), so that a better answer keeps the same
    gap at a lower severity instead of swapping it for another."""
    basis: SeverityBasisSpec
    """Why the severity is what it is (the source passage, or `judgement` with a reason)."""
    in_context: list[ContextSeveritySpec] = []
    """Severities that differ by context; the first whose `when` holds applies, else `severity`."""


class GapAssertion(_Asserted):
    """The rule derives a gap."""

    kind: GapKind = "missing"
    """`missing`, `at_risk`, `unknown` for a find-out gap, or `disagreement` for a matter the
    roles of a round see differently (it tests an `agreement.*` field at `differ`)."""


class EscalationAssertion(_Asserted):
    """The rule derives an escalation."""


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


class LinksSpec(_File):
    """Catalog entries a rule links; looked up, not fired, when the rule fires."""

    obstacles: list[Id] = []
    """Obstacles the gap leads to."""
    success_factors: list[Id] = []
    """Success factors the gap means are missing."""
    recommendations: list[Id] = []
    """Recommendations that close the gap (or that an escalation raises)."""


class MiddleSufficient(_File):
    """Why the middle answer of a graded indicator (partly, medium) is enough for this rule."""

    reason: Annotated[str, Field(min_length=10, max_length=300)]
    """One line: what the cited passage says that makes a partial answer sufficient."""
    source: Annotated[str, Field(min_length=1, max_length=64)]
    """The source that says so."""
    locator: Annotated[str, Field(min_length=3, max_length=300)]
    """Where in that source."""


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
    links: LinksSpec = LinksSpec()
    """Catalog entries it links."""
    sources: Citations
    """Where the sources support it."""
    middle_sufficient: dict[str, MiddleSufficient] = {}
    """Per graded indicator the rule tests at its worst value only: why its middle value is
    enough (a gap rule that ignores the middle value without saying why is refused)."""
    cases: Annotated[list[CaseSpec], Field(min_length=2)]
    """At least one case where it fires and one where it does not."""


class SpellingList(_File):
    """Entries for each language the spelling check reads."""

    sv: list[Annotated[str, Field(min_length=1, max_length=200)]] = []
    """Swedish."""
    da: list[Annotated[str, Field(min_length=1, max_length=200)]] = []
    """Danish."""
    en: list[Annotated[str, Field(min_length=1, max_length=200)]] = []
    """English."""


class SpellingFile(_File):
    """`spelling.yaml`: what the spelling check accepts that no dictionary knows.

    `words` are single words (names, abbreviations, the sources' own terms); `phrases` are runs of
    words in another language, such as a cited title, accepted only whole.
    """

    words: SpellingList = SpellingList()
    """Single words, per language."""
    phrases: SpellingList = SpellingList()
    """Phrases accepted only whole, per language."""

    @model_validator(mode="after")
    def _words_are_words(self) -> SpellingFile:
        for language in ("sv", "da", "en"):
            for word in getattr(self.words, language):
                if not _WORD.fullmatch(word):
                    raise ValueError(f"words.{language}: {word!r} is not one word")
        return self
