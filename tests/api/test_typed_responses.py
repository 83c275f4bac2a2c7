"""Every endpoint's answer is what its typed response model in the OpenAPI document says.

Real answers of the app are validated against the models in `schemas/` (which forbid unknown
fields), so a change to either the server or the contract that the other does not follow fails
here; and every operation's success response in the OpenAPI document has a schema.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from pydantic import BaseModel

from schemas.regions import RegionList
from schemas.result import AssessmentResult
from schemas.stored import (
    AssessmentPage,
    Deleted,
    Delta,
    LintReportOut,
    RegionSummary,
    ReloadReport,
    StoredAssessmentOut,
)
from store.database import Database
from store.repository import Repository
from tests.api.conftest import in_process
from tests.databases import BACKENDS, database_url, fresh

REGION = "Region Kronoberg"


@pytest.fixture(scope="module", params=BACKENDS)
def app(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[httpx.Client, str]]:
    tmp = tmp_path_factory.mktemp(f"typed-{request.param}")
    url = database_url(request.param, tmp)
    fresh(url).close()
    database = Database(url)
    admin = Repository(database).create_key(["admin"])
    database.close()
    with in_process(tmp, database_url=url, min_group_size="2") as client:
        client.headers["Authorization"] = f"Bearer {admin}"
        yield client, admin


def _store(client: httpx.Client, org: str, **answers: Any) -> str:
    body = {
        "organisation": {"id": org, "region": REGION, "country": "SE", "name": f"IFO {org}"},
        "intervention": {"name": "Familjeorienterat arbetssätt", "model": "family_oriented_work"},
        **answers,
    }
    answer = client.post("/v1/assessments", params={"store": "true"}, json=body)
    assert answer.status_code == 201, answer.text
    return answer.headers["X-Assessment-Id"]


def _valid(model: type[BaseModel], answer: httpx.Response) -> BaseModel:
    assert answer.status_code == 200, answer.text
    return model.model_validate_json(answer.content)


def test_the_dashboard_answers_are_what_their_models_say(app: tuple[httpx.Client, str]) -> None:
    client, _ = app
    first = _store(client, "se-0780-ifo", competence={"tovholder": {"appointed": "no"}})
    second = _store(client, "se-0780-ifo", competence={"tovholder": {"appointed": "yes"}})
    _store(client, "se-0765-ifo", leadership={"support": {"tactical": "no"}})
    page = _valid(AssessmentPage, client.get("/v1/assessments", params={"limit": 2}))
    assert isinstance(page, AssessmentPage) and page.next is not None and len(page.items) == 2
    _valid(StoredAssessmentOut, client.get(f"/v1/assessments/{second}"))
    _valid(AssessmentResult, client.get(f"/v1/assessments/{second}/result"))
    delta = _valid(Delta, client.get(f"/v1/assessments/{second}/delta"))
    assert isinstance(delta, Delta) and delta.against == first and delta.gaps_closed
    full = _valid(RegionSummary, client.get(f"/v1/regions/{REGION}/summary"))
    assert isinstance(full, RegionSummary) and not full.suppressed and full.trend
    small = _valid(RegionSummary, client.get("/v1/regions/Nowhere/summary"))
    assert isinstance(small, RegionSummary) and small.suppressed
    _valid(RegionList, client.get("/v1/regions"))
    deleted = _valid(Deleted, client.delete("/v1/organisations/se-0765-ifo/assessments"))
    assert deleted == Deleted(deleted=1, rounds=0)


def test_the_admin_answers_are_what_their_models_say(app: tuple[httpx.Client, str]) -> None:
    client, _ = app
    files = {"logic/leadership/new-rule.yaml": "id: leadership/new-rule\n"}
    report = _valid(LintReportOut, client.post("/v1/rules/validate", json={"files": files}))
    assert isinstance(report, LintReportOut) and report.errors > 0
    reload = _valid(ReloadReport, client.post("/v1/rules/reload"))
    assert isinstance(reload, ReloadReport) and reload.ok


def test_every_operation_documents_a_typed_success_response(
    app: tuple[httpx.Client, str],
) -> None:
    client, _ = app
    document = client.get("/schema/openapi.json").json()
    untyped = []
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            successes = {
                status: response
                for status, response in operation["responses"].items()
                if status.startswith("2")
            }
            for status, response in successes.items():
                schema = response.get("content", {}).get("application/json", {}).get("schema", {})
                # A named model (a component), not a free-form object.
                if "$ref" not in schema and "$ref" not in schema.get("items", {}):
                    untyped.append(f"{method.upper()} {path} {status}")
    assert untyped == [], untyped


def test_the_dashboard_answers_are_documented_with_real_examples(
    app: tuple[httpx.Client, str],
) -> None:
    client, _ = app
    document = client.get("/schema/openapi.json").json()
    models: set[tuple[str, type[BaseModel]]] = {
        ("/v1/assessments/{assessment_id}", StoredAssessmentOut),
        ("/v1/assessments/{assessment_id}/delta", Delta),
        ("/v1/regions/{region}/summary", RegionSummary),
        ("/v1/regions", RegionList),
    }
    for path, model in models:
        content = document["paths"][path]["get"]["responses"]["200"]["content"]
        (example,) = content["application/json"]["examples"].values()
        model.model_validate(example["value"])  # what the server would answer, by its own code
    delta = document["paths"]["/v1/assessments/{assessment_id}/delta"]["get"]["responses"]
    closed = delta["200"]["content"]["application/json"]["examples"]
    (shown,) = closed.values()
    assert shown["value"]["gaps_closed"], "the example's later assessment closes gaps"
