"""`rules lint`: every loader error plus checks across rules, each with a code and a fix hint."""

from __future__ import annotations

import itertools
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from engine.conditions import Alternative, FactAnd, FactOr, Test, condition_text
from engine.errors import InvalidRulesetError
from engine.rulebase.loader import default_rules_dir, load_ruleset
from engine.ruleset import Rule, Ruleset

__all__ = ["HINTS", "LintFinding", "LintReport", "lint"]

HINTS = {
    "yaml-syntax": "fix the YAML at that line (indentation, a missing colon or quote)",
    "empty-file": "delete the file or give it content",
    "missing-field": "add the field; every text needs sv, da and en",
    "unknown-field": "remove the field or correct its spelling",
    "invalid-value": "use one of the values the format allows (see the README)",
    "too-short": "add an item; every rule and entry needs at least one citation",
    "too-long": "shorten the text",
    "id-path-mismatch": "make `id` equal the file's path under rules/logic/, without .yaml",
    "invalid-condition": "write `when` as a mapping of all/any/not/gap/escalation/indicator tests",
    "unknown-indicator": "use an indicator path from the questionnaire (GET /v1/questionnaire)",
    "value-not-in-scale": "use a value of the indicator's scale; quote yes and no",
    "negated-derived-fact": "negate indicators only; test the gap's own condition instead",
    "condition-too-complex": "group the tests of one section under one `any`",
    "too-many-facts": "split the rule; the engine joins at most 16 facts",
    "unknown-as-no": "name the answers that are a gap, e.g. [no, partly]; use kind unknown for find-outs",
    "non-monotone": "include every worse answer and give the severity per answer",
    "invalid-severity": "give one severity per tested answer, never higher for a better answer",
    "gap-without-recommendation": "link at least one recommendation",
    "escalation-without-recommendation": "link the recommendations the escalation raises",
    "cases-incomplete": "add a case where the rule fires and one where it does not",
    "invalid-case": "make the case's input a valid assessment fragment",
    "unknown-reference": "create the entry or rule, or correct the id",
    "unknown-source": "cite one of the files in rules/sources/",
    "unknown-locator": "copy a locator from the source's coverage map in rules/sources/",
    "element-not-encoded": "cite the element from a rule or catalogue entry",
    "coverage-stale": "run `python -m engine rules coverage --write`",
    "derived-cycle": "break the cycle: a rule may not depend on itself",
    "missing-index": "add an index.yaml with a `title`",
    "unexpected-file": "move the file under logic/, catalog/ or sources/",
    "unexpected-folder": "move the folder under logic/ or catalog/",
    "missing-questionnaire": "restore rules/questionnaire.yaml",
    "missing-question": "add the question with sv, da and en texts",
    "unknown-question": "remove the question; the field does not exist",
    "missing-label": "add a label for every answer of the scale",
    "missing-sources": "add the source documents under rules/sources/",
    "unreachable-rule": "the condition contradicts itself; no assessment can satisfy it",
    "duplicate-rule": "delete one of the rules, or change what it derives",
    "same-condition": "merge the rules, or make their conditions differ",
    "unlinked-entry": "link the entry from a rule, or delete it",
    "middle-ignored": "add the middle answer with a lower severity, or cite under "
    "middle_sufficient why a partial answer is enough",
    "out-of-scope": "test the indicator's scope too (see scope in rules/index.yaml)",
    "order-cycle": "remove one of the after entries that close the circle",
    "severity-judgement": "a note, not a fault: cite a source passage when one weighs it",
    "middle-sufficient": "a note, not a fault: check that the cited passage still says so",
}


@dataclass(frozen=True, slots=True)
class LintFinding:
    """One finding, as `file:line:column: code: message (hint)`."""

    file: str
    line: int
    column: int
    code: str
    severity: Literal["error", "warning", "note"]
    message: str
    hint: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}: {self.severity}: {self.code}: {self.message} ({self.hint})"


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


def _finding(
    rule: Rule, code: str, severity: Literal["error", "warning", "note"], message: str
) -> LintFinding:
    return LintFinding(rule.file, 1, 1, code, severity, message, HINTS[code])


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
                    rule,
                    "unreachable-rule",
                    "error",
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
            code = "duplicate-rule" if same_outcome else "same-condition"
            findings.append(
                _finding(
                    other,
                    code,
                    "error" if same_outcome else "warning",
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
    catalogue = {
        "obstacles": ruleset.obstacles,
        "success-factors": ruleset.success_factors,
        "recommendations": ruleset.recommendations,
    }
    for kind, entries in catalogue.items():
        for entry_id in sorted(set(entries) - linked[kind]):
            findings.append(
                LintFinding(
                    f"rules/catalog/{kind}/{entry_id}.yaml",
                    1,
                    1,
                    "unlinked-entry",
                    "warning",
                    f"no rule links {kind[:-1]} {entry_id!r}",
                    HINTS["unlinked-entry"],
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
    """Every severity that rests on a judgement, and every middle answer declared sufficient."""
    notes = []
    for rule in ruleset.rules:
        bases = [("", rule.basis)] + [
            (f" where {condition_text(c.condition)}", c.basis) for c in rule.contexts
        ]
        for where, basis in bases:
            if basis is not None and basis.judgement is not None:
                message = f"rule {rule.id!r}: severity{where} by judgement: {basis.judgement}"
                notes.append(_finding(rule, "severity-judgement", "note", message))
        for indicator, middle in rule.middle_sufficient.items():
            message = (
                f"rule {rule.id!r}: the middle answer of {indicator} is enough: {middle.reason}"
            )
            notes.append(_finding(rule, "middle-sufficient", "note", message))
    return notes


def _from_loader(exc: InvalidRulesetError) -> tuple[LintFinding, ...]:
    return tuple(
        LintFinding(e.file, e.line, e.column, e.code, "error", e.message, HINTS.get(e.code, ""))
        for e in exc.errors
    )
