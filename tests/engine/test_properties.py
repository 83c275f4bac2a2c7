"""Invariants of the engine over generated assessments."""

from __future__ import annotations

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from engine import Engine
from engine.indicators import INDICATORS, Indicator, nested
from engine.ruleset import phase_of_step
from engine.runtime.ranking import LOOKING_BACK, URGENCY, step_at
from schemas.assessment import AssessmentRequest
from schemas.result import AssessmentResult, Escalation, Gap, Recommendation
from schemas.scales import AGREEMENT
from schemas.vocabulary import SEVERITIES
from tests.dues import runs_problems
from tests.families import families_answered, shared_in_first_five, spanned_by

# As many examples as the hypothesis profile says (tests/conftest.py).
_SETTINGS = settings(suppress_health_check=[HealthCheck.function_scoped_fixture])


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


def _assessed(engine: Engine, values: dict[str, str]) -> AssessmentResult:
    """The result for answers given by indicator path."""
    return engine.assess(AssessmentRequest.model_validate(nested(values)))


def _findings(result: AssessmentResult) -> list[Gap | Escalation]:
    """The result's gaps, then its escalations."""
    return [*result.gaps, *result.escalations]


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
    stage = first.readiness.stage
    for rec in first.recommendations:
        parts = rec.score
        blocking = parts.severity == "blocking"
        assert parts.stage == (0 if rec.phase <= stage or blocking else rec.phase)
        assert parts.urgency == min(URGENCY[parts.severity] + parts.escalated, 4)
        families = [engine.ruleset.by_id[g].families for g in rec.closes_gaps]
        assert parts.things_closed == _components(families)
        assert parts.gaps_closed == len(rec.closes_gaps)
        assert parts.escalated == bool(rec.escalations)


def _components(families: list[frozenset[str]]) -> int:
    """The groups of gaps linked by a shared family (a gap about no family is a group alone)."""
    unseen = set(range(len(families)))
    groups = 0
    while unseen:
        groups += 1
        reach = [unseen.pop()]
        while reach:
            here = families[reach.pop()]
            linked = {i for i in unseen if here & families[i]}
            unseen -= linked
            reach += linked
    return groups


def _key(rec: Recommendation, stage: int) -> tuple[int, int, int, int, int, int, int, str]:
    """Its ranking key, from what the result shows (README, "Recommendation ranking")."""
    parts = rec.score
    # At a stage in the phase of one of its `also_steps`, it ranks as that step's work.
    step = step_at(rec.step, rec.also_steps, stage)
    # A low one due now from a phase the organisation has finished comes after every phase ahead.
    looking_back = parts.stage == 0 and parts.urgency == 1 and phase_of_step(step) < stage
    return (
        parts.finds_out,
        LOOKING_BACK if looking_back else parts.stage,
        -parts.urgency,
        -(parts.severity == "blocking"),
        -parts.things_closed,
        -parts.gaps_closed,
        step,
        rec.id,
    )


@_SETTINGS
@given(values=answers)
def test_the_ranked_list_falls_into_runs_a_reader_is_told_apart(
    engine: Engine, values: dict[str, str]
) -> None:
    # The report page and the text summary put a heading over each run of `due_runs`
    # (tests/dues.py); the scenarios hold the prerequisites lifted across runs
    # (tests/rules/test_scenarios.py), which random answers rarely reach.
    assert runs_problems(_assessed(engine, values)) == []


@_SETTINGS
@given(values=answers)
def test_the_ranking_follows_keys_prerequisites_and_families(
    engine: Engine, values: dict[str, str]
) -> None:
    result = _assessed(engine, values)
    recs = result.recommendations
    place = {r.id: r.rank for r in recs}
    place.update({s.id: r.rank for r in recs for s in r.sub_points})
    # Never above a prerequisite: each one ranks higher, or is a sub-point of this one's place.
    for rec in recs:
        for before in rec.after:
            assert place[before] <= rec.rank, (before, rec.id)
        for sub in rec.sub_points:
            after = engine.ruleset.recommendations[sub.id].after
            assert all(place[b] <= rec.rank for b in after if b in place), sub.id
    # The ranking follows the keys: a recommendation moves up only when others need it first
    # (`lifted_by` names them, and each lists it under `after`).
    for rec in recs:
        for other in rec.score.lifted_by:
            assert rec.id in engine.ruleset.recommendations[other].after
    ordered = [_key(r, result.readiness.stage) for r in recs if not r.score.lifted_by]
    assert ordered == sorted(ordered)
    # One action per family: no two places answer gaps of the same indicator family, unless
    # the later one waits for a prerequisite placed after the earlier one.
    claimed: list[tuple[int, set[str]]] = []
    for rec in recs:
        families = families_answered(engine.ruleset, rec)
        for rank, earlier in claimed:
            if families & earlier:
                assert any(place[b] > rank for b in rec.after), (rec.id, rank)
        # An action on a gap that spans families (Steg 5) has a place of its own only when no
        # place before it answers one of them; else it is a sub-point of one that does.
        spanned = spanned_by(engine.ruleset, rec.closes_gaps)
        if spanned and not rec.after:
            assert not any(spanned & earlier for _, earlier in claimed), rec.id
        for sub in rec.sub_points:
            spanned = spanned_by(engine.ruleset, sub.closes_gaps)
            others = [
                *rec.closes_gaps,
                *(g for s in rec.sub_points if s is not sub for g in s.closes_gaps),
            ]
            answered = {f for g in others for f in engine.ruleset.by_id[g].families}
            assert not spanned or spanned & answered, sub.id
        claimed.append((rec.rank, families))


_PHASE_OF = {n: phase_of_step(n) for n in range(1, 15)}


@_SETTINGS
@given(values=answers)
def test_the_steps_left_are_what_keeps_the_organisation_in_its_phase(
    engine: Engine, values: dict[str, str]
) -> None:
    readiness = _assessed(engine, values).readiness
    answer = {n: values.get(f"process.step_{n}", "unknown") for n in range(1, 15)}
    stage = readiness.stage
    expected = [(n, answer[n]) for n in range(1, 15) if _PHASE_OF[n] == stage]
    assert [(s.step, s.answer) for s in readiness.steps_left] == [
        (n, a) for n, a in expected if a != "done"
    ]
    # Below the last phase, something always keeps it there; every earlier step is done.
    assert readiness.steps_left or stage == 4
    assert all(answer[n] == "done" for n in range(1, 15) if _PHASE_OF[n] < stage)


_PRIORITY_URGENCY = {"critical": 4, "high": 3, "medium": 2, "low": 1}


@_SETTINGS
@given(values=answers)
def test_a_place_s_priority_is_the_most_urgent_work_it_holds(
    engine: Engine, values: dict[str, str]
) -> None:
    result = _assessed(engine, values)
    severity = {g.id: g.severity for g in result.gaps}
    for rec in result.recommendations:
        held = [rec.score.urgency]
        for sub in rec.sub_points:
            assert sub.priority is not None, sub.id  # absent only from results stored before
            own = _PRIORITY_URGENCY[sub.priority]
            # A sub-point's own urgency: the most severe gap it closes, one higher at most when
            # an escalation raises it.
            worst = max(URGENCY[severity[g]] for g in sub.closes_gaps)
            assert worst <= own <= min(worst + 1, 4), sub.id
            held.append(own)
        assert _PRIORITY_URGENCY[rec.priority] == max(held), rec.id


@_SETTINGS
@given(values=answers)
# No training at all, low motivation and the professions to train decided in part: the time set
# aside for training once kept a place of its own among the first five, beside the training plan,
# while it waited for the decision on who is trained.
@example(
    values={
        "competence.training_available": "no",
        "process.step_8": "not",
        "leadership.resources.training_time": "no",
        "competence.professions_decided": "partly",
        "competence.staff_motivation": "low",
    }
)
# Low staff competence (a high gap), training available in part and values that partly clash: the
# training plan, which needs the values dialogue first, kept a place of its own beside building
# the staff's competence, which stood above the dialogue. The competence place now waits for the
# dialogue and takes the training plan in.
@example(
    values={
        "competence.training_available": "partly",
        "competence.staff_competence": "low",
        "culture.values_aligned": "partly",
    }
)
def test_no_two_of_the_first_five_answer_one_indicator_family(
    engine: Engine, values: dict[str, str]
) -> None:
    # One fact, one action, where a municipality reads first: the exception that
    # test_the_ranking_follows_keys_prerequisites_and_families allows (a later place waiting for a
    # prerequisite) must never bring two actions on one thing into the top.
    assert not shared_in_first_five(engine.ruleset, _assessed(engine, values).recommendations)


@_SETTINGS
@given(values=answers)
def test_levels_and_the_score_range_are_honest(engine: Engine, values: dict[str, str]) -> None:
    result = _assessed(engine, values)
    readiness = result.readiness
    findings = _findings(result)
    blocking = [
        item.id
        for item in findings
        if item.severity == "blocking" and getattr(item, "kind", "missing") != "unknown"
    ]
    if blocking:
        assert readiness.level == "not_ready", blocking
        assert set(readiness.capped_by) == set(blocking)
    high = any(
        g.severity in ("blocking", "high") and getattr(g, "kind", "missing") != "unknown"
        for g in findings
    )
    if readiness.level == "ready":
        assert not high
        assert readiness.completeness >= engine.ruleset.scoring.min_completeness
    if readiness.score is not None:
        low, top = readiness.score_range.worst, readiness.score_range.best
        assert low is not None and top is not None
        assert low <= readiness.score <= top
    if readiness.level == "unknown":
        assert not blocking
        assert readiness.completeness < engine.ruleset.scoring.min_completeness or (
            readiness.score is None
        )


@_SETTINGS
@given(case=improvable())
def test_improving_one_answer_never_adds_a_gap_or_lowers_a_score(
    engine: Engine, case: tuple[dict[str, str], Indicator, str]
) -> None:
    values, indicator, better = case
    before = _assessed(engine, values)
    after = engine.assess(
        AssessmentRequest.model_validate(nested({**values, indicator.path: better}))
    )
    assert {g.id for g in after.gaps} <= {g.id for g in before.gaps}
    assert {e.id for e in after.escalations} <= {e.id for e in before.escalations}
    # ... nor raises a severity.
    was = {g.id: SEVERITIES.index(g.severity) for g in _findings(before)}
    for item in _findings(after):
        assert SEVERITIES.index(item.severity) >= was[item.id], item.id
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
    result = _assessed(engine, values)
    # A context (model, kind, country, size) may apply when it is not given; answers may not.
    scored = {i.path for i in INDICATORS if i.scale.scored}
    for gap in result.gaps:
        if gap.kind != "unknown":
            assert "unknown" not in [v for p, v in gap.evidence.items() if p in scored], gap.id
    for escalation in result.escalations:
        found = [v for p, v in escalation.evidence.items() if p in scored]
        assert "unknown" not in found, escalation.id


@_SETTINGS
@given(values=answers)
def test_a_disagreement_rests_on_a_matter_seen_apart_and_nothing_else_on_agreement(
    engine: Engine, values: dict[str, str]
) -> None:
    result = _assessed(engine, values)
    compared = {i.path for i in INDICATORS if i.scale == AGREEMENT}
    for gap in result.gaps:
        seen = {p: v for p, v in gap.evidence.items() if p in compared}
        if gap.kind == "disagreement":
            # Only `differ` is a disagreement: not roles who agree, not a matter too few answered.
            assert seen and set(seen.values()) == {"differ"}, gap.id
        else:
            assert not seen, gap.id


@_SETTINGS
@given(values=answers)
def test_readiness_counts_answered_indicators_only(engine: Engine, values: dict[str, str]) -> None:
    result = _assessed(engine, values)
    scope = engine.ruleset.scope
    full = {i.path: values.get(i.path, "unknown") for i in INDICATORS}

    def applies(path: str) -> bool:
        return path not in scope or full[scope[path][0]] in scope[path][1]

    for dim in result.readiness.dimensions:
        answered = [
            i
            for i in INDICATORS
            if i.dimension == dim.dimension
            and i.scale.scored
            and applies(i.path)
            and values.get(i.path, "unknown") != "unknown"
        ]
        assert dim.answered == len(answered)
        assert (dim.score is None) == (not answered)
        if dim.score is not None:
            assert 0 <= dim.score <= 100


@st.composite
def graded(draw: st.DrawFn) -> tuple[dict[str, str], Indicator]:
    values = draw(answers)
    indicator = draw(st.sampled_from([i for i in INDICATORS if len(i.scale.worth) == 3]))
    return values, indicator


@_SETTINGS
@given(case=graded())
def test_a_middle_answer_lies_between_the_best_and_the_worst(
    engine: Engine, case: tuple[dict[str, str], Indicator]
) -> None:
    values, indicator = case
    ordered = [v for v, _ in sorted(indicator.scale.worth, key=lambda pair: pair[1])]

    def gaps(value: str) -> dict[str, int]:
        request = AssessmentRequest.model_validate(nested({**values, indicator.path: value}))
        result = engine.assess(request)
        return {g.id: SEVERITIES.index(g.severity) for g in _findings(result)}

    worst, middle, best = (gaps(v) for v in ordered)
    assert len(best) <= len(middle) <= len(worst)
    assert set(best) <= set(middle) <= set(worst)
    for gap, rank in middle.items():
        assert rank >= worst[gap], gap
        if gap in best:
            assert best[gap] >= rank, gap
