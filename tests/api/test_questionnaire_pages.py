"""The questionnaire's pages in process: parts, the draft, errors, and what submitting makes.

The browser tests (tests/browser/test_questionnaire.py) fill the forms as a person does; these
check what the handlers keep and answer: the session's draft and result, the stored assessment,
the codes of refused requests.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from api.pages.questionnaire import PARTS, PLACE
from store.database import Database
from store.pages import PageSessions, SessionState
from store.repository import Repository
from tests.api.conftest import in_process

SLUGS = [slug for slug, _ in PARTS]


class Site:
    """The app in process, its database, and keys."""

    def __init__(self, client: httpx.Client, url: str) -> None:
        self.client = client
        self.url = url
        self.database = Database(url)
        self.repository = Repository(self.database)
        self.sessions = PageSessions(self.database, lifetime=timedelta(days=1))

    def fresh(self) -> httpx.Client:
        """The client with no session (a new visitor)."""
        self.client.cookies.clear()
        return self.client

    def state(self) -> SessionState:
        found = self.sessions.get(self.client.cookies["readiness_session"])
        assert found is not None
        return found


def _site(tmp: Path, **settings: str) -> Iterator[Site]:
    url = f"sqlite:///{tmp / 'readiness.sqlite3'}"
    with in_process(tmp, database_url=url, secure_cookies="false", **settings) as client:
        site = Site(client, url)
        yield site
        site.database.close()


@pytest.fixture(scope="module")
def open_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """Assessing without a key allowed (storing still needs one)."""
    yield from _site(tmp_path_factory.mktemp("pages-open"), assess_without_key="true")


@pytest.fixture(scope="module")
def keyed_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """Assessing needs a key with the assess scope."""
    yield from _site(tmp_path_factory.mktemp("pages-keyed"), assess_without_key="false")


def _csrf(page: httpx.Response) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert found, page.text[:500]
    return found.group(1)


def _open(client: httpx.Client, path: str) -> tuple[httpx.Response, str]:
    page = client.get(path)
    assert page.status_code == 200, page.text[:500]
    return page, _csrf(page)


def _sign_in(client: httpx.Client, key: str) -> None:
    _, csrf = _open(client, "/login?lang=en")
    answer = client.post("/login?lang=en", data={"csrf": csrf, "key": key, "next": "/"})
    assert answer.status_code == 303


def _names(page: httpx.Response) -> list[str]:
    """The names of the questions a part's form asks, in order, once each."""
    names = re.findall(r'<(?:input|select)[^>]*\bname="([a-z_]+\.[a-z_.0-9]+)"', page.text)
    return list(dict.fromkeys(names))


@pytest.mark.parametrize("lang", ["sv", "da", "en"])
def test_every_question_but_the_rounds_agreement_is_asked_once_in_order(
    open_site: Site, lang: str
) -> None:
    client = open_site.fresh()
    questionnaire = client.get(f"/v1/questionnaire?lang={lang}").json()
    expected = [
        q["path"] for q in questionnaire["questions"] if not q["path"].startswith("agreement.")
    ]
    asked: list[str] = []
    for slug in SLUGS:
        page = client.get(f"/questionnaire/{slug}?lang={lang}")
        assert page.status_code == 200
        assert page.headers["content-language"] == lang
        assert f'<html lang="{lang}">' in page.text
        asked += _names(page)
    assert sorted(asked) == sorted(expected)
    assert len(asked) == len(set(asked))
    texts = {q["path"]: q["text"] for q in questionnaire["questions"]}
    culture = client.get(f"/questionnaire/culture?lang={lang}").text
    for path in ("culture.staff_believe", "culture.values_aligned"):
        assert f"<legend>{texts[path]}</legend>" in culture.replace("&#39;", "'")


def test_the_process_part_has_the_fourteen_steps_in_order_by_phase(open_site: Site) -> None:
    page = open_site.fresh().get("/questionnaire/process?lang=sv")
    names = _names(page)
    assert names[:14] == [f"process.step_{n}" for n in range(1, 15)]
    headings = re.findall(r"<h2>(Fas \d\.[^<]*)</h2>", page.text)
    assert headings == [
        "Fas 1. Initial bedömning",
        "Fas 2. Struktur för implementering",
        "Fas 3. Genomförande",
        "Fas 4. Lära och förbättra",
    ]
    # In every language the phases are named as the report names them.
    english = open_site.fresh().get("/questionnaire/process?lang=en").text
    assert re.findall(r"<h2>(Phase \d\.[^<]*)</h2>", english) == [
        "Phase 1. Initial assessment",
        "Phase 2. Structure for implementation",
        "Phase 3. Carrying it out",
        "Phase 4. Learn and improve",
    ]
    # Each phase's steps come after its heading and before the next one's.
    body = page.text
    starts = [body.index(h) for h in headings]
    for step, phase in ((1, 1), (8, 1), (9, 2), (10, 2), (11, 3), (13, 3), (14, 4)):
        at = body.index(f'name="process.step_{step}"')
        assert starts[phase - 1] < at
        assert phase == 4 or at < starts[phase]


def test_unknown_is_preselected_and_the_case_is_asked_with_text_and_selects(
    open_site: Site,
) -> None:
    page = open_site.fresh().get("/questionnaire/organisation?lang=en").text
    assert re.search(r'name="intervention.purpose_described" value="unknown"[^>]* checked', page)
    assert '<select id="q-organisation-country" name="organisation.country"' in page
    assert '<option value="unknown" selected>' in page
    assert re.search(r'<input type="text" id="q-organisation-id" name="organisation.id"', page)
    assert 'inputmode="numeric" id="q-organisation-units-involved"' in page


def test_sending_a_part_keeps_its_answers_and_moves_as_the_button_says(open_site: Site) -> None:
    client = open_site.fresh()
    _, csrf = _open(client, "/questionnaire/leadership?lang=da")
    sent = client.post(
        "/questionnaire/leadership?lang=da",
        data={
            "csrf": csrf,
            "leadership.support.strategic": "yes",
            "leadership.support.tactical": "unknown",
            "action": "next",
        },
    )
    assert sent.status_code == 303
    assert sent.headers["location"] == "/questionnaire/competence?lang=da"
    draft = open_site.state().draft
    assert draft["leadership.support.strategic"] == "yes"
    assert draft["leadership.support.tactical"] == "unknown"
    assert draft[PLACE] == "competence"
    back = client.post(
        "/questionnaire/competence?lang=da",
        data={"csrf": csrf, "competence.caseload": "high", "action": "previous"},
    )
    assert back.headers["location"] == "/questionnaire/leadership?lang=da"
    kept = client.post(
        "/questionnaire/leadership?lang=da",
        data={"csrf": csrf, "leadership.support.strategic": "partly", "action": "save"},
    )
    assert kept.status_code == 200
    assert 'role="status">Kladden er gemt.' in kept.text
    assert re.search(r'value="partly" id="[^"]+" checked', kept.text)
    assert "2 af 12 spørgsmål besvaret i denne del" not in kept.text  # unknown is no answer
    assert "1 af 12 spørgsmål besvaret i denne del" in kept.text
    assert "2 af 113 spørgsmål besvaret i alt" in kept.text
    last = client.post("/questionnaire/strengths?lang=da", data={"csrf": csrf, "action": "next"})
    assert last.headers["location"] == "/questionnaire/review?lang=da"
    # The start resumes where the draft was last sent to.
    start = client.get("/questionnaire?lang=da")
    assert start.status_code == 303
    assert start.headers["location"] == "/questionnaire/review?lang=da"
    # A new visitor starts at the first part.
    assert (
        open_site.fresh()
        .get("/questionnaire")
        .headers["location"]
        .startswith("/questionnaire/organisation?lang=")
    )


def test_wrong_answers_come_back_summarised_and_the_others_are_kept(open_site: Site) -> None:
    client = open_site.fresh()
    _, csrf = _open(client, "/questionnaire/organisation?lang=sv")
    sent = client.post(
        "/questionnaire/organisation?lang=sv",
        data={
            "csrf": csrf,
            "organisation.id": "fel id",
            "organisation.name": "x" * 201,
            "organisation.units_involved": "1001",
            "organisation.size": "huge",
            "organisation.region": "Kronoberg",
            "action": "next",
        },
    )
    assert sent.status_code == 422
    summary = sent.text.split('id="error-summary"', 1)[1].split("</div>", 1)[0]
    links = re.findall(r'<a href="#([^"]+)">([^<]+)</a>', summary)
    assert [target for target, _ in links] == [
        "q-organisation-id",
        "q-organisation-name",
        "q-organisation-size",
        "q-organisation-units-involved",
    ]
    messages = " ".join(message for _, message in links)
    assert "Skriv högst 200 tecken." in messages
    assert "Skriv ett tal från 0 till 1000." in messages
    assert "Välj ett av svarsalternativen." in messages
    assert 'role="alert"' in sent.text.split('id="error-summary"', 1)[0][-200:]
    assert re.search(r'id="q-organisation-id"[^>]*aria-invalid="true"', sent.text)
    assert 'value="fel id"' in sent.text  # as typed, to correct
    draft = open_site.state().draft
    assert draft["organisation.region"] == "Kronoberg"
    assert "organisation.id" not in draft
    assert draft[PLACE] == "organisation"


def test_a_form_without_the_session_s_token_is_refused(open_site: Site) -> None:
    client = open_site.fresh()
    _open(client, "/questionnaire/risks?lang=en")
    for path in ("/questionnaire/risks", "/questionnaire/draft", "/questionnaire/submit"):
        answer = client.post(f"{path}?lang=en", data={"csrf": "forged", "risks.workload": "high"})
        assert answer.status_code == 403
        assert "did not come from this page" in answer.text
    assert "risks.workload" not in open_site.state().draft


def test_the_script_s_draft_endpoint_saves_and_counts(open_site: Site) -> None:
    client = open_site.fresh()
    _, csrf = _open(client, "/questionnaire/risks?lang=en")
    saved = client.post(
        "/questionnaire/draft?lang=en",
        data={
            "csrf": csrf,
            "part": "risks",
            "risks.workload": "high",
            "risks.reorganisation": "no",
        },
    )
    assert saved.status_code == 200
    body = saved.json()
    assert body["answered"] == 2
    assert body["total"] == 113
    assert body["parts"]["risks"] == {"answered": 2, "total": 8}
    assert sum(p["total"] for p in body["parts"].values()) == 113
    assert open_site.state().draft[PLACE] == "risks"
    refused = client.post(
        "/questionnaire/draft?lang=en",
        data={
            "csrf": csrf,
            "risks.workload": "extreme",
            "risks.staff_turnover": "low",
            "nope": "1",
        },
    )
    assert refused.status_code == 422
    problem = refused.json()
    assert problem["code"] == "validation-failed"
    assert {(e["path"], e["type"]) for e in problem["errors"]} == {
        ("$.nope", "unknown-field"),
        ("$.risks.workload", "value-not-allowed"),
    }
    draft = open_site.state().draft
    assert draft["risks.workload"] == "high"  # the refused value left the draft as it was
    assert draft["risks.staff_turnover"] == "low"  # the valid one is kept


def test_unknown_parts_and_parameters_are_refused(open_site: Site) -> None:
    client = open_site.fresh()
    assert client.get("/questionnaire/agreement?lang=en").status_code == 404
    assert client.get("/questionnaire/nothing?lang=en").status_code == 404
    assert client.get("/questionnaire/risks?lang=en&step=2").status_code == 400


def _filled(client: httpx.Client, csrf: str, answers: dict[str, dict[str, str]]) -> None:
    for slug, given in answers.items():
        sent = client.post(f"/questionnaire/{slug}?lang=en", data={"csrf": csrf, **given})
        assert sent.status_code == 303, sent.text[:800]


ANSWERS = {
    "organisation": {
        "organisation.id": "kr-pages-01",
        "organisation.name": "Växjö kommun, IFO",
        "organisation.country": "SE",
        "organisation.region": "Kronoberg",
        "organisation.units_involved": "3",
        "intervention.model": "family_group_conference",
        "intervention.purpose_described": "yes",
    },
    "leadership": {"leadership.support.strategic": "no", "leadership.support.tactical": "yes"},
    "process": {"process.step_1": "done", "process.step_2": "partly"},
    "risks": {"risks.staff_turnover": "high"},
}
REQUEST = {
    "organisation": {
        "id": "kr-pages-01",
        "name": "Växjö kommun, IFO",
        "country": "SE",
        "region": "Kronoberg",
        "units_involved": 3,
    },
    "intervention": {"model": "family_group_conference", "purpose_described": "yes"},
    "leadership": {"support": {"strategic": "no", "tactical": "yes"}},
    "process": {"step_1": "done", "step_2": "partly"},
    "risks": {"staff_turnover": "high"},
}


def test_submitting_keeps_the_result_in_the_session_for_the_report(open_site: Site) -> None:
    client = open_site.fresh()
    _, csrf = _open(client, "/questionnaire/review?lang=en")
    _filled(client, csrf, ANSWERS)
    review = client.get("/questionnaire/review?lang=en")
    assert "12 of 113 questions answered in all" in review.text
    assert 'action="/questionnaire/submit?lang=en"' in review.text
    assert "<summary>Leadership: 10 of 12 unanswered</summary>" in review.text
    assert "<summary>Risks: 7 of 8 unanswered</summary>" in review.text
    assert 'href="/questionnaire/leadership?lang=en#q-leadership-support-operational"' in (
        review.text
    )
    assert "#q-leadership-support-strategic" not in review.text
    sent = client.post("/questionnaire/submit?lang=sv", data={"csrf": csrf})
    assert sent.status_code == 303
    assert sent.headers["location"] == "/report?lang=sv"
    kept = open_site.state().result
    assert kept is not None
    same = client.post("/v1/assessments?lang=sv", json=REQUEST)
    assert kept["result"] == same.json()
    direct = client.post("/v1/assessments?lang=sv", json=kept["request"])
    assert direct.json() == same.json()
    assert kept["request"]["organisation"]["units_involved"] == 3
    assert kept["request"]["leadership"]["support"]["strategic"] == "no"
    assert kept["request"]["leadership"]["support"]["operational"] == "unknown"
    report = client.get("/report?lang=sv")
    assert report.status_code == 200
    assert "Växjö kommun, IFO" in report.text


def test_storing_needs_a_key_and_stores_as_the_api_does(open_site: Site) -> None:
    client = open_site.fresh()
    key = open_site.repository.create_key(["assess", "read"], region="Kronoberg")
    _, csrf = _open(client, "/questionnaire/review?lang=en")
    _filled(client, csrf, ANSWERS)
    unsigned = client.post("/questionnaire/submit?lang=en", data={"csrf": csrf, "store": "true"})
    assert unsigned.status_code == 401
    assert 'name="next" value="/questionnaire/submit?lang=en"' in unsigned.text
    assert client.get("/questionnaire/submit?lang=en").headers["location"] == (
        "/questionnaire/review?lang=en"
    )
    _sign_in(client, key)
    _, csrf = _open(client, "/questionnaire/review?lang=en")
    assert open_site.state().draft["organisation.id"] == "kr-pages-01"  # signing in kept it
    sent = client.post("/questionnaire/submit?lang=da", data={"csrf": csrf, "store": "true"})
    assert sent.status_code == 303
    found = re.fullmatch(r"/assessments/([0-9a-f]+)\?lang=da", sent.headers["location"])
    assert found, sent.headers["location"]
    stored = client.get(f"/v1/assessments/{found.group(1)}", headers={"X-API-Key": key}).json()
    assert stored["organisation_id"] == "kr-pages-01"
    assert stored["organisation_name"] == "Växjö kommun, IFO"
    assert stored["region"] == "Kronoberg"
    assert stored["intervention"] == "family_group_conference"
    assert stored["language"] == "da"
    by_api = client.post(
        "/v1/assessments?lang=da&store=true", json=REQUEST, headers={"X-API-Key": key}
    )
    assert by_api.status_code == 201
    assert stored["result"] == by_api.json()
    again = client.post("/questionnaire/submit?lang=da", data={"csrf": csrf, "store": "true"})
    assert again.headers["location"] == sent.headers["location"]  # a resent form stores once
    _filled(client, csrf, {"risks": {"risks.staff_turnover": "low"}})
    changed = client.post("/questionnaire/submit?lang=da", data={"csrf": csrf, "store": "true"})
    assert changed.headers["location"] != sent.headers["location"]


def test_what_cannot_be_stored_is_said_on_the_review(open_site: Site) -> None:
    client = open_site.fresh()
    key = open_site.repository.create_key(["assess"], region="Kronoberg")
    _sign_in(client, key)
    _, csrf = _open(client, "/questionnaire/review?lang=sv")
    nameless = client.post("/questionnaire/submit?lang=sv", data={"csrf": csrf, "store": "true"})
    assert nameless.status_code == 422
    assert "Ange organisationens id för att spara bedömningen" in nameless.text
    assert 'href="/questionnaire/organisation?lang=sv#q-organisation-id"' in nameless.text
    assert re.search(r'id="store"[^>]* checked', nameless.text)
    _filled(
        client,
        csrf,
        {"organisation": {"organisation.id": "sk-01", "organisation.region": "Skåne"}},
    )
    elsewhere = client.post("/questionnaire/submit?lang=sv", data={"csrf": csrf, "store": "true"})
    assert elsewhere.status_code == 403
    assert "Nyckeln får bara spara för sin egen organisation eller region" in elsewhere.text
    assert 'href="/questionnaire/organisation?lang=sv#q-organisation-region"' in elsewhere.text


def test_a_key_is_needed_to_submit_where_assessing_needs_one(keyed_site: Site) -> None:
    client = keyed_site.fresh()
    review = client.get("/questionnaire/review?lang=en")
    assert review.status_code == 200
    assert "/questionnaire/submit" not in review.text
    assert 'href="/login?next=%2Fquestionnaire%2Freview&amp;lang=en"' in review.text
    csrf = _csrf(review)
    refused = client.post("/questionnaire/submit?lang=en", data={"csrf": csrf})
    assert refused.status_code == 401
    reader = keyed_site.repository.create_key(["read"])
    _sign_in(client, reader)
    _, csrf = _open(client, "/questionnaire/review?lang=en")
    assert client.post("/questionnaire/submit?lang=en", data={"csrf": csrf}).status_code == 403
    assessor = keyed_site.repository.create_key(["assess"])
    _sign_in(client, assessor)
    _, csrf = _open(client, "/questionnaire/review?lang=en")
    sent = client.post("/questionnaire/submit?lang=en", data={"csrf": csrf})
    assert sent.headers["location"] == "/report?lang=en"


def test_starting_over_empties_the_draft(open_site: Site) -> None:
    client = open_site.fresh()
    _, csrf = _open(client, "/questionnaire/review?lang=en")
    _filled(client, csrf, {"risks": {"risks.workload": "high"}})
    assert open_site.state().draft
    sent = client.post("/questionnaire/reset?lang=en", data={"csrf": csrf})
    assert sent.headers["location"] == "/questionnaire/organisation?lang=en"
    assert open_site.state().draft == {}
