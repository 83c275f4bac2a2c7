"""Nothing collected goes unused, and everything an organisation has in place is seen."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine import Engine, Ruleset
from engine.conditions import tests_in as _tests_in
from engine.indicators import INDICATORS, field_paths, nested
from engine.rulebase.rulefile import ObstacleFile, RecommendationFile, SuccessFactorFile
from schemas.assessment import AssessmentRequest
from schemas.result import AssessmentResult

PROJECT = Path(__file__).resolve().parents[2]

STORED = {
    "organisation.id": "api/assessments.py",
    "organisation.name": "api/assessments.py",
    "organisation.region": "api/assessments.py",
    "intervention.name": "api/assessments.py",
}
"""Descriptive fields and the module that stores them with the result (for the regional
dashboards: who, where, which intervention)."""


def _used_by_rules(ruleset: Ruleset) -> set[str]:
    used: set[str] = set()
    for rule in ruleset.rules:
        used.update(t.path for t in _tests_in(rule.condition))
        for context in rule.contexts:
            used.update(t.path for t in _tests_in(context.condition))
    used.update(on for on, _ in ruleset.scope.values())
    return used


def _used_by_texts(ruleset: Ruleset) -> set[str]:
    entries: list[ObstacleFile | SuccessFactorFile | RecommendationFile] = [
        *ruleset.obstacles.values(),
        *ruleset.success_factors.values(),
    ]
    entries += list(ruleset.recommendations.values())
    used = {"organisation.country"} if any(e.by_country for e in entries) else set()
    if any(e.by_model for e in ruleset.recommendations.values()):
        used.add("intervention.model")
    if any(e.by_kind for e in ruleset.recommendations.values()):
        used.add("intervention.kind")
    return used


LEAVES = field_paths()[0]


@pytest.mark.parametrize("path", LEAVES)
def test_every_assessment_field_is_used(ruleset: Ruleset, path: str) -> None:
    indicator = INDICATORS.get(path)
    scored = indicator is not None and indicator.scale.scored
    by_rule = path in _used_by_rules(ruleset)
    by_text = path in _used_by_texts(ruleset)
    stored = path in STORED and path.split(".")[-1] in (PROJECT / STORED[path]).read_text()
    assert scored or by_rule or by_text or stored, f"{path} is collected but nothing uses it"


def test_every_scored_indicator_is_tested_by_some_rule(ruleset: Ruleset) -> None:
    used = _used_by_rules(ruleset)
    untested = [i.path for i in INDICATORS if i.scale.scored and i.path not in used]
    assert untested == []


@pytest.mark.parametrize(
    ("model", "kind"),
    [
        ("family_group_conference", "method"),
        ("family_oriented_work", "method"),
        ("early_support", "programme"),
        ("other", "guideline"),
        ("other", "law"),
    ],
)
def test_a_fully_prepared_organisation_shows_every_success_factor_that_applies(
    engine: Engine, model: str, kind: str
) -> None:
    context = {"intervention.model": model, "intervention.kind": kind}

    def at(pick: str) -> AssessmentResult:
        values = {i.path: getattr(i.scale, pick) for i in INDICATORS if i.scale.scored}
        return engine.assess(AssessmentRequest.model_validate(nested({**values, **context})))

    # What applies to this context: every success factor the worst answers report missing.
    applies = {f.id for f in at("worst").success_factors if f.status == "missing"}
    best = at("best")
    present = {f.id for f in best.success_factors if f.status == "present"}
    assert applies <= present, sorted(applies - present)
    assert not [f.id for f in best.success_factors if f.status == "missing"]
