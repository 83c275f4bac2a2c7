"""A loaded, validated ruleset: rules, catalog, sources, scoring, version and digest."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal

from engine.conditions import Alternative, Condition, holds, tests_in
from engine.rulebase.rulefile import (
    CaseSpec,
    LinksSpec,
    LocalizedText,
    MiddleSufficient,
    ObstacleFile,
    QuestionnaireFile,
    RecommendationFile,
    ScoringSpec,
    SeverityBasisSpec,
    SourceDocument,
    SuccessFactorFile,
)
from schemas.citation import Citation
from schemas.result import RulesetInfo
from schemas.vocabulary import Dimension, GapKind, Severity

__all__ = [
    "ContextSeverity",
    "Rule",
    "RuleKind",
    "Ruleset",
    "SeverityByValue",
    "phase_of_step",
]

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


SeverityByValue = tuple[str, MappingProxyType[str, Severity]]
"""The graded indicator a severity depends on, and the severity per answer."""


@dataclass(frozen=True, slots=True)
class ContextSeverity:
    """A rule's severity in one context: when `condition` holds (over categorical indicators).

    Attributes:
        condition: The context, negation removed.
        severity: The severity (the most severe one when it depends on the answer).
        by_value: For a severity per answer: the indicator and the severity per answer.
        basis: Why.
    """

    condition: Condition
    severity: Severity
    by_value: SeverityByValue | None
    basis: SeverityBasisSpec


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
        gap_kind: For gap rules, `missing`, `at_risk`, `unknown` or `disagreement`.
        present: For strength rules, the success factors it sees present.
        file: The file it was loaded from, for messages.
        basis: Why the severity is what it is; None for strength rules.
        contexts: Severities that differ by context, first match first.
        middle_sufficient: The graded indicators whose middle answer is declared enough.
        families: The indicator families of what it tests (see `rules/index.yaml`), or, for an
            indicator in no family, its own path; categorical indicators are left out.
    """

    id: str
    title: LocalizedText
    dimension: Dimension
    kind: RuleKind
    condition: Condition
    alternatives: tuple[Alternative, ...]
    severity: Severity | None
    severity_by_value: SeverityByValue | None
    gap_kind: GapKind | None
    present: tuple[str, ...]
    links: LinksSpec
    sources: tuple[Citation, ...]
    cases: tuple[CaseSpec, ...]
    file: str
    basis: SeverityBasisSpec | None = None
    contexts: tuple[ContextSeverity, ...] = ()
    middle_sufficient: Mapping[str, MiddleSufficient] = field(default_factory=dict)
    families: frozenset[str] = frozenset()

    def severity_for(self, values: Mapping[str, str]) -> Severity | None:
        """Return the severity of what the rule derives for these indicator `values`."""
        severity, by_value = self.severity, self.severity_by_value
        for context in self.contexts:
            if holds(context.condition, values):
                severity, by_value = context.severity, context.by_value
                break
        if by_value is None:
            return severity
        path, per_answer = by_value
        return per_answer.get(values[path], severity)

    def basis_for(self, values: Mapping[str, str]) -> SeverityBasisSpec | None:
        """Return the basis of the severity that applies for these indicator `values`."""
        return self.bases[self.basis_number_for(values)] if self.basis is not None else None

    def basis_number_for(self, values: Mapping[str, str]) -> int:
        """Return which of `bases` applies for these indicator `values` (0: the rule's own)."""
        for number, context in enumerate(self.contexts, start=1):
            if holds(context.condition, values):
                return number
        return 0

    @property
    def bases(self) -> tuple[SeverityBasisSpec, ...]:
        """Its severity bases: its own, then each context's in order; empty for a strength rule."""
        if self.basis is None:
            return ()
        return (self.basis, *[context.basis for context in self.contexts])

    @property
    def varies(self) -> bool:
        """Whether its severity depends on the answers (per answer, or by context)."""
        return self.severity_by_value is not None or bool(self.contexts)

    @property
    def severity_paths(self) -> frozenset[str]:
        """The indicators its severity depends on."""
        paths = {self.severity_by_value[0]} if self.severity_by_value else set()
        for context in self.contexts:
            paths.update(t.path for t in tests_in(context.condition))
            if context.by_value:
                paths.add(context.by_value[0])
        return frozenset(paths)

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
    families: Mapping[str, str] = field(default_factory=dict)
    """The family of each indicator that belongs to one (`rules/index.yaml` `families`)."""
    scope: Mapping[str, tuple[str, frozenset[str]]] = field(default_factory=dict)
    """Per scoped indicator: the categorical indicator and the values under which it applies."""
    by_id: MappingProxyType[str, Rule] = field(init=False)
    severity_bases: tuple[SeverityBasisSpec, ...] = field(init=False)
    """Every severity basis, rule by rule in the order of `Rule.bases`. A finding names its basis
    by its place here, the same in every language; its words (a judgement's reason) are given in
    the result's language when it is rendered."""
    first_basis: MappingProxyType[str, int] = field(init=False)
    """Per gap or escalation rule: the place of its own basis in `severity_bases` (a context's
    basis follows at `Rule.basis_number_for`)."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_id", MappingProxyType({r.id: r for r in self.rules}))
        bases: list[SeverityBasisSpec] = []
        first: dict[str, int] = {}
        for rule in self.rules:
            if rule.bases:
                first[rule.id] = len(bases)
                bases += rule.bases
        object.__setattr__(self, "severity_bases", tuple(bases))
        object.__setattr__(self, "first_basis", MappingProxyType(first))

    @property
    def info(self) -> RulesetInfo:
        """Name, version and digest, as every result reports them."""
        return RulesetInfo(name=self.name, version=self.version, digest=self.digest)
