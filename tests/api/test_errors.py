"""Every error class gets its own 4xx problem with a stable code; never a 500 or a stack trace."""

from __future__ import annotations

import json
from pathlib import Path
from typing import cast

import httpx
import pytest
from click.testing import CliRunner

from engine import ExitCode, command_line

JSON = {"content-type": "application/json"}


def problem(response: httpx.Response, status: int, code: str) -> dict[str, object]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, object] = response.json()
    assert body["code"] == code
    assert body["status"] == status
    assert str(body["type"]).endswith(code)
    assert body["detail"]
    assert body["request_id"] == response.headers["x-request-id"]
    assert "Traceback" not in response.text
    assert "/work/" not in response.text and "site-packages" not in response.text
    return body


def errors_of(body: dict[str, object]) -> list[dict[str, object]]:
    """The field errors of a `validation-failed` problem (its `errors` member)."""
    return cast(list[dict[str, object]], body["errors"])


def test_unknown_field_is_named(client: httpx.Client) -> None:
    body = problem(
        client.post("/v1/assessments", json={"leadership": {"suport": {}}}),
        422,
        "validation-failed",
    )
    (error,) = errors_of(body)
    assert error == {
        "path": "$.leadership.suport",
        "type": "unknown-field",
        "message": "unknown field 'suport' (did you mean 'support'?)",
        "allowed": [
            "support",
            "responsibility_placed",
            "implementation_team",
            "management_information",
            "resources",
        ],
    }


def test_value_not_allowed_lists_the_allowed_values(client: httpx.Client) -> None:
    body = problem(
        client.post("/v1/assessments", json={"risks": {"staff_turnover": "huge"}}),
        422,
        "validation-failed",
    )
    (error,) = errors_of(body)
    assert error["path"] == "$.risks.staff_turnover"
    assert error["type"] == "value-not-allowed"
    assert error["allowed"] == ["low", "medium", "high", "unknown"]


@pytest.mark.parametrize(
    ("payload", "path", "kind"),
    [
        (
            {"organisation": {"units_involved": "many"}},
            "$.organisation.units_involved",
            "wrong-type",
        ),
        (
            {"organisation": {"units_involved": 2.5}},  # a number, but not a whole one
            "$.organisation.units_involved",
            "wrong-type",
        ),
        (
            {"organisation": {"units_involved": 5000}},
            "$.organisation.units_involved",
            "out-of-range",
        ),
        ({"organisation": {"name": "x" * 100_000}}, "$.organisation.name", "too-long"),
        ({"organisation": {"id": "has spaces"}}, "$.organisation.id", "pattern-mismatch"),
        ({"leadership": "yes"}, "$.leadership", "wrong-type"),
        ([1, 2], "$", "wrong-type"),
    ],
)
def test_field_errors(client: httpx.Client, payload: object, path: str, kind: str) -> None:
    body = problem(client.post("/v1/assessments", json=payload), 422, "validation-failed")
    assert [(e["path"], e["type"]) for e in errors_of(body)] == [(path, kind)]


@pytest.mark.parametrize(
    ("content", "headers", "status", "code"),
    [
        (b'{"leadership": ', JSON, 400, "invalid-json"),
        (b"", JSON, 400, "empty-body"),
        (b"   ", JSON, 400, "empty-body"),
        (b'{"a": NaN}', JSON, 400, "invalid-json"),
        (b'{"risks": {}, "risks": {}}', JSON, 400, "invalid-json"),
        (b"\xff\xfe{}", JSON, 400, "invalid-json"),
        (b"[" * 5000 + b"]" * 5000, JSON, 400, "too-deep"),
        (b"{}", {"content-type": "text/plain"}, 415, "unsupported-media-type"),
        (b"{}", {}, 415, "unsupported-media-type"),
        (b"{" + b" " * (1024 * 1024 + 10) + b"}", JSON, 413, "body-too-large"),
    ],
    ids=[
        "malformed", "empty", "blank", "nan", "duplicate-key", "not-utf8", "deep",
        "text-plain", "no-content-type", "over-limit",
    ],
)  # fmt: skip
def test_malformed_bodies(
    client: httpx.Client, content: bytes, headers: dict[str, str], status: int, code: str
) -> None:
    problem(client.post("/v1/assessments", content=content, headers=headers), status, code)


def test_too_many_batch_items(client: httpx.Client) -> None:
    # The test server is started with READINESS_MAX_BATCH_ITEMS=20.
    problem(
        client.post("/v1/assessments/batch", json={"assessments": [{}] * 21}), 422, "too-many-items"
    )
    ok = client.post("/v1/assessments/batch", json={"assessments": [{}] * 20})
    assert ok.status_code == 200


def test_a_batch_body_of_the_wrong_shape(client: httpx.Client) -> None:
    problem(client.post("/v1/assessments/batch", json=[{}]), 422, "validation-failed")
    problem(client.post("/v1/assessments/batch", json={"items": []}), 422, "validation-failed")


def test_bad_query_parameters(client: httpx.Client) -> None:
    body = problem(client.post("/v1/assessments?lang=fr", json={}), 400, "invalid-parameter")
    assert "lang" in str(body["detail"])
    problem(client.post("/v1/assessments?explain=perhaps", json={}), 400, "invalid-parameter")
    problem(client.get("/v1/rules?kind=magic"), 400, "invalid-parameter")


def test_unknown_paths_and_methods(client: httpx.Client) -> None:
    problem(client.get("/v2/assessments"), 404, "not-found")
    response = client.delete("/v1/rules")
    problem(response, 405, "method-not-allowed")


def test_the_server_keeps_serving_after_errors(client: httpx.Client) -> None:
    for _ in range(20):
        client.post("/v1/assessments", content=b"{", headers=JSON)
    assert client.post("/v1/assessments", json={}).status_code == 200


def test_the_command_line_reports_an_invalid_assessment_as_the_api_does(
    client: httpx.Client, tmp_path: Path
) -> None:
    # One body, two ways in: `readiness assess` prints, one line each, the path, the stable
    # reason and the message the API sends in `errors`, did-you-mean and allowed values included.
    body = {
        "organisation": {"country": "NO"},
        "leadersihp": {},
        "competence": {"tovholder": {"apointed": "yes"}},
        "risks": {"staff_turnover": 3},
    }
    sent = errors_of(problem(client.post("/v1/assessments", json=body), 422, "validation-failed"))
    path = tmp_path / "assessment.json"
    path.write_text(json.dumps(body), encoding="utf-8")
    printed = CliRunner().invoke(command_line(), ["assess", str(path)])
    assert printed.exit_code == ExitCode.INPUT
    assert len(sent) == 4
    assert sorted(printed.stderr.splitlines()) == sorted(
        f"{path}: {e['path']}: {e['type']}: {e['message']}" for e in sent
    )
    # And what the lines say, so that neither side can lose it unnoticed.
    assert (
        f"{path}: $.leadersihp: unknown-field: unknown field 'leadersihp' "
        "(did you mean 'leadership'?)" in printed.stderr.splitlines()
    )
    assert (
        f'{path}: $.organisation.country: value-not-allowed: "NO" is not allowed; use one of '
        "SE, DK, unknown" in printed.stderr.splitlines()
    )
