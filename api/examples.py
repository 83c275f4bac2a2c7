"""Realistic examples of the stored-data answers, made at start-up by the engine and the store's code.

Two assessments of one organisation (the shipped example, then the same unit three months later
with its head of service on board and a tovholder appointed) are evaluated and laid out as the
store keeps them; the record, page, delta and regional summary in the OpenAPI document are then
what the server would answer for them, computed by the same functions.
"""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from typing import Any

from litestar.handlers import HTTPRouteHandler
from pydantic import BaseModel

from api.assessments import stored_summary
from api.openapi import ANSWER_EXAMPLE
from engine import Engine
from schemas.assessment import AssessmentRequest
from schemas.regions import RegionList
from schemas.stored import Delta, RegionSummary, StoredAssessmentOut
from store.delta import delta
from store.repository import HistoryEntry, RegionFigures, ResultSummary, StoredAssessment
from store.summary import summary

__all__ = ["stored_examples", "with_examples"]

_REGION = "Stockholm"
"""The region of the shipped example's organisation."""
_EARLIER = datetime(2026, 8, 20, 9, 30, tzinfo=UTC)
_LATER = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)
_ORGANISATIONS = 7
"""Organisations in the example region (above the default minimum group of 5)."""


def _stored(
    engine: Engine, request: dict[str, Any], made: datetime, number: int
) -> tuple[StoredAssessment, ResultSummary]:
    """The assessment as the store keeps it, with what is kept beside its result."""
    outcome = engine.evaluate(AssessmentRequest.model_validate(request))
    kept = stored_summary(outcome, engine.ruleset, "en")
    organisation = request.get("organisation", {})
    stored = StoredAssessment(
        id=f"{int(made.timestamp() * 1_000_000):014x}{number:018x}",
        created_at=made,
        organisation_id=organisation.get("id", "se-0780-ifo"),
        organisation_name=organisation.get("name"),
        region=_REGION,
        intervention=request.get("intervention", {}).get("name", "other"),
        language=kept.language,
        readiness_level=kept.readiness_level,
        readiness_score=kept.readiness_score,
        ruleset_version=kept.ruleset_version,
        ruleset_digest=kept.ruleset_digest,
        result_json=engine.result_json(outcome, language="en").decode(),
        assessed_at=made,
    )
    return stored, kept


def stored_examples(engine: Engine, request: dict[str, Any]) -> dict[str, BaseModel]:
    """The examples by operation id, each validated by its response model."""
    later_request = copy.deepcopy(request)
    later_request.setdefault("leadership", {}).setdefault("support", {})["tactical"] = "yes"
    later_request.setdefault("competence", {}).setdefault("tovholder", {})["appointed"] = "yes"
    earlier, earlier_kept = _stored(engine, request, _EARLIER, 1)
    later, later_kept = _stored(engine, later_request, _LATER, 2)
    history = [
        HistoryEntry(s.id, s.made_at, frozenset(i for k, i in kept.findings if k == "gap"))
        for s, kept in ((earlier, earlier_kept), (later, later_kept))
    ]
    # A region of seven organisations, each last assessed like one of the two, counted as
    # `Repository.region_figures` counts from the columns kept beside each result.
    latest = [later_kept if n % 3 else earlier_kept for n in range(_ORGANISATIONS)]
    findings: dict[tuple[str, str], int] = {}
    for kept in latest:
        for finding in dict.fromkeys(kept.findings):
            findings[finding] = findings.get(finding, 0) + 1
    figures = RegionFigures(
        assessments=_ORGANISATIONS + 3,
        levels=[kept.readiness_level for kept in latest],
        stages=[kept.stage for kept in latest],
        dimensions=[dimension for kept in latest for dimension in kept.dimensions],
        findings=findings,
        quarters=[],
    )
    region = summary(_REGION, figures, 5, {"from": "2026-01-01", "to": None})
    return {
        "getAssessment": StoredAssessmentOut.model_validate(
            {**later.meta(), "result": json.loads(later.result_json)}
        ),
        "getDelta": Delta.model_validate(delta(later, earlier, history)),
        "getRegionSummary": RegionSummary.model_validate(region),
        "listRegions": RegionList.model_validate(
            {
                "items": [
                    {
                        "region": _REGION,
                        "organisations": _ORGANISATIONS,
                        "assessments": _ORGANISATIONS + 3,
                        "latest": _LATER,
                        "summary": f"/v1/regions/{_REGION}/summary",
                    }
                ]
            }
        ),
    }


def with_examples(
    handlers: list[HTTPRouteHandler], examples: dict[str, BaseModel]
) -> list[HTTPRouteHandler]:
    """Copies of `handlers` whose success answer in the document shows its example, if any."""
    shown = []
    for handler in handlers:
        example = examples.get(str(handler.operation_id))
        if example is not None:
            handler = copy.copy(handler)
            handler.opt = {
                **handler.opt,
                ANSWER_EXAMPLE: (
                    "The shipped example, stored, three months after its first assessment",
                    example.model_dump(mode="json", by_alias=True),
                ),
            }
        shown.append(handler)
    return shown
