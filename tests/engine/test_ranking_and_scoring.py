"""The ranking and readiness formulas, as the README states them."""

from __future__ import annotations

import itertools

import pytest

from engine import Engine, Ruleset
from engine.indicators import INDICATORS, nested, values_of
from engine.ranking import priority_of, score
from engine.scoring import readiness
from schemas.assessment import AssessmentRequest
from schemas.vocabulary import SEVERITIES
from tests.conftest import request


def test_no_execution_step_outranks_a_planning_blocker_without_escalation() -> None:
    planning_blocker = min(score("blocking", step, False, 0).total for step in range(1, 11))
    execution = max(
        score(severity, step, False, obstacles).total
        for severity, step, obstacles in itertools.product(SEVERITIES, range(11, 15), range(50))
    )
    assert execution < planning_blocker


def test_an_escalation_outranks_everything_unescalated() -> None:
    lowest_escalated = score("low", 14, True, 0).total
    highest_plain = score("blocking", 1, False, 100).total
    assert lowest_escalated > highest_plain


def test_score_components() -> None:
    parts = score("high", 9, False, 3)
    assert parts.model_dump() == {
        "severity": 300,
        "phase": 50,
        "escalation": 0,
        "obstacles": 15,
        "total": 365,
    }
    assert score("medium", 12, False, 20).obstacles == 45


@pytest.mark.parametrize(
    ("severity", "escalated", "label"),
    [("blocking", False, "critical"), ("high", False, "high"), ("low", True, "critical")],
)
def test_priority_label(severity: str, escalated: bool, label: str) -> None:
    assert priority_of(severity, escalated) == label  # type: ignore[arg-type]


def test_the_rank_is_recomputable_from_the_result_alone(engine: Engine) -> None:
    result = engine.assess(
        request(
            leadership={"support": {"tactical": "no", "strategic": "no"}},
            competence={"tovholder": {"appointed": "no"}},
            organisation_setup={"venue": {"available": "no"}},
            culture={"staff_believe": "no"},
            risks={"staff_turnover": "high", "reorganisation": "yes"},
        )
    )
    recomputed = sorted(result.recommendations, key=lambda r: (-r.score.total, r.step, r.id))
    assert [r.id for r in recomputed] == [r.id for r in result.recommendations]
    severity_of = {g.id: g.severity for g in [*result.gaps, *result.escalations]}
    for rec in result.recommendations:
        worst = min(
            (severity_of[g] for g in [*rec.closes_gaps, *rec.escalations]), key=SEVERITIES.index
        )
        assert rec.score == score(worst, rec.step, bool(rec.escalations), len(rec.obstacles))


def test_dimension_score_is_the_mean_worth_of_answered_indicators(ruleset: Ruleset) -> None:
    values = values_of(
        AssessmentRequest.model_validate(
            {
                "leadership": {
                    "support": {"strategic": "yes", "tactical": "partly", "operational": "no"}
                }
            }
        )
    )
    result = readiness(values, [], ruleset.scoring)
    leadership = next(d for d in result.dimensions if d.dimension == "leadership")
    assert leadership.score == 50.0
    assert leadership.answered == 3
    assert leadership.total == sum(1 for i in INDICATORS if i.dimension == "leadership")
    assert result.score == 50.0  # the only answered dimension
    assert leadership.level == "unknown"  # 3 of 12 answered: below min_completeness
    assert result.level == "unknown"
    everything = ruleset.scoring.model_copy(update={"min_completeness": 0.0})
    assert readiness(values, [], everything).level == "partly_ready"


def test_too_little_answered_is_an_unknown_level_not_a_verdict(ruleset: Ruleset) -> None:
    spec = ruleset.scoring
    answered = {i.path: i.scale.best for i in INDICATORS if i.scale.scored}
    few = dict(list(answered.items())[: int(len(answered) * spec.min_completeness) - 1])
    result = readiness(values_of(AssessmentRequest.model_validate(nested(few))), [], spec)
    assert result.score == 100.0
    assert result.level == "unknown"
    enough = dict(list(answered.items())[: int(len(answered) * spec.min_completeness) + 1])
    result = readiness(values_of(AssessmentRequest.model_validate(nested(enough))), [], spec)
    assert result.level == "ready"


def test_the_overall_score_weights_dimensions(ruleset: Ruleset) -> None:
    values = values_of(
        AssessmentRequest.model_validate(
            {"leadership": {"support": {"tactical": "yes"}}, "culture": {"staff_believe": "no"}}
        )
    )
    weights = ruleset.scoring.weights
    expected = round(100 * weights["leadership"] / (weights["leadership"] + weights["culture"]), 1)
    assert readiness(values, [], ruleset.scoring).score == expected


def test_a_blocking_gap_caps_the_level(ruleset: Ruleset) -> None:
    values = values_of(
        AssessmentRequest.model_validate(
            {
                "competence": {
                    "tovholder": {"appointed": "no"},
                    "training_available": "yes",
                    "supervision": "yes",
                    "technical_support": "yes",
                    "professions_decided": "yes",
                    "working_hours_arranged": "yes",
                    "staff_competence": "high",
                    "staff_motivation": "high",
                }
            }
        )
    )
    spec = ruleset.scoring.model_copy(update={"min_completeness": 0.0})
    free = readiness(values, [], spec)
    capped = readiness(values, [("competence/tovholder-missing", "competence")], spec)
    assert free.score == capped.score
    assert free.score is not None and free.score >= ruleset.scoring.ready_at
    assert free.level == "ready"
    assert capped.level == ruleset.scoring.blocking_cap == "partly_ready"
    competence = next(d for d in capped.dimensions if d.dimension == "competence")
    assert competence.level == "partly_ready"
    assert competence.capped_by == ["competence/tovholder-missing"]


def test_nothing_answered_is_unknown_not_zero(ruleset: Ruleset) -> None:
    result = readiness(values_of(AssessmentRequest()), [], ruleset.scoring)
    assert result.score is None
    assert result.level == "unknown"
    assert result.completeness == 0.0


def _reference_readiness(values: dict[str, str], blockers: list[tuple[str, str]], spec):  # type: ignore[no-untyped-def]
    """Readiness computed the long way, from the indicators alone, as the README states it."""
    from schemas.vocabulary import DIMENSIONS

    order = {"not_ready": 0, "partly_ready": 1, "ready": 2}

    def level(score: float | None, completeness: float, capped: bool) -> str:
        if score is None or completeness < spec.min_completeness:
            return "unknown"
        found = (
            "ready"
            if score >= spec.ready_at
            else "partly_ready"
            if score >= spec.partly_ready_at
            else "not_ready"
        )
        if capped and order[found] > order[spec.blocking_cap]:
            return spec.blocking_cap
        return found

    dimensions = []
    weighted = weight_sum = 0.0
    answered_all = total_all = 0
    for dimension in DIMENSIONS:
        scored = [i for i in INDICATORS if i.dimension == dimension and i.scale.scored]
        worths = [i.scale.worth_of(values[i.path]) for i in scored]
        answered = [w for w in worths if w is not None]
        score = round(100 * sum(answered) / len(answered), 1) if answered else None
        completeness = round(len(answered) / len(scored), 3) if scored else 0.0
        capped_by = sorted(gap for gap, d in blockers if d == dimension)
        dimensions.append(
            {
                "dimension": dimension,
                "score": score,
                "level": level(score, completeness, bool(capped_by)),
                "completeness": completeness,
                "answered": len(answered),
                "total": len(scored),
                "capped_by": capped_by,
            }
        )
        weight = spec.weights.get(dimension, 0.0)
        if score is not None and weight > 0:
            weighted += weight * score
            weight_sum += weight
        answered_all += len(answered)
        total_all += len(scored)
    overall = round(weighted / weight_sum, 1) if weight_sum else None
    completeness = round(answered_all / total_all, 3) if total_all else 0.0
    every = sorted(gap for gap, _ in blockers)
    return {
        "score": overall,
        "level": level(overall, completeness, bool(every)),
        "completeness": completeness,
        "capped_by": every,
        "dimensions": dimensions,
    }


def test_readiness_json_and_data_agree_with_the_long_way_on_random_answers(
    ruleset: Ruleset,
) -> None:
    # One scorer for all cases, so that kept entries (by worth sums, and capped ones by
    # blockers) are reused across assessments: a wrong key would show as a wrong figure here.
    import json
    import random

    from engine.scoring import Scorer
    from schemas.vocabulary import DIMENSIONS

    rng = random.Random(20261124)
    spec = ruleset.scoring
    scorer = Scorer(spec)
    gaps = [(f"gap-{n}", rng.choice(DIMENSIONS)) for n in range(12)]
    for _ in range(600):
        values = {
            i.path: rng.choice([*i.scale.values, *(["unknown"] * 2)])
            if "unknown" in i.scale.values
            else rng.choice(i.scale.values)
            for i in INDICATORS
        }
        blockers = rng.sample(gaps, rng.choice([0, 0, 1, 2, 4]))
        expected = _reference_readiness(values, blockers, spec)
        assert json.loads(scorer.json(values, blockers)) == expected
        assert scorer.data(values, blockers) == expected
