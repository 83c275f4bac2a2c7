"""Assessment endpoints: one assessment, or a batch with a result or a problem per item."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, date, datetime
from functools import partial
from typing import Annotated, Any, Literal, get_args

import anyio
import anyio.to_thread
from litestar import MediaType, Request, Response, post
from litestar.di import NamedDependency
from litestar.handlers import HTTPRouteHandler
from litestar.openapi import ResponseSpec
from litestar.openapi.spec import Example
from litestar.params import HeaderParameter, QueryParameter
from litestar.response import Stream
from pydantic import BaseModel, ValidationError
from pydantic_core import to_json

from api.auth import optional_key, require_key
from api.body import read_json
from api.language import AcceptLanguage, LangQuery, negotiate
from api.openapi import body_operation, problem_responses
from api.params import REFUSED
from api.problems import ProblemError, field_errors, problem_of
from api.runtime import Runtime
from engine import Engine, EvaluationError, Outcome, Ruleset, variant_text
from schemas.assessment import AssessmentRequest, Organisation
from schemas.batch import BatchResult
from schemas.result import AssessmentResult
from schemas.vocabulary import Language
from store.keys import ApiKeyInfo
from store.repository import (
    FIRST_ACTIONS,
    IdempotencyConflictError,
    OrganisationRegionConflictError,
    ResultSummary,
    StoredAssessment,
)

__all__ = [
    "BATCH_CHUNK",
    "VALUES_PER_ASSESSMENT",
    "assessment_handlers",
    "batch_chunks",
    "caller",
    "placement",
    "read_assessment",
    "region_conflict",
    "run_batch",
    "store_assessment",
    "stored_summary",
]

_log = logging.getLogger("readiness.api")

ExplainQuery = Annotated[
    bool, QueryParameter(description="Add the trace: every rule that fired, in order")
]
StoreQuery = Annotated[
    bool,
    QueryParameter(
        description=(
            "Store the assessment and its result (needs a key with the `assess` scope and "
            "`organisation.id`); answers 201 with `Location`"
        )
    ),
]
AssessedOnQuery = Annotated[
    date | None,
    QueryParameter(
        description=(
            "With store=true: the day the assessment was made, when earlier than today (an "
            "imported survey); quarters, summaries and deltas go by it. From 2000-01-01 to today "
            "(UTC)"
        )
    ),
]
EARLIEST_ASSESSMENT = date(2000, 1, 1)
"""The earliest day an assessment may say it was made."""
IdempotencyKey = Annotated[
    str | None,
    HeaderParameter(
        name="Idempotency-Key",
        description="With store=true: a retry with the same key stores nothing new and answers the same",
        max_length=128,
    ),
]


def _values_in(model: type[BaseModel]) -> int:
    """How many JSON values the fullest valid instance of `model` holds (itself included)."""
    count = 1
    for field in model.model_fields.values():
        nested = [
            arg
            for arg in (field.annotation, *get_args(field.annotation))
            if isinstance(arg, type) and issubclass(arg, BaseModel)
        ]
        count += _values_in(nested[0]) if nested else 1
    return count


# Twice the most an assessment can hold, so an invalid one still gets its field errors; the bound
# only keeps junk from being parsed into millions of Python objects.
VALUES_PER_ASSESSMENT = 2 * _values_in(AssessmentRequest)


def _headers(language: str) -> dict[str, str]:
    """The headers of an assessment result, single or batch."""
    return {"Content-Language": language, "Cache-Control": "no-store"}


def _json(payload: bytes, language: Language) -> Response[Any]:
    return Response(content=payload, media_type=MediaType.JSON, headers=_headers(language))


_BATCHES = anyio.CapacityLimiter(1)
"""One chunk of a batch is evaluated at a time, of whichever batch (see `assess_batch`)."""

BATCH_CHUNK = 16
"""Items of a batch evaluated in one turn of a worker thread and sent as one piece (about 3 MB)."""


def assessment_handlers(
    examples: dict[str, Any], batch_body_bytes: int = 8 * 1024 * 1024
) -> list[HTTPRouteHandler]:
    """Build the handlers, with `examples` (request and response bodies) in their documentation.

    Args:
        examples: Request and response bodies for the documentation.
        batch_body_bytes: The largest batch body; larger ones get 413.
    """

    @post(
        "/v1/assessments",
        status_code=200,
        tags=["assessments"],
        summary="Assess readiness",
        description=(
            "Evaluate one assessment. Unanswered indicators are `unknown`: they lower "
            "completeness and may yield find-out gaps, never a 'no'. Unknown fields are rejected."
        ),
        operation_id="assess",
        operation_class=body_operation(
            "AssessmentRequest", "One organisation's answers", examples["request"]
        ),
        responses={
            200: ResponseSpec(
                data_container=AssessmentResult,
                description="The result, texts in the chosen language (see Content-Language)",
                examples=[Example(summary="Result for the example", value=examples["result"])],
            ),
            201: ResponseSpec(
                data_container=AssessmentResult,
                description="Stored (store=true): the result, `Location` of the stored assessment",
                generate_examples=False,
            ),
            **problem_responses(
                400,
                401,
                403,
                408,
                409,
                413,
                415,
                422,
                s409=(
                    "`idempotency-key-reused`: the Idempotency-Key was used before with a "
                    "different request; `organisation-in-other-region`: the organisation is "
                    "stored under another region"
                ),
                s422=(
                    "`validation-failed`: the body is JSON but not a valid assessment (field "
                    "errors listed); or a valid assessment the request cannot store, which no "
                    "schema can state: `organisation-required` (store=true without "
                    "organisation.id, with a key bound to no organisation) or "
                    "`invalid-assessment-date` (`assessed_on` without store=true, after today "
                    "or before 2000-01-01)"
                ),
            ),
        },
    )
    async def assess(
        request: Request[Any, Any, Any],
        runtime: NamedDependency[Runtime],
        lang: LangQuery = None,
        accept_language: AcceptLanguage = None,
        explain: ExplainQuery = False,
        store: StoreQuery = False,
        assessed_on: AssessedOnQuery = None,
        idempotency_key: IdempotencyKey = None,
    ) -> Response[AssessmentResult]:
        language = negotiate(lang, accept_language)
        made = _assessed_at(assessed_on, store)
        key = caller(request, runtime, store)
        assessment = await read_assessment(request, runtime)
        if store:
            return await _store(
                runtime, request, assessment, key, language, explain, idempotency_key, made
            )
        engine = runtime.engine_for(request)
        return _json(engine.assess_json(assessment, language=language, explain=explain), language)

    @post(
        "/v1/assessments/batch",
        status_code=200,
        tags=["assessments"],
        summary="Assess many",
        description=(
            "Evaluate up to the configured number of assessments (default 1,000). Results come "
            "in input order; an invalid item gets its own problem and does not fail the others."
        ),
        operation_id="assessBatch",
        opt={
            REFUSED: {
                "store": (
                    "a batch is never stored; store each assessment with "
                    "POST /v1/assessments?store=true"
                )
            }
        },
        request_max_body_size=batch_body_bytes,
        operation_class=body_operation(
            "BatchRequest", "Assessments in an `assessments` list", examples["batch_request"]
        ),
        responses={
            200: ResponseSpec(
                data_container=BatchResult,
                description="One item per input, in order",
                examples=[Example(summary="A valid and an invalid item", value=examples["batch"])],
            ),
            **problem_responses(400, 408, 413, 415, 422),
        },
    )
    async def assess_batch(
        request: Request[Any, Any, Any],
        runtime: NamedDependency[Runtime],
        lang: LangQuery = None,
        accept_language: AcceptLanguage = None,
        explain: ExplainQuery = False,
    ) -> Response[BatchResult]:
        language = negotiate(lang, accept_language)
        caller(request, runtime, store=False)
        settings = runtime.settings
        data = await read_json(
            request,
            settings.max_json_depth + 2,
            max_values=(settings.max_batch_items + 1) * VALUES_PER_ASSESSMENT + 2,
            timeout=settings.body_timeout,
        )
        items = data.get("assessments") if isinstance(data, dict) else None
        if not isinstance(items, list) or set(data) != {"assessments"}:
            raise ProblemError(
                422,
                "validation-failed",
                'send {"assessments": [...]}, a list of assessments',
            )
        limit = runtime.settings.max_batch_items
        if len(items) > limit:
            raise ProblemError(
                422, "too-many-items", f"{len(items)} assessments; at most {limit} per batch"
            )
        request_id = request.scope.get("state", {}).get("request_id")
        # Streamed: each chunk of items is evaluated in a worker thread and sent before the next
        # is evaluated, at the pace the client reads. A batch of 1,000 takes a second or more;
        # meanwhile the event loop keeps answering other requests, and the server holds one
        # chunk of the answer (about 3 MB), not all of it (about 190 MB).
        engine = runtime.engine_for(request)
        chunks = batch_chunks(engine, items, language, explain, request_id)
        return Stream(  # type: ignore[return-value]  # documented as the BatchResult it streams
            _in_worker_threads(engine, chunks),
            media_type=MediaType.JSON,
            headers=_headers(language),
        )

    return [assess, assess_batch]


async def read_assessment(request: Request[Any, Any, Any], runtime: Runtime) -> AssessmentRequest:
    """Read the body of `request` and validate it as one assessment.

    The body must arrive within `body_timeout` and hold at most `VALUES_PER_ASSESSMENT` values.

    Raises:
        ProblemError: What `read_json` raises, or 422 `validation-failed` with the field errors.
    """
    data = await read_json(
        request,
        runtime.settings.max_json_depth,
        max_values=VALUES_PER_ASSESSMENT,
        timeout=runtime.settings.body_timeout,
    )
    try:
        return AssessmentRequest.model_validate(data)
    except ValidationError as exc:
        raise ProblemError(
            422,
            "validation-failed",
            "the body is not a valid assessment; see errors",
            errors=field_errors(exc, model=AssessmentRequest),
        ) from None


def _assessed_at(day: date | None, store: bool) -> datetime | None:
    """The moment an assessment made on `day` is stored as made (midnight UTC), if given.

    Raises:
        ProblemError: 422 `invalid-assessment-date` without store=true, or outside the bounds
            (a well-formed date the request cannot use: no schema can say "not after today").
    """
    if day is None:
        return None
    if not store:
        raise ProblemError(
            422,
            "invalid-assessment-date",
            "`assessed_on` dates a stored assessment: send it with store=true",
        )
    today = datetime.now(UTC).date()
    if not EARLIEST_ASSESSMENT <= day <= today:
        raise ProblemError(
            422,
            "invalid-assessment-date",
            f"`assessed_on` must be from {EARLIEST_ASSESSMENT.isoformat()} to today "
            f"({today.isoformat()}, UTC); got {day.isoformat()}",
        )
    return datetime.combine(day, datetime.min.time(), tzinfo=UTC) if day < today else None


def caller(request: Request[Any, Any, Any], runtime: Runtime, store: bool) -> ApiKeyInfo | None:
    """The caller's key: required with `assess` scope to store, or unless assessing is open."""
    if store or not runtime.settings.assess_without_key:
        return require_key(request, runtime.repository, "assess")
    return optional_key(request, runtime.repository)


async def _store(
    runtime: Runtime,
    request: Request[Any, Any, Any],
    assessment: AssessmentRequest,
    key: ApiKeyInfo | None,
    language: Language,
    explain: bool,
    idempotency_key: str | None,
    assessed_at: datetime | None = None,
) -> Response[Any]:
    """Evaluate and store; the stored result is byte for byte the response body."""
    assert key is not None  # noqa: S101 - storing always requires a key
    stored, created = await store_assessment(
        runtime, request, assessment, key, language, explain, idempotency_key, assessed_at
    )
    headers = {
        **_headers(stored.language),
        "Location": f"/v1/assessments/{stored.id}",
        "X-Assessment-Id": stored.id,
    }
    if not created:
        headers["Idempotent-Replayed"] = "true"
    return Response(
        content=stored.result_json.encode(),
        media_type=MediaType.JSON,
        status_code=201,
        headers=headers,
    )


def placement(
    organisation: Organisation, key: ApiKeyInfo, thing: Literal["assessment", "round"]
) -> tuple[str, str | None]:
    """The organisation id and region to store an assessment (or open a round) under.

    Within the key's binding: what the organisation section leaves out, the binding gives.

    Raises:
        ProblemError: 422 `organisation-required` without an organisation id; 403
            `outside-binding` for an organisation or region the key is not bound to.
    """
    binding = key.binding
    organisation_id = organisation.id or binding.organisation_id
    region = organisation.region or binding.region
    if organisation_id is None:
        doing = "store an assessment" if thing == "assessment" else "open a round"
        raise ProblemError(422, "organisation-required", f"set organisation.id to {doing}")
    outside = _outside(binding.organisation_id, organisation_id, "organisation", thing) or (
        _outside(binding.region, region, "region", thing)
    )
    if outside:
        raise ProblemError(403, "outside-binding", outside)
    return organisation_id, region


def region_conflict(
    organisation_id: str, region: str | None, exc: OrganisationRegionConflictError
) -> ProblemError:
    """409 `organisation-in-other-region`: the organisation is placed in another region."""
    placed = f"region {exc.region!r}" if exc.region is not None else "no region"
    return ProblemError(
        409,
        "organisation-in-other-region",
        f"organisation {organisation_id!r} is stored under {placed}, not {region!r}; one "
        "organisation keeps one region, so that its history stays whole (an admin can move "
        f"it: PUT /v1/organisations/{organisation_id}/region)",
    )


async def store_assessment(
    runtime: Runtime,
    request: Request[Any, Any, Any],
    assessment: AssessmentRequest,
    key: ApiKeyInfo,
    language: Language,
    explain: bool = False,
    idempotency_key: str | None = None,
    assessed_at: datetime | None = None,
) -> tuple[StoredAssessment, bool]:
    """Evaluate `assessment` and store it with its result; return it and whether it is new.

    What `POST /v1/assessments?store=true` does, and closing a round. The write runs in a
    worker thread: a commit waits for the disk (SQLite syncs every commit), and other requests
    are served meanwhile.

    Raises:
        ProblemError: What `placement` raises; 409 `idempotency-key-reused` or
            `organisation-in-other-region`.
    """
    organisation = assessment.organisation
    organisation_id, region = placement(organisation, key, "assessment")
    engine = runtime.engine_for(request)
    outcome = engine.evaluate(assessment, explain=explain)
    payload = engine.result_json(outcome, language=language)
    write = partial(
        runtime.repository.store,
        request_json=assessment.model_dump_json(),
        summary=stored_summary(outcome, engine.ruleset, language),
        result_json=payload.decode(),
        organisation_id=organisation_id,
        organisation_name=organisation.name,
        region=region,
        intervention=assessment.intervention.name or assessment.intervention.model,
        key_id=key.id,
        idempotency_key=idempotency_key,
        assessed_at=assessed_at,
    )
    try:
        return await anyio.to_thread.run_sync(write)
    except IdempotencyConflictError:
        raise ProblemError(
            409,
            "idempotency-key-reused",
            "this Idempotency-Key was used before with a different request",
        ) from None
    except OrganisationRegionConflictError as exc:
        raise region_conflict(organisation_id, region, exc) from None


def _outside(bound: str | None, given: str | None, what: str, thing: str) -> str | None:
    """Why a key bound to the `what` `bound` may not store a `thing` for `given`; None if it may.

    The key's own binding is named, so that its holder sees what to send.
    """
    if bound is None or bound == given:
        return None
    reason = (
        f"the API key is bound to {what} {bound!r} and may store only for it; "
        f"this {thing} is for {what} {given!r}"
    )
    if given is not None and given.casefold() == bound.casefold():
        reason += f" ({what}s are compared exactly: send {bound!r})"
    return reason


def stored_summary(outcome: Outcome, ruleset: Ruleset, language: Language) -> ResultSummary:
    """What the store keeps beside the result of `outcome` in `language`, taken from the outcome."""
    readiness = outcome.readiness
    top = outcome.recommendations[0].id if outcome.recommendations else None
    title = None  # the first recommendation's, as the result gives it
    if top is not None:
        entry = ruleset.recommendations[top]
        title = variant_text(entry, "title", outcome.country, outcome.model, outcome.kind).in_(
            language
        )
    findings = [
        *(("gap", g.id) for g in outcome.gaps),
        *(("escalation", e.id) for e in outcome.escalations),
        *(("obstacle", o.id) for o in outcome.obstacles),
        *(("missing_factor", f.id) for f in outcome.success_factors if f.missing),
        *(("first_action", p.id) for p in outcome.recommendations[:FIRST_ACTIONS]),
    ]
    return ResultSummary(
        language=language,
        ruleset_version=ruleset.version,
        ruleset_digest=ruleset.digest,
        readiness_level=readiness.level,
        readiness_score=readiness.score,
        gap_count=len(outcome.gaps),
        blocking_gap_count=sum(1 for g in outcome.gaps if g.severity == "blocking"),
        top_recommendation=top,
        top_recommendation_title=title,
        stage=readiness.stage,
        dimensions=tuple((d.dimension, d.level, d.score) for d in readiness.dimensions),
        findings=tuple(findings),
    )


async def _in_worker_threads(engine: Engine, chunks: Iterator[bytes]) -> AsyncIterator[bytes]:
    """Advance `chunks` in a worker thread, one chunk of one batch at a time (`_BATCHES`).

    The engine is held until the last chunk is sent (or the client has gone): a slow client can
    take longer than a replaced engine is kept after a reload.
    """
    with engine.held():
        while True:
            chunk = await anyio.to_thread.run_sync(next, chunks, None, limiter=_BATCHES)
            if chunk is None:
                return
            yield chunk


def run_batch(
    engine: Engine,
    items: list[Any],
    language: Language,
    explain: bool,
    request_id: str | None,
) -> bytes:
    """The whole JSON of a `BatchResult` at once: what `POST /v1/assessments/batch` streams."""
    return b"".join(batch_chunks(engine, items, language, explain, request_id))


def batch_chunks(
    engine: Engine,
    items: list[Any],
    language: Language,
    explain: bool,
    request_id: str | None,
    size: int = BATCH_CHUNK,
) -> Iterator[bytes]:
    """Validate and evaluate each item on its own; an invalid item gets a problem.

    Yields the JSON of a `BatchResult` in pieces of `size` items: the ruleset and the items, in
    input order, then the counts, which are known only at the end. Each result is encoded once
    by the engine and joined once into its piece. An item that cannot be evaluated, for whatever
    reason, gets a 500 problem of its own: once the first piece is sent, the answer's status is
    200 and its body must stay whole.
    """
    parts: list[bytes] = [
        b'{"ruleset":%s,"items":[' % to_json(engine.ruleset.info),
    ]
    failed = 0
    for index, item in enumerate(items):
        opening = (
            b'{"index":%d,"result":' % index if index == 0 else b',{"index":%d,"result":' % index
        )
        try:
            assessment = AssessmentRequest.model_validate(item)
        except ValidationError as exc:
            problem = problem_of(
                422,
                "validation-failed",
                f"item {index} is not a valid assessment; see errors",
                request_id,
                field_errors(exc, ("assessments", index), model=AssessmentRequest),
            )
            # Without the empty fields, as a single request's problem is written.
            parts += (opening, b'null,"error":', to_json(problem, exclude_none=True), b"}")
            failed += 1
        else:
            try:
                result = engine.assess_json(assessment, language=language, explain=explain)
            except Exception as exc:  # any failure is this item's, not the batch's
                # A fault outside the backend is logged as the engine's as well.
                rule, code = (
                    (exc.rule, exc.code)
                    if isinstance(exc, EvaluationError)
                    else (None, "engine-failure")
                )
                _log.error(
                    "batch item failed",
                    exc_info=exc,
                    extra={"request_id": request_id, "rule": rule, "error_code": code},
                )
                detail = f"item {index} could not be evaluated; quote the request id"
                problem = problem_of(500, "evaluation-failed", detail, request_id)
                parts += (opening, b'null,"error":', to_json(problem, exclude_none=True), b"}")
                failed += 1
            else:
                parts += (opening, result, b',"error":null}')
        if index % size == size - 1:
            yield b"".join(parts)
            parts.clear()
    parts.append(b'],"succeeded":%d,"failed":%d}' % (len(items) - failed, failed))
    yield b"".join(parts)
