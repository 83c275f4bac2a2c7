"""Combining a round's answers: the documented rules, privacy groups, and three properties."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from engine.indicators import INDICATORS, nested
from engine.rounds import (
    ROLES,
    Combination,
    Response,
    Role,
    RoundAnswerError,
    RoundFileError,
    RoundSpec,
    combine,
    form_answers,
    load_round_spec,
    privacy_groups,
)
from schemas.assessment import AssessmentRequest
from schemas.scales import UNKNOWN

SPEC = load_round_spec()
BASE: dict[str, Any] = {
    "organisation": {"id": "0180-ifo", "name": "Stockholm IFO", "country": "SE", "size": "large"},
    "intervention": {"name": "Familjeorienterat arbetssätt", "kind": "method"},
}


def _values(path: str) -> list[str]:
    indicator = INDICATORS.get(path)
    assert indicator is not None
    return [v for v in indicator.scale.values if v != UNKNOWN]


def _value_of(request: AssessmentRequest, path: str) -> str:
    node: Any = request
    for part in path.split("."):
        node = getattr(node, part)
    return str(node)


def _answers(combination: Combination) -> dict[str, tuple[str, int, tuple[str, ...]]]:
    return {a.path: (a.value, a.answers, a.roles) for a in combination.answers}


# --- the documented rules, on the round an adviser would run ---------------------------------


def _round_of_21() -> list[Response]:
    """2 strategic, 3 tactical, 4 operational leaders and 12 staff of one IFO."""
    responses = [
        Response(
            "strategic_leader",
            {
                "leadership.support.strategic": "yes",
                "leadership.resources.training_time": "yes",
                "risks.lack_of_time": "low",
            },
        )
        for _ in range(2)
    ]
    responses += [
        Response(
            "tactical_leader",
            {
                "leadership.support.strategic": "yes",
                "leadership.support.tactical": value,
                "leadership.resources.training_time": training,
                "risks.lack_of_time": "low",
            },
        )
        for value, training in (("yes", "yes"), ("yes", "partly"), ("partly", "yes"))
    ]
    responses += [
        Response(
            "operational_leader",
            {
                "leadership.support.operational": value,
                "leadership.resources.training_time": "yes",
                "risks.lack_of_time": "medium",
            },
        )
        for value in ("yes", "yes", "partly", "no")
    ]
    staff_support = ["no"] * 7 + ["partly"] * 3 + ["yes"] * 2
    staff_time = ["high"] * 8 + ["medium"] * 4
    responses += [
        Response(
            "staff",
            {
                "leadership.support.tactical": support,
                "risks.lack_of_time": time,
                "competence.staff_motivation": "medium",
            },
        )
        for support, time in zip(staff_support, staff_time, strict=True)
    ]
    return responses


def test_a_round_of_21_gives_the_answers_the_round_file_documents() -> None:
    combination = combine(SPEC, BASE, _round_of_21())
    groups = [(g.roles, g.respondents) for g in combination.groups]
    # Two strategic leaders are too few to be shown: they are merged with their neighbour.
    assert groups == [
        (("strategic_leader", "tactical_leader"), 5),
        (("operational_leader",), 4),
        (("staff",), 12),
    ]
    answers = _answers(combination)
    # Each level's leaders answer for their own support; the two strategic leaders count with
    # the tactical ones they are shown with.
    assert answers["leadership.support.strategic"] == (
        "yes",
        5,
        ("strategic_leader", "tactical_leader"),
    )
    # Tactical: their own three answers (yes, yes, partly) -> yes; the staff's no is compared.
    assert answers["leadership.support.tactical"] == (
        "yes",
        3,
        ("strategic_leader", "tactical_leader"),
    )
    # Operational: yes, yes, partly, no -> the more cautious middle answer, partly.
    assert answers["leadership.support.operational"] == ("partly", 4, ("operational_leader",))
    # Resources: the most cautious leader's answer.
    assert answers["leadership.resources.training_time"][0] == "partly"
    assert answers["leadership.resources.training_time"][1] == 9
    # Time is judged by those who do the work: the staff's median, high.
    assert answers["risks.lack_of_time"] == ("high", 12, ("tovholder", "coordinator", "staff"))
    assert answers["competence.staff_motivation"] == ("medium", 12, ("staff",))

    request = combination.request
    assert request.leadership.support.tactical == "yes"
    assert request.risks.lack_of_time == "high"
    assert request.organisation.id == "0180-ifo"
    # Leaders say yes to the head of service's support, most staff say no: two steps apart.
    assert request.agreement.tactical_support == "differ"
    # Leaders see little lack of time, staff a lot.
    assert request.agreement.time == "differ"
    # Only the operational leaders answered their own support: nothing to compare.
    assert request.agreement.operational_support == "unknown"
    assert request.agreement.strategic_support == "agree"
    tactical = next(
        d for d in combination.disagreements if d.matter == "agreement.tactical_support"
    )
    assert tactical.spread == 2
    assert tactical.low.value == "no" and tactical.low.groups == (("staff",),)
    assert tactical.high.value == "yes"
    assert tactical.high.groups == (("strategic_leader", "tactical_leader"),)


def test_no_role_with_fewer_than_three_respondents_is_shown_on_its_own() -> None:
    shown = combine(SPEC, BASE, _round_of_21()).to_json()

    def role_lists(node: Any) -> list[list[str]]:
        if isinstance(node, dict):
            found = [v for k, v in node.items() if k == "roles"]
            return found + [x for v in node.values() for x in role_lists(v)]
        if isinstance(node, list):
            lists = [node] if node and all(n in ROLES for n in node) else []
            return lists + [x for v in node for x in role_lists(v)]
        return []

    lists = role_lists(shown)
    assert lists, "the combination shows groups"
    assert ["strategic_leader"] not in lists


def test_privacy_groups_merge_small_roles_with_their_neighbours() -> None:
    order = SPEC.roles
    assert privacy_groups(order, {"staff": 2}, 3) == ((), ("staff",))
    groups, suppressed = privacy_groups(order, {"tactical_leader": 1, "operational_leader": 4}, 3)
    assert [g.roles for g in groups] == [("tactical_leader", "operational_leader")]
    assert not suppressed
    # The last roles, too few on their own, join the group before them.
    groups, _ = privacy_groups(order, {"strategic_leader": 3, "staff": 1, "other": 1}, 3)
    assert [g.roles for g in groups] == [("strategic_leader", "staff", "other")]
    groups, _ = privacy_groups(order, dict.fromkeys(order, 3), 3)
    assert [g.roles for g in groups] == [(role,) for role in order]


def test_the_threshold_can_be_raised_but_not_lowered() -> None:
    responses = _round_of_21()
    assert combine(SPEC, BASE, responses, min_group=1).min_group == 3
    raised = combine(SPEC, BASE, responses, min_group=5)
    assert [g.roles for g in raised.groups] == [
        ("strategic_leader", "tactical_leader"),
        ("operational_leader", "staff"),
    ]


def test_a_round_too_small_for_any_group_shows_no_role() -> None:
    responses = [
        Response("strategic_leader", {"leadership.support.tactical": "yes"}),
        Response("staff", {"leadership.support.tactical": "no"}),
    ]
    combination = combine(SPEC, BASE, responses)
    assert combination.groups == ()
    assert combination.to_json()["suppressed"] is True
    (disagreement,) = combination.disagreements
    assert disagreement.low.groups == () and disagreement.high.groups == ()
    # Every answer counts: nothing can be attributed to a role anyway.
    assert _answers(combination)["leadership.support.tactical"][1] == 2


def test_unknown_answers_are_left_out_and_fallback_is_marked() -> None:
    responses = [Response("staff", {"leadership.support.strategic": "partly"}) for _ in range(3)]
    (answer,) = combine(SPEC, BASE, responses).answers
    assert answer.value == "partly" and answer.fallback
    assert answer.roles == SPEC.roles_asked("leadership.support.strategic")


# --- answers against the role's form ----------------------------------------------------------


def test_a_form_accepts_its_own_questions_and_drops_unknowns() -> None:
    body = {"leadership": {"support": {"tactical": "no", "strategic": "unknown"}}}
    assert form_answers(SPEC, "staff", body) == {"leadership.support.tactical": "no"}


@pytest.mark.parametrize(
    ("body", "code", "loc"),
    [
        ({"leadership": {"resources": {"catering": "no"}}}, "field-not-in-form", 3),
        ({"leadership": {"support": {"tactical": "maybe"}}}, "answer-not-in-scale", 3),
        ({"organisation": {"country": "SE"}}, "field-not-in-form", 2),
        ({"leadership": {"support": {"tactical": 1}}}, "invalid-answers", 3),
        (["yes"], "invalid-answers", 0),
        ({"no_such_section": {"x": "yes"}}, "field-not-in-form", 2),
    ],
)
def test_a_form_refuses_what_the_role_is_not_asked(body: Any, code: str, loc: int) -> None:
    with pytest.raises(RoundAnswerError) as caught:
        form_answers(SPEC, "staff", body)
    assert caught.value.code == code
    assert len(caught.value.loc) == loc


def test_every_role_is_asked_about_the_support_it_sees_at_each_level() -> None:
    for role in ROLES:
        form = SPEC.form(role)
        assert {"leadership.support.strategic", "leadership.support.tactical"} <= set(form)
    assert "leadership.resources.training_time" not in SPEC.form("staff")
    assert "competence.staff_motivation" in SPEC.form("staff")
    assert not any(
        p.startswith(("organisation.", "agreement.")) for r in ROLES for p in SPEC.form(r)
    )


# --- the round file is checked -----------------------------------------------------------------


def _spec_with(tmp_path: Path, change: Any) -> RoundSpec:
    root = Path(__file__).resolve().parents[2] / "rules"
    target = tmp_path / "rules"
    target.mkdir()
    shutil.copy(root / "rounds.yaml", target / "rounds.yaml")
    raw = yaml.safe_load((target / "rounds.yaml").read_text(encoding="utf-8"))
    change(raw)
    (target / "rounds.yaml").write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return load_round_spec(target)


@pytest.mark.parametrize(
    ("change", "says"),
    [
        (lambda raw: raw["privacy"].update(min_group=2), "min_group"),
        (lambda raw: raw["roles"].pop("other"), "every role needs its titles"),
        (lambda raw: raw["forms"].pop(), "no entry says who is asked"),
        (lambda raw: raw["forms"][0]["questions"].append("leadership.nope"), "no indicator"),
        (
            lambda raw: raw["combining"]["rules"][0].update(roles=["nobody"]),
            "combining.rules.0.roles.0",
        ),
        (
            lambda raw: raw["combining"]["rules"][-1]["roles"].append("strategic_leader"),
            "who are not asked it",
        ),
        (lambda raw: raw["disagreements"]["matters"].pop("agreement.time"), "agreement fields"),
        (
            lambda raw: raw["disagreements"]["matters"].update(
                {"agreement.time": "intervention.kind"}
            ),
            "not a graded question",
        ),
        (
            lambda raw: (
                raw["forms"].append({"questions": ["context.cost_pressure"], "roles": ["staff"]}),
                raw["disagreements"]["matters"].update({"agreement.time": "context.cost_pressure"}),
            ),
            "fewer than two roles",
        ),
        (
            lambda raw: raw["forms"].append(
                {"questions": ["organisation.country"], "roles": ["staff"]}
            ),
            "describes the case",
        ),
        (
            lambda raw: raw["forms"].append({"questions": ["risks.workload"], "roles": ["staff"]}),
            "equally specifically",
        ),
    ],
)
def test_a_faulty_round_file_is_refused_with_what_is_wrong(
    tmp_path: Path, change: Any, says: str
) -> None:
    with pytest.raises(RoundFileError) as caught:
        _spec_with(tmp_path, change)
    assert caught.value.code == "invalid-round-file"
    assert says in caught.value.message


# --- properties ----------------------------------------------------------------------------------


@st.composite
def responses_of(draw: st.DrawFn, role: Role | None = None) -> Response:
    chosen: Role = role if role is not None else draw(st.sampled_from(ROLES))
    form = SPEC.form(chosen)
    paths = draw(st.lists(st.sampled_from(form), unique=True, max_size=12))
    # Questions that disagreements compare are answered more often, so that they are exercised.
    compared = [p for p in SPEC.matters.values() if p in form]
    paths += draw(st.lists(st.sampled_from(compared), unique=True)) if compared else []
    return Response(chosen, {p: draw(st.sampled_from(_values(p))) for p in dict.fromkeys(paths)})


rounds = st.lists(responses_of(), max_size=25)


@given(rounds, st.randoms(use_true_random=False))
def test_combining_does_not_depend_on_the_order_of_the_responses(
    responses: list[Response], random: Any
) -> None:
    shuffled = list(responses)
    random.shuffle(shuffled)
    first, second = combine(SPEC, BASE, responses), combine(SPEC, BASE, shuffled)
    assert first.request == second.request
    assert first.to_json() == second.to_json()


@given(st.data())
def test_one_respondent_who_answers_everything_is_the_plain_assessment(data: st.DataObject) -> None:
    role: Role = data.draw(st.sampled_from(ROLES))
    answers = {p: data.draw(st.sampled_from(_values(p))) for p in SPEC.form(role)}
    combination = combine(SPEC, BASE, [Response(role, answers)])
    body = nested(answers)
    for section, fields in BASE.items():
        body[section] = {**fields, **body.get(section, {})}
    plain = AssessmentRequest.model_validate(body)
    assert combination.request == plain
    assert all(value == UNKNOWN for value in combination.agreement.values())


@given(rounds, st.sampled_from(ROLES))
def test_a_respondent_who_agrees_with_the_combined_answers_creates_no_disagreement(
    responses: list[Response], role: Role
) -> None:
    before = combine(SPEC, BASE, responses)
    agreeing = {
        path: value
        for path in SPEC.form(role)
        if (value := _value_of(before.request, path)) != UNKNOWN
    }
    after = combine(SPEC, BASE, [*responses, Response(role, agreeing)])
    for matter, value in after.agreement.items():
        if value == "differ":
            assert before.agreement[matter] == "differ", matter
    # Nor does any disagreement widen.
    spread = {d.matter: d.spread for d in before.disagreements}
    for disagreement in after.disagreements:
        assert disagreement.spread <= spread[disagreement.matter]
