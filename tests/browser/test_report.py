"""The report pages in a browser: each language, axe-core, print and PDF, keys and their regions.

The site's assessments were stored in English (no language asked for); the Swedish and Danish
reports show them in their own language, taken from the rules.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import httpx
import pytest

from engine import Ruleset
from store.database import Database
from store.pages import PageSessions
from tests.browser.conftest import Site, check_page, sign_in

pytestmark = [pytest.mark.server, pytest.mark.shared]  # a browser, no time bound

WEAK_LATER = 1
"""kr-00 in September: weak answers again (a blocking gap, many recommendations)."""
WEAK_EARLIER = 0
"""kr-00 in March: its first assessment."""
BETTER_LATER = 3
"""kr-01 in September: strong answers after weak ones in March."""

HEADINGS = {
    "sv": "Rapport om implementeringsberedskap",
    "da": "Parathedsrapport",
    "en": "Readiness report",
}
BLOCKING = {"sv": "Blockerande", "da": "Blokerende", "en": "Blocking"}
STRATEGIC = {"sv": "Strategisk ledning", "da": "Strategisk ledelse", "en": "Strategic leadership"}
NOW = {"sv": "Nu, i fas", "da": "Nu, i fase", "en": "Now, in phase"}
NOT_FOUND = {
    "sv": "Sidan finns inte",
    "da": "Siden findes ikke",
    "en": "The page does not exist",
}


def _kronoberg(site: Site, index: int) -> str:
    return site.assessments["Kronoberg"][index]


def _open_report(page: Any, site: Site, lang: str, index: int = WEAK_LATER) -> str:
    path = f"/assessments/{_kronoberg(site, index)}"
    sign_in(page, site.region_keys["Kronoberg"], lang=lang, next_path=f"{path}?lang={lang}")
    page.wait_for_url(re.compile(re.escape(path)))
    return path


@pytest.mark.parametrize("lang", ["sv", "da", "en"])
def test_a_stored_report_reads_in_each_language_and_passes_axe(
    page: Any, site: Site, axe_source: str, ruleset: Ruleset, lang: str
) -> None:
    _open_report(page, site, lang)
    assert page.get_attribute("html", "lang") == lang
    assert page.inner_text("h1").startswith(HEADINGS[lang])
    assert "kr-00" in page.inner_text("h1")
    main = page.locator("main")
    # The level, the chart with its table, the stage.
    assert page.locator("#summary .badge.level-not_ready").count() == 1
    chart = page.locator("#areas svg[role=img]")
    assert chart.count() == 1
    assert chart.get_attribute("aria-labelledby") == "areas-title areas-desc"
    assert page.locator("#areas table tbody tr").count() >= 8
    # The recommendations in the reader's language, with owner, why and sources.
    first = ruleset.recommendations["secure-tactical-leadership"]
    titles = page.locator("#recommendations li.recommendation h4").all_inner_texts()
    assert first.title.in_(lang) in titles  # type: ignore[arg-type]
    # Under headings that say when each run of them is due, the first being now.
    due = page.locator("#recommendations h3.due").all_inner_texts()
    assert due and due[0].startswith(NOW[lang]), due
    assert STRATEGIC[lang] in main.inner_text()
    assert page.locator("#recommendations .citations cite").count() >= len(titles)
    # Gaps with severities in words; what is unknown.
    assert BLOCKING[lang] in page.inner_text("#findings")
    assert page.locator("#unknowns table tbody tr").count() >= 1
    if lang != "en":
        # Every text of the result was found in the rules: none is left in English.
        assert page.locator('main [lang="en"]').count() == 0
    check_page(page, axe_source, f"report-{lang}")


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_the_comparison_shows_what_changed_as_a_chart_and_lists(
    page: Any, site: Site, axe_source: str, lang: str
) -> None:
    path = _open_report(page, site, lang, BETTER_LATER)
    page.click("#compare-link")
    page.wait_for_url(re.compile(re.escape(f"{path}/compare")))
    assert page.locator("#areas svg[role=img] title").count() >= 1
    assert page.locator("#areas table tbody tr").count() >= 8
    closed = page.locator("#gaps-closed + ul li")
    assert closed.count() >= 1  # strong answers closed the March gaps
    assert page.locator("#gaps-new + p").inner_text() in ("Inga.", "None.")
    check_page(page, axe_source, f"compare-{lang}")


def test_a_first_assessment_has_nothing_to_compare_with(
    page: Any, site: Site, axe_source: str
) -> None:
    path = _open_report(page, site, "en", WEAK_EARLIER)
    assert page.locator("#compare-link").count() == 0
    assert "first assessment" in page.inner_text("main")
    page.goto(f"{path}/compare?lang=en")
    assert page.inner_text("h1") == "Nothing to compare with"
    page.click("main a.button")
    page.wait_for_url(re.compile(re.escape(path) + r"\?lang=en$"))
    check_page(page, axe_source, "compare-none-en")


def test_the_report_prints_on_a4_and_as_a_pdf(page: Any, site: Site) -> None:
    _open_report(page, site, "en")
    button = page.locator("button[data-print]")
    assert button.is_visible()  # shown by the script, which also prints
    page.emulate_media(media="print")
    assert not page.locator("header.site").is_visible()
    assert not button.is_visible()
    assert not page.locator("nav.toc").is_visible()
    assert page.locator("#recommendations li.recommendation h4").first.is_visible()
    assert page.locator("#areas svg").is_visible()
    pdf = page.pdf(format="A4", print_background=True)
    assert pdf.startswith(b"%PDF-")
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
    assert pages >= 2, pages
    # A4 portrait: 595 x 842 points.
    assert re.search(rb"/MediaBox\s*\[\s*0 0 59[45](\.\d+)? 84[12](\.\d+)?\s*\]", pdf)


def test_the_print_button_and_the_comparison_are_reached_by_keyboard(page: Any, site: Site) -> None:
    path = _open_report(page, site, "en", BETTER_LATER)
    page.evaluate("window.print = () => { window.printed = true; }")
    for _ in range(30):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.dataset.print !== undefined"):
            break
    else:
        pytest.fail("the print button is not reached with Tab")
    page.keyboard.press("Enter")
    assert page.evaluate("window.printed === true")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "compare-link"
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(re.escape(f"{path}/compare")))
    assert page.inner_text("h1").startswith("Comparison with the previous assessment")


def test_a_key_of_another_region_gets_not_found_and_none_of_the_data(
    page: Any, site: Site, axe_source: str
) -> None:
    assessment = _kronoberg(site, WEAK_LATER)
    sign_in(page, site.region_keys["Skåne"], lang="sv", next_path="/")
    for path in (f"/assessments/{assessment}", f"/assessments/{assessment}/compare"):
        answer = page.goto(f"{path}?lang=sv")
        assert answer is not None and answer.status == 404
        text = page.inner_text("body")
        assert NOT_FOUND["sv"] in text
        assert "kr-00" not in page.content()
        assert "Kronoberg" not in page.content()
        assert page.locator("svg.chart").count() == 0
    check_page(page, axe_source, "report-other-region-sv")


def test_without_signing_in_the_report_asks_for_a_key_then_shows_it(
    page: Any, site: Site, axe_source: str
) -> None:
    path = f"/assessments/{_kronoberg(site, WEAK_LATER)}"
    answer = page.goto(f"{path}?lang=da")
    assert answer is not None and answer.status == 401
    assert page.locator("#key").is_visible()
    check_page(page, axe_source, "report-sign-in-da")
    page.fill("#key", site.region_keys["Kronoberg"])
    page.click("form.stack button[type=submit]")
    page.wait_for_url(re.compile(re.escape(path) + r"\?lang=da$"))
    assert page.inner_text("h1").startswith(HEADINGS["da"])


def _session_token(page: Any) -> str:
    (cookie,) = [c for c in page.context.cookies() if c["name"] == "readiness_session"]
    token: str = cookie["value"]
    return token


def test_the_session_s_unstored_result_has_its_report(
    page: Any, site: Site, axe_source: str
) -> None:
    page.goto("/report?lang=sv")
    assert page.inner_text("h1") == "Inget resultat ännu"
    assert page.get_attribute("main a.button", "href") == "/questionnaire?lang=sv"
    check_page(page, axe_source, "report-none-sv")

    sign_in(page, site.region_keys["Kronoberg"], lang="sv", next_path="/")
    answers = {
        "organisation": {"name": "Ljungby kommun, IFO", "country": "SE", "region": "Kronoberg"},
        "intervention": {"name": "Familjerådslag", "model": "family_group_conference"},
        "leadership": {"support": {"strategic": "yes", "tactical": "partly"}},
        "competence": {"tovholder": {"appointed": "no"}},
        "organisation_setup": {"venue": {"available": "no"}},
    }
    result = httpx.post(
        f"{site.url}/v1/assessments",
        params={"lang": "sv"},
        json=answers,
        headers={"X-API-Key": site.region_keys["Kronoberg"]},
        timeout=30,
    )
    assert result.status_code == 200, result.text
    database = Database(site.database_url)
    try:
        sessions = PageSessions(database, timedelta(hours=1))
        sessions.save_result(_session_token(page), {"request": answers, "result": result.json()})
    finally:
        database.close()

    page.goto("/report?lang=sv")
    assert page.inner_text("h1").startswith("Rapport om implementeringsberedskap")
    assert "Ljungby kommun, IFO" in page.inner_text("h1")
    assert "Inte sparad" in page.inner_text("main")
    assert page.locator("#compare-link").count() == 0
    unanswered = page.locator("details.unanswered")
    assert unanswered.count() == 1
    unanswered.locator("summary").click()
    assert unanswered.locator("li").count() >= 10
    check_page(page, axe_source, "report-session-sv")

    page.goto("/report?lang=en")
    assert page.inner_text("h1").startswith("Readiness report")
    # The Swedish result's texts are shown in English (sources keep their own language).
    assert page.locator("#recommendations li.recommendation h4").count() >= 2
    assert page.locator("#recommendations li.recommendation h4 [lang]").count() == 0
    assert page.locator("#findings th[scope=row] > span[lang]").count() == 0
    check_page(page, axe_source, "report-session-en")
