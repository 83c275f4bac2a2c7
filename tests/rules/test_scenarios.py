"""Realistic scenarios: organisations as an adviser describes them, and what the adviser says first.

Each file in `scenarios/` holds a `description`, the adviser's reasoning (`adviser`), the
assessment, and `expect`: `first` (the first recommendations, in this order), `level` (overall
readiness level), `stage` (the organisation's stage), and optionally `gaps` and `escalations` that
must be present, `present` (success factors reported present) and `absent` (recommendations that
must not appear at all), `sub_points` (what must be folded into a recommendation as its
sub-points) and `top` (`{"n": 5, "include": [...]}`: recommendations that must hold a place among
the first n, in any order).

An entry of `first` may be a list: a tie, recommendations that take those places in any order,
where the sources weigh them alike and an adviser would sign either order. A scenario with a tie
says why under `ties`. A scenario whose order the rules do not meet yet says how they differ
under `open`; its order runs as a strict expected failure until they agree. The level, the stage
and the other expectations are held in every scenario; one the rules do not meet is listed under
`differs` (as `_differences_beyond_the_order` names it) and explained in `open`.

`first` is the adviser's reading as first written, before the rules' result was seen. An adviser
who, shown the rules' order afterwards, finds it defensible says so in `open`, and the scenario
stays open: a reading revised towards the rules' result would count the rules' own order as
agreement.

Each scenario also holds a `second_reading`: the first four recommendations and the level that a
second adviser gave, written blind, from the description, the answers, the recommendation
catalogue and the five sources, without the first adviser's reading or the rules' result (`why`
gives the reasons). It is not asserted against the rules: it shows where two advisers agree and
where they part, so that a difference between the rules and the first adviser can be weighed.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from engine import Engine, Ruleset
from schemas.assessment import AssessmentRequest
from schemas.result import (
    AssessmentResult,
    Escalation,
    Gap,
    Obstacle,
    Recommendation,
    SubPoint,
    SuccessFactor,
)
from schemas.vocabulary import Language
from tests.dues import runs_problems
from tests.families import shared_in_first_five

SCENARIOS = sorted((Path(__file__).parent / "scenarios").glob("*.json"))

SWEDISH_STRUCTURES = re.compile(
    r"\bRSS\b|\bFoU\b|\bSKR\b|(?i:regional(a|e)? (samverkans|stöd|støtte)|Sveriges Kommuner)"
)
"""What a Danish municipality must never be referred to: Sweden's support structures."""


def _load(path: Path) -> dict[str, Any]:
    scenario: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return scenario


def _assess(
    engine: Engine, scenario: dict[str, Any], language: Language = "en"
) -> AssessmentResult:
    request = AssessmentRequest.model_validate(scenario["assessment"])
    return engine.assess(request, language=language)


def test_the_corpus_covers_both_countries_every_kind_and_every_model() -> None:
    scenarios = [_load(p)["assessment"] for p in SCENARIOS]
    assert len(scenarios) >= 24
    countries = {s.get("organisation", {}).get("country") for s in scenarios}
    kinds = {s.get("intervention", {}).get("kind") for s in scenarios}
    models = {s.get("intervention", {}).get("model") for s in scenarios}
    assert {"SE", "DK"} <= countries
    assert {"method", "guideline", "law", "programme"} <= kinds
    assert {"family_group_conference", "family_oriented_work", "early_support", "other"} <= models


def test_the_corpus_answers_every_question_somewhere(ruleset: Ruleset) -> None:
    answered: set[str] = set()

    def walk(node: dict[str, Any], prefix: str) -> None:
        for key, value in node.items():
            if isinstance(value, dict):
                walk(value, f"{prefix}{key}.")
            elif value not in (None, "unknown"):
                answered.add(f"{prefix}{key}")

    for path in SCENARIOS:
        walk(_load(path)["assessment"], "")
    assert set(ruleset.questionnaire.questions) - answered == set()


def test_a_scenario_in_use_answers_the_question_on_use() -> None:
    # The questionnaire asks a unit that uses the intervention for an estimate where nobody has
    # counted, and for "Don't know" only before the start; the rules read an answer there as the
    # intervention being in use. A unit that has offered supervision to those who use the
    # intervention (Steg 11 done) uses it, so its answers say so.
    for path in SCENARIOS:
        process = _load(path)["assessment"].get("process", {})
        if process.get("step_11") == "done":
            assert process.get("used_as_intended") in {"yes", "partly", "no"}, path.stem


def _in_order(ranked: list[str], first: list[str | list[str]]) -> bool:
    """Whether `ranked` begins with `first`, a tie (a list) taking its places in any order."""
    place = 0
    for entry in first:
        tied = [entry] if isinstance(entry, str) else entry
        if sorted(ranked[place : place + len(tied)]) != sorted(tied):
            return False
        place += len(tied)
    return True


def _flat(first: list[str | list[str]]) -> list[str]:
    """The ids of `first` in the order written, a tie's in its own order."""
    return [item for entry in first for item in ([entry] if isinstance(entry, str) else entry)]


def test_the_order_check_takes_ties_in_any_order_and_nothing_else() -> None:
    ranked = ["a", "b", "c", "d"]
    assert _in_order(ranked, ["a", ["c", "b"], "d"])
    assert _in_order(ranked, [["b", "a"]])
    assert not _in_order(ranked, ["b", "a"])
    assert not _in_order(ranked, ["a", ["b", "d"]])
    assert not _in_order(ranked, ["a", "b", "c", "d", "e"])


def test_every_tie_is_explained_and_small() -> None:
    for path in SCENARIOS:
        scenario = _load(path)
        ties = [e for e in scenario["expect"]["first"] if isinstance(e, list)]
        if ties:
            assert len(scenario.get("ties", "")) > 80, path.stem
        # A tie is a judgement between two or three; a scenario that fixes nothing else says
        # what must follow it closely (`top`).
        assert all(2 <= len(tie) <= 3 for tie in ties), path.stem
        if ties and len(scenario["expect"]["first"]) == 1:
            assert "top" in scenario["expect"], path.stem


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_scenario(engine: Engine, path: Path, request: pytest.FixtureRequest) -> None:
    # The order of the first recommendations, as the adviser gives it.
    scenario = _load(path)
    expect = scenario["expect"]
    if "open" in scenario:
        # The rules do not yet say what the adviser says; `open` records how they differ. Strict:
        # the day the rules agree, the test fails until the note is removed.
        request.applymarker(pytest.mark.xfail(strict=True, reason=scenario["open"]))
    ranked = [r.id for r in _assess(engine, scenario).recommendations]
    assert _in_order(ranked, expect["first"]), f"all: {ranked}"
    if "top" in expect:
        first_n = ranked[: expect["top"]["n"]]
        assert set(expect["top"]["include"]) <= set(first_n), f"first {len(first_n)}: {first_n}"


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_scenario_level_stage_and_findings(engine: Engine, path: Path) -> None:
    # The level, the stage, the gaps, escalations and strengths named, what must be absent and
    # what is folded into what: held in every scenario, whether or not its order is open, so a
    # change that moves the level of an open scenario fails here and is not hidden by its note.
    # A difference the adviser's reading and the rules keep is declared in `differs` (and
    # explained in `open`); strict, like the order: once it is gone, the declaration must go.
    scenario = _load(path)
    result = _assess(engine, scenario)
    differences = _differences_beyond_the_order(result, scenario["expect"])
    assert differences == scenario.get("differs", []), f"differs from the adviser on {differences}"
    for rec in result.recommendations[:5]:
        assert rec.sources, rec.id


SECOND = [p for p in SCENARIOS if "second_reading" in _load(p)]


@pytest.mark.parametrize("path", SECOND, ids=[p.stem for p in SECOND])
def test_a_second_reading_names_catalogue_actions_a_level_and_its_sources(
    ruleset: Ruleset, path: Path
) -> None:
    reading = _load(path)["second_reading"]
    named = _flat(reading["first"])
    assert set(named) <= set(ruleset.recommendations), set(named) - set(ruleset.recommendations)
    assert len(named) == len(set(named)) and 3 <= len(reading["first"]) <= 4
    assert all(2 <= len(e) <= 3 for e in reading["first"] if isinstance(e, list))
    assert reading["level"] in {"not_ready", "partly_ready", "ready"}
    assert any(source in reading["why"] for source in ruleset.sources), "the reasons cite no source"


OPEN = [p for p in SCENARIOS if "open" in _load(p)]
NOTED = [p for p in SCENARIOS if {"open", "differs"} & set(_load(p))]
RULES_PUT_FIRST = re.compile(r"The rules put first \[([^\]]*)\]\.?$")


@pytest.mark.parametrize("path", OPEN, ids=[p.stem for p in OPEN])
def test_an_open_note_says_what_the_rules_put_first_now(engine: Engine, path: Path) -> None:
    # The note is read as the account of a difference: a stale one misleads, so it ends with
    # the rules' first places, and they must be the rules' first places today.
    scenario = _load(path)
    found = RULES_PUT_FIRST.search(scenario["open"])
    assert found, "an open note ends with: The rules put first [...]."
    claimed = [item.strip().strip("'\"") for item in found.group(1).split(",")]
    ranked = [r.id for r in _assess(engine, scenario).recommendations]
    assert ranked[: len(claimed)] == claimed, f"the rules now put first {ranked[: len(claimed)]}"


def _differences_beyond_the_order(result: AssessmentResult, expect: dict[str, Any]) -> list[str]:
    """What differs from the adviser other than the order, each as the word a note must name."""
    found: list[str] = []
    if result.readiness.level != expect["level"]:
        found.append(result.readiness.level)
    if result.readiness.stage != expect["stage"]:
        found.append(f"stage {result.readiness.stage}")
    found += sorted(set(expect.get("gaps", [])) - {g.id for g in result.gaps})
    found += sorted(set(expect.get("escalations", [])) - {e.id for e in result.escalations})
    present = {f.id for f in result.success_factors if f.status == "present"}
    found += sorted(set(expect.get("present", [])) - present)
    every = {entry.id for _, entry in result.given()}
    found += sorted(set(expect.get("absent", [])) & every)
    for rec_id, folded in expect.get("sub_points", {}).items():
        rec = next((r for r in result.recommendations if r.id == rec_id), None)
        inside = {s.id for s in rec.sub_points} if rec else set()
        found += sorted(set(folded) - inside)
    return found


@pytest.mark.parametrize("path", NOTED, ids=[p.stem for p in NOTED])
def test_an_open_note_names_every_difference_beyond_the_order(engine: Engine, path: Path) -> None:
    # A note that explains the order but is silent on a strength reported missing, or on another
    # level, hides a difference a reader of the scenario would want to know about. A scenario
    # that declares a difference (`differs`) needs a note that explains it, open order or not.
    scenario = _load(path)
    note = scenario.get("open", "")
    missing = [
        word
        for word in _differences_beyond_the_order(_assess(engine, scenario), scenario["expect"])
        if word not in note
    ]
    assert not missing, f"the open note does not name {missing}"


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_the_ranking_falls_into_runs_a_reader_is_told_apart(engine: Engine, path: Path) -> None:
    # Seven of the scenarios have a prerequisite lifted across runs (make-the-economic-case, a
    # low step 5, needed first by the plan for ordinary operation at stage 2): it is due now,
    # with what lifted it, not among the small findings of a phase left behind.
    assert runs_problems(_assess(engine, _load(path))) == []


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_no_two_of_the_first_five_close_gaps_of_one_indicator_family(
    engine: Engine, path: Path
) -> None:
    assert not shared_in_first_five(engine.ruleset, _assess(engine, _load(path)).recommendations)


DANISH = [
    p for p in SCENARIOS if _load(p)["assessment"].get("organisation", {}).get("country") == "DK"
]


@pytest.mark.parametrize("path", DANISH, ids=[p.stem for p in DANISH])
def test_a_danish_result_never_names_a_swedish_structure(engine: Engine, path: Path) -> None:
    scenario = _load(path)
    for language in ("da", "sv", "en"):
        result = _assess(engine, scenario, language)
        items: list[Gap | Escalation | Obstacle | SuccessFactor | Recommendation | SubPoint] = [
            *result.gaps,
            *result.escalations,
            *result.obstacles,
            *result.success_factors,
            *result.recommendations,
            *(s for r in result.recommendations for s in r.sub_points),
        ]
        for item in items:
            # What the municipality reads; citations name their source by its own title.
            for field in ("title", "description", "action", "rationale"):
                text = getattr(item, field, "") or ""
                found = SWEDISH_STRUCTURES.search(text)
                assert found is None, (language, item.id, field, text)


def _any_of(*patterns: str) -> re.Pattern[str]:
    """One pattern that matches where any of `patterns` does."""
    return re.compile("|".join(patterns))


LAW_MISREADINGS = _any_of(
    # A law is met in every case it covers: more than half is a method's mark.
    r"Målet är mer än hälften|Målet er mere end halvdelen|The aim is more than half",
    # A law's date of entry into force is not chosen.
    r"välj en tidpunkt för starten|vælg et tidspunkt for opstarten|choose a start date",
    # A law's requirements are not adapted to the organisation.
    r"vilka som får anpassas|hvilke der må tilpasses|which may be adapted to your",
    # Nor is a law a project with an end.
    r"från projekt till ordinarie|fra projekt til almindelig|from project to ordinary",
    r"projektmedarbetar|projektmedarbejder|project staff",
    # Nor is it an initiative the director is asked to take up.
    r"Presentera arbetssättet för förvaltningschefen|Præsenter indsatsen for direktøren"
    r"|Present the intervention to the director",
    # Nor is it chosen: its decisions fall due when the work of meeting it begins.
    r"när man bestämmer sig för att införa|når man vælger at arbejde med"
    r"|as it is decided to take up the intervention",
    # Every municipality must meet it: whether neighbours use it is no question.
    r"använder eller planerar samma|bruger eller planlægger den samme"
    r"|use or plan the same",
)
"""What a municipality bringing in a law must not be told (see `by_kind` in rules/README.md)."""


def _assert_never_told(engine: Engine, path: Path, kind: str, misreadings: re.Pattern[str]) -> None:
    """Read the scenario at `path` as `kind`, in every language: no text matches `misreadings`."""
    scenario = _load(path)
    scenario["assessment"].setdefault("intervention", {})["kind"] = kind
    for language in ("sv", "da", "en"):
        for _, item in _assess(engine, scenario, language).given():
            for field in ("title", "action", "rationale"):
                text = getattr(item, field, "") or ""
                found = misreadings.search(text)
                assert found is None, (language, item.id, field, found.group())


PROGRAMME_MISREADINGS = _any_of(
    # What may be adapted is agreed with the programme and its partners, not the developer.
    r"gärna tillsammans med den som har utvecklat|gerne sammen med den, der har udviklet"
    r"|ideally with whoever developed|this with whoever developed",
    # A programme's start may be set by the programme: a start is not simply chosen.
    r"välj en tidpunkt för starten då arbetssättet|vælg et tidspunkt for opstarten, hvor "
    r"indsatsen|choose a start date when the intervention",
    # Its follow-up starts from the programme's own.
    r"^Välj en modell för resultatuppföljning|^Vælg en model for resultatopfølgning"
    r"|^Choose a model for following up results",
    # Its costs are weighed for when outside funding ends, not only during implementation.
    r"vad det kostar under införandet|hvad den koster under implementeringen"
    r"|what it costs during implementation",
    # Its monitoring, too, starts from what the programme itself follows up.
    r"^Bestäm vid vilka tidpunkter läget|^Beslut, på hvilke tidspunkter der skal gøres"
    r"|^Decide at which points the state",
    # It is not written off by one partner alone.
    r"döm inte ut arbetssättet|afskriv ikke indsatsen|write the intervention off",
)
"""What a municipality in a programme must not be told (see `by_kind` in rules/README.md)."""


GUIDELINE_MISREADINGS = _any_of(
    # The evidence behind a national guideline has been weighed nationally.
    r"sök sedan kunskap om vilka insatser|søg derefter viden om, hvilke indsatser"
    r"|then look for knowledge of which interventions",
    # It is prioritised and adapted locally: it is not held to a method's fixed core.
    r"det som inte får ändras|det, der ikke må ændres|what must not change",
    r"När kärnan hålls kan arbetssättet|Når kernen holdes, kan indsatsen"
    r"|When the core is kept, the intervention",
)
"""What a municipality bringing in a national guideline must not be told."""


MISREADINGS: dict[str, re.Pattern[str]] = {
    "law": LAW_MISREADINGS,
    "guideline": GUIDELINE_MISREADINGS,
    "programme": PROGRAMME_MISREADINGS,
}
"""For each kind other than a method, what a municipality bringing it in must not be told."""


@pytest.mark.parametrize("kind", MISREADINGS)
@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_a_kind_is_never_told_what_holds_only_for_a_method(
    engine: Engine, path: Path, kind: str
) -> None:
    # Every scenario's answers as that kind brings them: the scenarios of that kind as they are,
    # the others with the kind changed, so that each text the kind can reach is read.
    _assert_never_told(engine, path, kind, MISREADINGS[kind])
