"""`rules lint` and `rules test`: each check on a broken copy, with code, file, line and column."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

from engine.authoring.lint import LintFinding, lint
from tests.conftest import RulesFolder
from tests.engine.test_loader import rule_text

ROOT_DIR = Path(__file__).resolve().parents[2]


def findings(folder: RulesFolder) -> list[LintFinding]:
    # New test files are not in the coverage maps; that finding is tested on its own.
    return [f for f in lint(folder.root).findings if f.code != "coverage-stale"]


def test_the_shipped_rules_lint_clean(rules_copy: RulesFolder) -> None:
    report = lint(rules_copy.root)
    assert [*report.errors, *report.warnings] == []
    assert report.rules > 80
    # Notes list every judged severity for a reviewer; none is a placeholder.
    assert report.notes
    assert not [n for n in report.notes if "PLACEHOLDER" in n.message]


def test_schema_errors_carry_line_and_column(rules_copy: RulesFolder) -> None:
    text = rule_text().replace("dimension: leadership", "dimension: leadership\n  prio: 3")
    rules_copy.write("logic/leadership/test-rule.yaml", text.replace("\n  prio", "\nprio"))
    (finding,) = findings(rules_copy)
    assert (finding.code, finding.file, finding.line, finding.column) == (
        "unknown-field",
        "rules/logic/leadership/test-rule.yaml",
        7,
        1,
    )
    assert finding.hint
    assert str(finding).startswith(
        "rules/logic/leadership/test-rule.yaml:7:1: error: unknown-field:"
    )


def test_a_value_outside_the_scale_points_at_the_value(rules_copy: RulesFolder) -> None:
    rules_copy.write(
        "logic/leadership/test-rule.yaml", rule_text(when="  leadership.support.strategic: high")
    )
    (finding,) = findings(rules_copy)
    assert (finding.code, finding.line, finding.column) == ("value-not-in-scale", 8, 3)


def test_an_unreachable_rule(rules_copy: RulesFolder) -> None:
    when = (
        '  all:\n    - leadership.support.strategic: ["no", partly]\n'
        "    - intervention.model: early_support\n    - intervention.model: other"
    )
    rules_copy.write("logic/leadership/test-rule.yaml", rule_text(when=when))
    found = [f for f in findings(rules_copy) if f.code == "unreachable-rule"]
    assert found
    assert found[0].file == "rules/logic/leadership/test-rule.yaml"


def test_duplicate_and_same_condition_rules(rules_copy: RulesFolder) -> None:
    original = (rules_copy.root / "logic/institutional/strategic-support.yaml").read_text()
    copy = original.replace(
        "id: institutional/strategic-support", "id: institutional/strategic-copy"
    )
    rules_copy.write("logic/institutional/strategic-copy.yaml", copy)
    found = {(f.code, f.severity) for f in findings(rules_copy)}
    assert ("duplicate-rule", "error") in found
    changed = re.sub(r"\n    severity: [^\n]+", "\n    severity: low", copy, count=1)
    assert changed != copy
    rules_copy.write("logic/institutional/strategic-copy.yaml", changed)
    found = {(f.code, f.severity) for f in findings(rules_copy)}
    assert ("same-condition", "warning") in found


def test_an_entry_no_rule_links(rules_copy: RulesFolder) -> None:
    source = rules_copy.read("catalog/obstacles/weak-management-support.yaml")
    rules_copy.dump("catalog/obstacles/lonely-obstacle.yaml", source)
    found = [f for f in findings(rules_copy) if f.code == "unlinked-entry"]
    assert [(f.file, f.severity) for f in found] == [
        ("rules/catalog/obstacles/lonely-obstacle.yaml", "warning")
    ]


def test_a_judgement_in_one_string_loads_and_is_warned_of(rules_copy: RulesFolder) -> None:
    # A rules folder from before the reasons were translated still loads (so that `rules diff`
    # can compare against it), its one string read as every language; lint says it is not
    # translated, and the judgement's note is still there.
    text = rule_text().replace(
        "    basis: {judgement: {sv: allvaret i en testregel, da: alvoren i en testregel,"
        " en: the severity of a test rule}}",
        "    basis: {judgement: the severity of a test rule}",
    )
    assert "{judgement: the severity of a test rule}" in text
    rules_copy.write("logic/leadership/test-rule.yaml", text)
    judged = ("severity-judgement", "judgement-untranslated")

    def found() -> set[tuple[str, str]]:
        return {(f.code, f.severity) for f in findings(rules_copy) if f.code in judged}

    assert ("judgement-untranslated", "warning") in found()
    assert ("severity-judgement", "note") in found()
    rules_copy.write("logic/leadership/test-rule.yaml", rule_text())
    assert ("judgement-untranslated", "warning") not in found()


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - fixed interpreter and arguments
        [sys.executable, "-m", "engine", *args],
        capture_output=True, text=True, cwd=ROOT_DIR, timeout=300, check=False,
    )  # fmt: skip


def test_lint_cli_exit_codes_and_json(rules_copy: RulesFolder) -> None:
    clean = run("--rules", str(rules_copy.root), "rules", "lint", "--format", "json")
    assert clean.returncode == 0
    assert json.loads(clean.stdout)["errors"] == 0
    source = rules_copy.read("catalog/obstacles/weak-management-support.yaml")
    rules_copy.dump("catalog/obstacles/lonely-obstacle.yaml", source)
    run("--rules", str(rules_copy.root), "rules", "coverage", "--write")
    warned = run("--rules", str(rules_copy.root), "rules", "lint")
    assert warned.returncode == 0, warned.stdout
    assert "unlinked-entry" in warned.stdout
    assert run("--rules", str(rules_copy.root), "rules", "lint", "--strict").returncode == 1
    rules_copy.write("logic/leadership/test-rule.yaml", "id: [")
    broken = json.loads(
        run("--rules", str(rules_copy.root), "rules", "lint", "--format", "json").stdout
    )
    assert broken["errors"] == 1
    assert broken["findings"][0]["code"] == "yaml-syntax"
    said = run("--rules", str(rules_copy.root), "rules", "lint").stdout.splitlines()[-1]
    assert said == (
        "rules not loaded (fix these errors first; the other checks need them loaded): "
        "1 error(s), 0 warning(s), 0 note(s)"
    )


def test_rules_test_reports_full_coverage_and_fails_without_a_case(rules_copy: RulesFolder) -> None:
    done = run("--rules", str(rules_copy.root), "rules", "test", "--coverage")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "rule coverage 100.0 %" in done.stdout
    report = json.loads(
        run(
            "--rules", str(rules_copy.root), "rules", "test", "--coverage", "--format", "json"
        ).stdout
    )
    assert report["rule_coverage"] == 1.0
    assert report["failed"] == []
    assert 0 < report["branch_coverage"] <= 1
    data = rules_copy.read("logic/risks/high-staff-turnover.yaml")
    data["cases"] = [c for c in data["cases"] if c["fires"]]
    rules_copy.dump("logic/risks/high-staff-turnover.yaml", data)
    removed = run("--rules", str(rules_copy.root), "rules", "test", "--coverage")
    assert removed.returncode == 1
    assert "high-staff-turnover.yaml" in removed.stderr
    assert "cases" in removed.stderr


def test_a_failing_case_shows_expected_actual_and_trace(rules_copy: RulesFolder) -> None:
    data = rules_copy.read("logic/risks/high-staff-turnover.yaml")
    silent = next(i for i, case in enumerate(data["cases"]) if not case["fires"])
    data["cases"][silent]["input"] = {"risks": {"staff_turnover": "high"}}
    rules_copy.dump("logic/risks/high-staff-turnover.yaml", data)
    done = run("--rules", str(rules_copy.root), "rules", "test")
    assert done.returncode == 1
    assert "FAIL risks/high-staff-turnover" in done.stdout
    assert "expected the rule not to fire; it did\n" in done.stdout
    assert "rules fired, in order:" in done.stdout


def test_a_finding_whose_message_says_the_fix_does_not_repeat_it(rules_copy: RulesFolder) -> None:
    data = rules_copy.read("sources/kunskapsguiden-implementering.yaml")
    data["elements"][0]["encoded_by"] = ["rule:made/up"]
    rules_copy.dump("sources/kunskapsguiden-implementering.yaml", data)
    said = run("--rules", str(rules_copy.root), "rules", "lint").stdout.splitlines()
    (stale,) = [line for line in said if ": coverage-stale: " in line]
    assert stale.count("rules coverage --write") == 1, stale
    assert not stale.endswith(")"), stale
