"""`rules lint`: every loader error plus checks across rules, each with a code and a fix hint."""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

from engine.conditions import Alternative, FactAnd, FactOr, Test, condition_text
from engine.errors import InvalidRulesetError
from engine.rulebase.loader import default_rules_dir, load_ruleset
from engine.ruleset import Rule, Ruleset
from schemas.codes import CODES, Code, FindingSeverity, LintCode, RuleFileCode

__all__ = ["HINTS", "LintFinding", "LintReport", "lint"]

HINTS: Mapping[Code, str] = MappingProxyType(
    {code: doc.hint for code, doc in CODES.items() if doc.kind in ("rule-file", "lint")}
)
"""How to fix each code `rules lint` reports, from the code registry."""


@dataclass(frozen=True, slots=True)
class LintFinding:
    """One finding, as `file:line:column: severity: code: message (hint)`."""

    file: str
    line: int
    column: int
    code: RuleFileCode | LintCode
    severity: FindingSeverity
    message: str
    hint: str

    def __str__(self) -> str:
        # A message that already says what to do (the loader's, which `rules check` prints
        # without hints) is not followed by the same advice again.
        hint = "" if self.message.endswith(self.hint) else f" ({self.hint})"
        where = f"{self.file}:{self.line}:{self.column}"
        return f"{where}: {self.severity}: {self.code}: {self.message}{hint}"


@dataclass(frozen=True, slots=True)
class LintReport:
    """Every finding; errors fail a build, warnings only with `--strict`."""

    findings: tuple[LintFinding, ...]
    rules: int

    @property
    def errors(self) -> list[LintFinding]:
        """The findings that are errors."""
        return [f for f in self.findings if f.severity == "error"]

    @property
    def warnings(self) -> list[LintFinding]:
        """The findings that are warnings."""
        return [f for f in self.findings if f.severity == "warning"]

    @property
    def notes(self) -> list[LintFinding]:
        """The findings that are notes: what a reviewer should see, never a failure."""
        return [f for f in self.findings if f.severity == "note"]

    def to_json(self) -> dict[str, Any]:
        """The report as JSON-ready data."""
        return {
            "rules": self.rules,
            "errors": len(self.errors),
            "warnings": len(self.warnings),
            "notes": len(self.notes),
            "findings": [
                {
                    "file": f.file,
                    "line": f.line,
                    "column": f.column,
                    "code": f.code,
                    "severity": f.severity,
                    "message": f.message,
                    "hint": f.hint,
                }
                for f in self.findings
            ],
        }


def _finding(file: str, code: LintCode, message: str) -> LintFinding:
    doc = CODES[code]
    return LintFinding(file, 1, 1, code, doc.severity, message, doc.hint)


def _contradicts(alternative: Alternative) -> str | None:
    for matcher in alternative.matchers:
        allowed: dict[str, frozenset[str]] = {}
        stack = list(matcher.tests)
        while stack:
            node = stack.pop()
            if isinstance(node, FactOr):
                continue  # alternatives inside an or are checked by the rule's own cases
            if isinstance(node, FactAnd):
                stack.extend(node.parts)
                continue
            assert isinstance(node, Test)  # noqa: S101 - FactExpr is a closed union
            allowed[node.path] = allowed.get(node.path, node.values) & node.values
            if not allowed[node.path]:
                return node.path
    return None


def _cross_rule(ruleset: Ruleset) -> list[LintFinding]:
    findings: list[LintFinding] = []
    for rule in ruleset.rules:
        contradictions = [_contradicts(alt) for alt in rule.alternatives]
        if all(contradictions):
            path = contradictions[0]
            findings.append(
                _finding(
                    rule.file,
                    "unreachable-rule",
                    f"rule {rule.id!r}: {path} can never take all the values it is tested for",
                )
            )
    by_condition: dict[str, list[Rule]] = defaultdict(list)
    for rule in ruleset.rules:
        by_condition[condition_text(rule.condition)].append(rule)
    for condition, rules in by_condition.items():
        for first, other in itertools.pairwise(rules):
            same_outcome = (
                first.kind == other.kind
                and first.severity == other.severity
                and first.links == other.links
                and first.present == other.present
            )
            code: LintCode = "duplicate-rule" if same_outcome else "same-condition"
            findings.append(
                _finding(
                    other.file,
                    code,
                    f"rule {other.id!r} has the same condition as {first.id!r} ({condition})",
                )
            )
    linked = {
        "obstacles": {o for r in ruleset.rules for o in r.links.obstacles},
        "success-factors": {
            s for r in ruleset.rules for s in (*r.links.success_factors, *r.present)
        },
        "recommendations": {x for r in ruleset.rules for x in r.links.recommendations},
    }
    catalog = {
        "obstacles": ruleset.obstacles,
        "success-factors": ruleset.success_factors,
        "recommendations": ruleset.recommendations,
    }
    for kind, entries in catalog.items():
        for entry_id in sorted(set(entries) - linked[kind]):
            findings.append(
                _finding(
                    f"rules/catalog/{kind}/{entry_id}.yaml",
                    "unlinked-entry",
                    f"no rule links {kind[:-1]} {entry_id!r}",
                )
            )
    return findings


def lint(root: Path | None = None) -> LintReport:
    """Lint the rules folder at `root` (default: the shipped one)."""
    root = root or default_rules_dir()
    try:
        ruleset = load_ruleset(root, check_coverage=False)
    except InvalidRulesetError as exc:
        return LintReport(_from_loader(exc), 0)
    findings = [*_cross_rule(ruleset), *_notes(ruleset)]
    try:
        load_ruleset(root)  # the coverage map, checked once everything else is sound
    except InvalidRulesetError as exc:
        findings = [*_from_loader(exc), *findings]
    return LintReport(tuple(findings), len(ruleset.rules))


def _notes(ruleset: Ruleset) -> list[LintFinding]:
    """Every judged severity (warned of when untranslated), every middle answer declared enough."""
    notes = []
    for rule in ruleset.rules:
        bases = [("", rule.basis)] + [
            (f" where {condition_text(c.condition)}", c.basis) for c in rule.contexts
        ]
        for where, basis in bases:
            if basis is not None and basis.judgement is not None:
                message = f"rule {rule.id!r}: severity{where} by judgement: {basis.judgement.en}"
                notes.append(_finding(rule.file, "severity-judgement", message))
                reason = basis.judgement
                if reason.sv == reason.da == reason.en:
                    message = (
                        f"rule {rule.id!r}: the judgement of the severity{where} is not translated"
                    )
                    notes.append(_finding(rule.file, "judgement-untranslated", message))
        for indicator, middle in rule.middle_sufficient.items():
            message = (
                f"rule {rule.id!r}: the middle answer of {indicator} is enough: {middle.reason}"
            )
            notes.append(_finding(rule.file, "middle-sufficient", message))
    return notes


def _from_loader(exc: InvalidRulesetError) -> tuple[LintFinding, ...]:
    return tuple(
        LintFinding(e.file, e.line, e.column, e.code, "error", e.message, HINTS[e.code])
        for e in exc.errors
    )
