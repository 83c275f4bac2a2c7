"""The result contract: results stored by an earlier ruleset still read."""

from __future__ import annotations

import json

from engine import Engine
from schemas.assessment import AssessmentRequest
from schemas.result import AssessmentResult
from tests.conftest import request


def test_a_result_stored_before_also_steps_still_reads(engine: Engine) -> None:
    # Results stored before ruleset 0.16.0 have no `also_steps`; reports read them back.
    assessed: AssessmentRequest = request(process={"step_13": "not"})
    stored = json.loads(engine.assess_json(assessed))
    assert stored["recommendations"]
    for rec in stored["recommendations"]:
        del rec["also_steps"]
    result = AssessmentResult.model_validate(stored)
    assert all(rec.also_steps == [] for rec in result.recommendations)
    assert result.recommendations[0].id == stored["recommendations"][0]["id"]
