"""Regions over HTTP, on SQLite and PostgreSQL.

One region per organisation, an admin's move, the regions list, summaries in the reader's
language, and assessments dated when they were made.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest

from tests.api.conftest import Keyed, in_process
from tests.databases import BACKENDS, database_url, fresh_with_keys

KRONOBERG = "Region Kronoberg"
SKANE = "Skåne"


@dataclass
class App(Keyed):
    def store(self, key: str, body: dict[str, Any], **params: str) -> httpx.Response:
        return self.call(
            key, "POST", "/v1/assessments", params={"store": "true", **params}, json=body
        )


@pytest.fixture(params=BACKENDS)
def app(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[App]:
    tmp = tmp_path_factory.mktemp(f"regions-{request.param}")
    url = database_url(request.param, tmp)
    keys = fresh_with_keys(
        url,
        admin={"scopes": ["admin"]},
        kronoberg={"scopes": ["assess", "read"], "region": KRONOBERG},
        skane={"scopes": ["assess", "read"], "region": SKANE},
        blekinge={"scopes": ["read"], "region": "Blekinge"},
        org={"scopes": ["read"], "organisation_id": "se-0780-ifo"},
        reader={"scopes": ["read"]},
        bound_admin={"scopes": ["admin"], "region": SKANE},
    )
    with in_process(tmp, database_url=url, min_group_size="1") as client:
        yield App(client, keys)


def body(org: str, region: str | None = None, **answers: Any) -> dict[str, Any]:
    organisation: dict[str, Any] = {"id": org, "country": "SE"}
    if region is not None:
        organisation["region"] = region
    return {
        "organisation": organisation,
        "intervention": {"name": "Familjeorienterat arbetssätt", "model": "family_oriented_work"},
        **answers,
    }


def test_a_region_with_a_space_around_it_is_refused_not_stored_apart(app: App) -> None:
    refused = app.store("admin", body("se-0781-ifo", f" {KRONOBERG}"))
    assert (refused.status_code, refused.json()["code"]) == (422, "validation-failed")
    assert [(e["path"], e["type"]) for e in refused.json()["errors"]] == [
        ("$.organisation.region", "pattern-mismatch")
    ]
    listed = app.call("admin", "GET", "/v1/assessments", params={"organisation": "se-0781-ifo"})
    assert listed.json()["items"] == []


def test_an_organisation_stored_under_one_region_is_refused_under_another(app: App) -> None:
    assert app.store("kronoberg", body("se-0780-ifo", KRONOBERG)).status_code == 201
    refused = app.store("skane", body("se-0780-ifo", SKANE))
    assert refused.status_code == 409
    problem = refused.json()
    assert problem["code"] == "organisation-in-other-region"
    assert (
        KRONOBERG in problem["detail"]
        and "PUT /v1/organisations/se-0780-ifo/region" in (problem["detail"])
    )
    # Nothing was stored under the other region: the organisation's history stays whole.
    listed = app.call("reader", "GET", "/v1/assessments", params={"organisation": "se-0780-ifo"})
    assert [item["region"] for item in listed.json()["items"]] == [KRONOBERG]
    # An unbound key that names no region stores under the organisation's own.
    again = app.store("admin", body("se-0780-ifo"))
    assert again.status_code == 201
    stored = app.call("reader", "GET", again.headers["Location"]).json()
    assert stored["region"] == KRONOBERG


def test_an_admin_moves_an_organisation_with_its_history(app: App) -> None:
    for _ in range(2):
        assert app.store("kronoberg", body("se-0780-ifo", KRONOBERG)).status_code == 201
    url = "/v1/organisations/se-0780-ifo/region"
    assert app.call("kronoberg", "PUT", url, json={"region": SKANE}).status_code == 403
    assert app.call("bound_admin", "PUT", url, json={"region": SKANE}).status_code == 403
    unknown = app.call("admin", "PUT", "/v1/organisations/nobody/region", json={"region": SKANE})
    assert (unknown.status_code, unknown.json()["code"]) == (404, "organisation-not-found")
    invalid = app.call("admin", "PUT", url, json={"regoin": SKANE})
    assert (invalid.status_code, invalid.json()["code"]) == (422, "validation-failed")
    spaced = app.call("admin", "PUT", url, json={"region": f"{SKANE} "})
    assert (spaced.status_code, spaced.json()["code"]) == (422, "validation-failed")
    assert [(e["path"], e["type"]) for e in spaced.json()["errors"]] == [
        ("$.region", "pattern-mismatch")
    ]
    moved = app.call("admin", "PUT", url, json={"region": SKANE})
    assert moved.status_code == 200, moved.text
    assert moved.json() == {"organisation_id": "se-0780-ifo", "region": SKANE, "assessments": 2}
    listed = app.call("skane", "GET", "/v1/assessments", params={"organisation": "se-0780-ifo"})
    assert [item["region"] for item in listed.json()["items"]] == [SKANE, SKANE]
    assert app.store("skane", body("se-0780-ifo", SKANE)).status_code == 201
    assert app.store("kronoberg", body("se-0780-ifo", KRONOBERG)).status_code == 409


def test_the_regions_list_shows_what_the_key_may_read(app: App) -> None:
    assert app.store("kronoberg", body("se-0780-ifo", KRONOBERG)).status_code == 201
    assert app.store("kronoberg", body("se-0765-ifo", KRONOBERG)).status_code == 201
    assert app.store("skane", body("se-1280-ifo", SKANE)).status_code == 201
    every = app.call("reader", "GET", "/v1/regions").json()["items"]
    assert [(r["region"], r["organisations"], r["assessments"]) for r in every] == [
        (KRONOBERG, 2, 2),
        (SKANE, 1, 1),
    ]
    assert every[1]["summary"] == "/v1/regions/Sk%C3%A5ne/summary"
    assert app.call("reader", "GET", every[1]["summary"]).status_code == 200
    own = app.call("skane", "GET", "/v1/regions").json()["items"]
    assert [r["region"] for r in own] == [SKANE]
    # A region key sees its own region before anything of it is stored.
    empty = app.call("blekinge", "GET", "/v1/regions").json()["items"]
    assert empty == [
        {
            "region": "Blekinge",
            "organisations": 0,
            "assessments": 0,
            "latest": None,
            "summary": "/v1/regions/Blekinge/summary",
        }
    ]
    assert app.call("org", "GET", "/v1/regions").json() == {"items": []}
    assert app.call(None, "GET", "/v1/regions").status_code == 401


def test_the_region_summary_speaks_the_reader_s_language(app: App) -> None:
    weak = {"competence": {"tovholder": {"appointed": "no"}}}
    assert app.store("kronoberg", body("se-0780-ifo", KRONOBERG, **weak)).status_code == 201
    url = f"/v1/regions/{KRONOBERG}/summary"
    titles = {}
    for language in ("sv", "da", "en"):
        answer = app.call("kronoberg", "GET", url, params={"lang": language})
        assert answer.headers["content-language"] == language
        gaps = {g["id"]: g["title"] for g in answer.json()["gaps"]}
        titles[language] = gaps["competence/tovholder-missing"]
    assert len(set(titles.values())) == 3, titles
    assert "tovholder" in titles["en"].lower()
    by_header = app.call("kronoberg", "GET", url, headers={"Accept-Language": "da"})
    assert by_header.headers["content-language"] == "da"


def test_the_region_summary_counts_stages_and_what_comes_first(app: App) -> None:
    # Two municipalities with no tovholder, one a step further in the work; a third whose
    # leadership does not back the method. What each has to do first is counted from the first
    # three places of its latest result, and each is counted at its stage.
    done = {f"step_{n}": "done" for n in range(1, 9)}
    weak = {"competence": {"tovholder": {"appointed": "no"}}}
    for org, answers in (
        ("se-0780-ifo", weak),
        ("se-0781-ifo", {**weak, "process": done}),
        ("se-0782-ifo", {"leadership": {"support": {"tactical": "no"}}}),
    ):
        assert app.store("kronoberg", body(org, KRONOBERG, **answers)).status_code == 201
    url = f"/v1/regions/{KRONOBERG}/summary"
    summary = app.call("kronoberg", "GET", url, params={"lang": "sv"}).json()
    assert summary["stages"] == {"1": 2, "2": 1, "3": 0, "4": 0}
    firsts = {row["id"]: row for row in summary["first_actions"]}
    assert firsts["appoint-tovholder"]["organisations"] == 2
    assert firsts["appoint-tovholder"]["title"] == "Utse en processledare och avsätt tid"
    assert firsts["secure-tactical-leadership"]["organisations"] == 1
    assert all(1 <= row["organisations"] <= 3 for row in summary["first_actions"])
    assert summary["first_actions_suppressed"] == 0  # every group counts here (minimum 1)
    csv = app.call("kronoberg", "GET", url, params={"format": "csv"}).text
    assert "\r\nstage,2,,organisations,1,\r\n" in csv
    assert (
        "first_actions,appoint-tovholder,Appoint a tovholder and set time aside,organisations,2,0.667"
        in csv
    )


def test_an_assessment_made_earlier_is_dated_when_it_was_made(app: App) -> None:
    today = datetime.now(UTC).date()
    earlier = today - timedelta(days=400)
    now = app.store("kronoberg", body("se-0780-ifo", KRONOBERG))
    assert now.status_code == 201
    survey = app.store(
        "kronoberg",
        body("se-0780-ifo", KRONOBERG, competence={"tovholder": {"appointed": "no"}}),
        assessed_on=earlier.isoformat(),
    )
    assert survey.status_code == 201, survey.text
    stored = app.call("kronoberg", "GET", survey.headers["Location"]).json()
    assert stored["assessed_at"] == f"{earlier.isoformat()}T00:00:00Z"
    assert stored["created_at"][:10] == today.isoformat()
    # The delta of today's assessment is against the survey made before it, though stored after.
    current = now.headers["X-Assessment-Id"]
    delta = app.call("kronoberg", "GET", f"/v1/assessments/{current}/delta").json()
    assert delta["against"] == survey.headers["X-Assessment-Id"]
    assert delta["days_between"] == 400
    assert "competence/tovholder-missing" in [g["id"] for g in delta["gaps_closed"]]
    first = app.call("kronoberg", "GET", f"{survey.headers['Location']}/delta")
    assert (first.status_code, first.json()["code"]) == (404, "no-earlier-assessment")
    # The summary's quarters go by when the assessments were made.
    summary = app.call("kronoberg", "GET", f"/v1/regions/{KRONOBERG}/summary").json()
    quarter = f"{earlier.year}-Q{(earlier.month - 1) // 3 + 1}"
    assert quarter in [row["quarter"] for row in summary["trend"]]
    assert summary["organisations"] == 1  # its latest is today's, not the imported survey


@pytest.mark.parametrize(
    ("assessed_on", "store"),
    [
        ((date.today() + timedelta(days=2)).isoformat(), "true"),
        ("1999-12-31", "true"),
        ("2024-05-01", "false"),
    ],
)
def test_an_assessment_date_out_of_bounds_is_refused(
    app: App, assessed_on: str, store: str
) -> None:
    answer = app.call(
        "kronoberg",
        "POST",
        "/v1/assessments",
        params={"store": store, "assessed_on": assessed_on},
        json=body("se-0780-ifo", KRONOBERG),
    )
    assert answer.status_code == 422
    assert answer.json()["code"] == "invalid-assessment-date"
    assert app.call("reader", "GET", "/v1/assessments").json()["items"] == []
