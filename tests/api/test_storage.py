"""Stored assessments over HTTP, with SQLite and with PostgreSQL; a killed server loses nothing."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from store.database import Database
from tests.api.conftest import ROOT, in_process, start, stop
from tests.databases import BACKENDS, database_url, fresh


@dataclass
class Stored:
    """A client of the app in process on a database of `url`, and keys made in it, by name."""

    http: httpx.Client
    url: str
    keys: dict[str, str]

    @contextmanager
    def client(self, key: str | None) -> Iterator[httpx.Client]:
        """The app's client, presenting the key named `key` (None: no key)."""
        client = self.http
        assert "authorization" not in client.headers, "one key at a time"
        saved = client.headers.copy()
        if key:
            client.headers["Authorization"] = f"Bearer {self.keys[key]}"
        try:
            yield client
        finally:
            client.headers = saved


def create_key(url: str, *args: str) -> str:
    done = subprocess.run(  # noqa: S603 - fixed interpreter and module
        [sys.executable, "-m", "api", "keys", "create", *args],
        cwd=ROOT, env={**os.environ, "READINESS_DATABASE_URL": url},
        capture_output=True, text=True, check=True, timeout=60,
    )  # fmt: skip
    return done.stdout.strip()


@pytest.fixture(scope="module", params=BACKENDS)
def stored(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Stored]:
    tmp = tmp_path_factory.mktemp(f"stored-{request.param}")
    url = database_url(request.param, tmp)
    fresh(url).close()
    keys = {
        "admin": create_key(url, "--scopes", "admin"),
        "a": create_key(url, "--scopes", "assess,read", "--region", "Stockholm"),
        "b": create_key(url, "--scopes", "assess,read", "--region", "Skåne"),
        "org": create_key(url, "--scopes", "read", "--organisation", "se-0180-a0"),
        "assess_only": create_key(url, "--scopes", "assess", "--region", "Stockholm"),
    }
    with in_process(tmp, database_url=url, min_group_size="5") as client:
        yield Stored(client, url, keys)


def assessment(org: str, region: str, name: str, **answers: Any) -> dict[str, Any]:
    return {
        "organisation": {"id": org, "name": name, "region": region, "country": "SE"},
        "intervention": {"name": "Familjeorienterat arbetssätt", "model": "family_oriented_work"},
        **answers,
    }


def post(client: httpx.Client, body: dict[str, Any], **headers: str) -> httpx.Response:
    return client.post("/v1/assessments?store=true&lang=sv", json=body, headers=headers)


def test_a_stored_result_comes_back_byte_identical(stored: Stored) -> None:
    with stored.client("a") as client:
        response = post(
            client, assessment("se-0180-a0", "Stockholm", "Södermalms stadsdelsförvaltning")
        )
        assert response.status_code == 201, response.text
        location = response.headers["location"]
        assert location == f"/v1/assessments/{response.headers['x-assessment-id']}"
        again = client.get(f"{location}/result")
        assert again.content == response.content
        envelope = client.get(location)
        assert response.content in envelope.content
        meta = envelope.json()
        assert meta["organisation_id"] == "se-0180-a0"
        assert meta["region"] == "Stockholm"
        assert meta["ruleset_digest"] == response.headers["x-ruleset-digest"]


def test_deltas_over_three_assessments_of_one_municipality(stored: Stored) -> None:
    org = "se-0181-delta"
    first = assessment(
        org, "Stockholm", "Södertälje",
        leadership={"support": {"tactical": "no", "strategic": "yes"}},
        competence={"tovholder": {"appointed": "no"}, "training_available": "no"},
        process={"implementation_plan": "no", "monitoring": "no"},
    )  # fmt: skip
    second = assessment(
        org, "Stockholm", "Södertälje",
        leadership={"support": {"tactical": "yes", "strategic": "yes"}},
        competence={"tovholder": {"appointed": "no"}, "training_available": "partly"},
        process={"implementation_plan": "yes", "monitoring": "no"},
    )  # fmt: skip
    third = assessment(
        org, "Stockholm", "Södertälje",
        leadership={"support": {"tactical": "yes", "strategic": "yes"}},
        competence={"tovholder": {"appointed": "yes"}, "training_available": "yes"},
        process={"implementation_plan": "yes", "monitoring": "no"},
        risks={"staff_turnover": "high"},
    )  # fmt: skip
    with stored.client("a") as client:
        ids = []
        for body in (first, second, third):
            response = post(client, body)
            assert response.status_code == 201
            ids.append(response.headers["x-assessment-id"])
        delta = client.get(f"/v1/assessments/{ids[2]}/delta").json()
        assert delta["against"] == ids[1]
        closed = {g["id"] for g in delta["gaps_closed"]}
        assert {"competence/tovholder-missing", "competence/training-missing"} <= closed
        assert {g["id"] for g in delta["gaps_new"]} >= {"risks/high-staff-turnover"}
        persisting = {g["id"]: g for g in delta["gaps_persisting"]}
        assert persisting["process/no-monitoring"]["open_since_assessment"] == ids[0]
        assert persisting["process/no-monitoring"]["days_open"] == 0
        assert "appoint-tovholder" in {r["id"] for r in delta["recommendations_no_longer_needed"]}
        competence = next(d for d in delta["dimensions"] if d["dimension"] == "competence")
        assert competence["change"] > 0
        against_first = client.get(f"/v1/assessments/{ids[2]}/delta?against={ids[0]}").json()
        assert "leadership/tactical-support" in {g["id"] for g in against_first["gaps_closed"]}
        assert (
            client.get(f"/v1/assessments/{ids[0]}/delta").json()["code"] == "no-earlier-assessment"
        )


def test_a_delta_says_when_the_organisation_moved_on_to_the_next_phase(stored: Stored) -> None:
    org = "se-0182-phase"
    begun = assessment(org, "Stockholm", "Nykvarn", process={"step_1": "done", "step_2": "partly"})
    done = {f"step_{n}": "done" for n in range(1, 9)}
    later = assessment(org, "Stockholm", "Nykvarn", process=done)
    with stored.client("a") as client:
        ids = []
        for body in (begun, later):
            response = post(client, body)
            assert response.status_code == 201
            ids.append(response.headers["x-assessment-id"])
        readiness = client.get(f"/v1/assessments/{ids[1]}/delta").json()["readiness"]
        listed = client.get(f"/v1/assessments?organisation={org}").json()["items"]
    # The initial assessment (Steg 1-8) done: from phase 1 to phase 2.
    assert (readiness["stage_before"], readiness["stage_after"]) == (1, 2)
    assert [item["stage"] for item in listed] == [2, 1]


def test_regional_summary_suppresses_small_groups(stored: Stored) -> None:
    with stored.client("b") as client:
        for i in range(6):
            body = assessment(
                f"se-12{i:02d}-sum", "Skåne", f"Kommun {i} i Skåne",
                leadership={"support": {"tactical": "no" if i < 5 else "yes"}},
                competence={"tovholder": {"appointed": "no" if i == 0 else "yes"}},
            )  # fmt: skip
            assert post(client, body).status_code == 201
        summary = client.get("/v1/regions/Skåne/summary").json()
    assert summary["suppressed"] is False
    assert summary["organisations"] >= 6
    gaps = {g["id"]: g for g in summary["gaps"]}
    assert gaps["leadership/tactical-support"]["organisations"] == 5
    assert "competence/tovholder-missing" not in gaps  # one organisation: suppressed
    assert summary["gaps_suppressed"] >= 1
    leadership = next(d for d in summary["dimensions"] if d["dimension"] == "leadership")
    assert sum(leadership["levels"].values()) == summary["organisations"]
    assert summary["trend"][0]["organisations"] >= 6
    with stored.client("admin") as admin:
        small = admin.get("/v1/regions/Gotland/summary").json()
    assert small["suppressed"] is True
    assert "gaps" not in small


def test_a_region_key_never_sees_a_byte_of_another_region(stored: Stored) -> None:
    secret_name = "Hemlig kommun i Skåne"
    with stored.client("b") as b:
        created = post(b, assessment("se-1299-iso", "Skåne", secret_name))
        b_id = created.headers["x-assessment-id"]
    with stored.client("a") as a:
        for path in (
            f"/v1/assessments/{b_id}",
            f"/v1/assessments/{b_id}/result",
            f"/v1/assessments/{b_id}/delta",
            f"/v1/assessments/{b_id}/delta?against={b_id}",
            "/v1/regions/Skåne/summary",
            "/v1/regions/Skåne/summary?format=csv",
        ):
            response = a.get(path)
            assert response.status_code == 404, path
            assert secret_name not in response.text and b_id not in response.text.replace(
                f"no assessment {b_id!r}", ""
            )
        for path in (
            "/v1/assessments?limit=500",
            "/v1/assessments?region=Skåne",
            "/v1/assessments?organisation=se-1299-iso",
            "/v1/assessments?format=csv&limit=500",
            "/v1/assessments?format=csv&rows=gap&limit=500",
            "/v1/assessments?format=ndjson&limit=500",
        ):
            response = a.get(path)
            assert response.status_code == 200, path
            assert secret_name.encode() not in response.content, path
            assert b_id.encode() not in response.content, path
            assert "Skåne".encode() not in response.content, path
        storing_elsewhere = post(a, assessment("se-1299-iso", "Skåne", "x"))
        assert storing_elsewhere.json()["code"] == "outside-binding"
    with stored.client("org") as org:
        assert org.get(f"/v1/assessments/{b_id}").status_code == 404
        assert org.get("/v1/regions/Stockholm/summary").status_code == 404
        listed = org.get("/v1/assessments").json()["items"]
        assert {i["organisation_id"] for i in listed} <= {"se-0180-a0"}


def test_retries_with_an_idempotency_key_store_once(stored: Stored) -> None:
    body = assessment("se-0182-idem", "Stockholm", "Nacka")
    with stored.client("a") as client:
        first = post(client, body, **{"Idempotency-Key": "order-77"})
        second = post(client, body, **{"Idempotency-Key": "order-77"})
        assert (first.status_code, second.status_code) == (201, 201)
        assert second.headers["x-assessment-id"] == first.headers["x-assessment-id"]
        assert second.headers["idempotent-replayed"] == "true"
        assert second.content == first.content
        listed = client.get("/v1/assessments?organisation=se-0182-idem").json()["items"]
        assert len(listed) == 1
        other = post(
            client, {**body, "risks": {"staff_turnover": "high"}}, **{"Idempotency-Key": "order-77"}
        )
        assert (other.status_code, other.json()["code"]) == (409, "idempotency-key-reused")


def test_csv_export_opens_with_the_right_letters(stored: Stored) -> None:
    with stored.client("admin") as admin:
        post(admin, assessment("dk-0580-csv", "Syddanmark", "Aabenraa Kommune, Børn og Familie"))
        post(admin, assessment("se-1280-csv", "Skåne", "Malmö stad, Individ- och familjeomsorgen"))
        response = admin.get("/v1/assessments?format=csv&limit=500")
        by_gap = admin.get("/v1/assessments?format=csv&rows=gap&limit=500")
        summary = admin.get("/v1/regions/Skåne/summary?format=csv")
    assert response.headers["content-type"].startswith("text/csv")
    for export in (response, by_gap, summary):
        assert export.content.startswith(b"\xef\xbb\xbf")
    assert "Børn og Familie".encode() in response.content
    assert b"Malm\xc3\xb6 stad" in response.content
    assert "Sk\u00e5ne".encode() in response.content
    header = response.content[3:].split(b"\r\n", 1)[0].decode()
    assert header.startswith("id,created_at,organisation_id")
    assert by_gap.content[3:].split(b"\r\n", 1)[0].decode().startswith("assessment_id,")


def test_ndjson_and_cursor_paging(stored: Stored) -> None:
    with stored.client("admin") as admin:
        everything = admin.get("/v1/assessments?limit=500").json()["items"]
        seen: list[str] = []
        url = "/v1/assessments?limit=3"
        while url:
            page = admin.get(url)
            body = page.json()
            seen += [i["id"] for i in body["items"]]
            url = f"/v1/assessments?limit=3&cursor={body['next']}" if body["next"] else ""
        assert seen == [i["id"] for i in everything]
        lines = admin.get("/v1/assessments?format=ndjson&limit=500").text.splitlines()
        assert [json.loads(line)["id"] for line in lines] == seen
        bad = admin.get("/v1/assessments?cursor=not-ours")
        assert bad.json()["code"] == "invalid-cursor"
        # An empty cursor (as a form or a template leaves it) is the first page.
        empty = admin.get("/v1/assessments?limit=3&cursor=")
        assert [i["id"] for i in empty.json()["items"]] == seen[:3]


def test_keys_and_scopes(stored: Stored) -> None:
    with stored.client(None) as anonymous:
        assert anonymous.post("/v1/assessments", json={}).json()["code"] == "missing-api-key"
        assert anonymous.get("/v1/assessments").status_code == 401
        wrong = anonymous.get("/v1/assessments", headers={"X-API-Key": "rk_000000000000_nope"})
        assert wrong.json()["code"] == "invalid-api-key"
    with stored.client("assess_only") as assess_only:
        assert assess_only.get("/v1/assessments").json()["code"] == "insufficient-scope"
        assert assess_only.post("/v1/assessments", json={}).status_code == 200
    with stored.client("org") as org:
        assert org.post("/v1/assessments", json={}).json()["code"] == "insufficient-scope"
    with stored.client("a") as a:
        missing = a.post("/v1/assessments?store=true", json={})
        assert missing.json()["code"] == "organisation-required"
        assert a.delete("/v1/organisations/se-0182-idem/assessments").status_code == 403


def test_deleting_an_organisation_for_retention(stored: Stored) -> None:
    with stored.client("a") as a:
        created = post(a, assessment("se-0183-del", "Stockholm", "Huddinge"))
        assert created.status_code == 201
    with stored.client("admin") as admin:
        gone = admin.delete("/v1/organisations/se-0183-del/assessments").json()
        assert gone == {"deleted": 1, "rounds": 0}
        assert admin.get(created.headers["location"]).status_code == 404


@pytest.mark.server
def test_no_acknowledged_write_is_lost_when_the_server_is_killed(
    stored: Stored, tmp_path: Path
) -> None:
    server = start(tmp_path, database_url=stored.url)
    acknowledged: list[str] = []
    lock = threading.Lock()
    stop_at = time.monotonic() + 30

    def client_loop(n: int) -> None:
        with httpx.Client(
            base_url=server.url, headers={"Authorization": f"Bearer {stored.keys['a']}"}, timeout=10
        ) as client:
            i = 0
            while time.monotonic() < stop_at:
                body = assessment(f"se-kill-{n}-{i}", "Stockholm", f"Kommun {n}-{i}")
                try:
                    response = client.post("/v1/assessments?store=true", json=body)
                except httpx.TransportError:
                    return
                if response.status_code == 201:
                    with lock:
                        acknowledged.append(response.headers["x-assessment-id"])
                i += 1

    threads = [threading.Thread(target=client_loop, args=(n,)) for n in range(16)]
    for thread in threads:
        thread.start()
    while len(acknowledged) < 50 and time.monotonic() < stop_at:
        time.sleep(0.05)
    server.process.kill()
    server.process.wait(timeout=10)
    for thread in threads:
        thread.join(timeout=15)
    assert len(acknowledged) >= 50
    restarted = start(tmp_path, database_url=stored.url)
    try:
        with httpx.Client(
            base_url=restarted.url, headers={"Authorization": f"Bearer {stored.keys['admin']}"}
        ) as admin:
            lost = [
                i
                for i in acknowledged
                if admin.get(f"/v1/assessments/{i}/result").status_code != 200
            ]
    finally:
        stop(restarted)
    assert lost == []


def test_admin_validates_uploaded_rule_files_and_reloads(stored: Stored) -> None:
    broken = "id: leadership/uploaded\nwhen: {leadership.support.tactical: maybe}\n"
    with stored.client("admin") as admin:
        report = admin.post(
            "/v1/rules/validate", json={"files": {"logic/leadership/uploaded.yaml": broken}}
        ).json()
        assert report["errors"] >= 1
        assert {f["file"] for f in report["findings"]} == {"rules/logic/leadership/uploaded.yaml"}
        assert all(f["hint"] for f in report["findings"])
        # The document's pattern for file names is exactly what the server accepts.
        document = admin.get("/schema/openapi.json").json()
        body = document["paths"]["/v1/rules/validate"]["post"]["requestBody"]["content"]
        names = body["application/json"]["schema"]["properties"]["files"]["propertyNames"]
        for name in ["../x.yaml", "/etc/x.yaml", ".hidden.yaml", "logic/x.yml", "a\x00.yaml",
                     "logic/ä.yaml", "index.yaml/x.yaml", "x" * 200 + ".yaml"]:  # fmt: skip
            assert not re.fullmatch(names["pattern"].strip("^$"), name) or len(name) > 200
            escape = admin.post("/v1/rules/validate", json={"files": {name: "a: 1"}})
            assert escape.json()["code"] == "invalid-path", name
        reloaded = admin.post("/v1/rules/reload")
        assert reloaded.status_code == 200
        assert reloaded.json()["ok"] is True
        assert reloaded.json()["serving"] == admin.get("/ready").json()["ruleset"]["digest"]
    with stored.client("a") as a:
        assert a.post("/v1/rules/reload").json()["code"] == "insufficient-scope"
        assert a.post("/v1/rules/validate", json={"files": {}}).status_code == 403


def test_the_app_releases_its_database_connections_when_it_stops(
    tmp_path: Path, closed_databases: list[Database]
) -> None:
    with in_process(tmp_path) as client:
        closed_databases.clear()  # the migration's own connection, before the app was built
        assert client.get("/ready").status_code == 200
        assert closed_databases == []
    assert [d.url for d in closed_databases] == [f"sqlite:///{tmp_path / 'readiness.sqlite3'}"]
