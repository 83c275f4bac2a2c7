"""Running the cases kept beside the rules, with coverage per rule and per condition branch."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from engine.conditions import All, AnyOf, Condition, holds
from engine.indicators import values_of
from engine.rulebase.rulefile import CaseSpec
from engine.ruleset import Rule
from engine.runtime.assess import Engine
from engine.runtime.outcome import Outcome
from schemas.assessment import AssessmentRequest

__all__ = ["Branch", "CaseOutcome", "CaseReport", "RuleCoverage", "check_case", "run_cases"]


@dataclass(frozen=True, slots=True)
class CaseOutcome:
    """One case of one rule: what was expected and what happened."""

    rule: str
    name: str
    passed: bool
    problems: tuple[str, ...]
    fired: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Branch:
    """One item of an `all` or `any`: covered when it alone decided the outcome in some case."""

    where: str
    covered: bool


@dataclass(frozen=True, slots=True)
class RuleCoverage:
    """Whether a rule fired in some case and stayed silent in another, and its branches."""

    rule: str
    fired: bool
    silent: bool
    branches: tuple[Branch, ...]

    @property
    def covered(self) -> bool:
        """Both outcomes seen."""
        return self.fired and self.silent


@dataclass
class CaseReport:
    """Every case's outcome and the coverage they give."""

    outcomes: list[CaseOutcome] = field(default_factory=list)
    coverage: list[RuleCoverage] = field(default_factory=list)

    @property
    def failed(self) -> list[CaseOutcome]:
        """The cases that did not pass."""
        return [o for o in self.outcomes if not o.passed]

    @property
    def rule_coverage(self) -> float:
        """Share of rules seen both firing and silent."""
        return sum(c.covered for c in self.coverage) / len(self.coverage) if self.coverage else 1.0

    @property
    def branch_coverage(self) -> float:
        """Share of condition branches that decided an outcome at least once."""
        branches = [b for c in self.coverage for b in c.branches]
        return sum(b.covered for b in branches) / len(branches) if branches else 1.0

    def to_json(self) -> dict[str, Any]:
        """The report as JSON-ready data."""
        return {
            "cases": len(self.outcomes),
            "failed": [
                {
                    "rule": o.rule,
                    "case": o.name,
                    "problems": list(o.problems),
                    "fired": list(o.fired),
                }
                for o in self.failed
            ],
            "rule_coverage": round(self.rule_coverage, 4),
            "branch_coverage": round(self.branch_coverage, 4),
            "rules": [
                {
                    "rule": c.rule,
                    "fired": c.fired,
                    "silent": c.silent,
                    "branches": [{"where": b.where, "covered": b.covered} for b in c.branches],
                }
                for c in self.coverage
            ],
        }


def _nodes(condition: Condition, where: str = "when") -> list[tuple[str, All | AnyOf]]:
    found: list[tuple[str, All | AnyOf]] = []
    if isinstance(condition, All | AnyOf) and len(condition.items) > 1:
        kind = "all" if isinstance(condition, All) else "any"
        found.append((f"{where}.{kind}", condition))
        for i, item in enumerate(condition.items):
            found += _nodes(item, f"{where}.{kind}[{i}]")
    return found


def _decided(node: All | AnyOf, values: dict[str, str], derived: frozenset[str]) -> set[int]:
    """Items that alone decided the node: the only true item of an `any`, the only false of an `all`."""
    truth = [holds(item, values, derived) for item in node.items]
    wanted = isinstance(node, AnyOf)
    deciding = [i for i, t in enumerate(truth) if t is wanted]
    return set(deciding) if len(deciding) == 1 else set()


def run_cases(engine: Engine) -> CaseReport:
    """Run every case of every rule of `engine`'s ruleset and measure coverage over all of them."""
    report = CaseReport()
    rules = engine.ruleset.rules
    fired_anywhere: dict[str, set[bool]] = {r.id: set() for r in rules}
    branch_hits: dict[str, dict[str, set[int]]] = {
        r.id: {where: set() for where, _ in _nodes(r.condition)} for r in rules
    }
    for rule in rules:
        for case in rule.cases:
            request = AssessmentRequest.model_validate(case.input)
            outcome = engine.evaluate(request)
            report.outcomes.append(check_case(rule, case, outcome))
            derived = frozenset(
                [f"gap:{g.id}" for g in outcome.gaps]
                + [f"escalation:{e.id}" for e in outcome.escalations]
            )
            values = values_of(request)
            fired = frozenset(outcome.fired)
            for other in rules:
                fired_anywhere[other.id].add(other.id in fired)
                for where, node in _nodes(other.condition):
                    branch_hits[other.id][where] |= _decided(node, values, derived)
    for rule in rules:
        branches = tuple(
            Branch(f"{where}[{i}]", i in branch_hits[rule.id][where])
            for where, node in _nodes(rule.condition)
            for i in range(len(node.items))
        )
        seen = fired_anywhere[rule.id]
        report.coverage.append(RuleCoverage(rule.id, True in seen, False in seen, branches))
    return report


def check_case(rule: Rule, case: CaseSpec, outcome: Outcome) -> CaseOutcome:
    """Check one case of `rule` against the outcome of its input."""
    fired = outcome.fired
    problems = []
    if (rule.id in fired) is not case.fires:
        problems.append(
            "expected the rule to fire; it did not"
            if case.fires
            else "expected the rule not to fire; it did"
        )
    gap_ids = {g.id for g in outcome.gaps}
    for gap in case.gaps:
        if gap not in gap_ids:
            problems.append(f"expected gap {gap!r}; gaps were {sorted(gap_ids)}")
    ranked = [p.id for p in outcome.recommendations]
    # A recommendation folded into another as a sub-point is in the result too.
    every = set(outcome.recommendation_ids())
    for rec in case.recommendations:
        if rec not in every:
            problems.append(f"expected recommendation {rec!r}; got {ranked}")
    if case.top_recommendation is not None and ranked[:1] != [case.top_recommendation]:
        problems.append(f"expected {case.top_recommendation!r} first; got {ranked[:3]}")
    return CaseOutcome(rule.id, case.name, not problems, tuple(problems), fired)
