"""Forward chaining from gaps to escalations, and what an escalation does to the ranking."""

from __future__ import annotations

from engine import Engine
from tests.conftest import request


def test_an_escalation_fires_only_after_both_gaps_it_combines(engine: Engine) -> None:
    result = engine.assess(
        request(competence={"tovholder": {"appointed": "no"}}, risks={"staff_turnover": "high"}),
        explain=True,
    )
    fired = [entry.rule for entry in result.trace or []]
    escalation = "escalations/no-tovholder-with-high-turnover"
    assert fired.index(escalation) > fired.index("competence/tovholder-missing")
    assert fired.index(escalation) > fired.index("risks/high-staff-turnover")
    (found,) = result.escalations
    assert found.derived_from == ["competence/tovholder-missing", "risks/high-staff-turnover"]
    assert found.raises == ["appoint-tovholder", "plan-for-turnover"]
    trace = {entry.rule: entry for entry in result.trace or []}
    assert {
        "gap:competence/tovholder-missing",
        "gap:risks/high-staff-turnover",
    } <= set(trace[escalation].matched)


def test_one_gap_alone_does_not_escalate(engine: Engine) -> None:
    result = engine.assess(request(competence={"tovholder": {"appointed": "no"}}))
    assert result.escalations == []


def test_an_escalation_raises_a_recommendation_by_one_level_not_over_everything(
    engine: Engine,
) -> None:
    # plan-for-turnover closes a high gap; the escalation (no tovholder while turnover is high)
    # raises it one level, to the blockers' level, and no further.
    base = {"leadership": {"support": {"tactical": "no"}}, "risks": {"staff_turnover": "high"}}
    plain = engine.assess(request(**base, competence={"tovholder": {"appointed": "yes"}}))
    before = next(r for r in plain.recommendations if r.id == "plan-for-turnover")
    escalated = engine.assess(request(**base, competence={"tovholder": {"appointed": "no"}}))
    lifted = next(r for r in escalated.recommendations if r.id == "plan-for-turnover")
    assert lifted.escalations == ["escalations/no-tovholder-with-high-turnover"]
    assert lifted.score.escalated
    assert lifted.score.urgency == min(before.score.urgency + 1, 4)
    # Every recommendation of lower urgency that is due as early ranks below it.
    for other in escalated.recommendations:
        if (other.score.finds_out, other.score.stage) == (False, lifted.score.stage) and (
            other.score.urgency < lifted.score.urgency
        ):
            assert other.rank > lifted.rank, other.id


def test_a_cross_fact_condition_joins_two_sections(engine: Engine) -> None:
    fgc = engine.assess(
        request(
            intervention={"model": "family_group_conference"},
            organisation_setup={"venue": {"neutral": "partly"}},
        ),
    )
    gap = next(g for g in fgc.gaps if g.id == "organisation/fgc-venue-not-neutral")
    assert gap.evidence == {
        "intervention.model": "family_group_conference",
        "organisation_setup.venue.neutral": "partly",
    }


def test_a_strength_rule_reports_a_success_factor_present(engine: Engine) -> None:
    result = engine.assess(
        request(
            strengths={"pilot_cases": "yes", "leaders_take_part": "yes"},
            leadership={"support": {"operational": "partly"}},
        )
    )
    present = {f.id: f for f in result.success_factors if f.status == "present"}
    assert set(present) == {"pilot-cases", "leaders-take-part"}
    assert present["pilot-cases"].rules == ["strengths/pilot-cases"]


def test_a_negated_condition_excludes_unknown_when_the_rule_says_so(engine: Engine) -> None:
    result = engine.assess(request(strengths={"leaders_take_part": "yes"}))
    assert all(f.id != "leaders-take-part" for f in result.success_factors)


def test_unknown_is_a_find_out_gap_not_a_no(engine: Engine) -> None:
    result = engine.assess(request())
    gap = next(g for g in result.gaps if g.id == "competence/tovholder-unknown")
    assert gap.kind == "unknown"
    assert all(g.id != "competence/tovholder-missing" for g in result.gaps)
    assert {g.kind for g in result.gaps} == {"unknown"}
    assert "clarify-tovholder" in {r.id for r in result.recommendations}
    assert result.readiness.capped_by == []
    assert result.readiness.level == "unknown"
