"""The disagreement rules: one per agreement field, and what each says in every language.

Combining an assessment round sets `agreement.<matter>` to `differ` when two roles answered the
matter two or more steps apart. Each field has one rule under `rules/logic/disagreements/`, named
after it, that turns `differ` into a gap of kind `disagreement`; `agree` and `unknown` say nothing.
"""

from __future__ import annotations

from typing import Any

import pytest

from engine import Engine, Rule, Ruleset, load_ruleset
from engine.conditions import tests_in as _tests_in
from engine.indicators import INDICATORS, nested
from engine.rounds import Response, combine, load_round_spec
from engine.rulebase.rulefile import CaseSpec, LocalizedText
from schemas.assessment import AgreementSection, AssessmentRequest
from schemas.result import AssessmentResult
from schemas.scales import AGREEMENT
from schemas.vocabulary import Language

_RULESET = load_ruleset(check_coverage=False)
FOLDER = "disagreements/"
DISAGREEMENT_RULES = [rule for rule in _RULESET.rules if rule.id.startswith(FOLDER)]
FIELDS = list(AgreementSection.model_fields)

COMPARED = {
    path.removeprefix("agreement."): compared
    for path, compared in load_round_spec().matters.items()
}
"""Per agreement field, the indicator whose answers a round compares for it (`rules/rounds.yaml`)."""

LANGUAGES: tuple[Language, ...] = ("sv", "da", "en")
CASES = [(rule, case) for rule in DISAGREEMENT_RULES for case in rule.cases]
FIRING = [(rule, case) for rule, case in CASES if case.fires]
SILENT = [(rule, case) for rule, case in CASES if not case.fires]


def _rule_id(field: str) -> str:
    return FOLDER + field.replace("_", "-")


def _agreement_tests(rule: Rule) -> list[tuple[str, frozenset[str]]]:
    return [
        (t.path, t.values) for t in _tests_in(rule.condition) if t.path.startswith("agreement.")
    ]


def _in_country(entry: Any, name: str, country: str) -> LocalizedText:
    """What the catalogue file says for `name` in `country`: its variant there, else the default."""
    variant = entry.by_country.get(country)
    text = getattr(variant, name, None) if variant is not None else None
    found: LocalizedText = text if text is not None else getattr(entry, name)
    return found


def _differs(case_input: dict[str, Any]) -> bool:
    return "differ" in case_input.get("agreement", {}).values()


def test_every_agreement_field_has_its_rule_and_every_rule_its_field() -> None:
    # The round file compares every agreement field, and each has its rule.
    assert sorted(COMPARED) == sorted(FIELDS)
    assert sorted(r.id for r in DISAGREEMENT_RULES) == sorted(_rule_id(f) for f in FIELDS)


@pytest.mark.parametrize("field", FIELDS)
def test_a_disagreement_rule_tests_its_own_field_at_differ_only(field: str) -> None:
    rule = _RULESET.by_id[_rule_id(field)]
    assert rule.kind == "gap"
    assert rule.gap_kind == "disagreement"
    assert _agreement_tests(rule) == [(f"agreement.{field}", frozenset({"differ"}))]
    assert INDICATORS.get(f"agreement.{field}").scale == AGREEMENT  # type: ignore[union-attr]


@pytest.mark.parametrize("field", FIELDS)
def test_a_disagreement_lies_in_the_dimension_of_the_indicator_it_compares(field: str) -> None:
    compared = INDICATORS.get(COMPARED[field])
    assert compared is not None and compared.scale.scored
    assert _RULESET.by_id[_rule_id(field)].dimension == compared.dimension


@pytest.mark.parametrize("field", FIELDS)
def test_a_disagreement_is_a_thing_of_its_own_not_part_of_the_matters_family(field: str) -> None:
    # So that the action that brings the roles together is never folded into the matter's own.
    assert _RULESET.by_id[_rule_id(field)].families == frozenset()


@pytest.mark.parametrize("field", FIELDS)
def test_every_disagreement_rule_shows_differ_firing_and_agree_and_unknown_silent(
    field: str,
) -> None:
    rule = _RULESET.by_id[_rule_id(field)]
    seen = {
        (case.input.get("agreement", {}).get(field, "unknown"), case.fires)
        for case in rule.cases
        if set(case.input.get("agreement", {})) <= {field}
    }
    assert {("differ", True), ("agree", False), ("unknown", False)} <= seen


def _assess(
    engine: Engine, case: CaseSpec, language: Language, country: str | None
) -> AssessmentResult:
    data = {**case.input}
    if country is not None:
        data["organisation"] = {**data.get("organisation", {}), "country": country}
    request = AssessmentRequest.model_validate(data)
    return engine.assess(request, language=language)


@pytest.mark.parametrize("country", [None, "SE", "DK"], ids=["no-country", "SE", "DK"])
@pytest.mark.parametrize(
    ("rule", "case"), FIRING, ids=[f"{rule.id}: {case.name}" for rule, case in FIRING]
)
def test_a_firing_case_gives_the_finding_and_its_advice_in_every_language(
    engine: Engine, rule: Rule, case: CaseSpec, country: str | None
) -> None:
    titles: dict[str, str] = {}
    advice: dict[str, list[tuple[str, str]]] = {}
    for language in LANGUAGES:
        result = _assess(engine, case, language, country)
        gap = next(g for g in result.gaps if g.id == rule.id)
        assert gap.kind == "disagreement"
        assert gap.title == rule.title.in_(language)
        titles[language] = gap.title
        placed = {r.id: (r.title, r.action) for r in result.recommendations}
        placed |= {s.id: (s.title, s.action) for r in result.recommendations for s in r.sub_points}
        advice[language] = []
        for rid in rule.links.recommendations:
            entry = _RULESET.recommendations[rid]
            expected = tuple(
                _in_country(entry, name, country or "unknown").in_(language)
                for name in ("title", "action")
            )
            assert placed[rid] == expected, (language, rid)
            advice[language].append(placed[rid])
    assert len(set(titles.values())) == 3, titles
    for i, rid in enumerate(rule.links.recommendations):
        actions = {advice[language][i][1] for language in LANGUAGES}
        assert len(actions) == 3, rid


@pytest.mark.parametrize(
    ("rule", "case"), SILENT, ids=[f"{rule.id}: {case.name}" for rule, case in SILENT]
)
@pytest.mark.parametrize("language", LANGUAGES)
def test_a_silent_case_gives_no_disagreement_of_its_rule(
    engine: Engine, rule: Rule, case: CaseSpec, language: Language
) -> None:
    result = _assess(engine, case, language, None)
    disagreements = [g.id for g in result.gaps if g.kind == "disagreement"]
    assert rule.id not in disagreements
    if not _differs(case.input):
        # Roles who agree, or a matter too few roles answered, are no disagreement at all.
        assert disagreements == []


@pytest.mark.parametrize("value", ["agree", "unknown"])
def test_no_agreement_short_of_differ_gives_a_disagreement_anywhere(
    engine: Engine, value: str
) -> None:
    request = AssessmentRequest.model_validate({"agreement": dict.fromkeys(FIELDS, value)})
    result = engine.assess(request)
    assert [g.id for g in result.gaps if g.kind == "disagreement"] == []


def _best(ruleset: Ruleset, **agreement: str) -> AssessmentRequest:
    """Every scored indicator at its best answer, and the agreement fields given."""
    best = {i.path: i.scale.best for i in INDICATORS if i.scale.scored}
    return AssessmentRequest.model_validate({**nested(best), "agreement": agreement})


def test_agreement_fields_are_not_scored(engine: Engine) -> None:
    scores = set()
    for value in ("agree", "differ", "unknown"):
        result = engine.assess(_best(_RULESET, **dict.fromkeys(FIELDS, value)))
        dimensions = result.readiness.dimensions
        figures = tuple((d.dimension, d.score, d.answered, d.total) for d in dimensions)
        scores.add((result.readiness.score, figures))
    assert len(scores) == 1


def test_a_high_disagreement_keeps_an_otherwise_ready_organisation_from_ready(
    engine: Engine,
) -> None:
    alike = engine.assess(_best(_RULESET, tactical_support="agree"))
    assert alike.readiness.level == "ready"
    apart = engine.assess(_best(_RULESET, tactical_support="differ"))
    assert apart.readiness.level == "partly_ready"
    leadership = next(d for d in apart.readiness.dimensions if d.dimension == "leadership")
    assert leadership.level == "partly_ready"
    # A disagreement is evidence of something, never a find-out.
    first = apart.recommendations[0]
    assert first.id == "bring-the-levels-together"
    assert not first.score.finds_out
    assert first.closes_gaps == ["disagreements/tactical-support"]


def test_advice_on_a_disagreement_comes_before_finding_out_what_is_unanswered(
    engine: Engine,
) -> None:
    request = AssessmentRequest.model_validate(
        {"agreement": {"time": "differ"}, "risks": {"staff_turnover": "unknown"}}
    )
    ranked = engine.assess(request).recommendations
    finding_out = [r.rank for r in ranked if r.score.finds_out]
    assert finding_out, [r.id for r in ranked]
    bring = next(r for r in ranked if r.id == "bring-the-levels-together")
    assert bring.score.severity == "medium"
    assert bring.rank < min(finding_out)


def _round(staff_say: str) -> AssessmentRequest:
    """A combined round: every leader backs the method, twelve caseworkers answer `staff_say`."""
    leaders = {
        f"leadership.support.{level}": "yes" for level in ("strategic", "tactical", "operational")
    }
    staff = {f"leadership.support.{level}": staff_say for level in ("tactical", "operational")}
    responses = [
        *(
            Response(role, leaders)
            for role in ("strategic_leader", "tactical_leader", "operational_leader")
        ),
        *[Response("staff", {**leaders, **staff})] * 12,
    ]
    base = {"organisation": {"country": "SE"}, "intervention": {"kind": "method"}}
    return combine(load_round_spec(), base, responses).request


def test_a_combined_round_whose_staff_do_not_feel_the_support_gets_the_disagreements(
    engine: Engine,
) -> None:
    result = engine.assess(_round("no"))
    kinds = {g.id: g.kind for g in result.gaps}
    # Each level answers for its own support, so only the disagreement shows the staff's view.
    assert kinds["disagreements/tactical-support"] == "disagreement"
    assert kinds["disagreements/operational-support"] == "disagreement"
    assert "disagreements/strategic-support" not in kinds
    assert "leadership/tactical-support" not in kinds
    alike = engine.assess(_round("yes"))
    assert [g.id for g in alike.gaps if g.kind == "disagreement"] == []
