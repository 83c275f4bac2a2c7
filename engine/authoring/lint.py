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
from engine.errors import InvalidRulesetError, RuleFileError
from engine.rulebase.loader import default_rules_dir, load_ruleset
from engine.rulebase.reader import FieldError
from engine.ruleset import Rule, Ruleset
from schemas.codes import CODES, Code, FindingSeverity, LintCode, RuleFileCode

__all__ = ["FIELD_HINTS", "HINTS", "LintFinding", "LintReport", "hint_for", "lint"]

HINTS: Mapping[Code, str] = MappingProxyType(
    {code: doc.hint for code, doc in CODES.items() if doc.kind in ("rule-file", "lint")}
)
"""How to fix each code `rules lint` reports, from the code registry."""

FIELD_HINTS: Mapping[tuple[Code, str], str] = MappingProxyType(
    {
        # missing-field: the registry's hint speaks of translations, true of a text's sv/da/en.
        ("missing-field", "translation"): (
            "add the missing language; every text needs sv, da and en"
        ),
        ("missing-field", "basis"): (
            "state why the severity is what it is: source and locator of the passage, or "
            "judgement with a reason in sv, da and en"
        ),
        ("missing-field", "other"): "add the field",
        # too-short: the registry's hint speaks of citations, true of a `sources` list only.
        ("too-short", "cases"): (
            "add a case; a rule needs at least two, one where it fires and one where it does not"
        ),
        ("too-short", "list"): "add an item; the message says how many the list needs",
        ("too-short", "text"): "write a longer text; the message says how long it must be",
        # invalid-value: the registry's hint (one of the allowed values) fits a choice or range.
        ("invalid-value", "type"): "give the kind of value the message names (text, list, mapping)",
        ("invalid-value", "pattern"): (
            "write the value in the form the message gives (ids: lower-case letters, digits, "
            "-, _ and /; a version: 1.2.3)"
        ),
        ("invalid-value", "rule"): "correct the entry as the message says",
        ("invalid-value", "family-twice"): "list each indicator in one family only",
        ("invalid-value", "spans"): (
            "let a scored indicator in no family span two or more other scored indicators, e.g. "
            "`spans: {process.step_5: [leadership.support.strategic, leadership.support.tactical]}`"
        ),
        ("invalid-value", "scope"): (
            "give a scored indicator and one categorical test, e.g. "
            "`scope: {<indicator>: {intervention.kind: [law]}}`"
        ),
        ("invalid-value", "middle-not-worst"): (
            "remove the indicator from middle_sufficient; it is for indicators the rule tests at "
            "their worst answer alone"
        ),
        ("invalid-value", "middle-not-gap"): (
            "remove middle_sufficient; only a gap of kind missing, at_risk or disagreement has one"
        ),
        ("yaml-syntax", "encoding"): "save the file as UTF-8",
        ("invalid-condition", "context"): (
            "in an in_context condition test categorical indicators (such as "
            "intervention.kind or organisation.country), or a scored one at every answer it has "
            "(it is answered at all), never at some of them; no gap or escalation"
        ),
        ("missing-index", "manifest"): (
            "restore rules/index.yaml, the ruleset's manifest (name, version, title, scoring)"
        ),
        ("unexpected-file", "extension"): "rename the file to end in .yaml",
        ("unknown-reference", "after"): (
            "name another recommendation under after, or remove the entry"
        ),
        ("missing-question", "group"): "add the group's heading with sv, da and en texts",
        ("unknown-question", "group"): "remove the heading; the assessment has no such group",
    }
)
"""Hints for a code whose registry hint fits only some of the fields or checks reporting it,
by code and what the finding is about (see `hint_for`)."""

_LANGUAGES = frozenset({"sv", "da", "en"})
_TYPE_ERRORS = ("_type", "_parsing")
"""pydantic error types (`dict_type`, `int_parsing`, ...) of a value of the wrong kind."""


def _about(code: Code, field: tuple[str | int, ...], check: str) -> str:
    """What a finding of `code` is about, as a key of `FIELD_HINTS` (or "" for the registry's)."""
    last = field[-1] if field else None
    if code == "missing-field":
        if last in _LANGUAGES:
            return "translation"
        return "basis" if last == "basis" else "other"
    if code == "too-short":
        if check.startswith("string_"):
            return "text"
        return {"sources": "citations", "cases": "cases"}.get(str(last), "list")
    if code == "invalid-value":
        if check.endswith(_TYPE_ERRORS):
            return "type"
        if check == "string_pattern_mismatch":
            return "pattern"
        if check in ("value_error", "assertion_error"):
            return "rule"  # a model's own check, which its message states
        return check
    if code in ("missing-question", "unknown-question"):
        return "group" if field[:1] == ("groups",) else ""
    return check


def hint_for(
    code: RuleFileCode | LintCode, field: tuple[str | int, ...] = (), check: str = ""
) -> str:
    """How to fix a finding of `code` at `field` of its file, found by `check` (see `FieldError`).

    The registry's hint, unless the code is reported for several fields or checks and that hint
    is about others: `too-short` on a case's name is no missing citation.
    """
    return FIELD_HINTS.get((code, _about(code, field, check)), HINTS[code])


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
        LintFinding(e.file, e.line, e.column, e.code, "error", e.message, _hint(e))
        for e in exc.errors
    )


def _hint(error: RuleFileError) -> str:
    if isinstance(error, FieldError):
        return hint_for(error.code, error.field, error.check)
    return hint_for(error.code)
