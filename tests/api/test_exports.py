"""Exports and paging links, on SQLite and PostgreSQL: every row once, dialects, XLSX, formulas."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, cast
from urllib.parse import parse_qs, urlsplit

import httpx
import openpyxl
import pytest

import api.exports
from api.exports import (
    ASSESSMENT_COLUMNS,
    GAP_COLUMNS,
    Table,
    csv_export,
    neutralise,
    xlsx_export,
)
from store.database import Database
from store.keys import Binding
from store.repository import AssessmentFilter, Repository
from tests.api.conftest import in_process
from tests.databases import BACKENDS, database_url, fresh

CEILING = 3
"""READINESS_EXPORT_MAX_ROWS of the app under test: small, so that exports are cut short."""

EVIL = ["=1+2;Evil", "+cmd", "@SUM(A1)", "-2+3", " =HYPERLINK(1)", "\t=1"]
"""Organisation names a spreadsheet would take for formulas, one organisation each."""

ANSWERS: dict[str, Any] = {
    "leadership": {"support": {"tactical": "yes", "strategic": "partly"}},
    "competence": {"tovholder": {"appointed": "yes"}, "training_available": "partly"},
    "process": {"implementation_plan": "yes", "monitoring": "no"},
}


@dataclass
class Exports:
    http: httpx.Client
    repository: Repository
    ids: dict[str, list[str]]
    """The stored ids of each organisation, newest first."""
    tmp: Path
    url: str
    admin: str


def _body(org: str, region: str, name: str) -> dict[str, Any]:
    return {
        "organisation": {"id": org, "name": name, "region": region, "country": "SE"},
        "intervention": {"name": "Familjeorienterat arbetssätt", "model": "family_oriented_work"},
        **ANSWERS,
    }


@pytest.fixture(scope="module", params=BACKENDS)
def exports(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Exports]:
    tmp = tmp_path_factory.mktemp(f"exports-{request.param}")
    url = database_url(request.param, tmp)
    database: Database = fresh(url)
    repository = Repository(database)
    admin = repository.create_key(["admin"])
    plan = [("se-7001-exp", "Skåne", "Malmö stad, IFO")] * 5
    plan += [("se-7002-exp", "Skåne", "Lunds kommun")] * 3
    plan += [("dk-7003-exp", "Syddanmark", "Aabenraa Kommune")] * 2
    plan += [(f"se-79{n:02d}-evil", "Gotland", name) for n, name in enumerate(EVIL)]
    ids: dict[str, list[str]] = {}
    with in_process(
        tmp, database_url=url, export_max_rows=str(CEILING), min_group_size="1"
    ) as client:
        client.headers["Authorization"] = f"Bearer {admin}"
        for org, region, name in plan:
            stored = client.post("/v1/assessments?store=true", json=_body(org, region, name))
            assert stored.status_code == 201, stored.text
            ids.setdefault(org, []).insert(0, stored.headers["x-assessment-id"])
        yield Exports(client, repository, ids, tmp, url, admin)
    database.close()


def _follow(http: httpx.Client, url: str) -> Iterator[httpx.Response]:
    """Every response of a query, following its `Link: rel="next"` headers."""
    while url:
        response = http.get(url)
        assert response.status_code == 200, response.text
        yield response
        url = response.links.get("next", {}).get("url", "")


def _csv(response: httpx.Response, delimiter: str = ",") -> list[list[str]]:
    assert response.content.startswith(b"\xef\xbb\xbf")
    return list(
        csv.reader(io.StringIO(response.content[3:].decode(), newline=""), delimiter=delimiter)
    )


def test_following_link_through_a_filtered_csv_export_gives_each_row_once(
    exports: Exports,
) -> None:
    wanted = exports.ids["se-7001-exp"]
    responses = list(_follow(exports.http, "/v1/assessments?organisation=se-7001-exp&format=csv"))
    assert len(responses) == 2  # 5 rows, 3 a response
    seen: list[str] = []
    for response in responses:
        assert response.headers["content-type"].startswith("text/csv")
        rows = _csv(response)
        assert rows[0][:3] == ["id", "created_at", "organisation_id"]
        data = [row for row in rows[1:] if not row[0].startswith("#")]
        assert {row[2] for row in data} == {"se-7001-exp"}
        seen += [row[0] for row in data]
    assert seen == wanted
    first = urlsplit(responses[0].links["next"]["url"])
    query = parse_qs(first.query)
    assert first.path == "/v1/assessments"
    assert {k: v for k, v in query.items() if k != "cursor"} == {
        "organisation": ["se-7001-exp"],
        "format": ["csv"],
        "dialect": ["rfc4180"],
    }


def test_following_link_through_json_pages_of_one_gives_the_filtered_rows(
    exports: Exports,
) -> None:
    wanted = exports.ids["se-7002-exp"] + exports.ids["se-7001-exp"]
    wanted.sort(reverse=True)
    responses = list(_follow(exports.http, "/v1/assessments?region=Sk%C3%A5ne&limit=1"))
    assert len(responses) == len(wanted) == 8
    seen = []
    for response in responses:
        page = response.json()
        assert len(page["items"]) == 1
        assert page["items"][0]["region"] == "Skåne"
        seen.append(page["items"][0]["id"])
        if page["next"] is None:
            assert page["next_url"] is None and "link" not in response.headers
        else:
            assert response.links["next"]["url"] == page["next_url"]
            assert "region=Sk%C3%A5ne&limit=1&cursor=" in page["next_url"]
            assert page["next_url"].endswith(f"cursor={page['next']}")
    assert seen == wanted


def test_an_export_cut_short_says_so_and_a_whole_one_does_not(exports: Exports) -> None:
    cut = exports.http.get("/v1/assessments?region=Sk%C3%A5ne&format=csv")
    whole = exports.http.get("/v1/assessments?region=Syddanmark&format=csv")
    assert cut.headers["x-export-truncated"] == "true"
    assert "cursor=" in cut.links["next"]["url"]
    assert "partial" in cut.headers["content-disposition"]
    last = _csv(cut)[-1]
    assert last[0].startswith(f"# truncated after {CEILING} assessments. More match: /v1/")
    assert len(_csv(cut)) == 1 + CEILING + 1
    assert cut.content.split(b"\r\n")[-2].startswith(b"# truncated")  # not quoted
    assert "x-export-truncated" not in whole.headers and "link" not in whole.headers
    assert whole.headers["content-disposition"] == 'attachment; filename="assessments.csv"'
    assert [row[0] for row in _csv(whole)[1:]] == exports.ids["dk-7003-exp"]
    # A limit below the ceiling cuts it too; NDJSON ends with a line saying so.
    limited = exports.http.get("/v1/assessments?region=Syddanmark&format=ndjson&limit=1")
    lines = [json.loads(line) for line in limited.text.splitlines()]
    assert lines[0]["id"] == exports.ids["dk-7003-exp"][0]
    assert lines[1] == {"truncated": True, "assessments": 1, "next": limited.links["next"]["url"]}
    rest = exports.http.get(limited.links["next"]["url"])
    assert [json.loads(line)["id"] for line in rest.text.splitlines()] == [
        exports.ids["dk-7003-exp"][1]
    ]
    assert "x-export-truncated" not in rest.headers
    empty = exports.http.get("/v1/assessments?region=Norrbotten&format=csv")
    assert _csv(empty)[1:] == [] and "x-export-truncated" not in empty.headers


def test_an_export_holds_every_row_not_a_page(exports: Exports) -> None:
    many = 55  # more than a JSON page's default of 50
    body = _body("se-7010-many", "Halland", "Halmstads kommun")
    for _ in range(many):
        assert exports.http.post("/v1/assessments?store=true", json=body).status_code == 201
    # The same database served on the default settings (READINESS_EXPORT_MAX_ROWS=100000).
    with in_process(exports.tmp, database_url=exports.url) as default:
        default.headers["Authorization"] = f"Bearer {exports.admin}"
        listed = default.get("/v1/assessments?organisation=se-7010-many").json()
        assert len(listed["items"]) == 50 and listed["next"]
        for export in ("csv", "xlsx", "ndjson"):
            response = default.get(f"/v1/assessments?organisation=se-7010-many&format={export}")
            assert "x-export-truncated" not in response.headers and "link" not in response.headers
            if export == "csv":
                rows: Sequence[object] = _csv(response)[1:]
            elif export == "xlsx":
                rows = _sheet(response)[1:]
            else:
                rows = response.text.splitlines()
            assert len(rows) == many, export


FIRST_COLUMNS = {
    "assessment": [
        "id", "created_at", "organisation_id", "organisation_name", "region", "intervention",
        "language", "readiness_level", "readiness_score", "ruleset_version", "ruleset_digest",
        "gaps", "blocking_gaps", "top_recommendation", "assessed_at",
    ],
    "gap": [
        "assessment_id", "created_at", "organisation_id", "organisation_name", "region",
        "intervention", "gap_id", "title", "dimension", "severity", "kind", "assessed_at",
    ],
}  # fmt: skip
"""The columns of each export as they were first published (with `assessed_at`)."""


def test_columns_are_only_ever_added_at_the_end() -> None:
    # A spreadsheet or a script that reads the columns by position keeps working.
    for rows, columns in (("assessment", ASSESSMENT_COLUMNS), ("gap", GAP_COLUMNS)):
        first = FIRST_COLUMNS[rows]
        assert columns[: len(first)] == first
        assert len(set(columns)) == len(columns)


def test_every_export_says_when_an_assessment_was_made(exports: Exports) -> None:
    # A survey made last year and stored today: `created_at` is today, `assessed_at` the day
    # it was made, which regional summaries count by; every export carries both.
    body = _body("se-7011-then", "Halland", "Falkenbergs kommun")
    stored = exports.http.post("/v1/assessments?store=true&assessed_on=2025-09-15", json=body)
    assert stored.status_code == 201, stored.text
    query = "/v1/assessments?organisation=se-7011-then"
    for rows, columns in (("assessment", ASSESSMENT_COLUMNS), ("gap", GAP_COLUMNS)):
        at = columns.index("assessed_at")
        table = _csv(exports.http.get(f"{query}&format=csv&dialect=rfc4180&rows={rows}"))
        assert table[0] == columns and len(table) > 1
        for row in table[1:]:
            assert row[at] == "2025-09-15T00:00:00Z"
            assert not row[1].startswith("2025-09-15")  # created_at: when it was stored
        sheet = _sheet(exports.http.get(f"{query}&format=xlsx&rows={rows}"))
        assert [row[at] for row in sheet[1:]] == [datetime(2025, 9, 15)] * (len(sheet) - 1)
    (line,) = exports.http.get(f"{query}&format=ndjson").text.splitlines()
    assert json.loads(line)["assessed_at"] == "2025-09-15T00:00:00Z"


@pytest.mark.parametrize(
    ("org", "country", "region", "language"),
    [
        ("se-7012-top", "SE", "Jämtland Härjedalen", "sv"),
        ("dk-7013-top", "DK", "Nordjylland", "da"),
    ],
)
def test_an_assessment_row_names_its_first_recommendation_as_the_result_did(
    exports: Exports, org: str, country: str, region: str, language: str
) -> None:
    # An analyst reads the action, not only its id: the title the stored result gave it, in the
    # assessment's language and in the words for its country and model.
    body = _body(org, region, "Kommune")
    body["organisation"]["country"] = country
    stored = exports.http.post(f"/v1/assessments?store=true&lang={language}", json=body)
    assert stored.status_code == 201, stored.text
    first = stored.json()["recommendations"][0]
    query = f"/v1/assessments?organisation={org}"
    table = _csv(exports.http.get(f"{query}&format=csv&dialect=rfc4180"))
    (row,) = [dict(zip(table[0], r, strict=True)) for r in table[1:]]
    assert row["language"] == language
    assert (row["top_recommendation"], row["top_recommendation_title"]) == (
        first["id"],
        first["title"],
    )
    sheet = _sheet(exports.http.get(f"{query}&format=xlsx"))
    column = ASSESSMENT_COLUMNS.index("top_recommendation_title")
    assert [r[column] for r in sheet[1:]] == [first["title"]]


def test_every_export_and_listing_gives_the_organisation_s_stage(exports: Exports) -> None:
    # Phase 1 (steps 1-8) done: the organisation is at stage 2, as its result says.
    body = _body("se-7014-stage", "Västernorrland", "Sundsvalls kommun")
    body["process"] = {f"step_{n}": "done" for n in range(1, 9)}
    stored = exports.http.post("/v1/assessments?store=true", json=body)
    assert stored.status_code == 201, stored.text
    assert stored.json()["readiness"]["stage"] == 2
    query = "/v1/assessments?organisation=se-7014-stage"
    table = _csv(exports.http.get(f"{query}&format=csv&dialect=rfc4180"))
    assert [row[ASSESSMENT_COLUMNS.index("stage")] for row in table[1:]] == ["2"]
    sheet = _sheet(exports.http.get(f"{query}&format=xlsx"))
    assert [row[ASSESSMENT_COLUMNS.index("stage")] for row in sheet[1:]] == [2]
    (line,) = exports.http.get(f"{query}&format=ndjson").text.splitlines()
    assert json.loads(line)["stage"] == 2
    assert [item["stage"] for item in exports.http.get(query).json()["items"]] == [2]


def test_the_nordic_dialect_reads_into_the_right_columns(exports: Exports) -> None:
    response = exports.http.get(
        "/v1/assessments?organisation=dk-7003-exp&dialect=excel-nordic&format=csv"
    )
    assert response.content.startswith(b"\xef\xbb\xbfid;created_at;")
    assert response.content.count(b"\r\n") == 3 and b"\n" not in response.content.replace(
        b"\r\n", b""
    )
    rows = _csv(response, delimiter=";")
    records = [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
    stored = exports.http.get(f"/v1/assessments/{exports.ids['dk-7003-exp'][0]}").json()
    score = stored["readiness_score"]
    assert isinstance(score, float) and score != int(score)  # a score with decimals
    first = records[0]
    assert first["id"] == stored["id"]
    assert first["organisation_name"] == "Aabenraa Kommune"
    assert first["region"] == "Syddanmark"
    assert first["readiness_score"] == repr(score).replace(".", ",")
    assert first["intervention"] == "Familjeorienterat arbetssätt"


@pytest.mark.parametrize(
    ("how", "delimiter"),
    [
        ({"params": {"lang": "sv"}}, ";"),
        ({"headers": {"Accept-Language": "da-DK,da;q=0.9,en;q=0.5"}}, ";"),
        ({"params": {"lang": "en"}, "headers": {"Accept-Language": "sv"}}, ","),
        ({}, ","),
        ({"params": {"lang": "sv", "dialect": "rfc4180"}}, ","),
    ],
)
def test_the_dialect_follows_the_language_unless_named(
    exports: Exports, how: dict[str, Any], delimiter: str
) -> None:
    params = {"format": "csv", "region": "Syddanmark", **how.get("params", {})}
    listed = exports.http.get("/v1/assessments", params=params, headers=how.get("headers"))
    assert listed.headers["vary"] == "Accept-Language"
    assert listed.content[3:].startswith(f"id{delimiter}created_at".encode())
    summary_params = {"format": "csv", **how.get("params", {})}
    summary = exports.http.get(
        "/v1/regions/Skåne/summary", params=summary_params, headers=how.get("headers")
    )
    rows = _csv(summary, delimiter)
    assert rows[0] == ["section", "item", "title", "measure", "value", "share"]
    decimal = "," if delimiter == ";" else "."
    shares = [row[5] for row in rows if row[0] == "gaps"]
    # Each gap with its title in the language asked for, and no flag spelt as a word.
    assert all(row[2] for row in rows if row[0] == "gaps")
    assert not [row for row in rows if row[4] in ("True", "False")]
    assert shares and all(decimal in share for share in shares)
    assert all(share.replace(decimal, "", 1).isdigit() for share in shares)


def _sheet(response: httpx.Response) -> list[tuple[Any, ...]]:
    """The rows of the workbook's one sheet, read by openpyxl."""
    assert response.headers["content-type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    return list(sheet.iter_rows(values_only=True))


def test_the_xlsx_export_has_numbers_times_and_text(exports: Exports) -> None:
    response = exports.http.get("/v1/assessments?organisation=se-7001-exp&format=xlsx")
    assert response.headers["x-export-truncated"] == "true"
    assert "partial.xlsx" in response.headers["content-disposition"]
    rows = _sheet(response)
    header = list(rows[0])
    assert header[:3] == ["id", "created_at", "organisation_id"]
    data = rows[1 : 1 + CEILING]
    assert [row[0] for row in data] == exports.ids["se-7001-exp"][:CEILING]
    for row in data:
        record = dict(zip(header, row, strict=True))
        stored = exports.http.get(f"/v1/assessments/{record['id']}").json()
        created = datetime.fromisoformat(stored["created_at"]).replace(tzinfo=None)
        assert isinstance(record["created_at"], datetime)
        assert abs(record["created_at"] - created) < timedelta(seconds=1)  # UTC, not local
        assert record["readiness_score"] == stored["readiness_score"]
        assert isinstance(record["gaps"], int)
        assert record["organisation_name"] == "Malmö stad, IFO"
    assert len(rows) == 1 + CEILING + 1
    assert str(rows[-1][0]).startswith(f"# truncated after {CEILING} assessments. More match:")
    rest = _sheet(exports.http.get(response.links["next"]["url"]))
    assert [row[0] for row in rest[1:]] == exports.ids["se-7001-exp"][CEILING:]
    # One row per gap: as many as the assessments' gap counts say.
    assessments = _sheet(exports.http.get("/v1/assessments?region=Syddanmark&format=xlsx"))
    gaps = exports.http.get("/v1/assessments?region=Syddanmark&format=xlsx&rows=gap")
    assert gaps.headers["content-disposition"] == 'attachment; filename="gaps.xlsx"'
    gap_sheet = _sheet(gaps)
    assert list(gap_sheet[0]) == GAP_COLUMNS
    column = ASSESSMENT_COLUMNS.index("gaps")
    assert len(gap_sheet) - 1 == sum(row[column] for row in assessments[1:]) > 0
    assert {row[0] for row in gap_sheet[1:]} == set(exports.ids["dk-7003-exp"])


@pytest.mark.parametrize("dialect", ["rfc4180", "excel-nordic"])
def test_formulas_come_back_as_text_in_csv(exports: Exports, dialect: str) -> None:
    url = f"/v1/assessments?region=Gotland&format=csv&dialect={dialect}"
    names: list[str] = []
    for response in _follow(exports.http, url):
        rows = _csv(response, ";" if dialect == "excel-nordic" else ",")
        column = rows[0].index("organisation_name")
        names += [row[column] for row in rows[1:] if not row[0].startswith("#")]
    assert sorted(names) == sorted("'" + name for name in EVIL)


def test_formulas_come_back_as_text_in_xlsx(exports: Exports) -> None:
    names: list[str] = []
    for response in _follow(exports.http, "/v1/assessments?region=Gotland&format=xlsx"):
        with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
            assert b"<f>" not in archive.read("xl/worksheets/sheet1.xml")  # no formula at all
        sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
        assert sheet is not None
        for row in sheet.iter_rows(min_row=2):
            if str(row[0].value).startswith("#"):
                continue
            cell = row[3]
            assert cell.data_type == "s", cell.value  # a string, never "f" (a formula)
            names.append(cast(str, cell.value))  # data type "s": the value is a str
    assert sorted(names) == sorted("'" + name for name in EVIL)


@pytest.mark.parametrize(
    ("text", "written"),
    [
        ("=1+2", "'=1+2"),
        ("+46 8 123", "'+46 8 123"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("\n=1", "'\n=1"),
        ("  =1+2", "'  =1+2"),
        ("Malmö stad", "Malmö stad"),
        ("se-1280", "se-1280"),
        ("a=b", "a=b"),
        ("", ""),
    ],
)
def test_neutralise(text: str, written: str) -> None:
    assert neutralise(text) == written


def test_numbers_stay_numbers_and_separators_stay_inside_a_cell() -> None:
    table = Table(["a", "b", "c", "d"], [[[-2.5, "-2.5", "x;=1", 3]]])
    nordic = b"".join(csv_export(table, "excel-nordic")).decode()
    plain = b"".join(csv_export(table, "rfc4180")).decode()
    assert nordic == '\ufeffa;b;c;d\r\n-2,5;\'-2.5;"x;=1";3\r\n'
    assert plain == '\ufeffa,b,c,d\r\n-2.5,\'-2.5,"x;=1",3\r\n'


def test_xlsx_rows_beyond_a_worksheet_continue_on_another(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(api.exports, "SHEET_ROWS", 3)  # a header and two rows a sheet
    table = Table(["n", "text"], [[[1, "=a"], [2, "b"]], [[3, "c"]], [[4, "d"]]], "# note")
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(xlsx_export(table, "gaps"))))
    sheets = {sheet.title: list(sheet.iter_rows(values_only=True)) for sheet in workbook}
    assert sheets == {
        "gaps": [("n", "text"), (1, "'=a"), (2, "b")],
        "gaps 2": [("n", "text"), (3, "c"), (4, "d")],
        "gaps 3": [("n", "text"), ("# note", None)],
    }


def test_chunks_read_every_row_between_the_ids_once(exports: Exports) -> None:
    repository, everyone = exports.repository, Binding()
    wanted = [i.id for i in repository.page(AssessmentFilter(), everyone, limit=500)[0]]
    span = repository.span(AssessmentFilter(), everyone, None, 7)
    assert span == (wanted[0], wanted[6])
    chunks = list(
        repository.chunks(AssessmentFilter(), everyone, *span, with_results=False, size=2)
    )
    assert [len(chunk) for chunk in chunks] == [2, 2, 2, 1]
    assert [i.id for chunk in chunks for i in chunk] == wanted[:7]
    assert all(i.result_json == "" for chunk in chunks for i in chunk)
    whole = repository.span(AssessmentFilter(), everyone, wanted[1], 500)
    assert whole == (wanted[2], None)
    rest = list(repository.chunks(AssessmentFilter(), everyone, wanted[2], None, size=4))
    assert [i.id for chunk in rest for i in chunk] == wanted[2:]
    # A row stored after the span was fixed is not in what the span reads.
    span = repository.span(AssessmentFilter(), everyone, None, 500)
    assert span is not None
    created = exports.http.post("/v1/assessments?store=true", json=_body("se-7011", "Gotland", "x"))
    assert created.status_code == 201
    read = [i.id for chunk in repository.chunks(AssessmentFilter(), everyone, *span) for i in chunk]
    assert read == [i.id for i in repository.page(AssessmentFilter(), everyone, limit=500)[0][1:]]
    nothing = AssessmentFilter(region="Norrbotten")
    assert repository.span(nothing, everyone, None, 5) is None
    bound = repository.span(AssessmentFilter(), Binding(region="Syddanmark"), None, 5)
    assert bound == (exports.ids["dk-7003-exp"][0], None)


def test_the_openapi_document_lists_the_export_media_types(exports: Exports) -> None:
    document = exports.http.get("/schema/openapi.json").json()
    listed = document["paths"]["/v1/assessments"]["get"]["responses"]["200"]
    content = listed["content"]
    assert {"text/csv", "application/x-ndjson"} < set(content)
    xlsx = content["application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"]
    assert xlsx["schema"]["format"] == "binary"
    assert {"Link", "X-Export-Truncated"} <= set(listed["headers"])
