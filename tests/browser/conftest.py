"""Browser tests: a real server with keys and stored assessments, Debian's Chromium under Playwright.

Playwright drives the Chromium of the machine (`/usr/bin/chromium`, from Debian's `chromium`
package, which `.ci/run` installs; `READINESS_CHROMIUM` names another), since no browser can be
downloaded here. Every page a test opens is checked with axe-core (WCAG 2.1 A and AA rules):
no serious or critical violation may remain. Screenshots of each page are written to
`test-artifacts/browser/` (`READINESS_ARTIFACTS` names another folder) and listed at the end of
the run.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from store.database import Database
from store.repository import Repository
from tests.api.conftest import Server, start, stop

ROOT = Path(__file__).resolve().parents[2]
AXE_PROJECT = Path(__file__).resolve().parent / "axe"
ARTIFACTS = Path(os.environ.get("READINESS_ARTIFACTS", ROOT / "test-artifacts" / "browser"))
CHROMIUM = os.environ.get("READINESS_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
REGIONS = ("Kronoberg", "Skåne")

_SHOTS: list[Path] = []


def _no_browser_reason() -> str | None:
    if not Path(CHROMIUM).exists():
        return f"no Chromium at {CHROMIUM} (install Debian's chromium package, as .ci/run does)"
    if shutil.which("npm") is None:
        return "npm is not installed (.ci/run installs Debian's npm) to install axe-core"
    try:
        import playwright  # noqa: F401 - only to tell whether it is installed
    except ImportError:
        return "playwright is not installed (it is a dev dependency: make install)"
    return None


def expect(locator: Any) -> Any:
    """Playwright's retrying assertions on `locator`.

    A click that submits a form returns once the next page starts loading, so what is read
    straight after it may still be the page before. These assertions wait until they hold (or
    time out and fail). Imported here so that a machine without playwright skips, not errors.
    """
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect(locator)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Skip the browser tests where no browser can run (each module is marked `server`).

    In CI (`READINESS_REQUIRE_BROWSER=1`) a missing browser fails instead.
    """
    reason = _no_browser_reason()
    for item in items:
        if "tests/browser/" not in item.nodeid.replace("\\", "/"):
            continue
        # Where a browser is required, the test runs and fails on what is missing.
        if reason is not None and os.environ.get("READINESS_REQUIRE_BROWSER") != "1":
            item.add_marker(pytest.mark.skip(reason=reason))


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """List the screenshots the run took, so that they can be looked at or attached."""
    if _SHOTS:
        terminalreporter.section("browser screenshots")
        for shot in _SHOTS:
            terminalreporter.write_line(str(shot))


@dataclass
class Site:
    """The served product, its keys and what is stored."""

    server: Server
    admin: str
    region_keys: dict[str, str]
    """A read-and-assess key bound to each of `REGIONS`."""
    assessments: dict[str, list[str]]
    """The stored assessments' ids by region."""
    database_url: str = ""
    """The server's database, for a test to put there what no page makes yet."""

    @property
    def url(self) -> str:
        return self.server.url


def _assessment(organisation: str, region: str, weak: bool) -> dict[str, Any]:
    answer = "no" if weak else "yes"
    return {
        "organisation": {"id": organisation, "country": "SE", "region": region, "size": "medium"},
        "intervention": {"name": "Familjeorienterat arbetssätt", "kind": "method"},
        "leadership": {
            "support": {"strategic": "yes", "tactical": answer, "operational": "partly"}
        },
        "competence": {"tovholder": {"appointed": answer}, "training_available": "partly"},
        "process": {"step_1": "done", "step_2": "partly" if weak else "done"},
        "risks": {"staff_turnover": "high" if weak else "low"},
    }


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """A server that needs keys, with six organisations in each of two regions, two quarters."""
    tmp = tmp_path_factory.mktemp("browser-site")
    url = f"sqlite:///{tmp / 'readiness.sqlite3'}"
    running = start(tmp, database_url=url, assess_without_key="false", min_group_size="3")
    database = Database(url)
    repository = Repository(database)
    admin = repository.create_key(["admin"], description="browser tests")
    region_keys = {
        region: repository.create_key(["assess", "read"], region=region, description=region)
        for region in REGIONS
    }
    database.close()
    assessments: dict[str, list[str]] = {region: [] for region in REGIONS}
    with httpx.Client(base_url=running.url, headers={"X-API-Key": admin}, timeout=30) as client:
        for region in REGIONS:
            for number in range(6):
                organisation = f"{region[:2].lower()}-{number:02d}"
                for day, weak in (("2026-03-15", True), ("2026-09-15", number % 2 == 0)):
                    answer = client.post(
                        "/v1/assessments",
                        params={"store": "true", "assessed_on": day},
                        json=_assessment(organisation, region, weak),
                    )
                    assert answer.status_code == 201, answer.text
                    assessments[region].append(answer.headers["X-Assessment-Id"])
    yield Site(running, admin, region_keys, assessments, database_url=url)
    stop(running)


def _axe_script() -> str:
    """axe-core's script, from the lock file's package installed once in a cache folder."""
    lock = (AXE_PROJECT / "package-lock.json").read_bytes()
    cache = Path(os.environ.get("READINESS_NPM_CACHE", Path.home() / ".cache" / "readiness-npm"))
    work = cache / ("axe-" + hashlib.sha256(lock).hexdigest()[:16])
    script = work / "node_modules" / "axe-core" / "axe.min.js"
    if not script.exists():
        work.mkdir(parents=True, exist_ok=True)
        for name in ("package.json", "package-lock.json"):
            shutil.copy(AXE_PROJECT / name, work / name)
        done = subprocess.run(  # noqa: S603 - npm from Debian, the locked package only
            ["npm", "ci", "--no-audit", "--no-fund", "--cache", str(cache / "npm")],  # noqa: S607
            cwd=work,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        assert done.returncode == 0, done.stdout + done.stderr
    return script.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def axe_source() -> str:
    return _axe_script()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's Chromium, headless, under Playwright."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-dev-shm-usage"]
        )
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Any, site: Site) -> Iterator[Any]:
    """A fresh browser context (no cookies) and page, on the site."""
    context = browser.new_context(
        base_url=site.url, locale="sv-SE", viewport={"width": 1200, "height": 900}
    )
    opened = context.new_page()
    yield opened
    context.close()


class AccessibilityError(AssertionError):
    """axe-core found serious or critical violations."""


def check_page(page: Any, axe_source: str, name: str) -> list[dict[str, Any]]:
    """Run axe-core on the page; fail on a serious or critical violation; save a screenshot.

    Returns:
        Every violation found (minor and moderate included), for a test to look at.
    """
    # Evaluated through the DevTools protocol, which the page's CSP does not govern; a script
    # tag would be refused by it, rightly (the pages allow no inline script).
    if not page.evaluate("typeof axe !== 'undefined'"):
        page.evaluate(axe_source + "\n;undefined")
    report = page.evaluate(
        """async () => await axe.run(document, {
            runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']},
        })"""
    )
    violations: list[dict[str, Any]] = report["violations"]
    screenshot(page, name)
    grave = [v for v in violations if v.get("impact") in ("serious", "critical")]
    if grave:
        described = json.dumps(
            [
                {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]]}
                for v in grave
            ],
            indent=1,
        )
        raise AccessibilityError(f"{name}: axe-core found {len(grave)} violations:\n{described}")
    return violations


def screenshot(page: Any, name: str) -> Path:
    """Save a full-page screenshot of `page` as `<name>.png` among the run's artifacts."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / (re.sub(r"[^A-Za-z0-9._-]+", "-", name) + ".png")
    page.screenshot(path=str(path), full_page=True)
    _SHOTS.append(path)
    return path


def sign_in(page: Any, key: str, lang: str = "sv", next_path: str = "/") -> None:
    """Sign in on the login page with `key`, as a person would."""
    page.goto(f"/login?lang={lang}&next={next_path}")
    page.fill("#key", key)
    page.click("form.stack button[type=submit]")
    page.wait_for_load_state()  # the page the form leads to, not the login page still
