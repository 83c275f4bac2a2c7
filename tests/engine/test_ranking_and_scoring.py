"""The ranking and readiness formulas, as the README states them."""

from __future__ import annotations

import math
import random
from collections.abc import Iterable, Mapping
from typing import Any

import pytest

from engine import Engine, Ruleset
from engine.indicators import INDICATORS, values_of
from engine.rulebase.rulefile import ScoringSpec
from engine.runtime.outcome import ReadinessFigures
from engine.runtime.ranking import (
    LOOKING_BACK,
    RankItem,
    priority_of,
    rank,
    stage_of,
    stage_order,
    step_at,
    things_in,
    urgency_of,
    when_due,
)
from engine.runtime.scoring import Blocker, Scorer
from schemas.assessment import AssessmentRequest
from schemas.vocabulary import DIMENSIONS, ReadinessLevel
from tests.conftest import request


def _values(**sections: object) -> dict[str, str]:
    return values_of(AssessmentRequest.model_validate(sections))


def _steps(done_up_to: int) -> dict[str, str]:
    return {f"step_{n}": "done" if n <= done_up_to else "partly" for n in range(1, 15)}


@pytest.mark.parametrize(
    ("done_up_to", "stage"), [(0, 1), (7, 1), (8, 2), (9, 2), (10, 3), (13, 4), (14, 4)]
)
def test_the_stage_counts_the_phases_done_from_the_first(done_up_to: int, stage: int) -> None:
    assert stage_of(_values(process=_steps(done_up_to))) == stage


def test_a_later_phase_done_does_not_skip_an_earlier_one() -> None:
    steps = {f"step_{n}": "done" for n in range(9, 15)}
    assert stage_of(_values(process=steps)) == 1


def test_what_is_due_now_and_what_waits() -> None:
    assert stage_order(phase=1, stage=2, blocking=False) == 0
    assert stage_order(phase=3, stage=2, blocking=False) == 3
    assert stage_order(phase=3, stage=1, blocking=True) == 0  # a blocker is due in every phase


def test_a_low_one_from_a_finished_phase_comes_after_the_work_ahead() -> None:
    assert when_due(phase=1, stage=3, blocking=False, urgency=1) == LOOKING_BACK
    assert when_due(phase=3, stage=3, blocking=False, urgency=1) == 0  # the phase it is in
    assert when_due(phase=1, stage=3, blocking=False, urgency=2) == 0  # medium: due now
    assert when_due(phase=1, stage=1, blocking=False, urgency=1) == 0
    assert when_due(phase=4, stage=3, blocking=False, urgency=1) == 4  # waits for its phase
    assert LOOKING_BACK > 4  # after every phase ahead, up to the last (4)


def test_one_that_is_also_work_of_a_later_step_ranks_by_it_in_that_step_s_phase() -> None:
    # Informing management (Steg 10) is also Steg 13's feedback: at stage 3 it is Steg 13's work.
    assert step_at(10, [13], stage=3) == 13
    assert step_at(10, [13], stage=2) == 10  # its own phase
    assert step_at(10, [13], stage=1) == 10  # it waits for its own phase
    assert step_at(10, [13], stage=4) == 10  # Steg 13's phase is finished too: a look back
    assert step_at(5, [11, 13], stage=3) == 11  # the first of them in that phase
    assert step_at(9, [10], stage=2) == 9  # a later step of its own phase changes nothing


def test_an_escalation_raises_by_one_level_and_no_further() -> None:
    assert urgency_of("medium", False) == 2
    assert urgency_of("medium", True) == 3
    assert urgency_of("blocking", True) == 4
    assert [priority_of(u) for u in (4, 3, 2, 1)] == ["critical", "high", "medium", "low"]


def _item(
    rid: str, key: tuple[int, ...], after: tuple[str, ...] = (), families: str = ""
) -> RankItem:
    full = (*key, rid)
    return RankItem(rid, full, after, frozenset(families.split()))  # type: ignore[arg-type]


def test_a_prerequisite_comes_first_and_takes_the_place_of_what_needs_it() -> None:
    items = [
        _item("give-time", (0, -3, 0, -1, 9)),
        _item("appoint", (0, -2, 0, -1, 9)),
        _item("other", (0, -2, 0, -1, 1)),
    ]
    items[0].after = ("appoint",)
    ranked = rank(items)
    assert [r.id for r in ranked] == ["appoint", "give-time", "other"]
    assert ranked[0].lifted_by == ["give-time"]


def test_one_action_per_family_and_a_place_waits_for_its_sub_points_prerequisites() -> None:
    ranked = rank(
        [
            _item("secure-venue", (0, -3, 0, -1, 6), families="venue"),
            _item("neutral-venue", (0, -2, 0, -1, 9), families="venue"),
            _item("tovholder", (0, -4, 0, -1, 9), families="tovholder"),
        ]
    )
    assert [(r.id, r.folded) for r in ranked] == [
        ("tovholder", []),
        ("secure-venue", ["neutral-venue"]),
    ]
    waiting = [
        _item("secure-venue", (0, -3, 0, -1, 6), families="venue"),
        _item("team", (0, -1, 0, -1, 7)),
        _item("neutral-venue", (0, -2, 0, -1, 9), ("team",), families="venue"),
    ]
    # The neutral room needs the team first, and it is done with the room's place: the place
    # waits for the team, lifted by the neutral room, and the room is one action again.
    assert [(r.id, r.folded, r.lifted_by) for r in rank(waiting)] == [
        ("team", [], ["neutral-venue"]),
        ("secure-venue", ["neutral-venue"], []),
    ]
    # Where the prerequisite needs the place first, waiting for it would go round in a circle:
    # the neutral room keeps a place of its own after the team.
    circle = [
        _item("secure-venue", (0, -3, 0, -1, 6), families="venue"),
        _item("team", (0, -1, 0, -1, 7), ("secure-venue",)),
        _item("neutral-venue", (0, -2, 0, -1, 9), ("team",), families="venue"),
    ]
    assert [(r.id, r.folded) for r in rank(circle)] == [
        ("secure-venue", []),
        ("team", []),
        ("neutral-venue", []),
    ]


def test_ties_fall_to_things_closed_then_step_then_id() -> None:
    ranked = rank(
        [
            _item("b", (0, -2, 0, -1, 3)),
            _item("a", (0, -2, 0, -1, 3)),
            _item("c", (0, -2, 0, -2, 9)),
            _item("d", (0, -2, 0, -1, 1)),
        ]
    )
    assert [r.id for r in ranked] == ["c", "d", "a", "b"]


def test_gaps_whose_families_meet_are_one_thing() -> None:
    def sets(*families: str) -> list[frozenset[str]]:
        return [frozenset(f.split()) for f in families]

    assert things_in(sets("venue", "venue", "plan")) == 2
    # A gap that spans two families joins them; one about no family stands alone.
    assert things_in(sets("strategic operational", "strategic", "operational")) == 1
    assert things_in(sets("strategic", "operational", "strategic operational")) == 1
    assert things_in(sets("strategic", "operational", "")) == 3
    assert things_in([]) == 0


def test_steg_5_is_one_action_with_the_support_it_asks_for(engine: Engine) -> None:
    # Steg 5 asks for genuine support from decision makers, managers and practitioners; the
    # heads of service say no and Steg 5 is not done: one place secures the support, with
    # Steg 5 as its sub-point, not two places for one missing thing.
    result = engine.assess(
        request(leadership={"support": {"tactical": "no"}}, process={"step_5": "not"})
    )
    places = {r.id: r for r in result.recommendations}
    assert "step-05-anchor-support-at-every-level" not in places
    tactical = places["secure-tactical-leadership"]
    assert [s.id for s in tactical.sub_points] == ["step-05-anchor-support-at-every-level"]
    # Alone, or beside staff who do not believe in the method, Steg 5 leads and the staff's
    # support is part of it: the practitioners are among those it asks about.
    result = engine.assess(request(process={"step_5": "not"}, culture={"staff_believe": "partly"}))
    places = {r.id: r for r in result.recommendations}
    assert "build-staff-commitment" not in places
    anchor = places["step-05-anchor-support-at-every-level"]
    assert [s.id for s in anchor.sub_points] == ["build-staff-commitment"]
    assert anchor.score.things_closed == 1


def test_a_place_waits_for_what_its_sub_points_need_first(engine: Engine) -> None:
    # Low staff competence is a high gap; the training plan (the same family) needs the values
    # dialogue first. Building the competence, done with the training plan inside it, waits for
    # the dialogue: one place for the training family, its prerequisite named on it.
    result = engine.assess(
        request(
            competence={"training_available": "partly", "staff_competence": "low"},
            culture={"values_aligned": "partly"},
        )
    )
    places = {r.id: r for r in result.recommendations}
    values, competence = places["align-values-and-norms"], places["build-staff-competence"]
    assert "step-08-plan-the-training" not in places
    assert [s.id for s in competence.sub_points] == ["step-08-plan-the-training"]
    assert values.rank < competence.rank
    assert values.score.lifted_by == ["step-08-plan-the-training"]
    assert competence.after == ["align-values-and-norms"]


def _ranked(engine: Engine, done_up_to: int, **answers: Any) -> dict[str, tuple[int, int]]:
    """Each recommendation's (rank, urgency) at steps 1..`done_up_to` done, the rest partly.

    Steps answered in `process` override these.
    """
    steps = {f"step_{n}": "done" if n <= done_up_to else "partly" for n in range(1, 15)}
    steps.update(answers.pop("process", {}))
    result = engine.assess(request(process=steps, **answers))
    return {r.id: (r.rank, r.score.urgency) for r in result.recommendations}


def test_among_low_ones_the_current_phase_then_the_work_ahead_then_a_finished_one(
    engine: Engine,
) -> None:
    # Steps 1-12 done, 13 and 14 in part: the feedback (phase 3, the current one), then the
    # lessons for the next implementation (Steg 14, phase 4, ahead), then the partial user
    # involvement (phase 1, finished, step 1): all three low.
    found = _ranked(engine, 12, strengths={"user_involvement": "partly"})
    feedback = found["step-13-give-feedback-to-everyone-involved"]
    lessons = found["step-14-learn-for-the-next-implementation"]
    users = found["involve-users"]
    assert feedback[1] == lessons[1] == users[1] == 1
    assert feedback[0] < users[0]
    assert feedback[0] < lessons[0] < users[0]
    # At stage 1 the finding about users is the current phase's work, and step 13 waits.
    found = _ranked(engine, 0, strengths={"user_involvement": "partly"})
    assert found["involve-users"][0] < found["step-13-give-feedback-to-everyone-involved"][0]


def test_feedback_to_the_committee_and_management_is_work_of_steg_13(engine: Engine) -> None:
    # Steps 1-12 done, 13 and 14 in part, a committee that pays little attention, management
    # informed only in part, and partial user involvement: all low. Reporting to the committee
    # (Steg 5) and to management (Steg 10) is also how Steg 13's feedback reaches them, so at
    # stage 3 both come with the feedback, before the lessons ahead and the finding about users.
    low = {
        "context": {"political_attention": "low"},
        "leadership": {"management_information": "partly"},
        "strengths": {"user_involvement": "partly"},
    }
    found = _ranked(engine, 12, **low)
    feedback = found["step-13-give-feedback-to-everyone-involved"]
    committee, management = found["involve-politicians"], found["agree-management-reporting"]
    lessons, users = found["step-14-learn-for-the-next-implementation"], found["involve-users"]
    assert feedback[1] == committee[1] == management[1] == lessons[1] == users[1] == 1
    assert max(feedback[0], committee[0], management[0]) < lessons[0] < users[0]
    # As Steg 13's work they come after the support of Steg 11, in the order of the work.
    found = _ranked(engine, 12, process={"step_11": "partly"}, **low)
    support = found["step-11-offer-supervision-and-technical-support"]
    assert support[1] == found["involve-politicians"][1] == 1
    assert support[0] < found["involve-politicians"][0]
    assert support[0] < found["agree-management-reporting"][0]
    # Once Steg 13 is done (stage 4) they are small findings about finished phases again.
    found = _ranked(engine, 13, **low)
    assert found["step-14-learn-for-the-next-implementation"][0] < found["involve-politicians"][0]
    assert (
        found["step-14-learn-for-the-next-implementation"][0]
        < found["agree-management-reporting"][0]
    )


def test_a_medium_one_from_a_finished_phase_keeps_its_place_by_step(engine: Engine) -> None:
    # High cost pressure (the economic case, phase 1, step 5) and step 13 not done (phase 3):
    # both medium, and the earlier step comes first, as the order of the work has it.
    found = _ranked(engine, 12, context={"cost_pressure": "high"}, process={"step_13": "not"})
    economy, feedback = (
        found["make-the-economic-case"],
        found["step-13-give-feedback-to-everyone-involved"],
    )
    assert economy[1] == feedback[1] == 2
    assert economy[0] < feedback[0]


def test_under_cost_pressure_the_costing_comes_before_the_move_to_ordinary_operation(
    engine: Engine,
) -> None:
    # Steps 1-12 done, no plan for ordinary operation and medium cost pressure: the move (medium,
    # Steg 10) rests on what the intervention costs and may save (low here), which is lifted to
    # just before it.
    found = _ranked(
        engine,
        12,
        context={"cost_pressure": "medium"},
        process={"ordinary_operation": "no"},
    )
    economy, move = found["make-the-economic-case"], found["plan-the-move-to-ordinary-operation"]
    assert economy[1] < move[1]
    assert economy[0] == move[0] - 1
    # Without cost pressure there is no costing to wait for.
    found = _ranked(engine, 12, process={"ordinary_operation": "no"})
    assert "make-the-economic-case" not in found
    assert "plan-the-move-to-ordinary-operation" in found


def test_a_blocking_gap_makes_the_level_not_ready_whatever_the_completeness(
    engine: Engine,
) -> None:
    result = engine.assess(request(leadership={"support": {"tactical": "no"}}))
    assert result.readiness.completeness < engine.ruleset.scoring.min_completeness
    assert result.readiness.level == "not_ready"
    assert "leadership/tactical-support" in result.readiness.capped_by
    leadership = next(d for d in result.readiness.dimensions if d.dimension == "leadership")
    assert leadership.level == "not_ready"


def _best(ruleset: Ruleset, **overrides: str) -> dict[str, str]:
    values = {i.path: i.scale.best for i in INDICATORS if i.scale.scored}
    values.update({"intervention.kind": "method", "intervention.model": "other"})
    values.update(overrides)
    return values


def readiness(
    ruleset: Ruleset, values: Mapping[str, str], highs: Iterable[Blocker] = ()
) -> ReadinessFigures:
    return Scorer(ruleset.scoring, ruleset.scope).figures(values, [], highs)


def test_ready_needs_no_high_gap(ruleset: Ruleset) -> None:
    values = _values_full(_best(ruleset))
    assert readiness(ruleset, values).level == "ready"
    assert readiness(ruleset, values, [("x/high-gap", "competence")]).level == "partly_ready"


def _values_full(values: dict[str, str]) -> dict[str, str]:
    full = {i.path: "unknown" for i in INDICATORS}
    full.update(values)
    return full


def test_too_little_answered_is_unknown_unless_the_range_decides(ruleset: Ruleset) -> None:
    few = _values_full({"leadership.support.strategic": "yes", "intervention.kind": "method"})
    result = readiness(ruleset, few)
    assert result.level == "unknown"
    assert result.worst is not None and result.best is not None
    assert result.worst <= (result.score or 0) <= result.best


def test_nothing_answered_is_unknown_not_zero(ruleset: Ruleset) -> None:
    result = readiness(ruleset, _values_full({}))
    assert (result.score, result.level) == (None, "unknown")


def test_indicators_out_of_scope_are_not_counted(ruleset: Ruleset) -> None:
    fgc = _values_full(_best(ruleset, **{"intervention.model": "family_group_conference"}))
    other = _values_full(_best(ruleset))
    setup = {
        model: next(
            d for d in readiness(ruleset, values).dimensions if d.dimension == "organisation_setup"
        )
        for model, values in (("fgc", fgc), ("other", other))
    }
    assert setup["fgc"].total > setup["other"].total
    assert setup["other"].total == setup["other"].answered


def test_the_overall_score_weights_dimensions(ruleset: Ruleset) -> None:
    values = _values_full(
        {"leadership.support.strategic": "yes", "intervention.purpose_described": "no"}
    )
    result = readiness(ruleset, values)
    weights = ruleset.scoring.weights
    expected = 100 * weights["leadership"] / (weights["leadership"] + weights["intervention"])
    assert result.score == round(expected, 1)


def test_an_escalated_high_gap_draws_level_with_a_blocker_never_ahead_of_it(
    engine: Engine,
) -> None:
    # Family group conferences without coordinators (blocking), and a tovholder with no time
    # while staff are overloaded (high, raised by an escalation to the same urgency).
    result = engine.assess(
        request(
            organisation={"country": "DK"},
            intervention={"kind": "method", "model": "family_group_conference"},
            organisation_setup={"coordinators": "no"},
            competence={"tovholder": {"appointed": "yes", "time_allocated": "no"}},
            leadership={"resources": {"tovholder_time": "no"}},
            risks={"workload": "high", "lack_of_time": "high"},
            process=_steps(8),  # stage 2: both are due now
        )
    )
    by_id = {r.id: r for r in result.recommendations}
    blocker, raised = by_id["decide-coordinator-recruitment"], by_id["give-tovholder-time"]
    assert blocker.score.severity == "blocking" and not blocker.score.escalated
    assert raised.score.escalated and raised.score.severity != "blocking"
    assert blocker.score.urgency == raised.score.urgency == 4
    assert blocker.rank < raised.rank


@pytest.mark.parametrize(
    ("answer", "implemented"),
    [("yes", True), ("partly", False), ("no", False), ("unknown", None)],
)
def test_implemented_means_more_than_half_use_the_method_as_intended(
    engine: Engine, answer: str, implemented: bool | None
) -> None:
    # Kunskapsguiden's measure: "yes" is more than half; "partly" is some, but not more.
    result = engine.assess(request(process={"used_as_intended": answer, "step_11": "done"}))
    assert result.readiness.implemented is implemented


def _reference_level(
    spec: ScoringSpec,
    score: float | None,
    completeness: float,
    worst: float | None,
    best: float | None,
    blocked: bool,
    high: bool,
) -> ReadinessLevel:
    if blocked:
        return spec.blocking_cap
    if score is None or worst is None or best is None:
        return "unknown"

    def of(value: float) -> ReadinessLevel:
        if value >= spec.ready_at:
            return "partly_ready" if high else "ready"
        return "partly_ready" if value >= spec.partly_ready_at else "not_ready"

    if completeness >= spec.min_completeness:
        return of(score)
    return of(worst) if of(worst) == of(best) else "unknown"


def _reference_readiness(
    ruleset: Ruleset,
    values: Mapping[str, str],
    blockers: list[Blocker],
    highs: list[Blocker],
) -> dict[str, Any]:
    """The readiness formula as the README states it, written plainly: the test's oracle."""
    spec, scope = ruleset.scoring, ruleset.scope
    high_in = {dimension for _, dimension in highs}
    dimensions = []
    weighted = weights = low = top = range_weights = 0.0
    answered_all = total_all = 0
    for dimension in DIMENSIONS:
        worths = [
            indicator.scale.worth_of(values[indicator.path])
            for indicator in INDICATORS
            if indicator.dimension == dimension
            and indicator.scale.scored
            and (
                indicator.path not in scope
                or values[scope[indicator.path][0]] in scope[indicator.path][1]
            )
        ]
        answered = [w for w in worths if w is not None]
        total = len(worths)
        score = round(100 * sum(answered) / len(answered), 1) if answered else None
        completeness = round(len(answered) / total, 3) if total else 0.0
        worst = 100 * sum(answered) / total if total else None
        best = 100 * (sum(answered) + total - len(answered)) / total if total else None
        capped = sorted(gap for gap, where in blockers if where == dimension)
        level = _reference_level(
            spec, score, completeness, worst, best, bool(capped), dimension in high_in
        )
        dimensions.append((dimension, score, level, completeness, len(answered), total, capped))
        weight = spec.weights.get(dimension, 0.0)
        if weight > 0 and score is not None:
            weighted += weight * score
            weights += weight
        if weight > 0 and worst is not None and best is not None:
            low += weight * worst
            top += weight * best
            range_weights += weight
        answered_all += len(answered)
        total_all += total
    overall = round(weighted / weights, 1) if weights else None
    completeness = round(answered_all / total_all, 3) if total_all else 0.0
    worst_all = best_all = None
    if range_weights and overall is not None:
        worst_all = min(math.floor(low / range_weights * 10 + 1e-9) / 10, overall)
        best_all = max(math.ceil(top / range_weights * 10 - 1e-9) / 10, overall)
    capped_all = sorted(gap for gap, _ in blockers)
    return {
        "score": overall,
        "level": _reference_level(
            spec, overall, completeness, worst_all, best_all, bool(capped_all), bool(high_in)
        ),
        "completeness": completeness,
        "range": (worst_all, best_all),
        "stage": stage_of(values),
        "capped_by": capped_all,
        "dimensions": dimensions,
    }


def test_the_scorer_gives_what_the_formula_gives(ruleset: Ruleset) -> None:
    # The scorer keeps entries by their sums and shares them between assessments; the formula
    # written plainly must agree with it on many assessments, blockers and high gaps included.
    chance = random.Random(20251123)
    scorer = Scorer(ruleset.scoring, ruleset.scope)
    for _ in range(400):
        values = {i.path: chance.choice(i.scale.values) for i in INDICATORS}
        blockers = [(f"b/{n}", chance.choice(DIMENSIONS)) for n in range(chance.choice((0, 0, 2)))]
        highs = [(f"h/{n}", chance.choice(DIMENSIONS)) for n in range(chance.choice((0, 1, 3)))]
        got = scorer.figures(values, blockers, highs)
        assert {
            "score": got.score,
            "level": got.level,
            "completeness": got.completeness,
            "range": (got.worst, got.best),
            "stage": got.stage,
            "capped_by": list(got.capped_by),
            "dimensions": [
                (
                    d.dimension,
                    d.score,
                    d.level,
                    d.completeness,
                    d.answered,
                    d.total,
                    list(d.capped_by),
                )
                for d in got.dimensions
            ],
        } == _reference_readiness(ruleset, values, blockers, highs)
