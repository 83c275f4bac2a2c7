"""The start page and signing in: in each language, accessible, by keyboard, with a key once."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import Site, check_page, expect, sign_in

pytestmark = [pytest.mark.server, pytest.mark.shared]  # a browser, no time bound


@pytest.mark.parametrize("lang", ["sv", "da", "en"])
def test_the_start_page_speaks_each_language_and_passes_axe(
    page: Any, axe_source: str, lang: str
) -> None:
    page.goto(f"/?lang={lang}")
    assert page.get_attribute("html", "lang") == lang
    heading = {"sv": "Implementeringsberedskap", "da": "Implementeringsparathed"}
    assert page.inner_text("h1") == heading.get(lang, "Implementation readiness")
    check_page(page, axe_source, f"home-{lang}")


def test_a_key_is_asked_once_and_kept_in_an_httponly_session(
    page: Any, site: Site, axe_source: str
) -> None:
    sign_in(page, "rk_wrong_key", lang="en")
    assert page.inner_text("#login-error") == "The key is unknown or revoked."
    check_page(page, axe_source, "login-failed-en")
    sign_in(page, site.region_keys["Kronoberg"], lang="en")
    assert "Sign out" in page.inner_text("header")
    (cookie,) = [c for c in page.context.cookies() if c["name"] == "readiness_session"]
    assert cookie["httpOnly"] and cookie["secure"] and cookie["sameSite"] == "Lax"
    assert site.region_keys["Kronoberg"] not in cookie["value"]
    page.click("header button[type=submit]")  # sign out
    expect(page.locator("header")).to_contain_text("Sign in")


def test_a_form_from_elsewhere_is_refused(page: Any, site: Site) -> None:
    page.goto("/login?lang=en")
    answer = page.request.post(f"{site.url}/login?lang=en", form={"key": site.admin, "csrf": "x"})
    assert answer.status == 403
    assert "did not come from this page" in answer.text()


def test_the_skip_link_is_the_first_stop_of_the_keyboard(page: Any) -> None:
    page.goto("/?lang=sv")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert focused == "Till innehållet"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
