"""Assessment rounds in a browser: run by a head of service, answered by invitation code.

A staff member with an invitation code answers in each language; another does it by keyboard
alone; the round's combined answers then hold what they chose. A head of service opens a round,
hands out its codes, follows it, closes it and reads its report. axe-core checks every page.
"""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from tests.browser.conftest import Site, check_page, expect, sign_in

pytestmark = [pytest.mark.server, pytest.mark.shared]  # a browser, no time bound

TITLES = {
    "sv": ("Svara på en beredskapsomgång", "Tack för dina svar"),
    "da": ("Svar på en parathedsrunde", "Tak for dine svar"),
    "en": ("Answer a readiness round", "Thank you for your answers"),
}


def _open_round(site: Site, staff: int, shared: bool = False) -> tuple[str, list[str]]:
    """Open a round for a Kronoberg organisation; return its id and the staff's codes."""
    body: dict[str, Any] = {
        "organisation": {
            "id": "se-0780-ifo",
            "name": "Individ- och familjeomsorgen, Växjö kommun",
            "country": "SE",
            "region": "Kronoberg",
        },
        "intervention": {"name": "Familjeorienterat arbetssätt", "model": "family_oriented_work"},
    }
    body |= {"shared_roles": ["staff"]} if shared else {"codes": {"staff": staff}}
    with httpx.Client(base_url=site.url, headers={"X-API-Key": site.admin}) as client:
        opened = client.post("/v1/rounds", json=body)
        assert opened.status_code == 201, opened.text
        found = opened.json()
    codes = [c["code"] for c in found["codes"] if c["role"] == "staff"]
    return found["round"]["id"], codes


def _combined(site: Site, round_id: str) -> dict[str, Any]:
    with httpx.Client(base_url=site.url, headers={"X-API-Key": site.admin}) as client:
        client.post(f"/v1/rounds/{round_id}/close").raise_for_status()
        result = client.get(f"/v1/rounds/{round_id}/result").json()
    return {a["path"]: a for a in result["combination"]["answers"]}


def _enter(page: Any, code: str, lang: str) -> None:
    page.goto(f"/respond?lang={lang}")
    assert page.inner_text("h1") == TITLES[lang][0]
    page.fill("#code", code)
    page.click("form button[type=submit]")
    page.wait_for_url(re.compile(r"/respond/form\?lang="))


@pytest.mark.parametrize("lang", ["sv", "da", "en"])
def test_a_staff_member_answers_by_code_in_each_language(
    page: Any, site: Site, axe_source: str, lang: str
) -> None:
    round_id, (code,) = _open_round(site, 1)
    page.goto(f"/respond?lang={lang}")
    check_page(page, axe_source, f"respond-code-{lang}")
    _enter(page, code, lang)
    assert "Växjö kommun" in page.inner_text("main")
    check_page(page, axe_source, f"respond-form-{lang}")
    page.check("input[name='competence.staff_motivation'][value=low]")
    page.check("input[name='risks.lack_of_time'][value=high]")
    counted = page.inner_text("#respond-progress-label")
    assert re.match(r"2 ", counted), counted  # the script counts as answers are given
    page.click("form#respond-form button[type=submit]")
    expect(page.locator("h1")).to_have_text(TITLES[lang][1])
    check_page(page, axe_source, f"respond-done-{lang}")
    answers = _combined(site, round_id)
    assert answers["competence.staff_motivation"]["value"] == "low"
    assert answers["risks.lack_of_time"]["value"] == "high"


def test_a_wrong_code_is_explained_and_the_form_works_by_keyboard_alone(
    page: Any, site: Site, axe_source: str
) -> None:
    round_id, (code,) = _open_round(site, 1)
    page.goto("/respond?lang=en")
    page.fill("#code", "no-such-code")
    page.click("form button[type=submit]")
    assert "The code belongs to no round." in page.inner_text("#code-error")
    check_page(page, axe_source, "respond-wrong-code-en")
    page.focus("#code")
    page.keyboard.type(code)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/respond/form"))
    # Tab to the first question's group, choose its second answer with the arrow keys.
    first = page.locator("form#respond-form fieldset.question").first
    name = first.locator("input[type=radio]").first.get_attribute("name")
    first.locator("input[type=radio]").first.focus()
    page.keyboard.press("ArrowDown")
    chosen = page.evaluate(f"document.querySelector(\"input[name='{name}']:checked\").value")
    assert chosen != "unknown"
    # Tab on to the send button and press it.
    for _ in range(400):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.type") == "submit":
            break
    page.keyboard.press("Enter")
    page.wait_for_selector("h1:has-text('Thank you for your answers')")
    assert _combined(site, round_id)[name]["value"] == chosen


def test_a_shared_code_shows_a_personal_code_once(page: Any, site: Site, axe_source: str) -> None:
    _, (shared,) = _open_round(site, 0, shared=True)
    _enter(page, shared, "sv")
    page.click("form#respond-form button[type=submit]")
    receipt = page.inner_text("#receipt")
    assert receipt.startswith("Din personliga kod är ")
    check_page(page, axe_source, "respond-receipt-sv")


@pytest.mark.parametrize("lang", ["sv", "da", "en"])
def test_a_head_of_service_runs_a_round_from_opening_to_report(
    page: Any, browser: Any, site: Site, axe_source: str, lang: str
) -> None:
    sign_in(page, site.region_keys["Kronoberg"], lang=lang, next_path="/rounds")
    page.goto(f"/rounds?lang={lang}")
    check_page(page, axe_source, f"rounds-{lang}")
    page.goto(f"/rounds/new?lang={lang}")
    page.fill("#f-organisation-id", f"se-0764-ifo-{lang}")
    page.fill("#f-organisation-name", "Individ- och familjeomsorgen, Alvesta kommun")
    page.select_option("#f-organisation-country", "SE")
    page.fill("#f-intervention-name", "Familjeorienterat arbetssätt")
    page.select_option("#f-intervention-model", "family_oriented_work")
    page.fill("#f-codes-staff", "three")
    page.click("form#round-form button[type=submit]")
    expect(page.locator("#error-summary")).to_be_focused()
    check_page(page, axe_source, f"round-new-error-{lang}")
    page.fill("#f-codes-staff", "3")
    page.check("#f-shared-tactical-leader")
    page.click("form#round-form button[type=submit]")
    # The click returns once the next page starts loading; wait for its table to be there.
    cells = page.locator("#codes-table code")
    expect(cells).to_have_count(4)
    codes = cells.all_inner_texts()
    check_page(page, axe_source, f"round-opened-{lang}")
    page.click("main a[href^='/rounds/']")
    # Three colleagues answer in a browser of their own.
    for code in codes[:3]:
        context = browser.new_context(base_url=site.url, locale="sv-SE")
        colleague = context.new_page()
        _enter(colleague, code, "sv")
        colleague.check("input[name='risks.workload'][value=high]")
        colleague.click("form#respond-form button[type=submit]")
        expect(colleague.locator("h1")).to_have_text(TITLES["sv"][1])
        context.close()
    page.reload()
    assert page.inner_text("#round-respondents") == "3"
    assert page.locator("#groups-table tbody tr").count() == 1
    check_page(page, axe_source, f"round-open-{lang}")
    page.click("#close-round")
    page.wait_for_selector("main a.button[href^='/assessments/']")
    check_page(page, axe_source, f"round-closed-{lang}")
    page.click("main a.button[href^='/assessments/']")
    assert "Alvesta kommun" in page.inner_text("main")
