"""Every endpoint of the app, with language negotiation and the common headers."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import httpx
import pytest

from engine import Ruleset
from engine.indicators import field_paths, nested
from tests.conftest import AppLog

EXAMPLE = json.loads(
    (Path(__file__).resolve().parents[2] / "examples" / "design-examples.json").read_text()
)


def assert_common_headers(response: httpx.Response, ruleset: Ruleset) -> None:
    assert response.headers["x-ruleset-version"] == ruleset.version
    assert response.headers["x-ruleset-digest"] == ruleset.digest
    assert response.headers["x-request-id"]


def test_health_and_ready(client: httpx.Client, ruleset: Ruleset) -> None:
    health = client.get("/health")
    assert health.json() == {"status": "ok"}
    assert_common_headers(health, ruleset)
    ready = client.get("/ready").json()
    assert ready["ruleset"] == {
        "name": ruleset.name,
        "version": ruleset.version,
        "digest": ruleset.digest,
    }
    assert ready["rules"] == len(ruleset.rules)
    assert ready["engine"] == "durable"


def test_request_ids_are_echoed_or_made(client: httpx.Client) -> None:
    assert client.get("/health", headers={"X-Request-Id": "trace-42"}).headers["x-request-id"] == (
        "trace-42"
    )
    made = client.get("/health", headers={"X-Request-Id": "not/valid" * 20})
    assert made.headers["x-request-id"] != "not valid"
    assert len(made.headers["x-request-id"]) == 32
    assert (
        client.get("/health").headers["x-request-id"]
        != client.get("/health").headers["x-request-id"]
    )


def test_assess_returns_the_engines_result(client: httpx.Client, ruleset: Ruleset) -> None:
    response = client.post("/v1/assessments", json=EXAMPLE)
    assert response.status_code == 200
    assert_common_headers(response, ruleset)
    assert response.headers["content-language"] == "en"
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    assert body["ruleset"]["digest"] == ruleset.digest
    assert body["recommendations"][0]["id"] == "secure-tactical-leadership"
    assert body["trace"] is None
    explained = client.post("/v1/assessments?explain=true", json=EXAMPLE).json()
    assert explained["trace"][0]["order"] == 1


@pytest.mark.parametrize(
    ("query", "header", "expected"),
    [
        ("?lang=sv", None, "sv"),
        ("?lang=da", "sv", "da"),
        ("", "da-DK, sv;q=0.8, en;q=0.5", "da"),
        ("", "fr-FR, sv;q=0.7, da;q=0.6", "sv"),
        ("", "sv;q=0.2, da;q=0.9", "da"),
        ("", "fr, de", "en"),
        ("", None, "en"),
    ],
)
def test_language_negotiation(
    client: httpx.Client, query: str, header: str | None, expected: str
) -> None:
    headers = {"Accept-Language": header} if header else {}
    response = client.post(f"/v1/assessments{query}", json=EXAMPLE, headers=headers)
    assert response.headers["content-language"] == expected
    assert response.json()["language"] == expected


def test_texts_are_in_the_chosen_language(client: httpx.Client) -> None:
    titles = {
        lang: client.post(f"/v1/assessments?lang={lang}", json=EXAMPLE).json()["gaps"][0]["title"]
        for lang in ("sv", "da", "en")
    }
    assert len(set(titles.values())) == 3


def test_batch_keeps_order_and_isolates_invalid_items(client: httpx.Client) -> None:
    items = [
        EXAMPLE,
        {"leadership": {"support": {"tactical": "maybe"}}},
        {"risks": {"staff_turnover": "high"}},
        {"leadership": {"suport": {}}},
        {},
    ]
    response = client.post("/v1/assessments/batch?lang=sv", json={"assessments": items})
    assert response.status_code == 200
    body = response.json()
    assert (body["succeeded"], body["failed"]) == (3, 2)
    assert [item["index"] for item in body["items"]] == [0, 1, 2, 3, 4]
    assert [
        (item["result"] is not None, item["error"] is not None) for item in body["items"]
    ] == [
        (True, False), (False, True), (True, False), (False, True), (True, False)
    ]  # fmt: skip
    error = body["items"][1]["error"]
    assert error["code"] == "validation-failed"
    assert error["errors"][0]["path"] == "$.assessments[1].leadership.support.tactical"
    assert error["errors"][0]["allowed"] == ["yes", "partly", "no", "unknown"]
    assert body["items"][3]["error"]["errors"][0]["type"] == "unknown-field"
    assert body["items"][2]["result"]["language"] == "sv"
    alone = client.post("/v1/assessments?lang=sv", json=items[2]).json()
    assert body["items"][2]["result"] == alone


def test_a_batch_item_error_is_written_as_a_single_request_problem_is(
    client: httpx.Client,
) -> None:
    # A wrong type has no `allowed`: the field is left out, not sent as null, in both.
    item = {"organisation": {"units_involved": "many"}}
    batch = client.post("/v1/assessments/batch", json={"assessments": [item]}).json()
    error = batch["items"][0]["error"]
    single = client.post("/v1/assessments", json=item).json()
    assert error.keys() == single.keys()
    assert [e.keys() for e in error["errors"]] == [e.keys() for e in single["errors"]]
    assert "allowed" not in error["errors"][0]
    assert error["errors"][0]["path"] == "$.assessments[0].organisation.units_involved"


def test_rules_list_filters_and_detail(client: httpx.Client, ruleset: Ruleset) -> None:
    rules = client.get("/v1/rules?lang=da").json()
    assert len(rules) == len(ruleset.rules)
    tactical = next(r for r in rules if r["id"] == "leadership/tactical-support")
    assert tactical["matches"].startswith("leadership.support.tactical ")
    assert tactical["indicators"] == ["leadership.support.tactical"]
    assert tactical["sources"]
    escalations = client.get("/v1/rules?kind=escalation").json()
    assert {r["kind"] for r in escalations} == {"escalation"}
    assert all(r["requires"] for r in escalations)
    detail = client.get("/v1/rules/escalations/no-tovholder-with-high-turnover?lang=sv")
    assert detail.headers["content-language"] == "sv"
    assert detail.json()["cases"]
    missing = client.get("/v1/rules/leadership/nope")
    assert (missing.status_code, missing.json()["code"]) == (404, "rule-not-found")


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("obstacles", "description"),
        ("success-factors", "description"),
        ("recommendations", "action"),
    ],
)
def test_catalog_lists(client: httpx.Client, ruleset: Ruleset, path: str, field: str) -> None:
    response = client.get(f"/v1/catalog/{path}?lang=da")
    entries = response.json()
    expected = {
        "obstacles": ruleset.obstacles,
        "success-factors": ruleset.success_factors,
        "recommendations": ruleset.recommendations,
    }[path]
    assert {e["id"] for e in entries} == set(expected)
    assert all(e[field] and e["sources"] and e["language"] == "da" for e in entries)
    assert response.headers["content-language"] == "da"


def test_sources(client: httpx.Client) -> None:
    sources = client.get("/v1/sources").json()
    assert {s["id"] for s in sources} == {
        "kunskapsguiden-implementering",
        "socialstyrelsen-dk-ramme-2019",
        "partnerskapet-tidigt-stod",
        "skr-socialtjanst-i-forandring",
        "socialstyrelsen-dk-familieradslagning",
    }
    assert all(s["elements"] > 0 and s["publisher"] for s in sources)


def answer(question: dict[str, Any], rng: random.Random) -> Any:
    if question["type"] == "choice":
        return rng.choice([a["value"] for a in question["answers"]])
    if question["type"] == "integer":
        return rng.randint(question["minimum"], question["maximum"])
    return "x" * rng.randint(1, min(question["max_length"] or 10, 10))


def test_a_form_built_from_the_questionnaire_produces_valid_assessments(
    client: httpx.Client,
) -> None:
    questionnaire = client.get("/v1/questionnaire?lang=sv").json()
    assert questionnaire["language"] == "sv"
    leaves, groups = field_paths()
    assert [q["path"] for q in questionnaire["questions"]] == leaves
    assert [s["path"] for s in questionnaire["sections"]] == groups
    tactical = next(
        q for q in questionnaire["questions"] if q["path"] == "leadership.support.tactical"
    )
    assert tactical["type"] == "choice"
    assert [a["value"] for a in tactical["answers"]] == ["yes", "partly", "no", "unknown"]
    assert tactical["level"] == "institutional"
    assert tactical["dimension"] == "leadership"
    step_5 = next(q for q in questionnaire["questions"] if q["path"] == "process.step_5")
    assert (step_5["step"], step_5["phase"]) == (5, 1)
    rng = random.Random(7)
    for _ in range(25):
        answers = {
            q["path"]: answer(q, rng)
            for q in questionnaire["questions"]
            if q["path"] != "organisation.id" and rng.random() < 0.7
        }
        response = client.post("/v1/assessments", json=nested(answers))
        assert response.status_code == 200, response.text


def test_openapi_document(client: httpx.Client) -> None:
    spec = client.get("/schema/openapi.json").json()
    assert spec["openapi"].startswith("3.1")
    operations = [op for item in spec["paths"].values() for op in item.values()]
    assert len(operations) >= 13
    for op in operations:
        assert (op.get("summary") and op.get("description")) or op.get("summary"), op
        assert op["operationId"]
    assess = spec["paths"]["/v1/assessments"]["post"]
    assert assess["requestBody"]["content"]["application/json"]["examples"]["example"]["value"]
    ok = assess["responses"]["200"]["content"]["application/json"]
    assert ok["examples"] or ok.get("example")
    assert "application/problem+json" in assess["responses"]["422"]["content"]
    for name in ("AssessmentRequest", "AssessmentResult", "Recommendation", "Problem"):
        properties = spec["components"]["schemas"][name]["properties"]
        undocumented = [p for p, s in properties.items() if not s.get("description")]
        assert undocumented == [], (name, undocumented)
    assert client.get("/schema/swagger").status_code == 200


def test_access_log_is_json_without_content(client: httpx.Client, app_log: AppLog) -> None:
    secret = "Hemliga kommunen"
    request_id = "log-check-1"
    client.post(
        "/v1/assessments",
        json={**EXAMPLE, "organisation": {"name": secret}},
        headers={"X-Request-Id": request_id},
    )
    mine = [entry for entry in app_log.entries() if entry.get("request_id") == request_id]
    assert mine
    assert mine[0]["logger"] == "readiness.access"
    assert mine[0]["method"] == "POST"
    assert mine[0]["path"] == "/v1/assessments"
    assert mine[0]["status"] == 200
    assert mine[0]["duration_ms"] >= 0
    assert mine[0]["ruleset_digest"].startswith("sha256:")
    assert secret not in app_log.text()


def test_options_allows_every_method_each_path_serves(client: httpx.Client) -> None:
    # `/v1/assessments` has a handler for GET (the list) and one for POST (assess).
    document = client.get("/schema/openapi.json").json()
    for template, item in document["paths"].items():
        path = template.replace("{assessment_id}", "x").replace("{region}", "x")
        path = path.replace("{organisation_id}", "x").replace("{rule_id}", "x")
        answer = client.options(path)
        assert answer.status_code == 204, path
        allowed = {m.strip() for m in answer.headers["allow"].split(",")}
        assert allowed == {*(m.upper() for m in item), "OPTIONS"}, path
