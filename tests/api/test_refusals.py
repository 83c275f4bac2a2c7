"""Requests that asked for nonsense are refused, saying what to send instead; on both databases.

A delta's `against` must be an earlier assessment of the same organisation and intervention
(422 `invalid-against`); a list's `gap` and `obstacle` filters must name something the served
ruleset or a stored assessment has (400 `invalid-parameter`, with a did-you-mean); a missing key
says how keys are made; a body over the limit says what the limit is.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from click.testing import CliRunner
from sqlalchemy import update

from api.cli import readiness
from engine import default_rules_dir, load_ruleset
from store.database import Database
from store.models import StoredFinding
from tests.api.conftest import Keyed, in_process
from tests.databases import BACKENDS, database_url, fresh_with_keys

REGION = "Region Kronoberg"
ORG = "se-0780-ifo"
FAMILY = {"name": "Familjeorienterat arbetssätt", "model": "family_oriented_work"}
EARLIER_IS = "an earlier assessment of the same organisation and intervention"


@dataclass
class App(Keyed):
    url: str

    def store(self, body: dict[str, Any], key: str = "reader", **params: str) -> str:
        answer = self.call(
            key, "POST", "/v1/assessments", params={"store": "true", **params}, json=body
        )
        assert answer.status_code == 201, answer.text
        stored: str = answer.headers["X-Assessment-Id"]
        return stored

    def delta(self, current: str, against: str | None = None) -> httpx.Response:
        params = {"against": against} if against is not None else {}
        return self.call("reader", "GET", f"/v1/assessments/{current}/delta", params=params)


@pytest.fixture(params=BACKENDS)
def app(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[App]:
    tmp = tmp_path_factory.mktemp(f"refusals-{request.param}")
    url = database_url(request.param, tmp)
    keys = fresh_with_keys(
        url,
        reader={"scopes": ["assess", "read"], "region": REGION},
        elsewhere={"scopes": ["assess", "read"], "region": "Skåne"},
    )
    with in_process(tmp, database_url=url, min_group_size="1") as client:
        yield App(client, keys, url)


def body(org: str = ORG, intervention: dict[str, str] = FAMILY, **answers: Any) -> dict[str, Any]:
    return {
        "organisation": {"id": org, "country": "SE", "region": REGION},
        "intervention": intervention,
        **answers,
    }


def refused(answer: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    problem: dict[str, Any] = answer.json()
    assert problem["code"] == code, problem
    return problem


# A delta's `against`


def test_a_delta_against_a_later_assessment_is_refused(app: App) -> None:
    first = app.store(body(competence={"tovholder": {"appointed": "no"}}))
    second = app.store(body())
    # Before: compared backwards, with `days_between: -1` (timedelta.days floors).
    problem = refused(app.delta(first, against=second), 422, "invalid-against")
    assert EARLIER_IS in problem["detail"]
    assert "made after this one" in problem["detail"]
    assert second in problem["detail"]
    # The other way round it is the delta the default gives.
    forward = app.delta(second, against=first)
    assert forward.status_code == 200, forward.text
    assert forward.json()["days_between"] >= 0
    assert forward.json() == app.delta(second).json()


def test_a_delta_against_the_assessment_itself_is_refused(app: App) -> None:
    app.store(body())
    second = app.store(body())
    problem = refused(app.delta(second, against=second), 422, "invalid-against")
    assert "this assessment itself" in problem["detail"] and EARLIER_IS in problem["detail"]


def test_a_delta_against_another_organisation_or_intervention_is_refused(app: App) -> None:
    other_org = app.store(body("se-0765-ifo"))
    other_intervention = app.store(body(intervention={"name": "Något annat", "model": "other"}))
    current = app.store(body())
    problem = refused(app.delta(current, against=other_org), 422, "invalid-against")
    assert "'se-0765-ifo'" in problem["detail"] and EARLIER_IS in problem["detail"]
    problem = refused(app.delta(current, against=other_intervention), 422, "invalid-against")
    assert "'Något annat'" in problem["detail"] and EARLIER_IS in problem["detail"]
    # Both were stored before it, yet neither is in its history: it has none.
    refused(app.delta(current), 404, "no-earlier-assessment")


def test_earlier_means_made_earlier_as_the_default_against_has_it(app: App) -> None:
    # Stored second but made 30 days earlier: it is the earlier one.
    today = app.store(body())
    day = (datetime.now(UTC) - timedelta(days=30)).date().isoformat()
    survey = app.store(body(), assessed_on=day)
    assert app.delta(today).json()["against"] == survey
    assert app.delta(today, against=survey).json()["days_between"] == 30
    refused(app.delta(survey, against=today), 422, "invalid-against")
    # Two made on the same day (the same moment): the one stored first is the earlier one.
    again = app.store(body(), assessed_on=day)
    assert app.delta(again).json()["against"] == survey
    assert app.delta(again, against=survey).status_code == 200
    refused(app.delta(survey, against=again), 422, "invalid-against")


def test_an_against_the_key_may_not_see_is_still_not_found(app: App) -> None:
    current = app.store(body())
    hidden = app.call(
        "elsewhere",
        "POST",
        "/v1/assessments",
        params={"store": "true"},
        json={**body("se-1280-ifo"), "organisation": {"id": "se-1280-ifo", "region": "Skåne"}},
    )
    assert hidden.status_code == 201, hidden.text
    refused(
        app.delta(current, against=hidden.headers["X-Assessment-Id"]), 404, "assessment-not-found"
    )


def test_the_delta_operation_documents_its_422(app: App) -> None:
    document = app.http.get("/schema/openapi.json").json()
    operation = document["paths"]["/v1/assessments/{assessment_id}/delta"]["get"]
    assert "invalid-against" in operation["responses"]["422"]["description"]
    assert "application/problem+json" in operation["responses"]["422"]["content"]
    assert EARLIER_IS in operation["description"]
    against = next(p for p in operation["parameters"] if p["name"] == "against")
    assert "earlier assessment of the same organisation and intervention" in against["description"]


# The list's `gap` and `obstacle` filters

RULESET = load_ruleset(default_rules_dir())
GAP = next(r.id for r in RULESET.rules if r.kind == "gap")
ESCALATION = next(r.id for r in RULESET.rules if r.kind == "escalation")
OBSTACLE = next(iter(RULESET.obstacles))


def _listed(app: App, **params: str) -> httpx.Response:
    return app.call("reader", "GET", "/v1/assessments", params=params)


def test_a_gap_the_ruleset_does_not_have_is_refused_with_a_did_you_mean(app: App) -> None:
    app.store(body(competence={"tovholder": {"appointed": "no"}}))
    typo = GAP[:-1] + ("x" if GAP[-1] != "x" else "y")
    problem = refused(_listed(app, gap=typo), 400, "invalid-parameter")
    assert problem["detail"] == "invalid parameter: gap"
    [error] = problem["errors"]
    assert (error["path"], error["type"]) == ("gap", "invalid")
    assert f"did you mean {GAP!r}?" in error["message"]
    far = refused(_listed(app, gap="no-such-thing-at-all"), 400, "invalid-parameter")
    assert "GET /v1/rules?kind=gap lists them" in far["errors"][0]["message"]
    # An escalation rule is a rule, but never a stored gap.
    wrong_kind = refused(_listed(app, gap=ESCALATION), 400, "invalid-parameter")
    assert "it is an escalation rule" in wrong_kind["errors"][0]["message"]
    # Exports filter the same way.
    refused(_listed(app, gap=typo, format="csv"), 400, "invalid-parameter")


def test_an_obstacle_the_ruleset_does_not_have_is_refused_with_a_did_you_mean(app: App) -> None:
    typo = OBSTACLE[:-1]
    problem = refused(_listed(app, obstacle=typo), 400, "invalid-parameter")
    [error] = problem["errors"]
    assert error["path"] == "obstacle"
    assert f"did you mean {OBSTACLE!r}?" in error["message"]
    both = refused(_listed(app, gap="nothing", obstacle="nothing"), 400, "invalid-parameter")
    assert both["detail"] == "invalid parameter: gap, obstacle"
    assert [e["path"] for e in both["errors"]] == ["gap", "obstacle"]


def test_a_known_gap_or_obstacle_nothing_stored_has_lists_nothing(app: App) -> None:
    app.store(body(competence={"tovholder": {"appointed": "no"}}))
    tovholder = _listed(app, gap="competence/tovholder-missing")
    assert tovholder.status_code == 200, tovholder.text
    assert len(tovholder.json()["items"]) == 1
    result = tovholder.json()["items"][0]["result"]
    have = {g["id"] for g in result["gaps"]}
    obstacles = {o["id"] for o in result["obstacles"]}
    unstored_gap = next(r.id for r in RULESET.rules if r.kind == "gap" and r.id not in have)
    unstored_obstacle = next(o for o in RULESET.obstacles if o not in obstacles)
    for params in ({"gap": unstored_gap}, {"obstacle": unstored_obstacle}):
        empty = _listed(app, **params)
        assert empty.status_code == 200, (params, empty.text)
        assert empty.json() == {"items": [], "next": None, "next_url": None}


def test_an_id_only_an_earlier_ruleset_had_still_filters_what_was_stored_under_it(
    app: App,
) -> None:
    # A rule renamed since: its stored findings keep the id they were stored under, and a
    # dashboard asking for that id gets them, not a refusal.
    stored = app.store(body(competence={"tovholder": {"appointed": "no"}}))
    database = Database(app.url)
    try:
        with database.session() as session:
            for kind, old, renamed in (
                ("gap", "competence/tovholder-missing", "competence/tovholder-gone"),
                ("obstacle", _an_obstacle_of(app, stored), "obstacle-renamed-since"),
            ):
                session.execute(
                    update(StoredFinding)
                    .where(StoredFinding.kind == kind, StoredFinding.item_id == old)
                    .values(item_id=renamed)
                )
    finally:
        database.close()
    for params in ({"gap": "competence/tovholder-gone"}, {"obstacle": "obstacle-renamed-since"}):
        found = _listed(app, **params)
        assert found.status_code == 200, (params, found.text)
        assert [item["id"] for item in found.json()["items"]] == [stored], params
    # Another key's assessments do not make an id known to this one.
    refused(
        app.call(
            "elsewhere", "GET", "/v1/assessments", params={"gap": "competence/tovholder-gone"}
        ),
        400,
        "invalid-parameter",
    )


def _an_obstacle_of(app: App, assessment_id: str) -> str:
    result = app.call("reader", "GET", f"/v1/assessments/{assessment_id}/result").json()
    first: str = result["obstacles"][0]["id"]
    return first


# What a refusal says about keys and sizes


def test_a_missing_key_says_how_keys_are_made(app: App) -> None:
    problem = refused(app.call(None, "GET", "/v1/assessments"), 401, "missing-api-key")
    assert "`Authorization: Bearer <key>`" in problem["detail"]
    assert "`readiness keys create`" in problem["detail"]
    # The command it names exists.
    named = re.search(r"`readiness ([a-z ]+)`", problem["detail"])
    assert named is not None
    done = CliRunner().invoke(readiness, [*named[1].split(), "--help"])
    assert done.exit_code == 0, done.output


def test_a_body_over_the_limit_says_the_limit(client: httpx.Client) -> None:
    json_body = {"content-type": "application/json"}
    one = client.post("/v1/assessments", content=b" " * (1024 * 1024 + 10), headers=json_body)
    problem = refused(one, 413, "body-too-large")
    assert "1048576 bytes" in problem["detail"], problem["detail"]
    batch = client.post(
        "/v1/assessments/batch", content=b" " * (8 * 1024 * 1024 + 10), headers=json_body
    )
    assert "8388608 bytes" in refused(batch, 413, "body-too-large")["detail"]
