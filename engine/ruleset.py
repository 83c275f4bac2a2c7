"""A loaded, validated ruleset: rules, catalogue, sources, scoring, version and digest."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal

from engine.conditions import Alternative, Condition
from engine.rulefile import (
    CaseSpec,
    Links,
    LocalizedText,
    ObstacleFile,
    QuestionnaireFile,
    RecommendationFile,
    ScoringSpec,
    SourceDocument,
    SuccessFactorFile,
)
from schemas.citation import Citation
from schemas.result import RulesetInfo
from schemas.vocabulary import Dimension, GapKind, Severity

__all__ = ["Rule", "RuleKind", "Ruleset", "phase_of_step"]

RuleKind = Literal["gap", "escalation", "strength"]


def phase_of_step(step: int) -> int:
    """Return the implementation phase (1-4) of step 1-14: 1-8, 9-10, 11-13, 14."""
    if step <= 8:
        return 1
    if step <= 10:
        return 2
    if step <= 13:
        return 3
    return 4


@dataclass(frozen=True, slots=True)
class Rule:
    """A validated rule, ready to compile.

    Attributes:
        id: Its path under `rules/logic/`, without `.yaml`.
        kind: What it derives.
        condition: The `when` tree with negation removed.
        alternatives: The condition split into per-fact joins.
        severity: Severity of the gap or escalation (the most severe one when it depends on the
            answer); None for strength rules.
        severity_by_value: For a rule whose severity depends on the answer: the indicator it
            tests and the severity per answer.
        gap_kind: For gap rules, `missing`, `at_risk` or `unknown`.
        present: For strength rules, the success factors it sees present.
        file: The file it was loaded from, for messages.
    """

    id: str
    title: LocalizedText
    dimension: Dimension
    kind: RuleKind
    condition: Condition
    alternatives: tuple[Alternative, ...]
    severity: Severity | None
    severity_by_value: tuple[str, MappingProxyType[str, Severity]] | None
    gap_kind: GapKind | None
    present: tuple[str, ...]
    links: Links
    sources: tuple[Citation, ...]
    cases: tuple[CaseSpec, ...]
    file: str

    def severity_for(self, values: Mapping[str, str]) -> Severity | None:
        """Return the severity of what the rule derives for these indicator `values`."""
        if self.severity_by_value is None:
            return self.severity
        path, by_value = self.severity_by_value
        return by_value.get(values[path], self.severity)

    @property
    def refs(self) -> frozenset[str]:
        """The derived facts (`gap:id`, `escalation:id`) its condition needs."""
        return frozenset(
            f"{m.fact}:{m.ref}" for alt in self.alternatives for m in alt.matchers if m.ref
        )


@dataclass(frozen=True)
class Ruleset:
    """Everything under one rules folder, validated and cross-checked."""

    name: str
    version: str
    digest: str
    title: str
    scoring: ScoringSpec
    sources: MappingProxyType[str, SourceDocument]
    rules: tuple[Rule, ...]
    obstacles: MappingProxyType[str, ObstacleFile]
    success_factors: MappingProxyType[str, SuccessFactorFile]
    recommendations: MappingProxyType[str, RecommendationFile]
    questionnaire: QuestionnaireFile
    by_id: MappingProxyType[str, Rule] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_id", MappingProxyType({r.id: r for r in self.rules}))

    @property
    def info(self) -> RulesetInfo:
        """Name, version and digest, as every result reports them."""
        return RulesetInfo(name=self.name, version=self.version, digest=self.digest)
