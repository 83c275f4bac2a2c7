"""Assessment rounds over HTTP, on SQLite and PostgreSQL.

A round of 21 respondents combined by the documented rules into a stored assessment whose delta
works; privacy (no role under the threshold on its own, no answer sent back, codes kept hashed);
replacing answers; closed rounds; deleting answers on request and by retention; region-bound keys;
invitation codes that are missing or wrong; each role's form.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, get_args

import httpx
import pytest
from pydantic import BaseModel
from sqlalchemy import text, update

from api.pages.common import nested
from engine import ROLES, Engine, load_round_spec, load_ruleset
from engine import tests_in as indicator_tests  # not collected as a test
from schemas.assessment import AssessmentRequest
from schemas.questionnaire import Questionnaire
from schemas.result import AssessmentResult
from schemas.rounds import (
    RespondentForm,
    ResponseReceipt,
    RoundOpened,
    RoundOut,
    RoundPage,
    RoundResponses,
    RoundResult,
)
from schemas.stored import Delta
from schemas.vocabulary import RoundRole
from store.database import Database
from store.models import RoundRecord
from store.repository import Repository
from tests.api.conftest import Keyed, in_process
from tests.databases import BACKENDS, database_url, fresh

KRONOBERG = "Region Kronoberg"
SKANE = "Skåne"
INTERVENTION = {"name": "Familjeorienterat arbetssätt", "model": "family_oriented_work"}
SPEC = load_round_spec()


@dataclass
class App(Keyed):
    """The app in process on one database, keys made in it by name, and the database's URL."""

    url: str
    orgs: list[int] = field(default_factory=lambda: [0])

    def organisation(self) -> str:
        """A new organisation id, so that the tests of one module share no history."""
        self.orgs[0] += 1
        return f"se-{self.orgs[0]:04d}-ifo"

    def open(self, key: str, org: str, region: str | None = KRONOBERG, **body: Any) -> Any:
        organisation: dict[str, Any] = {"id": org, "name": f"IFO {org}", "country": "SE"}
        if region is not None:
            organisation["region"] = region
        answer = self.call(
            key,
            "POST",
            "/v1/rounds",
            json={"organisation": organisation, "intervention": INTERVENTION, **body},
        )
        assert answer.status_code == 201, answer.text
        opened = valid(RoundOpened, answer)
        assert answer.headers["location"] == f"/v1/rounds/{opened['round']['id']}"
        return opened

    def respond(self, code: str, answers: dict[str, Any]) -> httpx.Response:
        return self.http.post("/v1/respond", headers={"X-Round-Code": code}, json=answers)

    def set_round(self, round_id: str, **values: Any) -> None:
        """Change a round's columns directly (typed: datetimes are bound as the store binds them)."""
        database = Database(self.url)
        try:
            with database.engine.begin() as connection:
                connection.execute(
                    update(RoundRecord).where(RoundRecord.id == round_id).values(**values)
                )
        finally:
            database.close()

    def sql(self, statement: str, **params: Any) -> list[Any]:
        database = Database(self.url)
        try:
            with database.engine.begin() as connection:
                result = connection.execute(text(statement), params)
                return list(result) if result.returns_rows else []
        finally:
            database.close()


def valid(model: type[BaseModel], answer: httpx.Response) -> Any:
    """The answer's JSON, after checking it is what its response model says."""
    assert answer.status_code in (200, 201), answer.text
    model.model_validate_json(answer.content)
    return answer.json()


def _app(tmp: Path, url: str, **settings: str) -> Iterator[App]:
    database = Database(url)
    repository = Repository(database)
    keys = {
        "admin": repository.create_key(["admin"]),
        "kronoberg": repository.create_key(["assess", "read"], region=KRONOBERG),
        "kronoberg_reader": repository.create_key(["read"], region=KRONOBERG),
        "skane": repository.create_key(["assess", "read"], region=SKANE),
        "reader": repository.create_key(["read"]),
    }
    database.close()
    with in_process(tmp, database_url=url, **settings) as client:
        yield App(client, keys, url)


@pytest.fixture(scope="module", params=BACKENDS)
def app(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[App]:
    tmp = tmp_path_factory.mktemp(f"rounds-{request.param}")
    url = database_url(request.param, tmp)
    fresh(url).close()
    yield from _app(tmp, url)


def codes_of(opened: Any, role: str, kind: str = "personal") -> list[str]:
    return [c["code"] for c in opened["codes"] if c["role"] == role and c["kind"] == kind]


def role_lists(node: Any, skip: str = "invited") -> list[list[str]]:
    """Every list of roles in an answer (each `roles`, and each group of a disagreement's end).

    `invited` (the codes issued per role, not who answered) is left out.
    """
    if isinstance(node, dict):
        found: list[list[str]] = [v for k, v in node.items() if k == "roles"]
        found += [g for k, v in node.items() if k == "groups" for g in v if isinstance(g, list)]
        return found + [x for k, v in node.items() if k != skip for x in role_lists(v)]
    if isinstance(node, list):
        return [x for v in node for x in role_lists(v)]
    return []


# --- the round of 21, end to end ----------------------------------------------------------------


def _answer_round_of_21(app: App, opened: Any) -> None:
    """2 strategic, 3 tactical, 4 operational leaders (personal codes), 12 staff (a shared code)."""
    for code in codes_of(opened, "strategic_leader"):
        answers = {
            "leadership": {"support": {"strategic": "yes"}, "resources": {"training_time": "yes"}},
            "risks": {"lack_of_time": "low"},
        }
        assert app.respond(code, answers).status_code == 200
    tactical = zip(
        codes_of(opened, "tactical_leader"),
        [("yes", "yes"), ("yes", "partly"), ("partly", "yes")],
        strict=True,
    )
    for code, (support, training) in tactical:
        answers = {
            "leadership": {
                "support": {"strategic": "yes", "tactical": support},
                "resources": {"training_time": training},
            },
            "risks": {"lack_of_time": "low"},
        }
        assert app.respond(code, answers).status_code == 200
    operational = zip(
        codes_of(opened, "operational_leader"), ["yes", "yes", "partly", "no"], strict=True
    )
    for code, support in operational:
        answers = {
            "leadership": {
                "support": {"operational": support},
                "resources": {"training_time": "yes"},
            },
            "risks": {"lack_of_time": "medium"},
        }
        assert app.respond(code, answers).status_code == 200
    (shared,) = codes_of(opened, "staff", "shared")
    staff = zip(
        ["no"] * 7 + ["partly"] * 3 + ["yes"] * 2, ["high"] * 8 + ["medium"] * 4, strict=True
    )
    for support, time in staff:
        answers = {
            "leadership": {"support": {"tactical": support}},
            "risks": {"lack_of_time": time},
            "competence": {"staff_motivation": "medium"},
        }
        receipt = valid(ResponseReceipt, app.respond(shared, answers))
        # Never the answers back; a personal code to replace them with.
        assert set(receipt) == {"role", "submitted_at", "replaced", "code", "closes_at"}
        assert receipt["role"] == "staff" and receipt["code"] and not receipt["replaced"]


def test_a_round_of_21_is_combined_by_the_documented_rules_and_stored(app: App) -> None:
    org = app.organisation()
    # The organisation's earlier assessment, one person's answers.
    earlier = app.call(
        "kronoberg",
        "POST",
        "/v1/assessments",
        params={"store": "true"},
        json={
            "organisation": {"id": org, "region": KRONOBERG, "country": "SE"},
            "intervention": INTERVENTION,
            "leadership": {"support": {"tactical": "no"}},
            "risks": {"lack_of_time": "high"},
        },
    )
    assert earlier.status_code == 201, earlier.text
    opened = app.open(
        "kronoberg",
        org,
        codes={"strategic_leader": 2, "tactical_leader": 3, "operational_leader": 4},
        shared_roles=["staff"],
    )
    round_id = opened["round"]["id"]
    assert len(opened["codes"]) == 10
    _answer_round_of_21(app, opened)

    counts = valid(RoundResponses, app.call("kronoberg", "GET", f"/v1/rounds/{round_id}/responses"))
    # Two strategic leaders are too few to be shown: they are counted with the tactical ones.
    assert [(g["roles"], g["respondents"]) for g in counts["groups"]] == [
        (["strategic_leader", "tactical_leader"], 5),
        (["operational_leader"], 4),
        (["staff"], 12),
    ]
    assert counts["respondents"] == 21 and not counts["suppressed"] and counts["min_group"] == 3
    assert counts["invited"] == [
        {"role": "strategic_leader", "personal": 2, "shared": False},
        {"role": "tactical_leader", "personal": 3, "shared": False},
        {"role": "operational_leader", "personal": 4, "shared": False},
        {"role": "staff", "personal": 0, "shared": True},
    ]
    # Answers are combined once, when the round closes: no result to watch change before.
    early = app.call("kronoberg", "GET", f"/v1/rounds/{round_id}/result")
    assert (early.status_code, early.json()["code"]) == (409, "round-open")

    closed = valid(RoundOut, app.call("kronoberg", "POST", f"/v1/rounds/{round_id}/close"))
    assert closed["status"] == "closed" and not closed["takes_responses"]
    assert closed["respondents"] == 21 and closed["assessment_id"]
    again = app.call("kronoberg", "POST", f"/v1/rounds/{round_id}/close")
    assert (again.status_code, again.json()["code"]) == (409, "round-closed")

    result = valid(RoundResult, app.call("kronoberg", "GET", f"/v1/rounds/{round_id}/result"))
    combination = result["combination"]
    answers = {a["path"]: (a["value"], a["answers"], a["roles"]) for a in combination["answers"]}
    # rules/rounds.yaml: each level of leadership answers for its own support (median); the two
    # strategic leaders count with the tactical ones they are grouped with.
    assert answers["leadership.support.strategic"] == (
        "yes",
        5,
        ["strategic_leader", "tactical_leader"],
    )
    # The tactical leaders' own yes, yes, partly: yes. The staff's no is compared, not counted.
    assert answers["leadership.support.tactical"] == (
        "yes",
        3,
        ["strategic_leader", "tactical_leader"],
    )
    # yes, yes, partly, no: an even count takes the more cautious middle answer, partly.
    assert answers["leadership.support.operational"] == ("partly", 4, ["operational_leader"])
    # Resources count the most cautious leader's answer (9 leaders; one tactical said partly).
    assert answers["leadership.resources.training_time"][:2] == ("partly", 9)
    # Time and workload are judged by those who do the work: the staff's median.
    assert answers["risks.lack_of_time"] == ("high", 12, ["tovholder", "coordinator", "staff"])
    assert answers["competence.staff_motivation"] == ("medium", 12, ["staff"])
    assert combination["agreement"]["agreement.tactical_support"] == "differ"
    assert combination["agreement"]["agreement.time"] == "differ"
    assert combination["agreement"]["agreement.strategic_support"] == "agree"
    assert combination["agreement"]["agreement.operational_support"] == "unknown"
    tactical = next(
        d for d in combination["disagreements"] if d["matter"] == "agreement.tactical_support"
    )
    assert tactical["low"] == {"value": "no", "groups": [["staff"]]}
    assert tactical["high"] == {"value": "yes", "groups": [["strategic_leader", "tactical_leader"]]}

    # The result is the engine's for the combined assessment, its disagreements findings of it.
    combined = AssessmentRequest.model_validate(
        {
            "organisation": {"id": org, "name": f"IFO {org}", "country": "SE", "region": KRONOBERG},
            "intervention": INTERVENTION,
            **nested({path: value for path, (value, _, _) in answers.items()}),
            "agreement": {
                matter.split(".", 1)[1]: value
                for matter, value in combination["agreement"].items()
                if value != "unknown"
            },
        }
    )
    engine = Engine(load_ruleset(), "compiled")  # the same results as durable_rules
    try:
        expected = engine.assess(combined)
    finally:
        engine.close()
    assert [g["id"] for g in result["result"]["gaps"]] == [g.id for g in expected.gaps]
    differing = {m for m, v in combination["agreement"].items() if v == "differ"}
    disagreement_rules = {
        rule.id
        for rule in engine.ruleset.rules
        if rule.gap_kind == "disagreement"
        and all(
            t.path in differing and "differ" in t.values for t in indicator_tests(rule.condition)
        )
    }
    found = {g["id"] for g in result["result"]["gaps"] if g["kind"] == "disagreement"}
    assert found == disagreement_rules
    # Staff do not feel the head of service's support, and lack the time leaders think they have.
    assert {"disagreements/tactical-support", "disagreements/time"} <= found
    for gap in result["result"]["gaps"]:
        if gap["kind"] == "disagreement":
            assert set(gap["evidence"]) <= differing
            assert gap["id"] in _closed_by_recommendations(result["result"])

    # Stored as any assessment: readable, and its delta against the earlier one works.
    stored_id = closed["assessment_id"]
    assert result["assessment_id"] == stored_id
    assert app.call("kronoberg", "GET", f"/v1/assessments/{stored_id}").status_code == 200
    delta = valid(Delta, app.call("kronoberg", "GET", f"/v1/assessments/{stored_id}/delta"))
    assert delta["against"] == earlier.headers["X-Assessment-Id"]
    assert "leadership/tactical-support" in [g["id"] for g in delta["gaps_closed"]]

    # No role with two respondents is ever shown on its own.
    shown = [
        counts,
        result,
        closed,
        valid(RoundOut, app.call("kronoberg", "GET", f"/v1/rounds/{round_id}")),
        valid(RoundPage, app.call("kronoberg", "GET", "/v1/rounds", params={"organisation": org})),
    ]
    lists = [roles for answer in shown for roles in role_lists(answer)]
    assert ["strategic_leader", "tactical_leader"] in lists
    assert ["strategic_leader"] not in lists


def _closed_by_recommendations(node: Any) -> set[str]:
    """The ids of the gaps some recommendation (or sub-point) of a result closes."""
    if isinstance(node, dict):
        return set(node.get("closes_gaps", [])).union(
            *(_closed_by_recommendations(v) for v in node.values())
        )
    if isinstance(node, list):
        return set().union(*(_closed_by_recommendations(v) for v in node))
    return set()


# --- answering -------------------------------------------------------------------------------


def test_answering_again_with_a_code_replaces_the_answers(app: App) -> None:
    opened = app.open("kronoberg", app.organisation(), codes={"staff": 3}, shared_roles=["other"])
    round_id = opened["round"]["id"]
    first, second, third = codes_of(opened, "staff")
    for code, motivation in ((first, "low"), (second, "low"), (third, "high")):
        body = {"competence": {"staff_motivation": motivation}}
        assert valid(ResponseReceipt, app.respond(code, body))["replaced"] is False
    again = valid(ResponseReceipt, app.respond(first, {"competence": {"staff_motivation": "high"}}))
    assert again["replaced"] is True and again["code"] is None
    (shared,) = codes_of(opened, "other", "shared")
    receipts = [valid(ResponseReceipt, app.respond(shared, {})) for _ in range(2)]
    # Each answer given with a shared code is a new respondent, with a code of its own.
    assert all(not r["replaced"] for r in receipts)
    assert receipts[0]["code"] != receipts[1]["code"]
    replaced = valid(ResponseReceipt, app.respond(receipts[0]["code"], {"culture": {}}))
    assert replaced["replaced"] is True and replaced["code"] is None
    got = valid(RoundOut, app.call("kronoberg", "GET", f"/v1/rounds/{round_id}"))
    assert got["respondents"] == 5
    app.call("kronoberg", "POST", f"/v1/rounds/{round_id}/close").raise_for_status()
    result = app.call("kronoberg", "GET", f"/v1/rounds/{round_id}/result").json()
    (motivation,) = [
        a for a in result["combination"]["answers"] if a["path"] == "competence.staff_motivation"
    ]
    # low, high, high after the replacement: the median is high (it was low before).
    assert (motivation["value"], motivation["answers"]) == ("high", 3)


def test_answers_outside_the_role_s_form_are_refused_and_nothing_is_kept(app: App) -> None:
    opened = app.open("kronoberg", app.organisation(), codes={"staff": 1})
    (code,) = codes_of(opened, "staff")
    # Resources are asked of leaders only.
    outside = app.respond(code, {"leadership": {"resources": {"training_time": "yes"}}})
    assert (outside.status_code, outside.json()["code"]) == (422, "field-not-in-form")
    assert outside.json()["errors"][0]["path"] == "$.leadership.resources.training_time"
    wrong = app.respond(code, {"risks": {"lack_of_time": "maybe"}})
    assert (wrong.status_code, wrong.json()["code"]) == (422, "answer-not-in-scale")
    assert wrong.json()["errors"][0]["allowed"] == ["low", "medium", "high", "unknown"]
    shapes: tuple[object, ...] = ([], {"risks": {"lack_of_time": 3}})
    for shape in shapes:
        refused = app.respond(code, shape)  # type: ignore[arg-type]  # deliberately ill-typed answers
        assert (refused.status_code, refused.json()["code"]) == (422, "invalid-answers")
    case = app.respond(code, {"organisation": {"name": "Någon annan"}})
    assert (case.status_code, case.json()["code"]) == (422, "field-not-in-form")
    got = app.call("kronoberg", "GET", f"/v1/rounds/{opened['round']['id']}").json()
    assert got["respondents"] == 0


def test_a_closed_round_takes_no_answers(app: App) -> None:
    opened = app.open("kronoberg", app.organisation(), codes={"staff": 2})
    round_id = opened["round"]["id"]
    first, second = codes_of(opened, "staff")
    nobody = app.call("kronoberg", "POST", f"/v1/rounds/{round_id}/close")
    assert (nobody.status_code, nobody.json()["code"]) == (409, "round-without-responses")
    assert app.call("kronoberg", "GET", f"/v1/rounds/{round_id}").json()["status"] == "open"
    assert app.respond(first, {"risks": {"workload": "high"}}).status_code == 200
    assert app.call("kronoberg", "POST", f"/v1/rounds/{round_id}/close").status_code == 200
    for answer in (
        app.respond(first, {"risks": {"workload": "low"}}),
        app.respond(second, {"risks": {"workload": "low"}}),
        app.http.get("/v1/respond", headers={"X-Round-Code": second}),
    ):
        assert (answer.status_code, answer.json()["code"]) == (409, "round-closed")


def test_a_round_past_its_closing_date_takes_no_answers_and_can_be_closed(app: App) -> None:
    soon = (datetime.now(UTC) + timedelta(days=7)).isoformat()
    opened = app.open("kronoberg", app.organisation(), codes={"staff": 2}, closes_at=soon)
    round_id = opened["round"]["id"]
    first, second = codes_of(opened, "staff")
    assert app.respond(first, {"risks": {"workload": "high"}}).status_code == 200
    past = datetime.now(UTC) - timedelta(minutes=1)
    app.set_round(round_id, closes_at=past)
    late = app.respond(second, {"risks": {"workload": "high"}})
    assert (late.status_code, late.json()["code"]) == (409, "round-closed")
    got = app.call("kronoberg", "GET", f"/v1/rounds/{round_id}").json()
    assert got["status"] == "open" and got["takes_responses"] is False
    closed = app.call("kronoberg", "POST", f"/v1/rounds/{round_id}/close")
    assert closed.status_code == 200 and closed.json()["respondents"] == 1


# --- privacy -------------------------------------------------------------------------------------


def test_a_small_round_shows_no_group_and_no_role(app: App) -> None:
    opened = app.open("kronoberg", app.organisation(), codes={"tactical_leader": 1, "staff": 1})
    round_id = opened["round"]["id"]
    for code in (c["code"] for c in opened["codes"]):
        assert app.respond(code, {"leadership": {"support": {"tactical": "no"}}}).status_code == 200
    counts = app.call("kronoberg", "GET", f"/v1/rounds/{round_id}/responses").json()
    assert counts["groups"] == [] and counts["suppressed"] is True and counts["respondents"] == 2
    app.call("kronoberg", "POST", f"/v1/rounds/{round_id}/close").raise_for_status()
    result = app.call("kronoberg", "GET", f"/v1/rounds/{round_id}/result").json()
    assert result["combination"]["groups"] == [] and result["combination"]["suppressed"] is True
    lists = role_lists([counts, result])
    assert ["tactical_leader"] not in lists and ["staff"] not in lists


def test_codes_are_kept_hashed_and_answers_anonymous(app: App) -> None:
    opened = app.open("kronoberg", app.organisation(), codes={"staff": 2}, shared_roles=["other"])
    round_id = opened["round"]["id"]
    shown = [c["code"] for c in opened["codes"]]
    receipt = valid(ResponseReceipt, app.respond(codes_of(opened, "other", "shared")[0], {}))
    shown.append(receipt["code"])
    assert all(len(code) == 32 for code in shown)
    stored = app.sql(
        "SELECT code_hash, role, kind FROM round_codes WHERE round_id = :id", id=round_id
    )
    assert sorted(row[0] for row in stored) == sorted(
        hashlib.sha256(code.encode()).hexdigest() for code in shown
    )
    assert sorted(row[2] for row in stored) == ["personal", "personal", "receipt", "shared"]
    # No code in the clear anywhere in the round's rows.
    rows = [
        *app.sql("SELECT * FROM rounds WHERE id = :id", id=round_id),
        *app.sql("SELECT * FROM round_codes WHERE round_id = :id", id=round_id),
        *app.sql("SELECT * FROM round_responses WHERE round_id = :id", id=round_id),
    ]
    dumped = json.dumps([[str(v) for v in row] for row in rows])
    assert not [code for code in shown if code in dumped]
    # A response holds its role, its answers and when; no name, no address, no key.
    (columns,) = app.sql("SELECT * FROM round_responses WHERE round_id = :id", id=round_id)[:1] or [
        None
    ]
    assert columns is not None
    assert set(columns._fields) == {
        "id",
        "round_id",
        "role",
        "answers_json",
        "code_hash",
        "submitted_at",
    }


# --- deleting answers ------------------------------------------------------------------------


def test_deleting_a_round_s_answers_keeps_what_it_combined_to(app: App) -> None:
    opened = app.open("kronoberg", app.organisation(), codes={"staff": 3})
    round_id = opened["round"]["id"]
    for code in codes_of(opened, "staff"):
        assert app.respond(code, {"risks": {"workload": "high"}}).status_code == 200
    closed = app.call("kronoberg", "POST", f"/v1/rounds/{round_id}/close").json()
    before = app.call("kronoberg", "GET", f"/v1/rounds/{round_id}/result").json()
    forbidden = app.call("kronoberg_reader", "DELETE", f"/v1/rounds/{round_id}/responses")
    assert (forbidden.status_code, forbidden.json()["code"]) == (403, "insufficient-scope")
    deleted = valid(RoundOut, app.call("kronoberg", "DELETE", f"/v1/rounds/{round_id}/responses"))
    assert deleted["answers_deleted_at"] is not None
    assert app.sql("SELECT id FROM round_responses WHERE round_id = :id", id=round_id) == []
    stored = app.call("kronoberg", "GET", f"/v1/assessments/{closed['assessment_id']}")
    assert stored.status_code == 200
    after = app.call("kronoberg", "GET", f"/v1/rounds/{round_id}/result").json()
    assert after == before
    counts = app.call("kronoberg", "GET", f"/v1/rounds/{round_id}/responses").json()
    assert counts["groups"] == [{"roles": ["staff"], "respondents": 3}]
    assert app.call("admin", "DELETE", f"/v1/rounds/{round_id}/responses").status_code == 200


def _closed_round(app: App, key: str = "kronoberg") -> str:
    opened = app.open(key, app.organisation(), codes={"staff": 3})
    for code in codes_of(opened, "staff"):
        assert app.respond(code, {"risks": {"workload": "medium"}}).status_code == 200
    round_id: str = opened["round"]["id"]
    assert app.call(key, "POST", f"/v1/rounds/{round_id}/close").status_code == 200
    return round_id


def _answers_kept(app: App, round_id: str) -> int:
    (row,) = app.sql("SELECT count(*) FROM round_responses WHERE round_id = :id", id=round_id)
    return int(row[0])


def test_answers_are_deleted_when_the_retention_period_ends(
    app: App, tmp_path_factory: pytest.TempPathFactory
) -> None:
    recent, due = _closed_round(app), _closed_round(app)
    long_ago = datetime.now(UTC) - timedelta(days=91)
    app.set_round(due, closed_at=long_ago)
    assert _answers_kept(app, due) == 3
    # Listing rounds applies the schedule (90 days by default).
    app.call("reader", "GET", "/v1/rounds").raise_for_status()
    assert _answers_kept(app, due) == 0 and _answers_kept(app, recent) == 3
    round_ = app.call("reader", "GET", f"/v1/rounds/{due}").json()
    assert round_["answers_deleted_at"] is not None and round_["assessment_id"] is not None
    assert app.call("reader", "GET", f"/v1/assessments/{round_['assessment_id']}").is_success
    # Starting the app applies it too.
    app.set_round(recent, closed_at=long_ago)
    with in_process(tmp_path_factory.mktemp("restart"), database_url=app.url):
        assert _answers_kept(app, recent) == 0


def test_with_no_retention_answers_go_as_the_round_closes(
    app: App, tmp_path_factory: pytest.TempPathFactory
) -> None:
    tmp = tmp_path_factory.mktemp("no-retention")
    for other in _app(tmp, app.url, round_retention_days="0"):
        other.orgs = app.orgs  # one database: organisations stay distinct
        round_id = _closed_round(other)
        assert _answers_kept(other, round_id) == 0
        got = other.call("reader", "GET", f"/v1/rounds/{round_id}").json()
        assert got["answers_deleted_at"] is not None and got["respondents"] == 3


def test_deleting_an_organisation_deletes_its_rounds(app: App) -> None:
    org = app.organisation()
    opened = app.open("kronoberg", org, codes={"staff": 1})
    (code,) = codes_of(opened, "staff")
    assert app.respond(code, {}).status_code == 200
    deleted = app.call("admin", "DELETE", f"/v1/organisations/{org}/assessments")
    assert deleted.json() == {"deleted": 0, "rounds": 1}
    gone = app.call("admin", "GET", f"/v1/rounds/{opened['round']['id']}")
    assert (gone.status_code, gone.json()["code"]) == (404, "round-not-found")
    assert app.respond(code, {}).json()["code"] == "invalid-round-code"
    assert (
        app.sql("SELECT id FROM round_responses WHERE round_id = :id", id=opened["round"]["id"])
        == []
    )


# --- keys and regions ------------------------------------------------------------------------


def test_a_region_bound_key_sees_only_its_region_s_rounds(app: App) -> None:
    mine = app.organisation()
    opened = app.open("kronoberg", mine, codes={"staff": 1})
    round_id = opened["round"]["id"]
    theirs = app.open("skane", app.organisation(), region=SKANE, codes={"staff": 1})
    listed = app.call("kronoberg_reader", "GET", "/v1/rounds").json()["items"]
    assert round_id in [r["id"] for r in listed]
    assert {r["region"] for r in listed} == {KRONOBERG}
    every = app.call("reader", "GET", "/v1/rounds").json()["items"]
    assert {round_id, theirs["round"]["id"]} <= {r["id"] for r in every}
    for path in ("", "/responses", "/result"):
        hidden = app.call("skane", "GET", f"/v1/rounds/{round_id}{path}")
        assert (hidden.status_code, hidden.json()["code"]) == (404, "round-not-found")
    for method, path in (("POST", "/close"), ("DELETE", "/responses")):
        hidden = app.call("skane", method, f"/v1/rounds/{round_id}{path}")
        assert (hidden.status_code, hidden.json()["code"]) == (404, "round-not-found")
    # Opening a round is placing the organisation, as storing is.
    elsewhere = app.call(
        "admin",
        "POST",
        "/v1/rounds",
        json={"organisation": {"id": mine, "region": SKANE}, "codes": {"staff": 1}},
    )
    assert (elsewhere.status_code, elsewhere.json()["code"]) == (
        409,
        "organisation-in-other-region",
    )
    outside = app.call(
        "skane",
        "POST",
        "/v1/rounds",
        json={"organisation": {"id": mine, "region": KRONOBERG}, "codes": {"staff": 1}},
    )
    assert (outside.status_code, outside.json()["code"]) == (403, "outside-binding")
    # A region key that names no region opens the round in its own.
    own = app.call(
        "skane",
        "POST",
        "/v1/rounds",
        json={"organisation": {"id": app.organisation()}, "codes": {"staff": 1}},
    )
    assert own.status_code == 201 and own.json()["round"]["region"] == SKANE
    # An admin's move takes the organisation's rounds along.
    moved = app.call("admin", "PUT", f"/v1/organisations/{mine}/region", json={"region": SKANE})
    assert moved.status_code == 200, moved.text
    assert app.call("skane", "GET", f"/v1/rounds/{round_id}").json()["region"] == SKANE
    assert app.call("kronoberg", "GET", f"/v1/rounds/{round_id}").status_code == 404


def test_rounds_need_the_right_key(app: App) -> None:
    body = {"organisation": {"id": app.organisation(), "region": KRONOBERG}, "codes": {"staff": 1}}
    assert app.call(None, "POST", "/v1/rounds", json=body).json()["code"] == "missing-api-key"
    reader = app.call("reader", "POST", "/v1/rounds", json=body)
    assert (reader.status_code, reader.json()["code"]) == (403, "insufficient-scope")
    assert app.call(None, "GET", "/v1/rounds").status_code == 401
    round_id = app.open("kronoberg", app.organisation(), codes={"staff": 1})["round"]["id"]
    closing = app.call("kronoberg_reader", "POST", f"/v1/rounds/{round_id}/close")
    assert (closing.status_code, closing.json()["code"]) == (403, "insufficient-scope")


@pytest.mark.parametrize(
    ("change", "code", "path"),
    [
        ({"codes": {}}, "validation-failed", "$.codes"),
        ({"codes": {"staff": 0}}, "validation-failed", "$.codes.staff"),
        ({"codes": {"chief": 2}}, "validation-failed", "$.codes.chief"),
        ({"shared_roles": ["staff", "staff"]}, "validation-failed", "$.shared_roles"),
        ({"closes_at": "2026-01-01T12:00:00"}, "validation-failed", "$.closes_at"),
        ({"closes_at": "2001-01-01T12:00:00Z"}, "invalid-closing-date", None),
        ({"intervention": {"purpose_described": "yes"}}, "validation-failed", None),
        ({"organisation": {"name": "Ingen id"}}, "organisation-required", None),
    ],
)
def test_a_round_that_cannot_be_opened_is_refused(
    app: App, change: dict[str, Any], code: str, path: str | None
) -> None:
    body = {"organisation": {"id": app.organisation(), "region": KRONOBERG}, **change}
    if "codes" not in change and "shared_roles" not in change:
        body["codes"] = {"staff": 1}
    answer = app.call("admin", "POST", "/v1/rounds", json=body)
    assert (answer.status_code, answer.json()["code"]) == (422, code), answer.text
    if path is not None:
        assert path in [e["path"] for e in answer.json()["errors"]]


def test_invitation_codes_that_are_missing_or_wrong_are_refused(app: App) -> None:
    missing = app.http.post("/v1/respond", json={})
    assert (missing.status_code, missing.json()["code"]) == (401, "missing-round-code")
    assert "X-Round-Code" in missing.headers["www-authenticate"]
    # An API key is no invitation code.
    keyed = app.call("admin", "GET", "/v1/respond")
    assert (keyed.status_code, keyed.json()["code"]) == (401, "missing-round-code")
    for code in ("x" * 32, "y" * 5000, " "):
        wrong = app.http.get("/v1/respond", headers={"X-Round-Code": code})
        expected = "missing-round-code" if not code.strip() else "invalid-round-code"
        assert (wrong.status_code, wrong.json()["code"]) == (401, expected)
    unknown = "0" * 32
    for method, path in (
        ("GET", ""),
        ("GET", "/responses"),
        ("GET", "/result"),
        ("POST", "/close"),
        ("DELETE", "/responses"),
    ):
        answer = app.call("admin", method, f"/v1/rounds/{unknown}{path}")
        assert (answer.status_code, answer.json()["code"]) == (404, "round-not-found")


# --- forms ---------------------------------------------------------------------------------------


def test_a_respondent_gets_the_form_of_their_role_in_their_language(app: App) -> None:
    opened = app.open("kronoberg", app.organisation(), codes={"operational_leader": 1})
    (code,) = codes_of(opened, "operational_leader")
    titles = set()
    for language in ("sv", "da", "en"):
        answer = app.http.get(
            "/v1/respond", params={"lang": language}, headers={"X-Round-Code": code}
        )
        form = valid(RespondentForm, answer)
        assert answer.headers["content-language"] == language
        assert answer.headers["cache-control"] == "no-store"
        assert form["role"] == "operational_leader"
        assert form["organisation"] == opened["round"]["organisation_name"]
        assert [q["path"] for q in form["form"]["questions"]] == list(
            SPEC.form("operational_leader")
        )
        titles.add(form["role_title"])
    assert len(titles) == 3


def test_the_contract_s_roles_are_the_round_file_s() -> None:
    assert get_args(RoundRole) == ROLES
    assert set(SPEC.roles) == set(ROLES)


def test_the_questionnaire_gives_each_role_s_form(app: App) -> None:
    full = Questionnaire.model_validate(app.http.get("/v1/questionnaire").json())
    asked = {q.path: q.roles for q in full.questions}
    assert asked["leadership.resources.training_time"] == [
        "strategic_leader",
        "tactical_leader",
        "operational_leader",
    ]
    assert asked["organisation.name"] == [] and asked["agreement.time"] == []
    for role in SPEC.roles:
        form = Questionnaire.model_validate(
            app.http.get("/v1/questionnaire", params={"role": role}).json()
        )
        assert [q.path for q in form.questions] == list(SPEC.form(role))
        assert all(role in q.roles for q in form.questions)
        # Every section shown holds a question of the form, and every question's group is shown.
        sections = {s.path for s in form.sections}
        assert all(any(q.path.startswith(f"{s}.") for q in form.questions) for s in sections)
        assert {q.group for q in form.questions} <= sections
    wrong = app.http.get("/v1/questionnaire", params={"role": "chief"})
    assert wrong.status_code == 400


def test_every_round_answer_is_what_its_model_says(app: App) -> None:
    app.open("kronoberg", app.organisation(), codes={"staff": 1})  # so that there are two pages
    opened = app.open("kronoberg", app.organisation(), codes={"staff": 3})
    round_id = opened["round"]["id"]
    for code in codes_of(opened, "staff"):
        valid(ResponseReceipt, app.respond(code, {"culture": {"staff_believe": "yes"}}))
    valid(RoundOut, app.call("kronoberg", "POST", f"/v1/rounds/{round_id}/close"))
    page = valid(RoundPage, app.call("reader", "GET", "/v1/rounds", params={"limit": 1}))
    assert page["next"] and page["next_url"]
    rest = app.call("reader", "GET", page["next_url"])
    assert valid(RoundPage, rest)["items"][0]["id"] < page["items"][0]["id"]
    closed = app.call("reader", "GET", "/v1/rounds", params={"status": "closed", "limit": 500})
    assert {r["status"] for r in valid(RoundPage, closed)["items"]} == {"closed"}
    result = valid(RoundResult, app.call("reader", "GET", f"/v1/rounds/{round_id}/result"))
    AssessmentResult.model_validate(result["result"])
    example = app.http.get("/v1/examples/round")
    assert app.call("admin", "POST", "/v1/rounds", json=example.json()).status_code == 201


def test_each_round_handler_is_registered_once(app: App) -> None:
    """Litestar wraps a worker-thread handler again when it registers its path anew."""
    names = {
        handler.handler_name
        for route in app.http.app.routes  # type: ignore[attr-defined]
        for handler in getattr(route, "route_handlers", [])
    }
    assert "AsyncCallable" not in names
