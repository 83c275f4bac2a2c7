"""Running a round on the pages, in process, on SQLite and PostgreSQL.

Opened, followed, closed and its answers deleted by a signed-in key, through the same functions
as the API and within the same region binding; what the pages count is what the API counts.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from html import unescape

import httpx
import pytest

from api.pages.rounds import PAGE_TIME
from tests.api.test_rounds import KRONOBERG, App, _app
from tests.databases import BACKENDS, database_url, fresh


@pytest.fixture(scope="module", params=BACKENDS)
def app(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[App]:
    tmp = tmp_path_factory.mktemp(f"round-pages-{request.param}")
    url = database_url(request.param, tmp)
    fresh(url).close()
    yield from _app(tmp, url, secure_cookies="false")


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found is not None, html[:500]
    return found.group(1)


def text_of(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def sign_in(app: App, key: str) -> None:
    app.http.cookies.clear()
    form = app.http.get("/login?lang=en")
    signed = app.http.post(
        "/login?lang=en", data={"csrf": _csrf(form.text), "key": app.keys[key], "next": "/"}
    )
    assert signed.status_code == 303, signed.text


def open_on_page(app: App, fields: dict[str, str], lang: str = "en") -> httpx.Response:
    form = app.http.get("/rounds/new", params={"lang": lang})
    assert form.status_code == 200, form.text[:300]
    return app.http.post(
        "/rounds/new", params={"lang": lang}, data={"csrf": _csrf(form.text), **fields}
    )


def codes_on(page: str) -> list[tuple[str, str, str]]:
    table = page.split('id="codes-table"', 1)[1].split("</table>", 1)[0]
    rows = re.findall(
        r'<th scope="row">([^<]+)</th><td>([^<]+)</td><td><code class="receipt">([^<]+)</code>',
        table,
    )
    return [(unescape(a), unescape(b), c) for a, b, c in rows]


def round_id_on(page: str) -> str:
    found = re.search(r'href="/rounds/([0-9a-f]+)\?lang=', page)
    assert found is not None
    return found.group(1)


def test_a_head_of_service_opens_follows_and_closes_a_round(app: App) -> None:
    sign_in(app, "kronoberg")
    organisation = app.organisation()
    day = (datetime.now(UTC) + timedelta(days=14)).date()
    opened = open_on_page(
        app,
        {
            "organisation.id": organisation,
            "organisation.name": "IFO Alvesta kommun",
            "organisation.country": "SE",
            "organisation.size": "small",
            "intervention.name": "Familjeorienterat arbetssätt",
            "intervention.kind": "method",
            "intervention.model": "family_oriented_work",
            "closes_on": day.isoformat(),
            "codes.staff": "3",
            "codes.tactical_leader": "",
            "shared.other": "yes",
        },
    )
    assert opened.status_code == 200, text_of(opened.text)[:800]
    codes = codes_on(opened.text)
    assert [(role, kind) for role, kind, _ in codes] == [
        ("Staff member", "Personal"),
        ("Staff member", "Personal"),
        ("Staff member", "Personal"),
        ("Other role", "Shared"),
    ]
    assert "http://testserver.local/respond" in text_of(opened.text)
    round_id = round_id_on(opened.text)
    # The round is the API's: region from the key's binding, the closing date at the end of
    # that day in Swedish time.
    got = app.call("kronoberg", "GET", f"/v1/rounds/{round_id}").json()
    assert (got["organisation_id"], got["region"], got["status"]) == (
        organisation,
        KRONOBERG,
        "open",
    )
    closes = datetime.fromisoformat(got["closes_at"])
    assert closes.astimezone(UTC) > datetime.combine(day, datetime.min.time(), tzinfo=UTC)
    assert closes.astimezone(UTC).date() == day
    listed = app.http.get("/rounds", params={"lang": "en"})
    assert f"/rounds/{round_id}?lang=en" in listed.text and "IFO Alvesta kommun" in listed.text
    staff = [code for role, _, code in codes if role == "Staff member"]
    for code, time in zip(staff, ("high", "high", "medium"), strict=True):
        assert app.respond(code, {"risks": {"lack_of_time": time}}).status_code == 200
        detail = app.http.get(f"/rounds/{round_id}", params={"lang": "en"})
        counts = app.call("kronoberg", "GET", f"/v1/rounds/{round_id}/responses").json()
        page = text_of(detail.text)
        if counts["suppressed"]:
            assert "Fewer than 3 have answered, so no groups are shown yet." in page
            assert 'id="groups-table"' not in detail.text
        else:
            assert [g["respondents"] for g in counts["groups"]] == [3]
            assert "Staff member 3" in page
    closed = app.http.post(
        f"/rounds/{round_id}/close", params={"lang": "en"}, data={"csrf": _csrf(detail.text)}
    )
    assert closed.status_code == 303
    after = app.call("kronoberg", "GET", f"/v1/rounds/{round_id}").json()
    assert after["status"] == "closed" and after["assessment_id"]
    detail = app.http.get(f"/rounds/{round_id}", params={"lang": "en"})
    assert f'href="/assessments/{after["assessment_id"]}?lang=en"' in detail.text
    assert 'id="close-round"' not in detail.text
    report = app.http.get(f"/assessments/{after['assessment_id']}", params={"lang": "en"})
    assert report.status_code == 200 and "IFO Alvesta kommun" in report.text
    deleted = app.http.post(
        f"/rounds/{round_id}/delete-answers",
        params={"lang": "en"},
        data={"csrf": _csrf(detail.text)},
    )
    assert deleted.status_code == 303
    assert app.call("kronoberg", "GET", f"/v1/rounds/{round_id}").json()["answers_deleted_at"]
    assert "The individual answers were deleted on" in text_of(
        app.http.get(f"/rounds/{round_id}", params={"lang": "en"}).text
    )


def test_the_form_explains_what_is_missing_or_wrong(app: App) -> None:
    sign_in(app, "kronoberg")
    nobody = open_on_page(app, {"organisation.id": app.organisation()}, "sv")
    assert nobody.status_code == 400
    assert "Bjud in minst en person" in nobody.text
    assert 'id="error-summary"' in nobody.text
    wrong = open_on_page(
        app,
        {
            "organisation.id": app.organisation(),
            "codes.staff": "tre",
            "closes_on": "31/1",
        },
        "da",
    )
    assert wrong.status_code == 400
    assert "Medarbejder: Et heltal fra 0 til 500." in wrong.text  # the summary names the field
    assert "Skriv datoen som ÅÅÅÅ-MM-DD" in wrong.text
    assert wrong.text.count('aria-invalid="true"') == 2
    assert 'value="tre"' in wrong.text  # what was typed is kept
    superscript = open_on_page(app, {"organisation.id": app.organisation(), "codes.staff": "²"})
    assert superscript.status_code == 400  # a digit to str.isdigit, not to int()
    past = open_on_page(
        app,
        {
            "organisation.id": app.organisation(),
            "codes.staff": "1",
            "closes_on": (date.today() - timedelta(days=2)).isoformat(),
        },
    )
    assert past.status_code == 400
    assert "Write the date as YYYY-MM-DD, today or later." in past.text
    # As the message says, today will do: the round stays open to the end of the day, in the
    # time of the page (Swedish and Danish time), whatever the machine's own day is.
    today = open_on_page(
        app,
        {
            "organisation.id": app.organisation(),
            "codes.staff": "1",
            "closes_on": datetime.now(PAGE_TIME).date().isoformat(),
        },
    )
    assert today.status_code == 200, text_of(today.text)[:800]
    elsewhere = open_on_page(
        app,
        {"organisation.id": app.organisation(), "organisation.region": "Skåne", "codes.staff": "1"},
    )
    assert elsewhere.status_code == 400
    assert "The key may not open rounds for that organisation or region." in elsewhere.text


def test_another_region_and_a_key_that_may_only_read_are_refused(app: App) -> None:
    opened = app.open("kronoberg", app.organisation(), codes={"staff": 1})
    round_id = opened["round"]["id"]
    sign_in(app, "skane")
    assert app.http.get(f"/rounds/{round_id}", params={"lang": "en"}).status_code == 404
    assert f"/rounds/{round_id}" not in app.http.get("/rounds", params={"lang": "en"}).text
    sign_in(app, "kronoberg_reader")
    detail = app.http.get(f"/rounds/{round_id}", params={"lang": "en"})
    assert detail.status_code == 200
    assert 'id="close-round"' not in detail.text
    assert "Open a new round" not in app.http.get("/rounds", params={"lang": "en"}).text
    assert app.http.get("/rounds/new", params={"lang": "en"}).status_code == 403
    refused = app.http.post(
        f"/rounds/{round_id}/close", params={"lang": "en"}, data={"csrf": _csrf(detail.text)}
    )
    assert refused.status_code == 403
    forged = app.http.post(f"/rounds/{round_id}/close", params={"lang": "en"}, data={})
    assert forged.status_code == 403
    app.http.cookies.clear()
    assert app.http.get("/rounds", params={"lang": "en"}).status_code == 401
    assert app.call("kronoberg", "GET", f"/v1/rounds/{round_id}").json()["status"] == "open"


def test_closing_a_round_nobody_answered_says_why(app: App) -> None:
    opened = app.open("kronoberg", app.organisation(), codes={"staff": 1})
    round_id = opened["round"]["id"]
    sign_in(app, "kronoberg")
    detail = app.http.get(f"/rounds/{round_id}", params={"lang": "sv"})
    assert 'id="close-round"' not in detail.text
    assert "Ingen har svarat ännu" in detail.text
    # A form sent anyway (from an older page) gets the reason, and the round stays open.
    early = app.http.post(
        f"/rounds/{round_id}/close", params={"lang": "sv"}, data={"csrf": _csrf(detail.text)}
    )
    assert early.status_code == 409
    assert "Ingen har svarat ännu" in text_of(early.text.split('id="round-error"', 1)[1])
    assert app.call("kronoberg", "GET", f"/v1/rounds/{round_id}").json()["status"] == "open"


def test_a_closed_round_shows_where_the_roles_see_things_differently(app: App) -> None:
    opened = app.open("kronoberg", app.organisation(), codes={"tactical_leader": 3, "staff": 3})
    round_id = opened["round"]["id"]
    for item in opened["codes"]:
        # The heads of service say they back the method; the staff do not feel it.
        backed = "yes" if item["role"] == "tactical_leader" else "no"
        answer = {"leadership": {"support": {"tactical": backed}}, "risks": {"workload": "high"}}
        assert app.respond(item["code"], answer).status_code == 200
    sign_in(app, "kronoberg")
    open_page = app.http.get(f"/rounds/{round_id}", params={"lang": "en"})
    assert "Where the roles see things differently" not in open_page.text  # combined once closed
    closed = app.http.post(
        f"/rounds/{round_id}/close", params={"lang": "en"}, data={"csrf": _csrf(open_page.text)}
    )
    assert closed.status_code == 303
    page = app.http.get(f"/rounds/{round_id}", params={"lang": "en"}).text
    result = app.call("kronoberg", "GET", f"/v1/rounds/{round_id}/result").json()
    (disagreement,) = result["combination"]["disagreements"]
    questions = app.http.get("/v1/questionnaire", params={"lang": "en"}).json()["questions"]
    asked = {q["path"]: q["text"] for q in questions}
    table = text_of(page.split('id="differences-table"', 1)[1].split("</table>", 1)[0])
    assert asked[disagreement["indicator"]] in table
    assert "No Staff member" in table and "Yes Tactical leadership" in table
    assert table.endswith(str(disagreement["spread"]))
    combined = text_of(page.split('id="combined-table"', 1)[1].split("</table>", 1)[0])
    for answer in result["combination"]["answers"]:
        assert asked[answer["path"]] in combined
    assert f"The combined answers ({len(result['combination']['answers'])})" in page
