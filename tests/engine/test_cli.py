"""The command line, run as a user would run it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.conftest import RulesFolder

ROOT = Path(__file__).resolve().parents[2]


def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - fixed interpreter and arguments
        [sys.executable, "-m", "engine", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        input=stdin,
        timeout=120,
        check=False,
    )


def test_assess_prints_a_result_for_the_shipped_example() -> None:
    done = run("assess", "examples/design-examples.json", "--lang", "sv", "--explain")
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["language"] == "sv"
    assert result["ruleset"]["digest"].startswith("sha256:")
    assert {g["id"] for g in result["gaps"]} >= {
        "leadership/tactical-support",
        "competence/tovholder-missing",
        "organisation/venue-missing",
    }
    assert result["trace"]


def test_assess_on_the_compiled_engine_prints_the_same_result() -> None:
    durable = run("assess", "examples/design-examples.json", "--explain")
    compiled = run("assess", "examples/design-examples.json", "--explain", "--engine", "compiled")
    assert compiled.returncode == 0, compiled.stderr
    assert compiled.stdout == durable.stdout


def test_assess_reads_standard_input() -> None:
    done = run("assess", "-", stdin='{"risks": {"staff_turnover": "high"}}')
    assert done.returncode == 0, done.stderr
    assert "risks/high-staff-turnover" in {g["id"] for g in json.loads(done.stdout)["gaps"]}


def test_assess_rejects_an_invalid_assessment_with_exit_2() -> None:
    done = run("assess", "-", stdin='{"leadership": {"support": {"tactical": "maybe"}}}')
    assert done.returncode == 2
    assert "leadership.support.tactical" in done.stderr


def test_rules_check_prints_counts() -> None:
    done = run("rules", "check")
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    assert summary["rules"] >= 10
    assert summary["sources"] == 5


def test_rules_check_reports_errors_with_exit_1(rules_copy: RulesFolder) -> None:
    rules_copy.write("logic/leadership/broken.yaml", "id: leadership/broken\n")
    done = run("--rules", str(rules_copy.root), "rules", "check")
    assert done.returncode == 1
    assert "rules/logic/leadership/broken.yaml:1: missing-field:" in done.stderr


def test_rules_diff_prints_changed_outcomes(rules_copy: RulesFolder, tmp_path: Path) -> None:
    import shutil

    new = tmp_path / "new-rules"
    shutil.copytree(rules_copy.root, new)
    path = new / "logic" / "risks" / "high-staff-turnover.yaml"
    text = path.read_text(encoding="utf-8")
    changed = text.replace("severity: {high: high, medium: medium}", "severity: medium", 1)
    assert changed != text
    path.write_text(changed, encoding="utf-8")
    done = run("rules", "diff", str(rules_copy.root), str(new))
    assert done.returncode == 0, done.stderr
    assert "~ gap risks/high-staff-turnover: severity high -> medium" in done.stdout
    as_json = json.loads(
        run("rules", "diff", str(rules_copy.root), str(new), "--format", "json").stdout
    )
    assert as_json["totals"]["changed"] >= 1


def test_rules_diff_reads_an_older_folder_whose_questionnaire_lacks_a_newer_scale(
    rules_copy: RulesFolder, tmp_path: Path
) -> None:
    import shutil

    old = tmp_path / "old-rules"
    shutil.copytree(rules_copy.root, old)
    path = old / "questionnaire.yaml"
    text = path.read_text(encoding="utf-8")
    # An older folder, written before the number of units had answer labels.
    start = text.index("  units_involved:\n")
    end = text.index("  organisation_size:\n")
    path.write_text(text[:start] + text[end:], encoding="utf-8")
    done = run("rules", "diff", str(old), str(rules_copy.root))
    assert done.returncode == 0, done.stderr
    assert "questionnaire does not fit this version" in done.stderr
    assert "0 changed" in done.stdout
    # Any other fault in the older folder is still reported, not worked around.
    (old / "logic" / "risks" / "high-staff-turnover.yaml").write_text("id: [", encoding="utf-8")
    broken = run("rules", "diff", str(old), str(rules_copy.root))
    assert broken.returncode != 0
