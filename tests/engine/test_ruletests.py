"""Rule cases are checked against the outcome of their input, never against its parsed JSON."""

from __future__ import annotations

from typing import Any

import pytest

from engine import Engine, Ruleset, run_cases
from engine.authoring.ruletests import check_case
from schemas.assessment import AssessmentRequest


def _firing_case(ruleset: Ruleset) -> tuple[Any, Any]:
    """A gap rule and one of its cases where it fires, with a recommendation expected."""
    for rule in ruleset.rules:
        for case in rule.cases:
            if rule.kind == "gap" and case.fires and case.gaps and case.recommendations:
                return rule, case
    raise AssertionError("no gap rule has a firing case that expects a recommendation")


def test_every_shipped_case_passes_without_parsing_a_result(
    engine: Engine, no_parsing_back: None
) -> None:
    report = run_cases(engine)
    assert len(report.outcomes) > 200
    assert report.failed == []
    assert report.rule_coverage == 1.0


def test_a_case_that_passes_records_what_fired(engine: Engine, ruleset: Ruleset) -> None:
    rule, case = _firing_case(ruleset)
    outcome = engine.evaluate(AssessmentRequest.model_validate(case.input))
    checked = check_case(rule, case, outcome)
    assert checked.passed and checked.problems == ()
    assert checked.fired == outcome.fired and rule.id in checked.fired


def test_each_expectation_that_fails_is_reported(engine: Engine, ruleset: Ruleset) -> None:
    rule, case = _firing_case(ruleset)
    outcome = engine.evaluate(AssessmentRequest.model_validate(case.input))
    wrong = case.model_copy(
        update={
            "fires": False,
            "gaps": ["no/such-gap"],
            "recommendations": ["no-such-recommendation"],
            "top_recommendation": "no-such-recommendation",
        }
    )
    checked = check_case(rule, wrong, outcome)
    assert not checked.passed
    assert [p.split(" ", 2)[:2] for p in checked.problems] == [
        ["expected", "the"],
        ["expected", "gap"],
        ["expected", "recommendation"],
        ["expected", "'no-such-recommendation'"],
    ]
    assert checked.problems[0] == "expected the rule not to fire; it did"


def test_a_rule_that_stays_silent_against_a_case_that_expects_it_to_fire_says_so(
    engine: Engine, ruleset: Ruleset
) -> None:
    rule, case = next(
        (r, c) for r in ruleset.rules if r.kind == "gap" for c in r.cases if not c.fires
    )
    outcome = engine.evaluate(AssessmentRequest.model_validate(case.input))
    checked = check_case(rule, case.model_copy(update={"fires": True}), outcome)
    assert checked.problems == ("expected the rule to fire; it did not",)


def test_a_sub_point_counts_as_recommended(engine: Engine, ruleset: Ruleset) -> None:
    for rule in ruleset.rules:
        for case in rule.cases:
            outcome = engine.evaluate(AssessmentRequest.model_validate(case.input))
            folded = [s.id for p in outcome.recommendations for s in p.sub_points]
            if folded:
                expecting = case.model_copy(
                    update={"recommendations": folded, "top_recommendation": None}
                )
                assert check_case(rule, expecting, outcome).problems == ()
                return
    pytest.fail("no case's outcome folds a recommendation into another")
