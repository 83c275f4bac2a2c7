"""Stored assessments: read, list with filters and cursors, deltas, regional summaries, exports.

Every handler here reads the database, so each runs in a worker thread (`sync_to_thread=True`):
a read that waits for the disk does not hold up the event loop and the requests behind it. An
export is a `Stream` of a plain generator, which litestar advances in a worker thread too, one
chunk of rows (one database read) at a time.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Any, Literal

from litestar import MediaType, Request, Response, delete, get
from litestar.datastructures import ResponseHeader
from litestar.di import NamedDependency
from litestar.handlers import HTTPRouteHandler
from litestar.openapi import ResponseSpec
from litestar.params import QueryParameter
from litestar.response import Stream

from api.auth import require_key
from api.exports import (
    ASSESSMENT_COLUMNS,
    GAP_COLUMNS,
    Dialect,
    Table,
    assessment_rows,
    csv_export,
    gap_rows,
    ndjson_export,
    summary_csv,
    xlsx_export,
)
from api.language import AcceptLanguage, lang_parameter, negotiate
from api.openapi import export_operation, problem_responses
from api.paging import CursorQuery, after_cursor, following, sent
from api.problems import ProblemError
from api.runtime import Runtime
from engine import Ruleset
from schemas.problem import FieldError
from schemas.result import AssessmentResult
from schemas.stored import AssessmentPage, Deleted, Delta, RegionSummary, StoredAssessmentOut
from schemas.vocabulary import Language
from store.delta import delta
from store.keys import ApiKeyInfo, Binding
from store.repository import (
    AssessmentFilter,
    StoredAssessment,
    encode_cursor,
)
from store.summary import summary

__all__ = ["Export", "export_stream", "history_handlers", "summary_titles"]

Format = Literal["json", "csv", "ndjson", "xlsx"]
_CSV = "text/csv"
"""Litestar adds `; charset=utf-8` to every `text/` media type itself."""
_NDJSON = "application/x-ndjson"
_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_CSV_BODY = (
    "CSV (`format=csv`), UTF-8 with a byte order mark, CRLF; `dialect=rfc4180` (`,` and "
    "`.`) or `excel-nordic` (`;` and decimal comma)"
)
_NDJSON_BODY = "One JSON object per line (`format=ndjson`)"
_XLSX_BODY = "An Excel workbook (`format=xlsx`): numbers as numbers, times as times (UTC)"

DialectQuery = Annotated[
    Dialect | None,
    QueryParameter(
        description=(
            "CSV dialect: rfc4180 (`,`, decimal point) or excel-nordic (`;`, decimal comma); "
            "default excel-nordic when the language (`lang`, Accept-Language) is sv or da; "
            "only with `format=csv` (400 `invalid-parameter` otherwise)"
        )
    ),
]
LangQuery = Annotated[
    str | None,
    lang_parameter("The language of titles, and the CSV dialect when `dialect` is not given"),
]


def _not_found(assessment_id: str) -> ProblemError:
    # The same answer whether the id does not exist or belongs to data the key may not see.
    return ProblemError(404, "assessment-not-found", f"no assessment {assessment_id!r}")


def _not_earlier(current: StoredAssessment, other: StoredAssessment) -> str:
    """Why `other` cannot be what `current` is compared against, and what `against` must be."""
    if other.id == current.id:
        why = "it is this assessment itself"
    elif other.organisation_id != current.organisation_id:
        why = f"it is of organisation {other.organisation_id!r}, not {current.organisation_id!r}"
    elif other.intervention != current.intervention:
        why = f"it is of intervention {other.intervention!r}, not {current.intervention!r}"
    else:
        why = "it was made after this one (or at the same moment, and stored after it)"
    return (
        f"against={other.id!r} cannot be compared with: {why}; `against` must be an earlier "
        "assessment of the same organisation and intervention (or left out for the previous one)"
    )


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


_SHAPING: dict[str, tuple[tuple[str, ...], str | None]] = {
    "rows": (("csv", "xlsx"), "assessment"),
    "dialect": (("csv",), None),
}
"""The parameters that shape one kind of export: the formats they shape, and the value that asks
nothing of a format (the default, which a client generated from the OpenAPI document sends with
every request)."""


def misplaced_export_parameters(
    format: str, query: Mapping[str, object]
) -> list[tuple[str, tuple[str, ...]]]:
    """The parameters of `query` that ask `format` for what it cannot do, with the formats each shapes.

    `rows=gap` with JSON or NDJSON, `dialect` with anything but CSV; `rows=assessment`, the
    default, asks nothing and goes with every format.
    """
    return [
        (name, formats)
        for name, (formats, default) in _SHAPING.items()
        if query.get(name, default) != default and format not in formats
    ]


def _for_the_format(format: str, query: dict[str, object]) -> None:
    """Refuse a parameter that asks a format for what it cannot do: it would change nothing.

    Raises:
        ProblemError: 400 `invalid-parameter`, naming each such parameter.
    """
    errors = [
        FieldError(
            path=name,
            type="invalid",
            message=f"applies only to format={' or '.join(formats)}; this request asks for "
            f"format={format}" + ("" if "format" in query else " (the default)"),
        )
        for name, formats in misplaced_export_parameters(format, query)
    ]
    if errors:
        detail = f"invalid parameter: {', '.join(e.path for e in errors)}"
        raise ProblemError(400, "invalid-parameter", detail, errors)


def _known_findings(
    ruleset: Ruleset, gap: str | None, obstacle: str | None, stored: Callable[[str, str], bool]
) -> None:
    """Refuse a `gap` or `obstacle` filter that names nothing: a typo would match nothing.

    An id names something when the served ruleset has it, or when a stored assessment the key
    may read has it (stored under an earlier ruleset that has since dropped or renamed it):
    `stored(parameter, id)` says whether one has. An id the ruleset has that no assessment has
    is an empty list, not an error.

    Raises:
        ProblemError: 400 `invalid-parameter`, naming each such parameter, with a did-you-mean.
    """
    errors = []
    if gap is not None:
        rule = ruleset.by_id.get(gap)
        if (rule is None or rule.kind != "gap") and not stored("gap", gap):
            gaps = [r.id for r in ruleset.rules if r.kind == "gap"]
            note = "" if rule is None else f" (it is {_A_KIND[rule.kind]} rule)"
            errors.append(_unknown_id("gap", gap, "a gap rule", gaps, "/v1/rules?kind=gap", note))
    if (
        obstacle is not None
        and obstacle not in ruleset.obstacles
        and not stored("obstacle", obstacle)
    ):
        obstacles = list(ruleset.obstacles)
        errors.append(
            _unknown_id("obstacle", obstacle, "an obstacle", obstacles, "/v1/catalog/obstacles")
        )
    if errors:
        detail = f"invalid parameter: {', '.join(e.path for e in errors)}"
        raise ProblemError(400, "invalid-parameter", detail, errors)


_A_KIND = {"gap": "a gap", "escalation": "an escalation", "strength": "a strength"}


def _unknown_id(
    name: str, value: str, what: str, ids: list[str], listing: str, note: str = ""
) -> FieldError:
    """The error for parameter `name`, whose `value` is none of `ids` (`listing` lists them)."""
    message = (
        f"{value[:100]!r} is not the id of {what} in the served ruleset{note}, nor of one in an "
        "assessment stored before"
    )
    near = difflib.get_close_matches(value, ids, n=1, cutoff=0.6)
    message += f"; did you mean {near[0]!r}?" if near else f"; GET {listing} lists them"
    return FieldError(path=name, type="invalid", message=message)


def _dialect(dialect: Dialect | None, lang: str | None, accept_language: str | None) -> Dialect:
    """The dialect asked for; else `excel-nordic` for Swedish and Danish, else `rfc4180`."""
    if dialect is not None:
        return dialect
    return "excel-nordic" if negotiate(lang, accept_language) in ("sv", "da") else "rfc4180"


def _attachment(name: str) -> str:
    return f'attachment; filename="{name}"'


@dataclass(frozen=True, slots=True)
class Export:
    """What an export of the list needs besides the repository."""

    filters: AssessmentFilter
    binding: Binding
    after: str | None
    most: int
    format: Literal["csv", "ndjson", "xlsx"]
    rows: Literal["assessment", "gap"]
    dialect: Dialect


def export_stream(
    request: Request[Any, Any, Any], runtime: Runtime, export: Export, query: dict[str, object]
) -> Stream:
    """Every matching row, up to `export.most`, streamed chunk by chunk from the database.

    When more rows match, the export says so three ways: `X-Export-Truncated: true` and a
    `Link` to the rest (for tools), a last line naming the rest (for a person), and a file name
    ending in `-partial`.
    """
    repository = runtime.repository
    span = repository.span(export.filters, export.binding, export.after, export.most)
    newest, oldest = span if span is not None else (None, None)
    with_results = export.format == "ndjson" or export.rows == "gap"
    chunks: Iterable[list[StoredAssessment]] = (
        repository.chunks(export.filters, export.binding, newest, oldest, with_results)
        if newest is not None
        else ()
    )
    headers = {"Cache-Control": "no-store"}
    if export.format == "csv":
        headers["Vary"] = "Accept-Language"  # it may choose the dialect
    rest = None
    if oldest is not None:
        rest = following(request, query, encode_cursor(oldest))
        headers["Link"] = f'<{rest}>; rel="next"'
        headers["X-Export-Truncated"] = "true"
    name = "assessments" if export.rows == "assessment" or export.format == "ndjson" else "gaps"
    headers["Content-Disposition"] = _attachment(
        f"{name}{'-partial' if rest else ''}.{export.format}"
    )
    if export.format == "ndjson":
        note = {"truncated": True, "assessments": export.most, "next": rest} if rest else None
        return Stream(ndjson_export(chunks, note), media_type=_NDJSON, headers=headers)
    table = Table(
        GAP_COLUMNS if export.rows == "gap" else ASSESSMENT_COLUMNS,
        map(gap_rows if export.rows == "gap" else assessment_rows, chunks),
        f"# truncated after {export.most} assessments. More match: {rest}" if rest else None,
    )
    if export.format == "xlsx":
        return Stream(xlsx_export(table, name), media_type=_XLSX, headers=headers)
    return Stream(csv_export(table, export.dialect), media_type=_CSV, headers=headers)


@get(
    "/v1/assessments",
    tags=["stored assessments"],
    summary="List stored assessments",
    description=(
        "Newest first, filtered. `format=json` (the default) answers in pages: pass `cursor` "
        "from the previous page's `next`, or follow `next_url` or the `Link` header, which "
        "carry every parameter of the query. `format=csv`, `xlsx` or `ndjson` exports every "
        "matching row (CSV and XLSX: one per assessment, or per gap with `rows=gap`), up to "
        "READINESS_EXPORT_MAX_ROWS assessments, or `limit` when given; an export cut short has "
        "`X-Export-Truncated: true`, a `Link` to the rest and says so on its last line. CSV "
        "comes as `dialect=rfc4180` or `excel-nordic` (default: `excel-nordic` when `lang` or "
        "Accept-Language is Swedish or Danish). Only what the key's binding allows is listed."
    ),
    operation_id="listAssessments",
    operation_class=export_operation({_CSV: _CSV_BODY, _NDJSON: _NDJSON_BODY, _XLSX: _XLSX_BODY}),
    response_headers=[
        ResponseHeader(
            name="Link",
            description='`<URL>; rel="next"`: the next page, or the rest of a cut-short export',
            documentation_only=True,
        ),
        ResponseHeader(
            name="X-Export-Truncated",
            description="`true` when an export stops before the last matching row",
            documentation_only=True,
        ),
    ],
    sync_to_thread=True,
    responses=problem_responses(400, 401, 403),
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
    assessed_from: Annotated[
        date | None,
        QueryParameter(
            description="first day the assessment describes (`assessed_on`), inclusive: the "
            "dates a regional summary counts by"
        ),
    ] = None,
    assessed_to: Annotated[
        date | None,
        QueryParameter(description="last day the assessment describes, inclusive"),
    ] = None,
    level: Annotated[
        Literal["ready", "partly_ready", "not_ready", "unknown"] | None,
        QueryParameter(description="overall readiness level"),
    ] = None,
    gap: Annotated[
        str | None,
        QueryParameter(
            description="has this gap (the id of a gap rule, `GET /v1/rules?kind=gap`); an id "
            "that neither the served ruleset nor a stored assessment the key may read has is "
            "400 `invalid-parameter`"
        ),
    ] = None,
    obstacle: Annotated[
        str | None,
        QueryParameter(
            description="has this obstacle (its id, `GET /v1/catalog/obstacles`); an id that "
            "neither the served ruleset nor a stored assessment the key may read has is 400 "
            "`invalid-parameter`"
        ),
    ] = None,
    cursor: CursorQuery = None,
    limit: Annotated[
        int | None,
        QueryParameter(
            ge=1, le=500, description="page size (default 50); an export: at most this many"
        ),
    ] = None,
    format: Annotated[Format, QueryParameter(description="json, csv, xlsx or ndjson")] = "json",
    rows: Annotated[
        Literal["assessment", "gap"],
        QueryParameter(
            description="CSV and XLSX rows: one per assessment (the default) or one per gap; "
            "`gap` only with `format=csv` or `xlsx` (400 `invalid-parameter` otherwise)"
        ),
    ] = "assessment",
    dialect: DialectQuery = None,
    lang: LangQuery = None,
    accept_language: AcceptLanguage = None,
) -> Response[AssessmentPage]:
    # The return type documents a page (`format=json`); exports are `Stream`s, listed in the
    # document by `export_operation`, and a page is written as bytes without building the model.
    key = require_key(request, runtime.repository, "read")
    after = after_cursor(cursor)

    def stored(parameter: str, found: str) -> bool:
        only = (
            AssessmentFilter(gap=found) if parameter == "gap" else AssessmentFilter(obstacle=found)
        )
        return bool(runtime.repository.page(only, key.binding, None, 1, with_results=False)[0])

    _known_findings(runtime.engine_for(request).ruleset, gap, obstacle, stored)
    filters = AssessmentFilter(
        organisation_id=organisation,
        region=region,
        intervention=intervention,
        created_from=_day(created_from),
        created_to=_day(created_to, end=True),
        assessed_from=_day(assessed_from),
        assessed_to=_day(assessed_to, end=True),
        readiness_level=level,
        gap=gap,
        obstacle=obstacle,
    )
    query = sent(request, {
        "organisation": organisation, "region": region, "intervention": intervention,
        "from": created_from, "to": created_to, "assessed_from": assessed_from,
        "assessed_to": assessed_to, "level": level, "gap": gap,
        "obstacle": obstacle, "limit": limit, "format": format, "rows": rows,
        "dialect": dialect, "lang": lang,
    })  # fmt: skip
    _for_the_format(format, query)
    if format != "json":
        chosen = _dialect(dialect, lang, accept_language)
        if format == "csv":
            query["dialect"] = chosen  # the rest comes in the dialect this part came in
        most = min(limit or runtime.settings.export_max_rows, runtime.settings.export_max_rows)
        export = Export(filters, key.binding, after, most, format, rows, chosen)
        streamed: Response[Any] = export_stream(request, runtime, export, query)
        return streamed
    items, cursor_next = runtime.repository.page(filters, key.binding, after, limit or 50)
    headers = {"Cache-Control": "no-store"}
    next_url = following(request, query, cursor_next) if cursor_next else None
    if next_url:
        headers["Link"] = f'<{next_url}>; rel="next"'
    page = (
        f'{{"items":[{",".join(_envelope(i) for i in items)}],'
        f'"next":{json.dumps(cursor_next)},"next_url":{json.dumps(next_url)}}}'
    )
    written: Response[Any] = Response(
        content=page.encode(), media_type=MediaType.JSON, headers=headers
    )
    return written


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
        "recommendations no longer needed. `against` must be an earlier assessment of the same "
        "organisation and intervention (made before this one; of two made at the same moment, "
        "the one stored first), else 422 `invalid-against`. Default `against`: the "
        "organisation's previous assessment of the same intervention."
    ),
    operation_id="getDelta",
    sync_to_thread=True,
    responses=problem_responses(
        401,
        403,
        404,
        422,
        s422=(
            "`invalid-against`: `against` is not an earlier assessment of the same organisation "
            "and intervention (a later one, this one itself, or another organisation's or "
            "intervention's)"
        ),
    ),
)
def get_delta(
    assessment_id: str,
    request: Request[Any, Any, Any],
    runtime: NamedDependency[Runtime],
    against: Annotated[
        str | None,
        QueryParameter(
            description="an earlier assessment of the same organisation and intervention "
            "(default: the previous one)"
        ),
    ] = None,
) -> Response[Delta]:
    current, key = _visible(request, runtime, assessment_id)
    repository = runtime.repository
    # The history runs up to the current one, in the order the assessments were made (then
    # stored): what comes before the current one in it is what is earlier.
    history = repository.gap_history(
        current.organisation_id, current.intervention, key.binding, upto=current.id
    )
    earlier_ids = [entry.id for entry in history if entry.id != current.id]
    if against is None:
        if not earlier_ids:
            raise ProblemError(
                404, "no-earlier-assessment", "this is the organisation's first assessment"
            )
        against = earlier_ids[-1]
    earlier = repository.get(against, key.binding)
    if earlier is None:
        raise _not_found(against)
    if earlier.id not in earlier_ids:
        raise ProblemError(422, "invalid-against", _not_earlier(current, earlier))
    # Sent as the plain data `delta` builds; the return type documents it (and the tests hold
    # the answers to that model), without building the model on every request.
    answer: Response[Any] = Response(content=delta(current, earlier, history))
    return answer


@get(
    "/v1/regions/{region:str}/summary",
    tags=["regions"],
    summary="Regional summary for dashboards",
    description=(
        "Organisations and assessments in a date range; readiness per dimension, the "
        "organisations at each stage, the most frequent gaps, obstacles and missing success "
        "factors, what most organisations have to do first (the recommendations in the first "
        "three places), and a trend per quarter, counting each organisation's latest "
        "assessment. Groups of fewer organisations than the configured minimum (default 5) are "
        "suppressed. `format=csv` exports it, in the dialect `dialect` names or the language "
        "suggests, as the list's CSV does."
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
    dialect: DialectQuery = None,
    lang: LangQuery = None,
    accept_language: AcceptLanguage = None,
) -> Response[Any]:
    language = negotiate(lang, accept_language)
    key = require_key(request, runtime.repository, "read")
    _for_the_format(format, sent(request, {"dialect": dialect}))
    binding = key.binding
    if binding.organisation_id is not None or binding.region not in (None, region):
        raise ProblemError(
            404, "region-not-found", f"this key may not read the figures of region {region!r}"
        )
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
        headers["Vary"] = "Accept-Language"
        headers["Content-Disposition"] = _attachment("region-summary.csv")
        body = summary_csv(result, _dialect(dialect, lang, accept_language))
        return Response(content=body.encode(), media_type=_CSV, headers=headers)
    return Response(content=result, headers=headers)


@delete(
    "/v1/organisations/{organisation_id:str}/assessments",
    tags=["stored assessments"],
    summary="Delete an organisation's stored assessments and rounds",
    description=(
        "For retention: deletes every stored assessment of the organisation, and every round "
        "of it with its invitation codes and its respondents' answers (admin)."
    ),
    operation_id="deleteOrganisationAssessments",
    sync_to_thread=True,
    status_code=200,
    responses=problem_responses(401, 403),
)
def delete_organisation(
    organisation_id: str, request: Request[Any, Any, Any], runtime: NamedDependency[Runtime]
) -> Deleted:
    key = require_key(request, runtime.repository, "admin")
    deletion = runtime.repository.delete_organisation(organisation_id, key.binding)
    return Deleted(deleted=deletion.assessments, rounds=deletion.rounds)


def summary_titles(ruleset: Ruleset, language: Language) -> dict[str, dict[str, str]]:
    """The titles of what a regional summary lists, in `language`, by list and id."""
    return {
        "gaps": {rule.id: rule.title.in_(language) for rule in ruleset.rules},
        "obstacles": {i: e.title.in_(language) for i, e in ruleset.obstacles.items()},
        "missing_success_factors": {
            i: e.title.in_(language) for i, e in ruleset.success_factors.items()
        },
        # The catalogue's own title, the same for both countries: a region's organisations
        # may have been told it in the words of either.
        "first_actions": {i: e.title.in_(language) for i, e in ruleset.recommendations.items()},
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
