"""Read-only views of the rule base: rules, catalog entries, sources, in one language."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from schemas.citation import Citation
from schemas.vocabulary import Dimension, GapKind, Language, Owner, Severity

__all__ = [
    "CatalogEntry",
    "RuleCase",
    "RuleDetail",
    "RuleLinks",
    "RuleSummary",
    "SourceView",
]


class _CatalogView(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)


class RuleLinks(_CatalogView):
    """Catalog entries a rule links."""

    obstacles: list[str]
    """Obstacle ids."""
    success_factors: list[str]
    """Success factor ids (missing when a gap rule fires, present for a strength rule)."""
    recommendations: list[str]
    """Recommendation ids."""


class RuleSummary(_CatalogView):
    """A rule, as `GET /v1/rules` lists it."""

    id: str
    """Its path under `rules/logic/`."""
    kind: Literal["gap", "escalation", "strength"]
    """What it derives."""
    title: str
    """Title in the chosen language."""
    dimension: Dimension
    """The dimension of what it derives."""
    severity: Severity | None
    """Severity (the highest, when it depends on the answer); null for strength rules."""
    gap_kind: GapKind | None
    """For gap rules: missing, at_risk, unknown or disagreement."""
    matches: str
    """What it matches, as one readable expression."""
    indicators: list[str]
    """Indicator paths its condition tests."""
    requires: list[str]
    """Gaps and escalations (`gap:<id>`, `escalation:<id>`) its condition needs."""
    links: RuleLinks
    """Catalog entries it links."""
    sources: list[Citation]
    """Where the sources support it."""


class RuleCase(_CatalogView):
    """A named case kept beside the rule."""

    name: str
    """What the case shows."""
    input: dict[str, Any]
    """The assessment fragment."""
    fires: bool
    """Whether the rule fires on it."""


class RuleDetail(RuleSummary):
    """A rule with its cases, as `GET /v1/rules/{id}` returns it."""

    cases: list[RuleCase]
    """Its cases."""


class CatalogEntry(_CatalogView):
    """An obstacle, success factor or recommendation in the chosen language."""

    id: str
    """Its id (the file name)."""
    kind: Literal["obstacle", "success_factor", "recommendation"]
    """Which catalog it is in."""
    language: Language
    """Language of the texts."""
    title: str
    """Short title."""
    description: str | None = None
    """For obstacles and success factors: one paragraph."""
    action: str | None = None
    """For recommendations: what to do."""
    rationale: str | None = None
    """For recommendations: why it helps."""
    step: int | None = None
    """For recommendations: the implementation step, 1-14."""
    phase: int | None = None
    """For recommendations: the phase, 1-4."""
    owner: Owner | None = None
    """For recommendations: who acts."""
    sources: list[Citation]
    """Where the sources name it."""


class SourceView(_CatalogView):
    """A source document the rules cite."""

    id: str
    """Id used in citations."""
    title: str
    """Title in the document's language."""
    publisher: str
    """Who published it."""
    year: int | None
    """Year of publication, when known."""
    language: Language
    """Language of the document."""
    elements: int
    """How many of its elements the coverage map lists (all are encoded)."""
