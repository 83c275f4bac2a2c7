"""`readiness rounds check` and `readiness rounds combine`: the round file and offline combining."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from api.cli import readiness
from engine import ExitCode


def invoke(*args: str) -> Result:
    result = CliRunner().invoke(readiness, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def _write(folder: Path, name: str, data: Any) -> None:
    (folder / name).write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


@pytest.fixture
def answers(tmp_path: Path) -> Path:
    """A Danish round: three team leaders who back the method, four staff who do not feel it."""
    _write(
        tmp_path,
        "round.json",
        {
            "organisation": {"id": "odense-born", "name": "Odense Børn og Unge", "country": "DK"},
            "intervention": {"name": "Familierådslagning", "model": "family_group_conference"},
        },
    )
    for i in range(3):
        _write(
            tmp_path,
            f"leader-{i}.json",
            {
                "role": "operational_leader",
                "answers": {"leadership": {"support": {"operational": "yes"}}},
            },
        )
    for i in range(4):
        _write(
            tmp_path,
            f"staff-{i}.json",
            {
                "role": "staff",
                "answers": {
                    "leadership": {"support": {"operational": "no"}},
                    "culture": {"sense_of_urgency": "partly"},
                },
            },
        )
    return tmp_path


def test_rounds_check_reports_the_forms() -> None:
    result = invoke("rounds", "check")
    assert result.exit_code == ExitCode.OK
    assert "staff:" in result.stdout and "8 matters compared" in result.stdout


def test_rounds_combine_prints_the_combined_assessment_and_its_result(answers: Path) -> None:
    result = invoke("rounds", "combine", str(answers), "--lang", "da")
    assert result.exit_code == ExitCode.OK, result.stderr
    output = json.loads(result.stdout)
    assert output["assessment"]["leadership"]["support"]["operational"] == "yes"
    assert output["assessment"]["agreement"] == {"operational_support": "differ"}
    assert output["assessment"]["organisation"]["country"] == "DK"
    (disagreement,) = output["combination"]["disagreements"]
    assert disagreement["low"] == {"value": "no", "groups": [["staff"]]}
    assert output["combination"]["groups"] == [
        {"roles": ["operational_leader"], "respondents": 3},
        {"roles": ["staff"], "respondents": 4},
    ]
    assert output["result"]["language"] == "da"


def test_rounds_combine_without_evaluating(answers: Path) -> None:
    result = invoke("rounds", "combine", str(answers), "--no-evaluate", "--min-group", "4")
    output = json.loads(result.stdout)
    assert "result" not in output
    # With four as the threshold the three leaders are shown only together with the staff.
    assert output["combination"]["groups"] == [
        {"roles": ["operational_leader", "staff"], "respondents": 7}
    ]


@pytest.mark.parametrize(
    ("name", "content", "says"),
    [
        ("staff-9.json", {"role": "mayor", "answers": {}}, "role 'mayor'"),
        (
            "staff-9.json",
            {"role": "staff", "answers": {"leadership": {"resources": {"catering": "no"}}}},
            "field-not-in-form",
        ),
        ("staff-9.json", ["yes"], "give an object with role and answers"),
        ("round.json", {"organisation": {"country": "NO"}}, "organisation.country"),
    ],
)
def test_rounds_combine_names_the_file_that_is_wrong(
    answers: Path, name: str, content: Any, says: str
) -> None:
    _write(answers, name, content)
    result = invoke("rounds", "combine", str(answers))
    assert result.exit_code == ExitCode.INPUT
    assert name in result.stderr and says in result.stderr


def test_rounds_combine_needs_the_round_file(tmp_path: Path) -> None:
    result = invoke("rounds", "combine", str(tmp_path))
    assert result.exit_code == ExitCode.INPUT
    assert "no round.json" in result.stderr
