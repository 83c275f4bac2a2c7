"""Regions: the ones a key may read, and an admin's move of an organisation to another region."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import anyio.to_thread
from litestar import Request, get, put
from litestar.di import NamedDependency
from litestar.handlers import HTTPRouteHandler
from litestar.openapi.spec import (
    OpenAPIType,
    Schema,
)
from pydantic import ValidationError

from api.auth import require_key
from api.body import read_json
from api.openapi import body_operation, problem_responses
from api.problems import ProblemError, field_errors
from api.runtime import Runtime
from schemas.assessment import REGION_PATTERN
from schemas.regions import OrganisationMoved, OrganisationRegion, RegionEntry, RegionList

__all__ = ["region_handlers"]


_MOVE = Schema(
    type=OpenAPIType.OBJECT,
    properties={
        "region": Schema(
            one_of=[
                Schema(
                    type=OpenAPIType.STRING, min_length=1, max_length=100, pattern=REGION_PATTERN
                ),
                Schema(type=OpenAPIType.NULL),
            ],
            description="The new region (null: none)",
        )
    },
    required=["region"],
    additional_properties=False,
)


@get(
    "/v1/regions",
    tags=["regions"],
    summary="List the regions the key may read",
    description=(
        "Every region with stored assessments for a key bound to none; its own region for a key "
        "bound to a region (also before anything is stored); none for a key bound to one "
        "organisation. Each with its organisations, assessments, when its latest assessment "
        "was made, and where its summary is."
    ),
    operation_id="listRegions",
    sync_to_thread=True,
    responses=problem_responses(401, 403),
)
def list_regions(request: Request[Any, Any, Any], runtime: NamedDependency[Runtime]) -> RegionList:
    key = require_key(request, runtime.repository, "read")
    return RegionList(
        items=[
            RegionEntry(
                region=info.region,
                organisations=info.organisations,
                assessments=info.assessments,
                latest=info.latest,
                summary=f"/v1/regions/{quote(info.region, safe='')}/summary",
            )
            for info in runtime.repository.regions(key.binding)
        ]
    )


@put(
    "/v1/organisations/{organisation_id:str}/region",
    tags=["stored assessments"],
    summary="Move an organisation to another region",
    description=(
        "An organisation keeps one region: its first stored assessment places it, and storing "
        "it under another region is refused (409 `organisation-in-other-region`). An admin "
        'moves it here, with every stored assessment of it: `{"region": "Region Kronoberg"}`.'
    ),
    operation_id="moveOrganisation",
    operation_class=body_operation(
        _MOVE, "The region the organisation is to belong to", {"region": "Skåne"}, "To Skåne"
    ),
    status_code=200,
    responses=problem_responses(400, 401, 403, 404, 413, 415, 422),
)
async def move_organisation(
    organisation_id: str, request: Request[Any, Any, Any], runtime: NamedDependency[Runtime]
) -> OrganisationMoved:
    key = require_key(request, runtime.repository, "admin")
    if not key.binding.everything:
        raise ProblemError(
            403, "outside-binding", "moving an organisation needs an admin key bound to nothing"
        )
    settings = runtime.settings
    # Any well-formed JSON within the body limits is read, so that what is not `{"region": ...}`
    # gets its field errors (422) like every other body.
    data = await read_json(request, settings.max_json_depth, timeout=settings.body_timeout)
    try:
        target = OrganisationRegion.model_validate(data)
    except ValidationError as exc:
        raise ProblemError(
            422,
            "validation-failed",
            'send {"region": "<the region>"} (or null for none)',
            errors=field_errors(exc),
        ) from None
    moved = await anyio.to_thread.run_sync(
        runtime.repository.move_organisation, organisation_id, target.region
    )
    if moved is None:
        raise ProblemError(
            404, "organisation-not-found", f"no stored assessment of {organisation_id!r}"
        )
    return OrganisationMoved(
        organisation_id=organisation_id, region=target.region, assessments=moved
    )


def region_handlers() -> list[HTTPRouteHandler]:
    """The handlers: the regions list (`read`) and the move (`admin`, bound to nothing)."""
    return [list_regions, move_organisation]
