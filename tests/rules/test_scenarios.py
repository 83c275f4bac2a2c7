"""Realistic scenarios: assessments a municipality could send, with what an adviser expects first.

Each file in `scenarios/` holds a description, the assessment, and `expect`:
`top` (recommendations that must all be among the first `top_n`), `gaps` and `escalations` that
must be present, `level` (overall readiness level), `present` (success factors seen present),
`no_gaps_outside` (the only dimensions with non-find-out gaps), `only_unknown_gaps`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from engine import Engine
from schemas.assessment import AssessmentRequest

SCENARIOS = sorted((Path(__file__).parent / "scenarios").glob("*.json"))


def test_there_are_at_least_eight_scenarios() -> None:
    assert len(SCENARIOS) >= 8


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_scenario(engine: Engine, path: Path) -> None:
    scenario: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    expect = scenario["expect"]
    result = engine.assess(AssessmentRequest.model_validate(scenario["assessment"]))
    ranked = [r.id for r in result.recommendations]
    top = ranked[: expect["top_n"]]
    assert set(expect["top"]) <= set(top), f"first {expect['top_n']}: {top}; all: {ranked}"
    gap_ids = {g.id for g in result.gaps}
    assert set(expect.get("gaps", [])) <= gap_ids, sorted(gap_ids)
    escalation_ids = {e.id for e in result.escalations}
    assert set(expect.get("escalations", [])) <= escalation_ids, sorted(escalation_ids)
    if "level" in expect:
        assert result.readiness.level == expect["level"], result.readiness.score
    present = {f.id for f in result.success_factors if f.status == "present"}
    assert set(expect.get("present", [])) <= present
    if "no_gaps_outside" in expect:
        real = {g.dimension for g in result.gaps if g.kind != "unknown"}
        assert real <= set(expect["no_gaps_outside"]), sorted(gap_ids)
    if expect.get("only_unknown_gaps"):
        assert {g.kind for g in result.gaps} == {"unknown"}, sorted(gap_ids)
    for rec in result.recommendations[: expect["top_n"]]:
        assert rec.sources, rec.id
