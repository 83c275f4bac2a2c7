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

from api.openapi import ANSWER_EXAMPLE
from engine import Engine
from schemas.assessment import AssessmentRequest
from schemas.regions import RegionList
from schemas.stored import Delta, RegionSummary, StoredAssessmentOut
from store.delta import delta
from store.repository import HistoryEntry, RegionFigures, StoredAssessment
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
) -> StoredAssessment:
    outcome = engine.evaluate(AssessmentRequest.model_validate(request))
    result = engine.result_json(outcome, language="en").decode()
    readiness = json.loads(result)["readiness"]
    organisation = request.get("organisation", {})
    return StoredAssessment(
        id=f"{int(made.timestamp() * 1_000_000):014x}{number:018x}",
        created_at=made,
        organisation_id=organisation.get("id", "se-0780-ifo"),
        organisation_name=organisation.get("name"),
        region=_REGION,
        intervention=request.get("intervention", {}).get("name", "other"),
        language="en",
        readiness_level=readiness["level"],
        readiness_score=readiness["score"],
        ruleset_version=engine.ruleset.version,
        ruleset_digest=engine.ruleset.digest,
        result_json=result,
        assessed_at=made,
    )


def _record(stored: StoredAssessment) -> dict[str, Any]:
    return {**stored.meta(), "result": json.loads(stored.result_json)}


def stored_examples(engine: Engine, request: dict[str, Any]) -> dict[str, BaseModel]:
    """The examples by operation id, each validated by its response model."""
    later_request = copy.deepcopy(request)
    later_request.setdefault("leadership", {}).setdefault("support", {})["tactical"] = "yes"
    later_request.setdefault("competence", {}).setdefault("tovholder", {})["appointed"] = "yes"
    earlier = _stored(engine, request, _EARLIER, 1)
    later = _stored(engine, later_request, _LATER, 2)
    history = [
        HistoryEntry(s.id, s.made_at, frozenset(g["id"] for g in json.loads(s.result_json)["gaps"]))
        for s in (earlier, later)
    ]
    # A region of seven organisations, each last assessed like one of the two.
    latest = [later if n % 3 else earlier for n in range(_ORGANISATIONS)]
    findings: dict[tuple[str, str], int] = {}
    dimensions: list[tuple[str, str, float | None]] = []
    for stored in latest:
        result = json.loads(stored.result_json)
        dimensions += [
            (d["dimension"], d["level"], d["score"]) for d in result["readiness"]["dimensions"]
        ]
        for kind, key in (("gap", "gaps"), ("obstacle", "obstacles")):
            for item in result[key]:
                findings[kind, item["id"]] = findings.get((kind, item["id"]), 0) + 1
    figures = RegionFigures(
        assessments=_ORGANISATIONS + 3,
        levels=[s.readiness_level for s in latest],
        dimensions=dimensions,
        findings=findings,
        quarters=[],
    )
    region = summary(_REGION, figures, 5, {"from": "2026-01-01", "to": None})
    return {
        "getAssessment": StoredAssessmentOut.model_validate(_record(later)),
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
