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


def open_round(database: str, *args: str, stdin: str | None = None) -> Result:
    """`readiness rounds open ARGS` against the database at the URL `database`."""
    env = {"READINESS_DATABASE_URL": database}
    return CliRunner().invoke(readiness, ["rounds", "open", *args], input=stdin, env=env)


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


def test_rounds_combine_refuses_an_answer_given_twice_in_one_file(answers: Path) -> None:
    # The later role would silently win: a staff member's answers counted as a leader's.
    (answers / "staff-0.json").write_text(
        '{"role": "staff", "role": "operational_leader", "answers": {}}', encoding="utf-8"
    )
    result = invoke("rounds", "combine", str(answers))
    assert result.exit_code == ExitCode.INPUT
    assert "staff-0.json: invalid-json: duplicate key 'role'" in result.stderr


def test_rounds_combine_needs_the_round_file(tmp_path: Path) -> None:
    result = invoke("rounds", "combine", str(tmp_path))
    assert result.exit_code == ExitCode.INPUT
    assert "no round.json" in result.stderr


def test_rounds_open_prints_codes_that_the_store_knows(tmp_path: Path) -> None:
    from store.database import Database
    from store.rounds import Rounds

    url = f"sqlite:///{tmp_path / 'rounds.db'}"
    body = tmp_path / "open.json"
    body.write_text(
        json.dumps(
            {
                "organisation": {"id": "0380-ifo", "country": "SE", "region": "Uppsala"},
                "intervention": {"name": "Familjeorienterat arbetssätt", "kind": "method"},
                "codes": {"tactical_leader": 2},
                "shared_roles": ["staff"],
            }
        ),
        encoding="utf-8",
    )
    result = open_round(url, str(body), "--format", "json")
    assert result.exit_code == ExitCode.OK, result.stderr
    opened = json.loads(result.stdout)
    assert [(c["role"], c["kind"]) for c in opened["codes"]] == [
        ("tactical_leader", "personal"),
        ("tactical_leader", "personal"),
        ("staff", "shared"),
    ]
    database = Database(url)
    try:
        invitee = Rounds(database).invitee(opened["codes"][2]["code"])
        assert invitee is not None and invitee.role == "staff"
        assert invitee.round.id == opened["round"]
    finally:
        database.close()
    # The same organisation in another region is refused, naming where it is.
    body.write_text(
        json.dumps({"organisation": {"id": "0380-ifo", "region": "Skåne"}, "codes": {"staff": 1}}),
        encoding="utf-8",
    )
    refused = open_round(url, str(body))
    assert refused.exit_code == ExitCode.INPUT
    assert "belongs to region 'Uppsala'" in refused.stderr


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ({"organisation": {"id": "x"}}, "codes"),
        ({"organisation": {"country": "SE"}, "codes": {"staff": 1}}, "organisation.id"),
        ({"organisation": {"id": "x"}, "codes": {"mayor": 1}}, "codes.mayor"),
    ],
)
def test_rounds_open_refuses_an_incomplete_round(
    tmp_path: Path, body: dict[str, Any], says: str
) -> None:
    path = tmp_path / "open.json"
    path.write_text(json.dumps(body), encoding="utf-8")
    result = open_round(f"sqlite:///{tmp_path / 'r.db'}", str(path))
    assert result.exit_code == ExitCode.INPUT
    assert says in result.stderr


def test_rounds_open_refuses_a_duplicate_key_as_the_api_does(tmp_path: Path) -> None:
    # The later `codes` would silently replace the earlier one; the API refuses such a body.
    path = tmp_path / "open.json"
    path.write_text(
        '{"organisation": {"id": "x"}, "codes": {"staff": 2}, "codes": {"staff": 1}}',
        encoding="utf-8",
    )
    result = open_round(f"sqlite:///{tmp_path / 'r.db'}", str(path))
    assert result.exit_code == ExitCode.INPUT
    assert "invalid-json: duplicate key 'codes'" in result.stderr


def test_rounds_open_names_every_invalid_field_as_assess_does(tmp_path: Path) -> None:
    path = tmp_path / "open.json"
    body = {"organisation": {"id": "x", "country": "NO"}, "codes": {"mayor": 1}}
    path.write_text(json.dumps(body), encoding="utf-8")
    result = open_round(f"sqlite:///{tmp_path / 'r.db'}", str(path))
    assert result.exit_code == ExitCode.INPUT
    lines = result.stderr.splitlines()
    assert [line.split(": ")[1] for line in lines] == ["$.organisation.country", "$.codes.mayor"]
    assert all(line.startswith(f"{path}: ") for line in lines)


def test_the_round_files_may_begin_with_a_byte_order_mark(tmp_path: Path, answers: Path) -> None:
    # Windows editors write one, as `readiness assess` accepts it.
    for file in answers.glob("*.json"):
        file.write_text("\ufeff" + file.read_text(encoding="utf-8"), encoding="utf-8")
    assert invoke("rounds", "combine", str(answers), "--no-evaluate").exit_code == ExitCode.OK
    path = tmp_path / "open.json"
    body = {"organisation": {"id": "0380-ifo", "country": "SE"}, "codes": {"staff": 1}}
    path.write_text("\ufeff" + json.dumps(body), encoding="utf-8")
    result = open_round(f"sqlite:///{tmp_path / 'r.db'}", str(path))
    assert result.exit_code == ExitCode.OK, result.stderr


def test_rounds_open_reads_the_round_from_standard_input(tmp_path: Path) -> None:
    body = {"organisation": {"id": "0380-ifo", "country": "SE"}, "codes": {"staff": 1}}
    result = open_round(
        f"sqlite:///{tmp_path / 'r.db'}", "-", "--format", "json", stdin=json.dumps(body)
    )
    assert result.exit_code == ExitCode.OK, result.stderr
    assert [code["role"] for code in json.loads(result.stdout)["codes"]] == ["staff"]
