"""The regional dashboard in process: what it shows, what it hides, who may see it, its exports.

On SQLite and PostgreSQL. Three regions: Kronoberg with four organisations over two quarters (one quarter with a single
organisation), Blekinge with two (fewer than the minimum group of three), and Skåne with three.
The dashboard must show what `GET /v1/regions/{region}/summary` answers, suppressed alike, and
refuse what it refuses.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from html import unescape
from pathlib import Path
from typing import Any

import httpx
import pytest
from openpyxl import load_workbook

from api.pages.charts import Bar, bar_chart, column_chart
from api.pages.dashboard import TEXTS, _findings, quarter_name
from store.database import Database
from store.repository import Repository
from tests.api.conftest import in_process
from tests.databases import BACKENDS, database_url, fresh

MINIMUM = 3


@dataclass
class Site:
    http: httpx.Client
    keys: dict[str, str]
    ids: dict[str, list[str]]

    def api(self, key: str, path: str, **params: str) -> httpx.Response:
        return self.http.get(path, params=params, headers={"X-API-Key": self.keys[key]})


def _body(organisation: str, region: str, weak: bool, name: str | None = None) -> dict[str, Any]:
    answer = "no" if weak else "yes"
    return {
        "organisation": {
            "id": organisation,
            "country": "SE",
            "region": region,
            **({"name": name} if name else {}),
        },
        "intervention": {"name": "Familjeorienterat arbetssätt", "kind": "method"},
        "leadership": {
            "support": {"strategic": "yes", "tactical": answer, "operational": "partly"}
        },
        "competence": {"tovholder": {"appointed": answer}, "training_available": "partly"},
        "risks": {"staff_turnover": "high" if weak else "low"},
    }


STORED = [
    # (organisation, region, day, weak)
    ("kr-00", "Kronoberg", "2026-03-10", True),
    ("kr-00", "Kronoberg", "2026-08-10", False),
    ("kr-01", "Kronoberg", "2026-08-11", True),
    ("kr-02", "Kronoberg", "2026-08-12", False),
    ("kr-03", "Kronoberg", "2026-08-13", False),
    ("bl-00", "Blekinge", "2026-08-10", True),
    ("bl-01", "Blekinge", "2026-08-11", False),
    ("sk-00", "Skåne", "2026-08-10", True),
    ("sk-01", "Skåne", "2026-08-11", True),
    ("sk-02", "Skåne", "2026-08-12", False),
]


@pytest.fixture(scope="module", params=BACKENDS)
def site(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Site]:
    tmp: Path = tmp_path_factory.mktemp(f"dashboard-{request.param}")
    url = database_url(request.param, tmp)
    fresh(url).close()
    with in_process(
        tmp,
        database_url=url,
        assess_without_key="false",
        min_group_size=str(MINIMUM),
        secure_cookies="false",
    ) as http:
        database = Database(url)
        repository = Repository(database)
        keys = {
            "admin": repository.create_key(["admin"]),
            "kronoberg": repository.create_key(["read", "assess"], region="Kronoberg"),
            "blekinge": repository.create_key(["read"], region="Blekinge"),
            "organisation": repository.create_key(["read"], organisation_id="kr-01"),
            "assess-only": repository.create_key(["assess"], region="Kronoberg"),
        }
        database.close()
        ids: dict[str, list[str]] = {}
        for organisation, region, day, weak in STORED:
            name = "Växjö IFO" if organisation == "kr-02" else None
            answer = http.post(
                "/v1/assessments",
                params={"store": "true", "assessed_on": day},
                json=_body(organisation, region, weak, name),
                headers={"X-API-Key": keys["admin"]},
            )
            assert answer.status_code == 201, answer.text
            ids.setdefault(region, []).append(answer.headers["X-Assessment-Id"])
        yield Site(http, keys, ids)


def sign_in(site: Site, key: str | None) -> None:
    """Sign the client's session in with `key` (None: sign out), through the login form."""
    site.http.cookies.clear()
    if key is None:
        return
    form = site.http.get("/login?lang=en")
    csrf = re.search(r'name="csrf" value="([^"]+)"', form.text)
    assert csrf is not None
    signed = site.http.post(
        "/login?lang=en", data={"csrf": csrf.group(1), "key": site.keys[key], "next": "/"}
    )
    assert signed.status_code == 303, signed.text


def dashboard(site: Site, key: str | None, **params: str) -> httpx.Response:
    sign_in(site, key)
    return site.http.get("/dashboard", params=params)


def text_of(html: str) -> str:
    """The page's text, tags removed, blanks collapsed."""
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def section(html: str, ident: str) -> str:
    """The text of the element with `id` up to the end of its section (or table)."""
    start = html.index(f'id="{ident}"')
    end = min(i for i in (html.find("</section>", start), html.find("</table>", start)) if i != -1)
    return text_of(html[html.rfind("<", 0, start) : end])


def listed(html: str) -> list[str]:
    """The organisations the list of latest assessments names, one per row, in order."""
    table = html.split('id="organisations-table"', 1)[1].split("</table>", 1)[0]
    return [text_of(cell) for cell in re.findall(r'<th scope="row">(.*?)</th>', table)]


def test_a_region_key_sees_its_region_as_the_summary_endpoint_counts_it(site: Site) -> None:
    page = dashboard(site, "kronoberg", lang="en")
    assert page.status_code == 200, page.text
    assert page.headers["content-language"] == "en"
    summary = site.api("kronoberg", "/v1/regions/Kronoberg/summary", lang="en").json()
    html = page.text
    assert "<h1>Regional dashboard: Kronoberg</h1>" in html
    figures = section(html, "key-figures")
    assert "Organisations 4" in figures and "Assessments 5" in figures
    levels = section(html, "levels-table")
    for level, name in (("ready", "Ready"), ("partly_ready", "Partly ready")):
        count = summary["readiness_levels"].get(level, 0)
        assert f"{name} {count}" in levels
    gaps = section(html, "gaps-table")
    assert summary["gaps"] and summary["obstacles"]
    for gap in summary["gaps"]:
        assert f"{gap['title']} {gap['id']} {gap['organisations']}" in gaps
    obstacles = section(html, "obstacles-table")
    for obstacle in summary["obstacles"]:
        assert f"{obstacle['title']} {obstacle['id']} {obstacle['organisations']}" in obstacles
    # Where the organisations are in the work, and what they have to do first.
    stages = section(html, "stages-table")
    for stage, name in ((1, "Initial assessment"), (2, "Structure for implementation")):
        assert f"{stage}. {name} {summary['stages'][str(stage)]}" in stages
    assert sum(summary["stages"].values()) == 4
    assert summary["first_actions"]
    firsts = section(html, "first_actions-table")
    for action in summary["first_actions"]:
        assert f"{action['title']} {action['id']} {action['organisations']}" in firsts
    # Each chart is an image with a name and a description, and its figures are in a table.
    for chart in ("levels", "stages", "dimensions", "first-actions", "gaps", "obstacles", "trend"):
        assert f'class="chart" id="chart-{chart}" role="img"' in html
        assert f'aria-labelledby="chart-{chart}-title chart-{chart}-desc"' in html
    for table in (
        "levels",
        "stages",
        "dimensions",
        "first_actions",
        "gaps",
        "obstacles",
        "trend",
        "organisations",
    ):
        assert f'id="{table}-table"' in html
    # The organisations, each with its latest assessment and a link to its report.
    assert listed(html) == ["kr-00", "kr-01", "Växjö IFO kr-02", "kr-03"]
    assert "sk-" not in html and "bl-" not in html
    latest_of_kr_00 = site.ids["Kronoberg"][1]
    assert f'href="/assessments/{latest_of_kr_00}?lang=en"' in html
    assert site.ids["Kronoberg"][0] not in html  # kr-00's earlier assessment is not its latest


def test_small_groups_are_suppressed_as_the_summary_endpoint_suppresses_them(site: Site) -> None:
    summary = site.api("kronoberg", "/v1/regions/Kronoberg/summary").json()
    html = dashboard(site, "kronoberg", lang="sv").text
    # The first quarter has one organisation: hidden, in the table and in the chart.
    assert [q["suppressed"] for q in summary["trend"]] == [True, False]
    trend = section(html, "trend-table")
    assert "2026 kv. 1 1 1 Dold: färre än 3 organisationer" in trend
    assert "2026 kv. 3 4 4" in trend
    assert '<rect class="placeholder"' in html and ">dold</text>" in html
    # Findings of fewer than three organisations are left out and counted.
    hidden = summary["gaps_suppressed"]
    assert hidden > 0
    assert f"{hidden} till förekom i färre än 3 organisationer var och visas inte." in html
    shown = section(html, "gaps-table")
    assert all(str(g["organisations"]) in shown for g in summary["gaps"])
    assert len(
        re.findall(r"<tr><th scope=\"row\">", html.split('id="gaps-table"')[1].split("</table>")[0])
    ) == len(summary["gaps"])


def test_a_region_of_fewer_organisations_than_the_minimum_shows_no_figures(site: Site) -> None:
    assert site.api("blekinge", "/v1/regions/Blekinge/summary").json()["suppressed"] is True
    html = dashboard(site, "blekinge", lang="da").text
    assert "Færre end 3 organisationer er vurderet i regionen i perioden." in html
    for chart in ("levels", "dimensions", "gaps", "trend"):
        assert f'id="chart-{chart}"' not in html
        assert f'id="{chart}-table"' not in html


def test_another_region_is_refused_as_the_summary_endpoint_refuses_it(site: Site) -> None:
    assert site.api("kronoberg", "/v1/regions/Skåne/summary").status_code == 404
    page = dashboard(site, "kronoberg", lang="en", region="Skåne")
    assert page.status_code == 404
    assert "The page does not exist, or the key does not give access to it." in page.text
    assert "sk-0" not in page.text
    for path in ("/dashboard/export.csv", "/dashboard/export.xlsx", "/dashboard/summary.csv"):
        assert site.http.get(path, params={"region": "Skåne"}).status_code == 404


def test_a_key_of_one_organisation_sees_no_regional_figures(site: Site) -> None:
    assert site.api("organisation", "/v1/regions/Kronoberg/summary").status_code == 404
    page = dashboard(site, "organisation", lang="sv")
    assert page.status_code == 403
    assert "Regionala siffror visas inte för en nyckel som hör till en enda organisation." in (
        page.text
    )
    assert site.http.get("/dashboard/export.csv").status_code == 403


def test_signing_in_and_the_read_scope_are_needed(site: Site) -> None:
    page = dashboard(site, None, lang="en", region="Kronoberg")
    assert page.status_code == 401
    assert 'name="next" value="/dashboard?lang=en&amp;region=Kronoberg"' in page.text
    assert site.http.get("/dashboard/export.csv").status_code == 401
    assert dashboard(site, "assess-only", lang="en").status_code == 403


def test_an_admin_chooses_among_every_region(site: Site) -> None:
    html = dashboard(site, "admin", lang="en").text
    assert "Choose a region to see its figures." in html
    choices = re.findall(r'<option value="([^"]*)"', html)
    assert choices == ["", "Blekinge", "Kronoberg", "Skåne"]
    assert 'href="/dashboard?region=Sk%C3%A5ne&amp;lang=en"' in html
    chosen = dashboard(site, "admin", lang="en", region="Skåne").text
    assert listed(chosen) == ["sk-00", "sk-01", "sk-02"]
    assert "kr-0" not in chosen
    # A region with nothing stored: nothing to show, said so.
    empty = dashboard(site, "admin", lang="en", region="Gotland")
    assert empty.status_code == 200
    assert "No assessments are stored for the region in the period." in empty.text
    assert '<option value="Gotland" selected>Gotland (0)</option>' in empty.text


def test_a_period_narrows_the_figures_and_a_bad_date_is_explained(site: Site) -> None:
    html = dashboard(site, "kronoberg", lang="en", **{"from": "2026-07-01"}).text
    assert "Organisations 4 Assessments 4 Period 2026-07-01 – …" in section(html, "key-figures")
    html = dashboard(site, "kronoberg", lang="en", to="2026-06-30").text
    assert "Fewer than 3 organisations were assessed in the region in the period." in html
    assert listed(html) == ["kr-00"]
    bad = dashboard(site, "kronoberg", lang="sv", **{"from": "31/3/2026"})
    assert bad.status_code == 400
    assert "Från och med: Skriv datumet som ÅÅÅÅ-MM-DD, till exempel 2026-03-31." in bad.text
    assert 'aria-invalid="true"' in bad.text
    backwards = dashboard(
        site, "kronoberg", lang="da", **{"from": "2026-09-01", "to": "2026-01-01"}
    )
    assert backwards.status_code == 400
    assert "Slutdatoen ligger før startdatoen." in backwards.text
    summary = site.http.get("/dashboard/summary.csv", params={"lang": "en", "to": "June"})
    assert summary.status_code == 400
    assert "To: Write the date as YYYY-MM-DD, for example 2026-03-31." in summary.text
    assert dashboard(site, "kronoberg", lang="en", colour="red").status_code == 400


def test_the_exports_are_the_list_s_exports_under_the_session_s_key(site: Site) -> None:
    html = dashboard(site, "kronoberg", lang="sv").text
    links = dict(
        (unescape(label), unescape(href))
        for href, label in re.findall(r'<a href="([^"]+)" download>([^<]+)</a>', html)
    )
    assert links["Bedömningar (CSV)"] == "/dashboard/export.csv?region=Kronoberg&lang=sv"
    page_csv = site.http.get(links["Bedömningar (CSV)"])
    assert page_csv.status_code == 200
    assert page_csv.headers["content-disposition"] == 'attachment; filename="assessments.csv"'
    api_csv = site.api("kronoberg", "/v1/assessments", format="csv", region="Kronoberg", lang="sv")
    assert page_csv.content == api_csv.content
    rows = list(csv.reader(io.StringIO(page_csv.content.decode("utf-8-sig")), delimiter=";"))
    assert {row[4] for row in rows[1:]} == {"Kronoberg"}
    assert len(rows) == 1 + len(site.ids["Kronoberg"])
    gaps = site.http.get(links["Brister per bedömning (CSV)"])
    assert (
        gaps.content
        == site.api(
            "kronoberg", "/v1/assessments", format="csv", region="Kronoberg", rows="gap", lang="sv"
        ).content
    )
    workbook = load_workbook(io.BytesIO(site.http.get(links["Bedömningar (Excel)"]).content))
    sheet = workbook.active
    assert sheet is not None
    assert {row[4] for row in sheet.iter_rows(min_row=2, values_only=True)} == {"Kronoberg"}
    summary = site.http.get(links["Sammanställningen för perioden (CSV)"])
    assert (
        summary.content.decode()
        == site.api("kronoberg", "/v1/regions/Kronoberg/summary", format="csv", lang="sv").text
    )


def test_each_language_writes_its_own_numbers_and_names(site: Site) -> None:
    for lang, heading, level in (
        ("sv", "Regional översikt: Kronoberg", "Delvis redo"),
        ("da", "Regionalt overblik: Kronoberg", "Delvist parat"),
        ("en", "Regional dashboard: Kronoberg", "Partly ready"),
    ):
        html = dashboard(site, "kronoberg", lang=lang).text
        assert f'<html lang="{lang}">' in html
        assert f"<h1>{heading}</h1>" in html
        assert level in html
    sv = dashboard(site, "kronoberg", lang="sv").text
    assert re.search(r"\d+,\d</td>", sv)  # a decimal comma
    assert re.search(r"\d+\u00a0%</td>", sv)
    en = dashboard(site, "kronoberg", lang="en").text
    assert re.search(r"\d+\.\d</td>", en) and re.search(r"\d+%</td>", en)


def test_charts_escape_their_texts_and_draw_a_missing_value_as_a_placeholder() -> None:
    bars = [
        Bar("<b>Leadership</b> & co", 150, "150 <!>", "bar-ready"),
        Bar("x" * 120, None, "not answered", ""),
    ]
    chart = str(bar_chart("c1", 'A "title" <i>', "Said <in> words", bars, 100))
    assert chart.startswith('<svg xmlns="http://www.w3.org/2000/svg" class="chart" id="c1"')
    assert '<title id="c1-title">A &#34;title&#34; &lt;i&gt;</title>' in chart
    assert '<desc id="c1-desc">Said &lt;in&gt; words</desc>' in chart
    assert "&lt;b&gt;Leadership&lt;/b&gt; &amp; co" in chart and "<b>" not in chart
    assert "150 &lt;!&gt;" in chart
    # A value beyond the maximum is drawn full length, no further.
    assert re.search(r'class="bar bar-ready" x="0" y="28" width="584.0"', chart)
    # A long label is cut short with an ellipsis (the table has it whole); no value: a placeholder.
    assert "x" * 83 + "…" in chart and "x" * 84 not in chart
    assert chart.count('class="placeholder"') == 1
    columns = column_chart(
        "c2",
        "t",
        "d",
        [Bar("2026\nkv. 1", None, "dold", ""), Bar("2026\nkv. 2", 50, "50", "")],
        100,
    )
    assert str(columns).count("<tspan") == 4
    assert ">kv. 1</tspan>" in str(columns) and str(columns).count('class="placeholder"') == 1


def test_a_long_list_shows_its_ten_most_frequent_and_folds_the_rest() -> None:
    texts = {name: by_language["en"] for name, by_language in TEXTS.items()}
    result = {
        "organisations": 40,
        "min_organisations": 5,
        "gaps": [
            {"id": f"g/{n:02d}", "title": f"Gap {n}", "organisations": 40 - n, "share": 0.5}
            for n in range(14)
        ],
        "gaps_suppressed": 2,
    }
    shown = _findings(result, "gaps", texts, "en")
    assert [row.id for row in shown["rows"]] == [f"g/{n:02d}" for n in range(10)]
    assert [row.id for row in shown["more"]] == ["g/10", "g/11", "g/12", "g/13"]
    assert shown["more_label"] == "Show 4 more"
    assert str(shown["chart"]).count('class="bar "') == 10
    assert (
        shown["hidden"] == "2 more occurred in fewer than 5 organisations each and are not shown."
    )


def test_the_exports_keep_the_period_the_dashboard_shows(site: Site) -> None:
    html = dashboard(site, "kronoberg", lang="en", **{"from": "2026-07-01"}).text
    links = dict(
        (unescape(label), unescape(href))
        for href, label in re.findall(r'<a href="([^"]+)" download>([^<]+)</a>', html)
    )
    assert links["Assessments (CSV)"] == (
        "/dashboard/export.csv?region=Kronoberg&from=2026-07-01&lang=en"
    )
    page_csv = site.http.get(links["Assessments (CSV)"])
    assert page_csv.status_code == 200, page_csv.text
    # The day each assessment describes, as the figures count: kr-00's March one is left out.
    rows = list(csv.reader(io.StringIO(page_csv.content.decode("utf-8-sig"))))
    assert len(rows) == 1 + 4
    api_csv = site.api(
        "kronoberg",
        "/v1/assessments",
        format="csv",
        region="Kronoberg",
        assessed_from="2026-07-01",
        lang="en",
    )
    assert page_csv.content == api_csv.content
    workbook = load_workbook(io.BytesIO(site.http.get(links["Assessments (Excel)"]).content))
    sheet = workbook.active
    assert sheet is not None
    assert len(list(sheet.iter_rows(min_row=2, values_only=True))) == 4
    gaps = site.http.get(links["Gaps per assessment (CSV)"])
    assert (
        gaps.content
        == site.api(
            "kronoberg",
            "/v1/assessments",
            format="csv",
            region="Kronoberg",
            rows="gap",
            assessed_from="2026-07-01",
            lang="en",
        ).content
    )
    only_march = site.http.get(
        "/dashboard/export.csv", params={"region": "Kronoberg", "to": "2026-06-30", "lang": "en"}
    )
    assert len(only_march.content.decode("utf-8-sig").splitlines()) == 1 + 1
    bad = site.http.get("/dashboard/export.xlsx", params={"region": "Kronoberg", "from": "July"})
    assert bad.status_code == 400


def test_a_quarter_is_written_as_each_language_writes_it() -> None:
    names = [quarter_name("2026-Q1", language) for language in ("sv", "da", "en")]
    assert names == ["2026 kv. 1", "1. kvt. 2026", "2026 Q1"]
    # On two lines under a chart's column, the year and the quarter keep their order.
    assert quarter_name("2026-Q3", "da", "\n") == "3. kvt.\n2026"
