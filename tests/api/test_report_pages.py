"""The report pages in process: what a report says, in which language, and who may see it.

The browser tests (tests/browser/test_report.py) look at the same pages in Chromium, with
axe-core, print and PDF; these run in the fast tier.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from api.pages.charts import Bar, PairedBar, paired_bars, score_bars
from api.pages.common import span_of_days
from api.pages.report import Step, build_report, long_date
from api.questionnaire import build_questionnaires
from api.runtime import Questionnaires
from engine import Engine, Ruleset, default_rules_dir, load_round_spec
from schemas.assessment import AssessmentRequest
from schemas.result import AssessmentResult
from schemas.vocabulary import Language
from schemas.words import number, percent
from store.database import Database
from store.models import AssessmentRecord
from store.pages import PageSessions
from store.repository import Repository
from tests.api.conftest import in_process
from tests.rules.test_scenarios import SCENARIOS

WEAK: dict[str, dict[str, Any]] = {
    "organisation": {"id": "kr-00", "country": "SE", "region": "Kronoberg", "size": "small"},
    "intervention": {"name": "Familjerådslag", "kind": "method"},
    "leadership": {"support": {"strategic": "yes", "tactical": "no", "operational": "partly"}},
    "competence": {"tovholder": {"appointed": "no"}},
    "strengths": {"rss_support": "no"},
    "risks": {"staff_turnover": "high"},
}
"""Weak answers: a blocking gap, a Swedish variant of a recommendation (RSS support)."""

BETTER = {
    **WEAK,
    "leadership": {"support": {"strategic": "yes", "tactical": "yes", "operational": "yes"}},
    "competence": {"tovholder": {"appointed": "yes"}},
    "risks": {"staff_turnover": "low"},
}
"""Half a year later: the leadership and tovholder gaps closed."""


@pytest.fixture(scope="module")
def questionnaires(ruleset: Ruleset) -> Questionnaires:
    return build_questionnaires(ruleset, load_round_spec(default_rules_dir()))


def _result(engine: Engine, answers: dict[str, Any], language: Language) -> AssessmentResult:
    request = AssessmentRequest.model_validate(answers)
    return engine.assess(request, language=language)


def test_the_recommendations_come_under_headings_that_say_when_each_is_due(
    engine: Engine, ruleset: Ruleset, questionnaires: Questionnaires
) -> None:
    # A reader scanning the list sees why a high recommendation of a later phase follows low
    # ones of the phase the organisation is in: the runs of the ranking, each with its heading.
    answers = {
        **WEAK,
        "process": {"step_1": "partly", "implementation_plan": "no", "monitoring": "no"},
        "leadership": {"support": {"strategic": "yes", "tactical": "yes", "operational": "yes"},
                       "implementation_team": "no"},
    }  # fmt: skip
    result = _result(engine, answers, "sv")
    assert result.readiness.stage == 1
    view = build_report(result, ruleset, questionnaires.of("sv"), "sv")
    groups = view.recommendation_groups
    assert [step for group in groups for step in group.steps] == view.recommendations
    assert [group.start for group in groups] == [group.steps[0].rank for group in groups]
    headings = [group.heading for group in groups]
    assert len(headings) == len(set(headings)) >= 2  # each run once, in ranking order
    assert headings[0] == "Nu, i fas 1 (Initial bedömning), där ni befinner er"
    by_id = {r.id: r for r in result.recommendations}
    for group in groups:
        for step in group.steps:
            score = by_id[step.id].score
            if score.stage:
                assert group.heading.startswith(f"När ni når fas {score.stage} ("), step.id
            elif score.finds_out:
                assert group.heading == "Att ta reda på", step.id
    waiting = [g for g in groups if g.heading.startswith("När ni når fas")]
    assert waiting, "the plan and the team wait for phase 2"
    assert any(by_id[s.id].priority in ("critical", "high") for g in waiting for s in g.steps)
    # Every text of the headings exists in the three languages.
    for language in ("sv", "da", "en"):
        other = build_report(result, ruleset, questionnaires.of(language), language)
        assert len(other.recommendation_groups) == len(groups)
        assert all(g.heading for g in other.recommendation_groups)


def test_a_result_stored_in_english_reads_in_swedish_from_its_country_s_variant(
    engine: Engine, ruleset: Ruleset, questionnaires: Questionnaires
) -> None:
    result = _result(engine, WEAK, "en")
    view = build_report(result, ruleset, questionnaires.of("sv"), "sv")
    steps = {step.id: step for step in view.recommendations}
    support = ruleset.recommendations["contact-regional-support"]
    swedish = support.by_country["SE"]
    assert swedish.title is not None and swedish.action is not None
    assert steps["contact-regional-support"].title.text == swedish.title.sv
    assert steps["contact-regional-support"].action.text == swedish.action.sv
    assert steps["contact-regional-support"].title.text != support.title.sv
    assert all(step.title.lang == "sv" for step in view.recommendations)
    assert not view.mixed_languages
    assert view.level_name == "Inte redo"
    tactical = ruleset.by_id["leadership/tactical-support"].title.sv
    assert [said.text for said in view.capped_by] == [tactical]
    assert any(f.title.text == tactical and f.severity == "blocking" for f in view.findings)


def test_a_result_stored_in_english_reads_in_danish_from_its_model_s_variant(
    engine: Engine, ruleset: Ruleset, questionnaires: Questionnaires
) -> None:
    answers = {
        "organisation": {"country": "DK"},
        "intervention": {"model": "early_support"},
        "process": {"step_1": "not"},
    }
    view = build_report(_result(engine, answers, "en"), ruleset, questionnaires.of("da"), "da")
    steps = {step.id: step for step in view.recommendations}
    entry = ruleset.recommendations["step-01-map-local-needs"]
    early = entry.by_model["early_support"]
    assert early.action is not None
    assert steps["step-01-map-local-needs"].action.text == early.action.da
    assert steps["step-01-map-local-needs"].action.text != entry.action.da
    assert steps["step-01-map-local-needs"].title.text == entry.title.da
    assert not view.mixed_languages


def test_a_step_that_is_also_work_of_a_later_one_says_so(
    engine: Engine, ruleset: Ruleset, questionnaires: Questionnaires
) -> None:
    # Reporting to the committee is Steg 5 and also Steg 13's feedback: the report names both.
    answers = {"context": {"political_attention": "low"}, "process": {"step_1": "not"}}
    view = build_report(_result(engine, answers, "en"), ruleset, questionnaires.of("sv"), "sv")
    steps = {step.id: step for step in view.recommendations}
    assert steps["involve-politicians"].phase_step == "Steg 5 i fas 1, även steg 13"
    assert steps["step-01-map-local-needs"].phase_step == "Steg 1 i fas 1"


VALUES_BEFORE_TRAINING = {
    "culture": {"values_aligned": "no", "staff_believe": "no"},
    "competence": {"training_available": "no", "staff_motivation": "low"},
    "process": {"step_8": "not"},
}
"""Values that run against the method, training missing: the dialogue comes before the plan."""


def test_a_prerequisite_placed_above_a_more_urgent_one_says_what_it_comes_before(
    engine: Engine, ruleset: Ruleset, questionnaires: Questionnaires
) -> None:
    # The values dialogue (high) is placed above the training plan (critical) that needs it
    # first: each end of the link names the other, so the order explains itself.
    answers = VALUES_BEFORE_TRAINING
    view = build_report(_result(engine, answers, "da"), ruleset, questionnaires.of("da"), "da")
    steps = {step.id: step for step in view.recommendations}
    values, training = steps["align-values-and-norms"], steps["step-08-plan-the-training"]
    assert values.rank is not None and training.rank is not None
    assert values.rank < training.rank and values.priority != training.priority
    assert values.before == [(training.anchor, training.title)]
    assert training.after == [(values.anchor, values.title)]
    assert _links_named_at_both_ends(view.recommendations)


def _links_named_at_both_ends(steps: list[Step]) -> bool:
    place = {step.anchor: step.id for step in steps}
    before = {(step.id, place[a]) for step in steps for a, _ in step.before}
    after = {(place[a], step.id) for step in steps for a, _ in step.after}
    return before == after


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_every_prerequisite_link_is_named_at_both_ends(
    engine: Engine, ruleset: Ruleset, questionnaires: Questionnaires, path: Path
) -> None:
    answers = json.loads(path.read_text(encoding="utf-8"))["assessment"]
    view = build_report(_result(engine, answers, "en"), ruleset, questionnaires.of("en"), "en")
    assert _links_named_at_both_ends(view.recommendations)


def test_a_prerequisite_folded_into_a_place_links_that_place(
    engine: Engine, ruleset: Ruleset, questionnaires: Questionnaires
) -> None:
    # The evaluation of Steg 12 is a sub-point of the monitoring; the feedback of Steg 13 needs
    # it first, so the monitoring's place says what it comes before, and the feedback links the
    # evaluation where it is done.
    path = Path(__file__).parents[1] / "rules" / "scenarios" / "nearly-ready-but-no-follow-up.json"
    answers = json.loads(path.read_text(encoding="utf-8"))["assessment"]
    view = build_report(_result(engine, answers, "sv"), ruleset, questionnaires.of("sv"), "sv")
    steps = {step.id: step for step in view.recommendations}
    monitoring = steps["set-up-monitoring"]
    feedback = steps["step-13-give-feedback-to-everyone-involved"]
    (evaluation,) = [p for p in monitoring.sub_points if p.id == "step-12-evaluate-the-process"]
    assert (feedback.anchor, feedback.title) in monitoring.before
    assert feedback.after == [(monitoring.anchor, evaluation.title)]


def test_a_text_the_rules_no_longer_hold_is_shown_as_stored_in_its_language(
    engine: Engine, ruleset: Ruleset, questionnaires: Questionnaires
) -> None:
    result = _result(engine, WEAK, "en")
    first = result.recommendations[0]
    changed = result.model_copy(
        update={
            "recommendations": [
                first.model_copy(update={"title": "A title the rules never had"}),
                *result.recommendations[1:],
            ]
        }
    )
    view = build_report(changed, ruleset, questionnaires.of("da"), "da")
    kept = view.recommendations[0]
    assert (kept.title.text, kept.title.lang) == ("A title the rules never had", "en")
    assert kept.action.lang == "en"  # the entry's texts stay together
    assert all(step.title.lang == "da" for step in view.recommendations[1:])
    assert view.mixed_languages


def test_the_report_says_how_firm_it_is_and_what_is_unknown(
    engine: Engine, ruleset: Ruleset, questionnaires: Questionnaires
) -> None:
    request = AssessmentRequest.model_validate(WEAK)
    result = engine.assess(request, language="da")
    view = build_report(result, ruleset, questionnaires.of("da"), "da", request)
    readiness = result.readiness
    worst, best = readiness.score_range.worst, readiness.score_range.best
    assert worst is not None and best is not None
    assert view.firmness[0].startswith(percent(readiness.completeness, "da"))
    assert f"mellem {number(worst, 'da')} og {number(best, 'da')}" in view.firmness[1]
    assert view.stage == readiness.stage
    assert "fase 1 af 4: Indledende vurdering" in view.stage_text
    # Every scored question that applies and was not answered is listed, by area.
    missing = sum(area.total - area.answered for area in view.areas)
    assert view.unanswered_count == missing > 0
    listed = [text for _, texts in view.unanswered_questions or () for text in texts]
    answered = {
        q.text
        for q in questionnaires.of("da").questions
        if q.path.startswith("leadership.support.")
    }
    assert answered.isdisjoint(listed)
    assert view.unknown_gaps == [f for f in view.unknown_gaps if f.kind == "unknown"]
    assert all(f.kind != "unknown" for f in view.findings)
    # What is present is a strength; what is missing is listed apart.
    present = {f.id for f in result.success_factors if f.status == "present"}
    assert {d.id for d in view.strengths} == present
    assert view.documents and len({d.title for d in view.documents}) == len(view.documents)


def test_roles_that_see_a_matter_differently_are_a_finding_of_their_own(
    engine: Engine, ruleset: Ruleset, questionnaires: Questionnaires
) -> None:
    answers = {**BETTER, "agreement": {"training": "differ", "tactical_support": "agree"}}
    view = build_report(_result(engine, answers, "en"), ruleset, questionnaires.of("sv"), "sv")
    (disagreement,) = [f for f in view.findings if f.kind == "disagreement"]
    assert disagreement.title.text == ruleset.by_id["disagreements/training"].title.sv
    assert disagreement.area == "Kompetens"
    assert disagreement.sources


def test_numbers_and_days_are_written_as_each_language_writes_them() -> None:
    assert (number(43.75, "sv"), number(43.8, "en"), number(50.0, "da")) == ("43,8", "43.8", "50")
    assert number(None, "en") == "–"
    assert (percent(0.083, "sv"), percent(0.5, "en")) == ("8\u00a0%", "50%")
    day = datetime(2026, 9, 15, tzinfo=UTC)
    assert long_date(day, "sv") == "15 september 2026"
    assert long_date(day, "da") == "15. september 2026"
    assert long_date(day, "en") == "15 September 2026"


def test_a_chart_is_named_described_and_escaped() -> None:
    chart = str(
        score_bars(
            "areas",
            "Readiness <by> area",
            "Leadership: 50",
            [Bar("Lead & <b>", 50.0, "50", "bar-not_ready"), Bar("Culture", None, "–", "x")],
            "no answers",
            marks=((40, "partly ready"),),
        )
    )
    assert chart.startswith('<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img"')
    assert 'aria-labelledby="areas-title areas-desc"' in chart
    assert '<title id="areas-title">Readiness &lt;by&gt; area</title>' in chart
    assert "Lead &amp; &lt;b&gt;" in chart and "<b>" not in chart
    assert chart.count('<rect class="bar') == 1  # no bar for the unanswered row
    assert "no answers" in chart
    assert "style=" not in chart  # the pages' policy allows no inline style
    paired = str(
        paired_bars(
            "change",
            "Earlier and now",
            "Leadership: 50 → 83",
            [
                PairedBar("Leadership", 50.0, 83.3, "50", "83.3"),
                PairedBar("Culture", None, 10.0, "–", "10"),
            ],
            ("Earlier", "Now"),
            "no answers",
        )
    )
    # Two legend swatches, then three bars: two for leadership, one for culture.
    assert paired.count('<rect class="bar before"') == 2
    assert paired.count('<rect class="bar after"') == 3
    assert ">83.3<" in paired and ">no answers<" in paired


@dataclass
class Pages:
    """The app in process, with stored assessments and signed-in sessions."""

    client: httpx.Client
    sessions: PageSessions
    kronoberg: str
    """A session signed in with a read key bound to Kronoberg."""
    skane: str
    """A session signed in with a read key bound to Skåne."""
    assess_only: str
    """A session signed in with a key that may assess but not read."""
    earlier: str
    later: str
    admin: str
    """An admin key, to store more assessments."""


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pages]:
    tmp: Path = tmp_path_factory.mktemp("report-pages")
    with in_process(tmp, assess_without_key="false") as client:
        database = Database(f"sqlite:///{tmp / 'readiness.sqlite3'}")
        repository = Repository(database)
        admin = repository.create_key(["admin"])
        ids = []
        for day, answers in (("2026-03-15", WEAK), ("2026-09-15", BETTER)):
            stored = client.post(
                "/v1/assessments",
                params={"store": "true", "assessed_on": day},
                headers={"X-API-Key": admin},
                json=answers,
            )
            assert stored.status_code == 201, stored.text
            ids.append(stored.headers["X-Assessment-Id"])
        sessions = PageSessions(database, timedelta(hours=1))

        def signed_in(scopes: list[str], region: str) -> str:
            key = repository.verify_key(repository.create_key(scopes, region=region))
            assert key is not None
            session = sessions.start()
            sessions.sign_in(session.token, key.id)
            return session.token

        yield Pages(
            client,
            sessions,
            signed_in(["read"], "Kronoberg"),
            signed_in(["read"], "Skåne"),
            signed_in(["assess"], "Kronoberg"),
            ids[0],
            ids[1],
            admin,
        )
        database.close()


def _get(pages: Pages, path: str, session: str | None = None) -> httpx.Response:
    headers = {"Cookie": f"readiness_session={session}"} if session else {}
    return pages.client.get(path, headers=headers)


def test_a_stored_report_is_a_page_of_its_own_with_the_pages_policy(pages: Pages) -> None:
    answer = _get(pages, f"/assessments/{pages.later}?lang=en", pages.kronoberg)
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/html")
    assert answer.headers["content-language"] == "en"
    assert "script-src 'self'" in answer.headers["content-security-policy"]
    assert answer.headers["cache-control"] == "no-store"
    page = answer.text
    assert "<h1>Readiness report" in page and "kr-00" in page
    # Neither answer speaks of the steps: all of phase 1 is left, unanswered.
    assert '<p id="steps-left">Left in this phase: steps 1–8 (no answer).</p>' in page
    assert f'href="/assessments/{pages.later}/compare?lang=en"' in page
    assert "15 September 2026" in page
    assert 'role="img"' in page and "<table" in page
    assert "style=" not in page


def test_a_stored_report_names_the_questions_it_was_not_given_answers_to(pages: Pages) -> None:
    page = _get(pages, f"/assessments/{pages.later}?lang=en", pages.kronoberg).text
    questions = pages.client.get("/v1/questionnaire", params={"lang": "en"}).json()["questions"]
    text = {q["path"]: q["text"] for q in questions}
    listed = page.split('<details class="unanswered">', 1)[1].split("</details>", 1)[0]
    # BETTER answers the leadership levels and leaves the plan unanswered.
    assert text["process.implementation_plan"] in listed
    assert text["leadership.support.tactical"] not in listed
    count = re.search(r"The questions without an answer \((\d+)\)", listed)
    assert count is not None and int(count.group(1)) == listed.count("<li")


def test_the_comparison_lists_what_closed_and_the_first_one_has_none(pages: Pages) -> None:
    answer = _get(pages, f"/assessments/{pages.later}/compare?lang=sv", pages.kronoberg)
    assert answer.status_code == 200
    page = answer.text
    closed = page.split('id="gaps-closed"', 1)[1].split("<h3", 1)[0]
    assert "Den taktiska ledningen" in closed  # the blocking gap of March is closed
    assert "Blockerande" in closed
    assert "184 dagar tidigare" in page
    overall = page.split('id="overall"', 1)[1].split("</table>", 1)[0]
    # Neither answer speaks of the steps: both are in the first phase.
    assert overall.count("<td>1. Initial bedömning</td>") == 2
    first = _get(pages, f"/assessments/{pages.earlier}/compare?lang=sv", pages.kronoberg)
    assert first.status_code == 200
    assert "<h1>Inget att jämföra med</h1>" in first.text
    report = _get(pages, f"/assessments/{pages.earlier}?lang=sv", pages.kronoberg)
    assert "/compare" not in report.text
    assert "organisationens första bedömning" in report.text


def test_the_comparison_names_a_new_recommendation_that_is_part_of_a_place(pages: Pages) -> None:
    # Steg 5 not done, then the heads of service turn against the method as well: securing
    # their support is new, and Steg 5 is part of it. Both are listed as new, by their titles.
    org = {**WEAK["organisation"], "id": "kr-05"}
    stored = []
    for day, support in (("2026-03-15", "yes"), ("2026-09-15", "no")):
        answers = {
            "organisation": org,
            "leadership": {"support": {"tactical": support}},
            "process": {"step_5": "not" if support == "no" else "done"},
        }
        answer = pages.client.post(
            "/v1/assessments",
            params={"store": "true", "assessed_on": day, "lang": "sv"},
            headers={"X-API-Key": pages.admin},
            json=answers,
        )
        assert answer.status_code == 201, answer.text
        stored.append(answer.headers["X-Assessment-Id"])
    result = AssessmentResult.model_validate(
        pages.client.get(f"/v1/assessments/{stored[1]}", headers={"X-API-Key": pages.admin}).json()[
            "result"
        ]
    )
    place = next(r for r in result.recommendations if r.id == "secure-tactical-leadership")
    (inside,) = [s for s in place.sub_points if s.id == "step-05-anchor-support-at-every-level"]
    page = _get(pages, f"/assessments/{stored[1]}/compare?lang=sv", pages.kronoberg).text
    new = page.split('id="recommendations-new"', 1)[1].split("<h3", 1)[0]
    assert place.title in new
    assert inside.title in new


@pytest.mark.parametrize("suffix", ["", "/compare"])
def test_another_region_s_key_gets_the_not_found_page_and_nothing_else(
    pages: Pages, suffix: str
) -> None:
    answer = _get(pages, f"/assessments/{pages.later}{suffix}?lang=en", pages.skane)
    assert answer.status_code == 404
    assert "does not exist, or the key does not give access" in answer.text
    assert "kr-00" not in answer.text and "Kronoberg" not in answer.text
    unknown = _get(pages, f"/assessments/0000{suffix}?lang=en", pages.kronoberg)
    assert unknown.status_code == 404
    assert unknown.text.count("<h1>") == 1


def test_without_a_session_the_report_asks_to_sign_in_and_comes_back(pages: Pages) -> None:
    answer = _get(pages, f"/assessments/{pages.later}?lang=da")
    assert answer.status_code == 401
    assert f'name="next" value="/assessments/{pages.later}?lang=da"' in answer.text
    assert "kr-00" not in answer.text


def test_a_stored_result_that_no_longer_reads_gets_a_page_saying_where_it_is(
    pages: Pages,
) -> None:
    database = pages.sessions.db
    with database.session() as db:
        record = db.get(AssessmentRecord, pages.earlier)
        assert record is not None
        kept = record.result_json
        record.result_json = kept.replace('"readiness":', '"readiness_old":', 1)
    try:
        answer = _get(pages, f"/assessments/{pages.earlier}?lang=en", pages.kronoberg)
        assert answer.status_code == 500
        assert f"The API gives it as it was stored: /v1/assessments/{pages.earlier}" in answer.text
        assert answer.headers["content-type"].startswith("text/html")
    finally:
        with database.session() as db:
            record = db.get(AssessmentRecord, pages.earlier)
            assert record is not None
            record.result_json = kept


def test_a_result_stored_before_sub_points_had_a_priority_still_reads(pages: Pages) -> None:
    # Stored as sent, kept as stored: a result from before sub-points carried their own
    # priority reads on the report page without it.
    database = pages.sessions.db
    admin = Repository(database).create_key(["admin"])
    path = next(p for p in SCENARIOS if p.stem == "small-municipality-high-turnover-no-rss")
    answers = json.loads(path.read_text(encoding="utf-8"))["assessment"]
    answers["organisation"] = {**answers["organisation"], "id": "kr-01", "region": "Kronoberg"}
    stored = pages.client.post(
        "/v1/assessments", params={"store": "true"}, headers={"X-API-Key": admin}, json=answers
    )
    assert stored.status_code == 201, stored.text
    found = stored.headers["X-Assessment-Id"]
    with database.session() as db:
        record = db.get(AssessmentRecord, found)
        assert record is not None
        result = json.loads(record.result_json)
        points = [p for r in result["recommendations"] for p in r["sub_points"]]
        assert points and all(p["priority"] for p in points)
        for point in points:
            del point["priority"]
        record.result_json = json.dumps(result, ensure_ascii=False, separators=(",", ":"))
    answer = _get(pages, f"/assessments/{found}?lang=en", pages.kronoberg)
    assert answer.status_code == 200
    assert points[0]["title"] in answer.text


def test_a_key_that_may_not_read_is_refused(pages: Pages) -> None:
    answer = _get(pages, f"/assessments/{pages.later}?lang=en", pages.assess_only)
    assert answer.status_code == 403
    assert "kr-00" not in answer.text


def test_an_unknown_parameter_is_refused(pages: Pages) -> None:
    answer = _get(pages, f"/assessments/{pages.later}?lang=en&print=yes", pages.kronoberg)
    assert answer.status_code == 400


def test_the_session_s_unstored_result_has_a_report_and_none_says_so(
    pages: Pages, engine: Engine
) -> None:
    session = pages.sessions.start()
    empty = _get(pages, "/report?lang=en", session.token)
    assert empty.status_code == 200
    assert "<h1>No result yet</h1>" in empty.text
    assert 'href="/questionnaire?lang=en"' in empty.text

    answers = {**WEAK, "organisation": {**WEAK["organisation"], "name": "Ljungby kommun, IFO"}}
    result = _result(engine, answers, "sv").model_dump(mode="json")
    pages.sessions.save_result(session.token, {"request": answers, "result": result})
    answer = _get(pages, "/report?lang=en", session.token)
    assert answer.status_code == 200
    page = answer.text
    assert "Ljungby kommun, IFO" in page
    assert "Not stored" in page
    assert "/compare" not in page
    count = re.search(r"The questions without an answer \((\d+)\)", page)
    assert count is not None and int(count.group(1)) > 0
    assert 'lang="sv"><cite>' in page  # Swedish sources keep their language
    assert "Säkra stödet" not in page  # the Swedish result's texts read in English

    # A text the rules no longer hold stays in Swedish, marked so, and the page says why.
    result["recommendations"][0]["title"] = "En rubrik som reglerna aldrig haft"
    pages.sessions.save_result(session.token, {"request": answers, "result": result})
    page = _get(pages, "/report?lang=en", session.token).text
    assert '<span lang="sv">En rubrik som reglerna aldrig haft</span>' in page
    assert "Some texts are shown in the language the assessment was made in" in page

    pages.sessions.save_result(session.token, {"request": answers, "result": {"language": "sv"}})
    broken = _get(pages, "/report?lang=en", session.token)
    assert "<h1>No result yet</h1>" in broken.text


@pytest.mark.parametrize(
    ("days", "spans"),
    [(1, ("1 dag", "1 dag", "1 day")), (184, ("184 dagar", "184 dage", "184 days"))],
)
def test_a_span_of_one_day_is_said_in_the_singular(days: int, spans: tuple[str, ...]) -> None:
    assert tuple(span_of_days(days, language) for language in ("sv", "da", "en")) == spans


def test_the_page_links_a_prerequisite_and_what_it_comes_before(
    pages: Pages, engine: Engine
) -> None:
    session = pages.sessions.start()
    result = _result(engine, VALUES_BEFORE_TRAINING, "da")
    ranks = {r.id: r.rank for r in result.recommendations}
    values, training = ranks["align-values-and-norms"], ranks["step-08-plan-the-training"]
    saved = {"request": VALUES_BEFORE_TRAINING, "result": result.model_dump(mode="json")}
    pages.sessions.save_result(session.token, saved)
    page = _get(pages, "/report?lang=da", session.token).text
    item = page[page.index(f'<li id="rec-{values}"') :]
    item = item[: item.index("</li>")]
    assert f'<strong>Gøres før:</strong> <a href="#rec-{training}">' in item
    item = page[page.index(f'<li id="rec-{training}"') :]
    assert f'<strong>Gøres efter:</strong> <a href="#rec-{values}">' in item[: item.index("</li>")]
