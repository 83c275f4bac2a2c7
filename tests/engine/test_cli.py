"""The rule authors' command line: run as a user would run it, and its answers to user errors.

The end-to-end cases run `python -m engine` in a process; the user errors run in-process (click's
runner), where what matters is the exit status and the one line on stderr, not the process. The
console script and what needs a process of its own (a closed pipe, Ctrl-C) are in tests/api.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from engine import Engine, ExitCode, command_line
from engine.authoring.summary import summary_text
from schemas.assessment import AssessmentRequest
from schemas.vocabulary import Language
from tests.conftest import RulesFolder, run_process

ROOT = Path(__file__).resolve().parents[2]


def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return run_process([sys.executable, "-m", "engine", *args], stdin=stdin)


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


def test_assess_prints_a_summary_to_read_with_format_text() -> None:
    # What `make run` shows a newcomer: the level, the phase, what blocks, and the
    # recommendations in the order of the work, under when each run of them is due.
    done = run(
        "assess", "examples/design-examples.json", "--format", "text", "--engine", "compiled"
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("Readiness: Not ready; Score (0–100): ")
    assert lines[1] == "  9% of the questions that count are answered."
    assert lines[2].startswith("  With the rest answered, the score could end anywhere between ")
    assert lines[3] == "The organisation is in phase 1 of 4: Initial assessment."
    assert lines[4] == "  Left in this phase: steps 1–8 (no answer)."
    assert lines[5] == "Readiness stays “not ready” while a blocking gap remains:"
    assert "  - Tactical leadership does not support the implementation fully" in lines[6]
    assert "(leadership/tactical-support)" in lines[6]
    whole = json.loads(
        run("assess", "examples/design-examples.json", "--engine", "compiled").stdout
    )
    ranked = [line for line in lines if line[:6].strip().rstrip(".").isdigit()]
    assert len(ranked) == len(whole["recommendations"]) <= 10
    for line, recommendation in zip(ranked, whole["recommendations"], strict=True):
        priority = recommendation["priority"].capitalize()
        assert line.lstrip().startswith(
            f"{recommendation['rank']}. [{priority}] {recommendation['title']} "
        ), line
    headings = [line.strip() for line in lines if line.startswith("  ") and line.endswith(":")]
    assert headings[0] == "Now, in phase 1 (Initial assessment), where you are:"
    assert "When you reach phase 2 (Structure for implementation):" in headings
    assert len(headings) == len(set(headings))


FRAMES: dict[Language, tuple[str, str, str, str, str]] = {
    # The start of the first line, the phase line, who acts, the step, what is folded in.
    "sv": (
        "Beredskap: ",
        "Organisationen är i fas ",
        "Ansvarig: ",
        "; steg ",
        "Görs som en del av",
    ),
    "da": (
        "Parathed: ",
        "Organisationen er i fase ",
        "Ansvarlig: ",
        "; trin ",
        "Gøres som en del af",
    ),
}

ENGLISH_FRAME = re.compile(
    r"readiness|score|phase \d|who acts|step \d|recommendations|gaps and risks|combinations|"
    r"strengths|done as part|now, in|when you reach|smaller gaps|to find out|of the questions|"
    r"and \d+ more|comes before|comes after|\[(critical|high|medium|low)\]",
    re.IGNORECASE,
)

SUMMARISED = [
    ROOT / "examples" / "design-examples.json",  # blocked, with what to find out
    ROOT / "tests" / "rules" / "scenarios" / "leadership-vacuum.json",  # sub-points, more than ten
    ROOT / "tests" / "rules" / "scenarios" / "dk-very-ready-fgc.json",  # gaps from phases left
]


@pytest.mark.parametrize("path", SUMMARISED, ids=[p.stem for p in SUMMARISED])
@pytest.mark.parametrize("language", sorted(FRAMES))
def test_a_summary_in_swedish_or_danish_has_no_english_frame(
    engine: Engine, language: Language, path: Path
) -> None:
    # A head of service reads the rules' texts in their language; the words around them (level,
    # phase, when due, priority, who acts, the step, what is folded in) are the report pages'
    # words in that language, figures with a decimal comma.
    body = json.loads(path.read_text(encoding="utf-8"))
    request = AssessmentRequest.model_validate(body.get("assessment", body))
    result = engine.assess(request, language=language)
    text = summary_text(result)
    level, stage, owner, step, folded = FRAMES[language]
    lines = text.splitlines()
    assert lines[0].startswith(level)
    assert any(line.startswith(stage) for line in lines)
    listed = [line for line in lines if line[:6].strip().rstrip(".").isdigit()]
    assert len(listed) == min(10, len(result.recommendations))
    assert all(owner in line and step in line for line in listed), listed
    assert text.count(folded) == sum(len(r.sub_points) for r in result.recommendations[:10])
    assert not re.search(r"\d\.\d", "\n".join(lines[:3])), lines[:3]
    assert not ENGLISH_FRAME.search(text), ENGLISH_FRAME.findall(text)


@pytest.mark.parametrize(
    ("language", "before", "after"),
    [("en", "Comes before", "Comes after"), ("da", "Gøres før", "Gøres efter")],
)
def test_a_summary_says_why_a_prerequisite_comes_above_a_more_urgent_one(
    engine: Engine, language: Language, before: str, after: str
) -> None:
    # Staff whose values run against the method, training missing and raised by an escalation:
    # the values dialogue (high) comes above the training plan (critical) that needs it first.
    path = ROOT / "tests" / "rules" / "scenarios" / "dk-recovery-low-motivation-no-training.json"
    body = json.loads(path.read_text(encoding="utf-8"))["assessment"]
    result = engine.assess(AssessmentRequest.model_validate(body), language=language)
    first, second = result.recommendations[:2]
    assert first.score.lifted_by == [second.id] and second.after == [first.id]
    assert first.score.urgency < second.score.urgency
    lines = summary_text(result).splitlines()
    at = next(n for n, line in enumerate(lines) if line.startswith("    1. "))
    assert lines[at + 1] == f"         {before}: 2. {second.title}"
    assert f"         {after}: 1. {first.title}" in lines[at + 2 : at + 6]


def test_a_summary_links_a_prerequisite_folded_into_a_place_to_that_place(engine: Engine) -> None:
    # Steg 12's evaluation is a sub-point of the monitoring; the feedback of Steg 13 needs it.
    path = ROOT / "tests" / "rules" / "scenarios" / "nearly-ready-but-no-follow-up.json"
    body = json.loads(path.read_text(encoding="utf-8"))["assessment"]
    result = engine.assess(AssessmentRequest.model_validate(body))
    ranked = {r.id: r for r in result.recommendations}
    monitoring = ranked["set-up-monitoring"]
    feedback = ranked["step-13-give-feedback-to-everyone-involved"]
    (evaluation,) = [p for p in monitoring.sub_points if p.id == "step-12-evaluate-the-process"]
    lines = summary_text(result).splitlines()
    at = next(n for n, line in enumerate(lines) if line.startswith(f"  {monitoring.rank:>3}. "))
    below = lines[at + 1 : at + 1 + len(monitoring.sub_points) + 2]
    (before,) = [line for line in below if line.startswith("         Comes before: ")]
    assert f"{feedback.rank}. {feedback.title}" in before.split(": ", 1)[1].split("; ")
    assert f"         Comes after: {monitoring.rank}. {evaluation.title}" in lines


def test_a_place_that_took_in_a_more_urgent_sub_point_is_labelled_by_it(engine: Engine) -> None:
    # A tovholder appointed in part (medium) and no time for the role (high), raised by the
    # overload: the appointment is lifted to the place of the time, takes it in, and is critical,
    # as the work it holds is; its score keeps its own urgency, which the ranking reads.
    path = ROOT / "tests" / "rules" / "scenarios" / "small-municipality-high-turnover-no-rss.json"
    body = json.loads(path.read_text(encoding="utf-8"))["assessment"]
    result = engine.assess(AssessmentRequest.model_validate(body), language="sv")
    first = result.recommendations[0]
    (time,) = first.sub_points
    assert (first.id, time.id) == ("appoint-tovholder", "give-tovholder-time")
    assert (first.score.urgency, first.priority, time.priority) == (2, "critical", "critical")
    lines = summary_text(result).splitlines()
    at = next(n for n, line in enumerate(lines) if line.startswith("    1. "))
    assert lines[at].startswith(f"    1. [Kritisk] {first.title} ")
    assert lines[at + 1] == f"         Görs som en del av detta: [Kritisk] {time.title}"


def test_a_summary_names_the_steps_that_keep_the_organisation_in_its_phase(
    engine: Engine,
) -> None:
    body = {"process": {"step_1": "done", "step_2": "partly", "step_3": "not", "step_4": "done"}}
    result = engine.assess(AssessmentRequest.model_validate(body), language="sv")
    lines = summary_text(result).splitlines()
    at = lines.index("Organisationen är i fas 1 av 4: Initial bedömning.")
    assert lines[at + 1] == (
        "  Kvar i fasen: steg 2 (delvis gjort), 3 (inte gjort), 5–8 (inget svar)."
    )
    done = {"process": {f"step_{n}": "done" for n in range(1, 15)}}
    ready = engine.assess(AssessmentRequest.model_validate(done), language="en")
    assert ready.readiness.stage == 4 and ready.readiness.steps_left == []
    assert not any(line.strip().startswith("Left in") for line in summary_text(ready).splitlines())


def test_a_summary_of_a_result_without_recommendations_says_so_and_lists_none(
    engine: Engine,
) -> None:
    result = engine.assess(AssessmentRequest.model_validate({}))
    assert result.recommendations  # what to find out, at least
    assert "Recommendations, in the order the work is done (" in summary_text(result)
    assert "Too little is answered to judge readiness" in summary_text(result)
    # Nothing answered leaves no range at all; that is not a firm score.
    assert "The score is firm" not in summary_text(result)
    empty = result.model_copy(update={"recommendations": []})
    text = summary_text(empty)
    assert text.endswith("No recommendations: the answers show no gaps.\n")
    assert "Recommendations, in" not in text


def test_assess_on_the_compiled_backend_prints_the_same_result() -> None:
    durable = run("assess", "examples/design-examples.json", "--explain")
    compiled = run("assess", "examples/design-examples.json", "--explain", "--backend", "compiled")
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


def invoke(*args: str, stdin: bytes | None = None) -> Result:
    """Run the command line in this process; its output and exit status, as a user sees them."""
    result = CliRunner().invoke(command_line(), args, input=stdin)
    # A user error ends the command through SystemExit, never an exception with a traceback.
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def one_error(result: Result, code: ExitCode) -> str:
    """The single line a failed command wrote on stderr, after checking its exit status."""
    assert result.exit_code == code, (result.exit_code, result.stderr)
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (None, "no such file"),
        (b"{\xff}", ": invalid-json: not UTF-8 text (byte 0xff at offset 1)"),
        (b"{", ": invalid-json: Expecting property name enclosed in double quotes"),
        (
            b'{"risks": {"staff_turnover": "high", "staff_turnover": "low"}}',
            ": invalid-json: duplicate key 'staff_turnover'",
        ),
        (b" \n", ": empty-body: the file is empty; give one JSON object"),
        (b'{"a": NaN}', ": invalid-json: NaN is not valid JSON"),
        (b'{"a": 1e999}', ": invalid-json: the number 1e999 is out of range"),
        (b'{"a": -1e999}', ": invalid-json: the number -1e999 is out of range"),
        (b"[" * 100_000, ": too-deep: the JSON is nested too deeply"),
        (
            b'{"risks": {"staff_turnover": "sometimes"}}',
            ': $.risks.staff_turnover: value-not-allowed: "sometimes" is not allowed; use one of '
            "low, medium, high, unknown",
        ),
    ],
    ids=[
        "missing",
        "not-utf-8",
        "invalid-json",
        "duplicate-key",
        "empty",
        "nan",
        "overflow",
        "negative-overflow",
        "too-deep",
        "invalid-assessment",
    ],
)
def test_assess_answers_a_bad_file_with_one_line_and_exit_2(
    tmp_path: Path, content: bytes | None, expected: str
) -> None:
    path = tmp_path / "request.json"
    if content is not None:
        path.write_bytes(content)
    line = one_error(invoke("assess", str(path)), ExitCode.INPUT)
    assert line.startswith(("Error: " + str(path), str(path)))
    assert expected in line


def test_assess_answers_a_folder_with_one_line_and_exit_2(tmp_path: Path) -> None:
    line = one_error(invoke("assess", str(tmp_path)), ExitCode.INPUT)
    assert line == f"Error: {tmp_path}: is a folder, not a file"


def test_assess_keeps_the_earlier_name_of_the_backend_option() -> None:
    request = b'{"risks": {"staff_turnover": "high"}}'
    done = invoke("assess", "-", "--engine", "compiled", stdin=request)
    assert done.exit_code == ExitCode.OK, done.stderr


@pytest.mark.parametrize("source", ["file", "stdin"])
def test_assess_accepts_a_utf_8_byte_order_mark(tmp_path: Path, source: str) -> None:
    # Windows editors write one; it cannot begin JSON, so dropping it changes nothing.
    content = "\ufeff" + '{"risks": {"staff_turnover": "high"}}'
    path = tmp_path / "request.json"
    path.write_text(content, encoding="utf-8")
    args, stdin = (str(path), None) if source == "file" else ("-", content.encode())
    done = invoke("assess", args, stdin=stdin)
    assert done.exit_code == ExitCode.OK, done.stderr
    assert "risks/high-staff-turnover" in {g["id"] for g in json.loads(done.stdout)["gaps"]}


@pytest.mark.parametrize(
    "args",
    [
        ("--rules", "{absent}", "rules", "check"),
        ("--rules", "{file}", "rules", "check"),
        ("rules", "diff", "{absent}", "rules"),
        ("rules", "copies", "--sources", "{absent}"),
    ],
    ids=["rules-missing", "rules-a-file", "diff-old-missing", "sources-missing"],
)
def test_a_folder_that_is_not_there_is_one_line_and_exit_2(
    tmp_path: Path, args: tuple[str, ...]
) -> None:
    (tmp_path / "file").write_text("", encoding="utf-8")
    given = [a.format(absent=tmp_path / "absent", file=tmp_path / "file") for a in args]
    line = one_error(invoke(*given), ExitCode.INPUT)
    assert line.startswith("Error: ")
    assert line.endswith(("no such folder", "not a folder"))


def test_rules_schemas_names_a_file_without_its_schema_line(rules_copy: RulesFolder) -> None:
    assert invoke("--rules", str(rules_copy.root), "rules", "schemas").exit_code == ExitCode.OK
    path = rules_copy.root / "logic" / "risks" / "index.yaml"
    path.write_text(path.read_text(encoding="utf-8").split("\n", 1)[1], encoding="utf-8")
    done = invoke("--rules", str(rules_copy.root), "rules", "schemas")
    assert done.exit_code == ExitCode.FAILED
    assert done.stdout == "stale: logic/risks/index.yaml (run `readiness rules schemas --write`)\n"
