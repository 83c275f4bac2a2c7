"""Stored assessments: read, list with filters and cursors, deltas, regional summaries, exports.

Every handler here reads the database, so each runs in a worker thread (`sync_to_thread=True`):
a read that waits for the disk does not hold up the event loop and the requests behind it.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Any, Literal

from litestar import MediaType, Request, Response, delete, get
from litestar.di import NamedDependency
from litestar.handlers import HTTPRouteHandler
from litestar.openapi import ResponseSpec
from litestar.params import QueryParameter

from api.assessments import AcceptLanguage, LangQuery
from api.auth import require_key
from api.exports import assessments_csv, gaps_csv, ndjson, summary_csv
from api.language import negotiate
from api.openapi import export_operation, problem_responses
from api.problems import ProblemError
from api.runtime import Runtime
from engine import Ruleset
from schemas.result import AssessmentResult
from schemas.stored import AssessmentPage, Deleted, Delta, RegionSummary, StoredAssessmentOut
from schemas.vocabulary import Language
from store.delta import delta
from store.keys import ApiKeyInfo
from store.repository import AssessmentFilter, StoredAssessment, decode_cursor
from store.summary import summary

__all__ = ["history_handlers"]

Format = Literal["json", "csv", "ndjson"]
_CSV = "text/csv"
"""Litestar adds `; charset=utf-8` to every `text/` media type itself."""
_NDJSON = "application/x-ndjson"
_CSV_BODY = "CSV, UTF-8 with a byte order mark (`format=csv`)"
_NDJSON_BODY = "One JSON object per line (`format=ndjson`)"


def _not_found(assessment_id: str) -> ProblemError:
    # The same answer whether the id does not exist or belongs to data the key may not see.
    return ProblemError(404, "assessment-not-found", f"no assessment {assessment_id!r}")


def _visible(
    request: Request[Any, Any, Any], runtime: Runtime, assessment_id: str
) -> tuple[StoredAssessment, ApiKeyInfo]:
    """The assessment, if the caller's `read` key may see it; else 404 as if it did not exist."""
    key = require_key(request, runtime.repository, "read")
    stored = runtime.repository.get(assessment_id, key.binding)
    if stored is None:
        raise _not_found(assessment_id)
    return stored, key


def _stored_json(body: str, stored: StoredAssessment) -> Response[Any]:
    # The stored bytes as they are; the handlers' return types document what they hold.
    return Response(
        content=body.encode(),
        media_type=MediaType.JSON,
        headers={"Cache-Control": "no-store", "Content-Language": stored.language},
    )


def _envelope(stored: StoredAssessment) -> str:
    """Metadata plus the stored result spliced in verbatim, so its bytes are unchanged."""
    meta = json.dumps(stored.meta(), ensure_ascii=False, separators=(",", ":"))
    return f'{meta[:-1]},"result":{stored.result_json}}}'


def _day(value: date | None, end: bool = False) -> datetime | None:
    if value is None:
        return None
    start = datetime.combine(value, time.min, tzinfo=UTC)
    return start + timedelta(days=1) if end else start


@get(
    "/v1/assessments",
    tags=["stored assessments"],
    summary="List stored assessments",
    description=(
        "Newest first, filtered, in pages: pass `cursor` from the previous page's `next`. "
        "Only what the key's binding allows is listed. `format=csv` (one row per assessment, "
        "or per gap with `rows=gap`) or `format=ndjson` exports the page."
    ),
    operation_id="listAssessments",
    operation_class=export_operation({_CSV: _CSV_BODY, _NDJSON: _NDJSON_BODY}),
    sync_to_thread=True,
    responses={
        200: ResponseSpec(
            data_container=AssessmentPage,
            description="A page (`format=json`), or the export in the format asked for",
            generate_examples=False,
        ),
        **problem_responses(400, 401, 403),
    },
)
def list_assessments(
    request: Request[Any, Any, Any],
    runtime: NamedDependency[Runtime],
    organisation: Annotated[str | None, QueryParameter(description="organisation.id")] = None,
    region: Annotated[str | None, QueryParameter(description="organisation.region")] = None,
    intervention: Annotated[str | None, QueryParameter(description="intervention name")] = None,
    created_from: Annotated[
        date | None, QueryParameter(query="from", description="first day, inclusive")
    ] = None,
    created_to: Annotated[
        date | None, QueryParameter(query="to", description="last day, inclusive")
    ] = None,
    level: Annotated[
        Literal["ready", "partly_ready", "not_ready", "unknown"] | None,
        QueryParameter(description="overall readiness level"),
    ] = None,
    gap: Annotated[str | None, QueryParameter(description="has this gap (rule id)")] = None,
    obstacle: Annotated[str | None, QueryParameter(description="has this obstacle")] = None,
    cursor: Annotated[str | None, QueryParameter(description="from `next`")] = None,
    limit: Annotated[int, QueryParameter(ge=1, le=500, description="page size")] = 50,
    format: Annotated[Format, QueryParameter(description="json, csv or ndjson")] = "json",
    rows: Annotated[
        Literal["assessment", "gap"], QueryParameter(description="CSV rows")
    ] = "assessment",
) -> Response[Any]:
    key = require_key(request, runtime.repository, "read")
    after = None
    if cursor is not None:
        after = decode_cursor(cursor)
        if after is None:
            raise ProblemError(400, "invalid-cursor", "the cursor is not one this API gave")
    filters = AssessmentFilter(
        organisation_id=organisation,
        region=region,
        intervention=intervention,
        created_from=_day(created_from),
        created_to=_day(created_to, end=True),
        readiness_level=level,
        gap=gap,
        obstacle=obstacle,
    )
    # A CSV of assessments is made from the columns kept beside each result, not the result.
    with_results = not (format == "csv" and rows == "assessment")
    items, following = runtime.repository.page(filters, key.binding, after, limit, with_results)
    headers = {"Cache-Control": "no-store"}
    if following:
        headers["Link"] = f'<{request.url.path}?cursor={following}>; rel="next"'
    if format == "csv":
        body = gaps_csv(items) if rows == "gap" else assessments_csv(items)
        return Response(content=body.encode(), media_type=_CSV, headers=headers)
    if format == "ndjson":
        lines = ndjson({**i.meta(), "result": json.loads(i.result_json)} for i in items)
        return Response(content=lines.encode(), media_type=_NDJSON, headers=headers)
    page = f'{{"items":[{",".join(_envelope(i) for i in items)}],"next":{json.dumps(following)}}}'
    return Response(content=page.encode(), media_type=MediaType.JSON, headers=headers)


@get(
    "/v1/assessments/{assessment_id:str}",
    tags=["stored assessments"],
    summary="Get a stored assessment",
    description="Metadata and the result exactly as it was returned when stored.",
    operation_id="getAssessment",
    sync_to_thread=True,
    responses=problem_responses(401, 403, 404),
)
def get_assessment(
    assessment_id: str, request: Request[Any, Any, Any], runtime: NamedDependency[Runtime]
) -> Response[StoredAssessmentOut]:
    stored, _ = _visible(request, runtime, assessment_id)
    return _stored_json(_envelope(stored), stored)


@get(
    "/v1/assessments/{assessment_id:str}/result",
    tags=["stored assessments"],
    summary="Get a stored result as sent",
    description="The stored result, byte for byte the body of the response that stored it.",
    operation_id="getAssessmentResult",
    sync_to_thread=True,
    responses=problem_responses(401, 403, 404),
)
def get_result(
    assessment_id: str, request: Request[Any, Any, Any], runtime: NamedDependency[Runtime]
) -> Response[AssessmentResult]:
    stored, _ = _visible(request, runtime, assessment_id)
    return _stored_json(stored.result_json, stored)


@get(
    "/v1/assessments/{assessment_id:str}/delta",
    tags=["stored assessments"],
    summary="What changed since an earlier assessment",
    description=(
        "Gaps closed, new and persisting (since when), score change per dimension, "
        "recommendations no longer needed. Default `against`: the organisation's previous "
        "assessment of the same intervention."
    ),
    operation_id="getDelta",
    sync_to_thread=True,
    responses=problem_responses(401, 403, 404),
)
def get_delta(
    assessment_id: str,
    request: Request[Any, Any, Any],
    runtime: NamedDependency[Runtime],
    against: Annotated[str | None, QueryParameter(description="an earlier id")] = None,
) -> Response[Delta]:
    current, key = _visible(request, runtime, assessment_id)
    repository = runtime.repository
    history = repository.gap_history(
        current.organisation_id, current.intervention, key.binding, upto=current.id
    )
    if against is None:
        # The history runs up to the current one, in the order the assessments were made.
        earlier_ones = [entry for entry in history if entry.id != current.id]
        if not earlier_ones:
            raise ProblemError(
                404, "no-earlier-assessment", "this is the organisation's first assessment"
            )
        against = earlier_ones[-1].id
    earlier = repository.get(against, key.binding)
    if earlier is None:
        raise _not_found(against)
    return Response(content=Delta.model_validate(delta(current, earlier, history)))


@get(
    "/v1/regions/{region:str}/summary",
    tags=["regions"],
    summary="Regional summary for dashboards",
    description=(
        "Organisations and assessments in a date range; readiness per dimension, the most "
        "frequent gaps, obstacles and missing success factors, and a trend per quarter, "
        "counting each organisation's latest assessment. Groups of fewer organisations than "
        "the configured minimum (default 5) are suppressed. `format=csv` exports it."
    ),
    operation_id="getRegionSummary",
    operation_class=export_operation({_CSV: _CSV_BODY}),
    sync_to_thread=True,
    responses={
        200: ResponseSpec(
            data_container=RegionSummary,
            description="The summary (`format=json`), or its CSV",
            generate_examples=False,
        ),
        **problem_responses(400, 401, 403, 404),
    },
)
def region_summary(
    region: str,
    request: Request[Any, Any, Any],
    runtime: NamedDependency[Runtime],
    created_from: Annotated[date | None, QueryParameter(query="from")] = None,
    created_to: Annotated[date | None, QueryParameter(query="to")] = None,
    format: Annotated[Literal["json", "csv"], QueryParameter()] = "json",
    lang: LangQuery = None,
    accept_language: AcceptLanguage = None,
) -> Response[Any]:
    language = negotiate(lang, accept_language)
    key = require_key(request, runtime.repository, "read")
    binding = key.binding
    if binding.organisation_id is not None or binding.region not in (None, region):
        raise ProblemError(404, "region-not-found", f"no region {region!r}")
    figures = runtime.repository.region_figures(
        region, _day(created_from), _day(created_to, end=True)
    )
    period = {
        "from": created_from.isoformat() if created_from else None,
        "to": created_to.isoformat() if created_to else None,
    }
    titles = summary_titles(runtime.engine_for(request).ruleset, language)
    result = summary(region, figures, runtime.settings.min_group_size, period, titles)
    headers = {"Cache-Control": "no-store", "Content-Language": language}
    if format == "csv":
        return Response(content=summary_csv(result).encode(), media_type=_CSV, headers=headers)
    return Response(content=result, headers=headers)


@delete(
    "/v1/organisations/{organisation_id:str}/assessments",
    tags=["stored assessments"],
    summary="Delete an organisation's stored assessments",
    description="For retention: deletes every stored assessment of the organisation (admin).",
    operation_id="deleteOrganisationAssessments",
    sync_to_thread=True,
    status_code=200,
    responses=problem_responses(401, 403),
)
def delete_organisation(
    organisation_id: str, request: Request[Any, Any, Any], runtime: NamedDependency[Runtime]
) -> Deleted:
    key = require_key(request, runtime.repository, "admin")
    return Deleted(deleted=runtime.repository.delete_organisation(organisation_id, key.binding))


def summary_titles(ruleset: Ruleset, language: Language) -> dict[str, dict[str, str]]:
    """The titles of what a regional summary lists, in `language`, by list and id."""
    return {
        "gaps": {rule.id: rule.title.in_(language) for rule in ruleset.rules},
        "obstacles": {i: e.title.in_(language) for i, e in ruleset.obstacles.items()},
        "missing_success_factors": {
            i: e.title.in_(language) for i, e in ruleset.success_factors.items()
        },
    }


def history_handlers() -> list[HTTPRouteHandler]:
    """The handlers; every one needs a key with the `read` scope (delete: `admin`)."""
    return [
        list_assessments,
        get_assessment,
        get_result,
        get_delta,
        region_summary,
        delete_organisation,
    ]
