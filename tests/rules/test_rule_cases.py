"""Every case written beside every rule runs as its own test, named by the case's sentence."""

from __future__ import annotations

import pytest

from engine import Engine, Rule, load_ruleset
from engine.rulebase.rulefile import CaseSpec
from schemas.assessment import AssessmentRequest

_RULESET = load_ruleset(check_coverage=False)
CASES = [(rule, case) for rule in _RULESET.rules for case in rule.cases]


@pytest.mark.parametrize(
    ("rule", "case"), CASES, ids=[f"{rule.id}: {case.name}" for rule, case in CASES]
)
def test_rule_case(engine: Engine, rule: Rule, case: CaseSpec) -> None:
    outcome = engine.evaluate(AssessmentRequest.model_validate(case.input))
    fired = list(outcome.fired)
    detail = f"rules fired: {fired}"
    assert (rule.id in fired) is case.fires, detail
    gap_ids = {gap.id for gap in outcome.gaps}
    assert set(case.gaps) <= gap_ids, f"gaps: {sorted(gap_ids)}"
    rec_ids = [place.id for place in outcome.recommendations]
    # A recommendation folded into another as a sub-point is in the result too.
    every = {*rec_ids, *(sub.id for place in outcome.recommendations for sub in place.sub_points)}
    assert set(case.recommendations) <= every, f"recommendations: {rec_ids}"
    if case.top_recommendation is not None:
        assert rec_ids[:1] == [case.top_recommendation], f"recommendations: {rec_ids}"
