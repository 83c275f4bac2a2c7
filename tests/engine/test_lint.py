"""`rules lint` and `rules test`: each check on a broken copy, with code, file, line and column."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from engine.authoring.lint import FIELD_HINTS, HINTS, LintFinding, hint_for, lint
from schemas.codes import RuleFileCode
from tests.conftest import RulesFolder
from tests.engine.test_loader import JUDGEMENT, rule_text

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


# Hints fit the field: a code reported for several fields gets the hint for the one at fault.


def only_finding(folder: RulesFolder) -> LintFinding:
    (finding,) = findings(folder)
    return finding


def test_a_short_case_name_is_not_told_to_add_a_citation(rules_copy: RulesFolder) -> None:
    text = rule_text().replace("name: the test rule fires for a clear no", "name: fires")
    rules_copy.write("logic/leadership/test-rule.yaml", text)
    finding = only_finding(rules_copy)
    assert (finding.code, finding.line) == ("too-short", 20)
    assert "cases.0.name" in finding.message
    assert "citation" not in finding.hint
    assert finding.hint == "write a longer text; the message says how long it must be"


def test_a_missing_citation_is_still_told_to_add_one(rules_copy: RulesFolder) -> None:
    text = rule_text()
    text = text[: text.index("sources:")] + "sources: []\n" + text[text.index("cases:") :]
    rules_copy.write("logic/leadership/test-rule.yaml", text)
    finding = only_finding(rules_copy)
    assert finding.code == "too-short"
    assert finding.hint == "add an item; every rule and entry needs at least one citation"


def test_a_rule_with_one_case_is_told_to_add_a_case(rules_copy: RulesFolder) -> None:
    text = rule_text()
    text = text[: text.index("  - name: the test rule does not fire")]
    rules_copy.write("logic/leadership/test-rule.yaml", text)
    found = [f for f in findings(rules_copy) if f.code == "too-short"]
    assert [f.hint for f in found] == [
        "add a case; a rule needs at least two, one where it fires and one where it does not"
    ]


def test_a_missing_basis_is_not_told_about_translations(rules_copy: RulesFolder) -> None:
    text = rule_text().replace(f"    basis: {JUDGEMENT}\n", "")
    rules_copy.write("logic/leadership/test-rule.yaml", text)
    finding = only_finding(rules_copy)
    assert finding.code == "missing-field"
    assert "asserts.gap.basis" in finding.message
    assert "sv, da and en" not in finding.hint.split("judgement")[0]
    assert finding.hint.startswith("state why the severity is what it is: source and locator")


def test_a_missing_translation_is_told_every_text_needs_three(rules_copy: RulesFolder) -> None:
    rules_copy.write(
        "logic/leadership/test-rule.yaml", rule_text().replace("  da: Testregel\n", "")
    )
    finding = only_finding(rules_copy)
    assert (finding.code, finding.hint) == (
        "missing-field",
        "add the missing language; every text needs sv, da and en",
    )


def test_another_missing_field_gets_a_neutral_hint(rules_copy: RulesFolder) -> None:
    rules_copy.write(
        "logic/leadership/test-rule.yaml", rule_text().replace("dimension: leadership\n", "")
    )
    finding = only_finding(rules_copy)
    assert (finding.code, finding.hint) == ("missing-field", "add the field")


def test_a_model_check_is_not_told_to_pick_an_allowed_value(rules_copy: RulesFolder) -> None:
    text = rule_text(asserts="  gap:\n    severity: high\n  escalation:\n    severity: high")
    rules_copy.write("logic/leadership/test-rule.yaml", text)
    finding = only_finding(rules_copy)
    assert finding.code == "invalid-value"
    assert "exactly one of gap, escalation, strength" in finding.message
    assert finding.hint == "correct the entry as the message says"


def test_a_yml_file_is_told_to_be_renamed(rules_copy: RulesFolder) -> None:
    rules_copy.write("logic/leadership/test-rule.yml", rule_text())
    finding = only_finding(rules_copy)
    assert (finding.file, finding.code) == (
        "rules/logic/leadership/test-rule.yml",
        "unexpected-file",
    )
    assert finding.hint == "rename the file to end in .yaml"
    assert "move the file" not in str(finding)
    assert str(finding).count("rename the file") == 1  # the message says it already


def test_an_indicator_in_two_families_is_told_to_keep_one(rules_copy: RulesFolder) -> None:
    manifest = (rules_copy.root / "index.yaml").read_text(encoding="utf-8")
    rules_copy.write(
        "index.yaml", manifest.replace("process.step_3,", "process.step_3, process.step_9,", 1)
    )
    finding = only_finding(rules_copy)
    assert (finding.file, finding.code) == ("rules/index.yaml", "invalid-value")
    assert finding.hint == "list each indicator in one family only"


@pytest.mark.parametrize(
    ("spans", "says"),
    [
        ("process.step_5: [leadership.support.tactical, leadership.suport.operational]", "suport"),
        ("process.step_3: [leadership.support.tactical, leadership.support.operational]", "family"),
        ("process.step_5: [process.step_5, leadership.support.tactical]", "each once"),
        ("intervention.kind: [leadership.support.tactical, process.step_9]", "scored"),
    ],
    ids=["unknown", "in-a-family", "itself", "categorical"],
)
def test_a_wrong_span_is_told_how_to_write_one(
    rules_copy: RulesFolder, spans: str, says: str
) -> None:
    manifest = (rules_copy.root / "index.yaml").read_text(encoding="utf-8")
    start = manifest.index("spans:\n")
    end = manifest.index("\n", start + len("spans:\n"))
    rules_copy.write("index.yaml", manifest[:start] + f"spans:\n  {spans}" + manifest[end:])
    finding = only_finding(rules_copy)
    assert (finding.file, finding.code) == ("rules/index.yaml", "invalid-value")
    assert says in finding.message
    assert finding.hint.startswith("let a scored indicator in no family span")


def test_a_group_heading_is_not_called_a_question(rules_copy: RulesFolder) -> None:
    data = rules_copy.read("questionnaire.yaml")
    del data["groups"]["leadership.support"]
    rules_copy.dump("questionnaire.yaml", data)
    finding = only_finding(rules_copy)
    assert finding.code == "missing-question"
    assert finding.hint == "add the group's heading with sv, da and en texts"


def test_every_field_hint_replaces_a_registry_hint_of_its_code() -> None:
    for (code, about), hint in FIELD_HINTS.items():
        assert code in HINTS, code
        assert about and hint and "\n" not in hint, (code, about)
        assert hint != HINTS[code], (code, about)  # else the entry changes nothing
    # A finding the table has nothing particular for keeps the registry's hint.
    assert hint_for("too-long", ("title", "sv"), "string_too_long") == HINTS["too-long"]
    assert hint_for("unknown-field", ("prio",), "extra_forbidden") == HINTS["unknown-field"]
    assert hint_for("invalid-value", ("dimension",), "literal_error") == HINTS["invalid-value"]
    assert hint_for("duplicate-rule") == HINTS["duplicate-rule"]


@pytest.mark.parametrize(
    ("code", "field", "check", "wrong"),
    [
        # Each registry hint that speaks of one field, given for another: never the wrong one.
        ("too-short", ("cases", 0, "name"), "string_too_short", "citation"),
        ("too-short", ("elements",), "too_short", "citation"),
        ("too-short", ("families", "venue"), "too_short", "citation"),
        ("missing-field", ("asserts", "gap", "basis"), "missing", "every text needs"),
        ("missing-field", ("cases", 0, "fires"), "missing", "every text needs"),
        ("invalid-value", ("asserts",), "value_error", "one of the values"),
        ("invalid-value", ("when",), "dict_type", "one of the values"),
        ("invalid-value", ("version",), "string_pattern_mismatch", "one of the values"),
        ("invalid-value", ("middle_sufficient", "x"), "middle-not-worst", "one of the values"),
        ("invalid-value", ("middle_sufficient",), "middle-not-gap", "one of the values"),
        ("invalid-value", ("scope", "x"), "scope", "one of the values"),
        ("yaml-syntax", (), "encoding", "indentation"),
        ("invalid-condition", ("asserts", "gap", "in_context", 0, "when"), "context", "mapping"),
        ("missing-index", (), "manifest", "with a `title`"),
        ("unexpected-file", (), "extension", "move the file"),
        ("unknown-reference", ("after", 0), "after", "create the entry"),
        ("missing-question", ("groups",), "", "add the question"),
        ("unknown-question", ("groups", "x"), "", "remove the question"),
    ],
)
def test_a_hint_is_never_about_another_field(
    code: RuleFileCode, field: tuple[str | int, ...], check: str, wrong: str
) -> None:
    assert wrong in HINTS[code]
    assert wrong not in hint_for(code, field, check)
