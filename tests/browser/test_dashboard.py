"""The regional dashboard in a browser: each language, its region only, suppression, exports.

Kronoberg's key on the shared site (six organisations assessed in two quarters); a small site of
its own for suppression (the shared one has no group below the minimum of three): Halland with
three organisations, one of them also assessed a quarter earlier, alone, and Blekinge with two.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from store.database import Database
from store.repository import Repository
from tests.api.conftest import start, stop
from tests.browser.conftest import Site, _assessment, check_page, sign_in

pytestmark = [pytest.mark.server, pytest.mark.shared]  # a browser, no time bound

HEADINGS = {
    "sv": "Regional översikt: Kronoberg",
    "da": "Regionalt overblik: Kronoberg",
    "en": "Regional dashboard: Kronoberg",
}
CHARTS = ("levels", "stages", "dimensions", "first-actions", "gaps", "obstacles", "trend")


def organisations(page: Any) -> list[str]:
    """The organisations the list of latest assessments names, in order."""
    cells = page.locator("#organisations-table tbody th[scope=row]").all_inner_texts()
    return [cell.strip() for cell in cells]


@pytest.mark.parametrize("lang", ["sv", "da", "en"])
def test_the_dashboard_shows_its_region_in_each_language_and_passes_axe(
    page: Any, site: Site, axe_source: str, lang: str
) -> None:
    sign_in(page, site.region_keys["Kronoberg"], lang=lang, next_path="/dashboard")
    assert page.url.endswith(f"/dashboard?lang={lang}")
    assert page.get_attribute("html", "lang") == lang
    assert page.inner_text("h1") == HEADINGS[lang]
    assert organisations(page) == [f"kr-{n:02d}" for n in range(6)]
    assert "sk-" not in page.inner_text("main")
    # Every chart is an image with a name, and its figures are given as a table too.
    for chart in CHARTS:
        svg = page.locator(f"svg#chart-{chart}")
        assert svg.get_attribute("role") == "img"
        assert page.locator(f"#chart-{chart}-title").text_content()
        # A list's table is named by the list (`first_actions`), its chart by its id.
        assert page.locator(f"#{chart.replace('-', '_')}-table tbody tr").count() > 0
    assert page.locator("svg.chart").count() == len(CHARTS)
    # Each organisation links to the report of its latest assessment.
    links = page.locator("#organisations-table a").evaluate_all(
        "links => links.map(a => a.getAttribute('href'))"
    )
    latest = {site.assessments["Kronoberg"][n * 2 + 1] for n in range(6)}
    assert {link.split("?")[0].removeprefix("/assessments/") for link in links} == latest
    check_page(page, axe_source, f"dashboard-kronoberg-{lang}")


def test_another_region_s_figures_are_refused(page: Any, site: Site, axe_source: str) -> None:
    sign_in(page, site.region_keys["Kronoberg"], lang="en", next_path="/dashboard")
    answer = page.goto("/dashboard?lang=en&region=Sk%C3%A5ne")
    assert answer is not None and answer.status == 404
    main = page.inner_text("main")
    assert "the key does not give access to it" in main
    assert "sk-" not in page.content()
    check_page(page, axe_source, "dashboard-other-region-en")


def test_the_export_link_downloads_the_region_s_assessments_only(
    page: Any, site: Site, tmp_path: Path
) -> None:
    sign_in(page, site.region_keys["Kronoberg"], lang="sv", next_path="/dashboard")
    with page.expect_download() as download:
        page.get_by_role("link", name="Bedömningar (CSV)").click()
    saved = tmp_path / "export.csv"
    download.value.save_as(saved)
    assert download.value.suggested_filename == "assessments.csv"
    rows = list(csv.reader(io.StringIO(saved.read_text(encoding="utf-8-sig")), delimiter=";"))
    assert rows[0][:5] == ["id", "created_at", "organisation_id", "organisation_name", "region"]
    assert {row[4] for row in rows[1:]} == {"Kronoberg"}
    assert sorted(row[0] for row in rows[1:]) == sorted(site.assessments["Kronoberg"])


def test_an_admin_chooses_a_region_by_keyboard(page: Any, site: Site, axe_source: str) -> None:
    sign_in(page, site.admin, lang="da", next_path="/dashboard")
    assert page.inner_text("h1") == "Regionalt overblik"
    check_page(page, axe_source, "dashboard-choose-region-da")
    page.focus("#region")
    page.keyboard.press("ArrowDown")  # from the empty choice to the first region: Kronoberg
    # Through the two date fields to the button, and submit with the keyboard alone.
    for _ in range(3):
        page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Vis"
    page.keyboard.press("Enter")
    page.wait_for_url("**/dashboard?*region=Kronoberg*")
    assert page.inner_text("h1") == HEADINGS["da"]
    # A period, typed and sent with the keyboard alone.
    page.focus("#from")
    page.keyboard.type("2026-07-01")
    page.keyboard.press("Enter")
    page.wait_for_url("**from=2026-07-01**")
    assert "2026-07-01 – …" in page.inner_text("#key-figures")
    assert organisations(page) == [f"kr-{n:02d}" for n in range(6)]


@pytest.fixture(scope="module")
def small_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, str]]]:
    """A server of its own with two regions too small for some (or all) of their figures."""
    tmp = tmp_path_factory.mktemp("dashboard-small")
    url = f"sqlite:///{tmp / 'readiness.sqlite3'}"
    running = start(tmp, database_url=url, assess_without_key="false", min_group_size="3")
    database = Database(url)
    repository = Repository(database)
    admin = repository.create_key(["admin"])
    keys = {
        region: repository.create_key(["read"], region=region) for region in ("Halland", "Blekinge")
    }
    database.close()
    stored = [
        ("ha-00", "Halland", "2026-02-10", True),
        ("ha-00", "Halland", "2026-08-10", True),
        ("ha-01", "Halland", "2026-08-11", False),
        ("ha-02", "Halland", "2026-08-12", False),
        ("bl-00", "Blekinge", "2026-08-10", True),
        ("bl-01", "Blekinge", "2026-08-11", False),
    ]
    with httpx.Client(base_url=running.url, headers={"X-API-Key": admin}, timeout=30) as client:
        for organisation, region, day, weak in stored:
            answer = client.post(
                "/v1/assessments",
                params={"store": "true", "assessed_on": day},
                json=_assessment(organisation, region, weak),
            )
            assert answer.status_code == 201, answer.text
    yield running.url, keys
    stop(running)


def test_figures_over_fewer_organisations_than_the_minimum_are_shown_as_suppressed(
    browser: Any, small_site: tuple[str, dict[str, str]], axe_source: str
) -> None:
    url, keys = small_site
    context = browser.new_context(base_url=url, viewport={"width": 1200, "height": 900})
    try:
        page = context.new_page()
        sign_in(page, keys["Halland"], lang="sv", next_path="/dashboard")
        assert page.inner_text("h1") == "Regional översikt: Halland"
        # The first quarter has one organisation: its figures are hidden.
        first = page.locator("#trend-table tbody tr").first
        assert first.inner_text().split("\t")[:3] == ["2026 kv. 1", "1", "1"]
        assert "Dold: färre än 3 organisationer" in first.inner_text()
        assert page.locator("svg#chart-trend rect.placeholder").count() == 1
        # The gaps of the one weak organisation are counted, not listed.
        assert "till förekom i färre än 3 organisationer var och visas inte" in page.inner_text(
            "#gaps-suppressed"
        )
        check_page(page, axe_source, "dashboard-suppressed-rows-sv")

        sign_in(page, keys["Blekinge"], lang="en", next_path="/dashboard")
        assert page.inner_text("#region-suppressed").startswith(
            "Fewer than 3 organisations were assessed in the region in the period."
        )
        assert page.locator("svg.chart").count() == 0
        assert page.locator("#levels-table").count() == 0
        check_page(page, axe_source, "dashboard-suppressed-region-en")
    finally:
        context.close()
