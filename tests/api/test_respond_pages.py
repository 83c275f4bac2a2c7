"""Answering an assessment round on the pages, in process, on SQLite and PostgreSQL.

A respondent with nothing but an invitation code types it once, answers the questions of their
role, and gets a receipt; the answers reach the round exactly as `POST /v1/respond` would take
them, are never shown back, and answering again replaces them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from html import unescape
from typing import Any

import httpx
import pytest

from store.database import Database
from tests.api.test_rounds import App, _app, codes_of
from tests.databases import BACKENDS, database_url, fresh


@pytest.fixture(scope="module", params=BACKENDS)
def app(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[App]:
    tmp = tmp_path_factory.mktemp(f"respond-pages-{request.param}")
    url = database_url(request.param, tmp)
    fresh(url).close()
    yield from _app(tmp, url, secure_cookies="false")


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found is not None, html[:500]
    return found.group(1)


def enter(app: App, code: str, lang: str = "en") -> httpx.Response:
    """A fresh browser session types `code` on the code form."""
    app.http.cookies.clear()
    start = app.http.get("/respond", params={"lang": lang})
    assert start.status_code == 200
    return app.http.post(
        "/respond", params={"lang": lang}, data={"csrf": _csrf(start.text), "code": code}
    )


def send(app: App, answers: dict[str, str], lang: str = "en") -> httpx.Response:
    """Send the role's form with `answers` (every other question left at "don't know")."""
    form = app.http.get("/respond/form", params={"lang": lang})
    assert form.status_code == 200, form.text[:500]
    names = set(re.findall(r'<input type="radio" name="([^"]+)"', form.text))
    data = {name: "unknown" for name in names} | answers | {"csrf": _csrf(form.text)}
    return app.http.post("/respond/form", params={"lang": lang}, data=data)


def text_of(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def combined(app: App, round_id: str) -> dict[str, Any]:
    closed = app.call("kronoberg", "POST", f"/v1/rounds/{round_id}/close")
    assert closed.status_code == 200, closed.text
    result = app.call("kronoberg", "GET", f"/v1/rounds/{round_id}/result").json()
    return {a["path"]: a for a in result["combination"]["answers"]}


def test_a_staff_member_answers_their_role_s_questions_and_the_round_takes_them(app: App) -> None:
    organisation = app.organisation()
    opened = app.open("kronoberg", organisation, codes={"staff": 3})
    round_id = opened["round"]["id"]
    first, second, third = codes_of(opened, "staff")
    entered = enter(app, first)
    assert entered.status_code == 303
    assert entered.headers["location"] == "/respond/form?lang=en"
    form = app.http.get("/respond/form", params={"lang": "en"})
    page = text_of(form.text)
    assert f"Organisation IFO {organisation}" in page
    assert "You answer as Staff member" in page
    staff = app.http.get("/v1/questionnaire", params={"lang": "en", "role": "staff"}).json()
    leaders = app.http.get("/v1/questionnaire", params={"lang": "en", "role": "strategic_leader"})
    asked = {q["path"] for q in staff["questions"]}
    radios = set(re.findall(r'<input type="radio" name="([^"]+)"', form.text))
    assert radios == asked  # the role's form, no more and no less
    for question in leaders.json()["questions"]:
        if question["path"] not in asked:
            assert f"<legend>{question['text']}</legend>" not in unescape(form.text)
    assert f"0 of {len(asked)} questions answered" in page
    done = send(app, {"competence.staff_motivation": "low", "risks.lack_of_time": "high"})
    assert done.status_code == 200, done.text[:500]
    assert "Thank you for your answers" in done.text and "replaced" not in done.text
    # Answers are never shown back: the form opens at "don't know" again.
    again = app.http.get("/respond/form", params={"lang": "en"})
    assert 'value="low" checked' not in again.text and 'value="high" checked' not in again.text
    replaced = send(app, {"competence.staff_motivation": "high", "risks.lack_of_time": "high"})
    assert "They replaced your earlier answers." in replaced.text
    for code, motivation in ((second, "low"), (third, "high")):
        assert enter(app, code).status_code == 303
        assert send(app, {"competence.staff_motivation": motivation}).status_code == 200
    got = app.call("kronoberg", "GET", f"/v1/rounds/{round_id}").json()
    assert got["respondents"] == 3
    answers = combined(app, round_id)
    # high (replaced low), low, high: the staff's median is high, from three answers.
    assert (
        answers["competence.staff_motivation"]["value"],
        answers["competence.staff_motivation"]["answers"],
    ) == ("high", 3)
    assert answers["risks.lack_of_time"]["value"] == "high"
    closed = app.http.get("/respond/form", params={"lang": "en"})
    assert closed.status_code == 409 and "The round is closed" in closed.text


def test_a_shared_code_gives_a_personal_code_and_sending_twice_replaces(app: App) -> None:
    opened = app.open("kronoberg", app.organisation(), shared_roles=["staff"])
    round_id = opened["round"]["id"]
    (shared,) = codes_of(opened, "staff", "shared")
    assert enter(app, shared, "sv").status_code == 303
    done = send(app, {"culture.staff_believe": "partly"}, "sv")
    assert done.status_code == 200
    receipt = re.search(r"Din personliga kod är (\S+) ?\.", text_of(done.text))
    assert receipt is not None
    # The session now answers with the personal code: a second send replaces, adds nothing.
    twice = send(app, {"culture.staff_believe": "no"}, "sv")
    assert "De ersatte dina tidigare svar." in twice.text
    assert "Din personliga kod" not in twice.text
    assert app.call("kronoberg", "GET", f"/v1/rounds/{round_id}").json()["respondents"] == 1
    # The personal code is a real one: the API takes it and replaces the same response.
    by_api = app.respond(receipt.group(1), {"culture": {"staff_believe": "yes"}})
    assert by_api.status_code == 200 and by_api.json()["replaced"] is True
    # Another colleague with the same shared code is a respondent of their own.
    assert enter(app, shared, "da").status_code == 303
    assert "Din personlige kode er" in send(app, {}, "da").text
    assert app.call("kronoberg", "GET", f"/v1/rounds/{round_id}").json()["respondents"] == 2


def test_a_wrong_code_a_closed_round_and_a_form_without_a_code_are_explained(app: App) -> None:
    wrong = enter(app, "not-a-code", "sv")
    assert wrong.status_code == 400
    assert "Koden hör inte till någon omgång." in wrong.text
    assert 'aria-invalid="true"' in wrong.text
    too_long = enter(app, "x" * 500)
    assert too_long.status_code == 400
    app.http.cookies.clear()
    assert app.http.get("/respond/form", params={"lang": "en"}).status_code == 303
    opened = app.open("kronoberg", app.organisation(), codes={"staff": 2})
    first, second = codes_of(opened, "staff")
    assert app.respond(first, {"risks": {"workload": "high"}}).status_code == 200
    app.call("kronoberg", "POST", f"/v1/rounds/{opened['round']['id']}/close").raise_for_status()
    late = enter(app, second, "da")
    assert late.status_code == 409
    assert "Runden er lukket" in late.text


def test_the_forms_need_their_token_and_a_tampered_answer_keeps_nothing(app: App) -> None:
    opened = app.open("kronoberg", app.organisation(), codes={"staff": 1})
    round_id = opened["round"]["id"]
    (code,) = codes_of(opened, "staff")
    app.http.cookies.clear()
    app.http.get("/respond", params={"lang": "en"})
    forged = app.http.post("/respond", params={"lang": "en"}, data={"code": code})
    assert forged.status_code == 403
    assert enter(app, code).status_code == 303
    form = app.http.get("/respond/form", params={"lang": "en"})
    no_token = app.http.post(
        "/respond/form", params={"lang": "en"}, data={"risks.workload": "high"}
    )
    assert no_token.status_code == 403
    tampered = app.http.post(
        "/respond/form",
        params={"lang": "en"},
        data={"csrf": _csrf(form.text), "risks.workload": "enormous"},
    )
    assert tampered.status_code == 400
    assert "An answer was not one of the choices." in tampered.text
    # A question of another role is not taken from this form either: it is simply not read.
    other = app.http.post(
        "/respond/form",
        params={"lang": "en"},
        data={"csrf": _csrf(form.text), "leadership.resources.training_time": "yes"},
    )
    assert other.status_code == 200
    answers = combined(app, round_id)
    assert "leadership.resources.training_time" not in answers
    database = Database(app.url)
    try:
        with database.engine.begin() as connection:
            kept = connection.exec_driver_sql(
                "SELECT respondent_code_hash FROM page_sessions WHERE respondent_code_hash IS NOT NULL"
            ).all()
    finally:
        database.close()
    # Sessions keep the code's hash, never the code.
    assert kept and all(code not in row[0] and len(row[0]) == 64 for row in kept)
