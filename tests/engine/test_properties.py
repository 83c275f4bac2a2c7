"""Invariants of the engine over generated assessments."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine import Engine
from engine.indicators import INDICATORS, Indicator, nested
from schemas.assessment import AssessmentRequest

_SETTINGS = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


answers = st.fixed_dictionaries(
    {}, optional={i.path: st.sampled_from(i.scale.values) for i in INDICATORS}
)


@st.composite
def improvable(draw: st.DrawFn) -> tuple[dict[str, str], Indicator, str]:
    values = draw(answers)
    scored = [i for i in INDICATORS if i.scale.scored]
    indicator = draw(st.sampled_from(scored))
    worse = draw(
        st.sampled_from([v for v, _ in indicator.scale.worth if indicator.scale.better_than(v)])
    )
    better = draw(st.sampled_from(indicator.scale.better_than(worse)))
    return {**values, indicator.path: worse}, indicator, better


@_SETTINGS
@given(values=answers)
def test_any_valid_assessment_evaluates_and_is_deterministic(
    engine: Engine, values: dict[str, str]
) -> None:
    request = AssessmentRequest.model_validate(nested(values))
    first = engine.assess(request, explain=True)
    second = engine.assess(request, explain=True)
    assert first.model_dump() == second.model_dump()
    assert [r.rank for r in first.recommendations] == list(range(1, len(first.recommendations) + 1))
    totals = [r.score.total for r in first.recommendations]
    assert totals == sorted(totals, reverse=True)
    for rec in first.recommendations:
        parts = rec.score
        assert parts.total == parts.severity + parts.phase + parts.escalation + parts.obstacles


@_SETTINGS
@given(case=improvable())
def test_improving_one_answer_never_adds_a_gap_or_lowers_a_score(
    engine: Engine, case: tuple[dict[str, str], Indicator, str]
) -> None:
    values, indicator, better = case
    before = engine.assess(AssessmentRequest.model_validate(nested(values)))
    after = engine.assess(
        AssessmentRequest.model_validate(nested({**values, indicator.path: better}))
    )
    assert {g.id for g in after.gaps} <= {g.id for g in before.gaps}
    assert {e.id for e in after.escalations} <= {e.id for e in before.escalations}
    for old, new in zip(before.readiness.dimensions, after.readiness.dimensions, strict=True):
        if old.score is not None:
            assert new.score is not None and new.score >= old.score, old.dimension
    if before.readiness.score is not None:
        assert after.readiness.score is not None
        assert after.readiness.score >= before.readiness.score


@_SETTINGS
@given(values=answers)
def test_an_unknown_answer_is_never_reported_as_a_no_gap(
    engine: Engine, values: dict[str, str]
) -> None:
    result = engine.assess(AssessmentRequest.model_validate(nested(values)))
    for gap in result.gaps:
        if gap.kind != "unknown":
            assert "unknown" not in gap.evidence.values(), gap.id
    for escalation in result.escalations:
        assert "unknown" not in escalation.evidence.values(), escalation.id


@_SETTINGS
@given(values=answers)
def test_readiness_counts_answered_indicators_only(engine: Engine, values: dict[str, str]) -> None:
    result = engine.assess(AssessmentRequest.model_validate(nested(values)))
    for dim in result.readiness.dimensions:
        answered = [
            i
            for i in INDICATORS
            if i.dimension == dim.dimension
            and i.scale.scored
            and values.get(i.path, "unknown") != "unknown"
        ]
        assert dim.answered == len(answered)
        assert (dim.score is None) == (not answered)
        if dim.score is not None:
            assert 0 <= dim.score <= 100
