"""Assessment rounds over HTTP: open, list, count, close, result, delete answers, and respond.

A caller with the `assess` scope opens a round for an organisation and gets invitation codes;
respondents answer their role's form with a code (`X-Round-Code`, no API key); closing combines
the answers (`engine.rounds`) into an ordinary assessment, stored as `POST
/v1/assessments?store=true` stores one. Rounds are read within the key's binding, as assessments
are. No endpoint sends one respondent's answers, and none shows a role with fewer respondents
than the privacy threshold on its own. The raw answers of closed rounds are deleted on the
retention schedule (`READINESS_ROUND_RETENTION_DAYS`), at start-up and whenever rounds are listed
or closed.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, cast

import anyio
import anyio.to_thread
from litestar import MediaType, Request, Response, delete, get, post
from litestar.di import NamedDependency
from litestar.handlers import HTTPRouteHandler
from litestar.openapi import ResponseSpec
from litestar.params import QueryParameter
from pydantic import BaseModel, ValidationError
from sqlalchemy.exc import SQLAlchemyError

from api.assessments import (
    VALUES_PER_ASSESSMENT,
    placement,
    region_conflict,
    store_assessment,
)
from api.auth import require_key
from api.body import read_json
from api.language import AcceptLanguage, LangQuery, negotiate
from api.openapi import body_operation, problem_responses
from api.paging import CursorQuery, LimitQuery, after_cursor, following, sent
from api.problems import ProblemError, field_errors, json_path
from api.runtime import Runtime
from engine import (
    INDICATORS,
    Combination,
    PrivacyGroup,
    Role,
    RoundAnswerError,
    RoundSpec,
    combine,
    form_answers,
    privacy_groups,
)
from engine import Response as RoundResponse
from schemas.assessment import AssessmentRequest
from schemas.problem import FieldError
from schemas.rounds import (
    ROUND_EXAMPLE,
    InvitationCodeOut,
    InvitedRole,
    PrivacyGroupOut,
    RespondentForm,
    ResponseReceipt,
    RoundOpened,
    RoundOut,
    RoundPage,
    RoundRequest,
    RoundResponses,
    RoundResult,
    RoundStatus,
)
from schemas.vocabulary import Language
from store.keys import ApiKeyInfo
from store.repository import OrganisationRegionConflictError
from store.rounds import InvitationCode, Invitee, RoundClosedError, RoundFilter, StoredRound

__all__ = [
    "LONGEST_CODE",
    "ROUND_CODE_HEADER",
    "close_for",
    "open_for",
    "purge_answers",
    "purge_at_startup",
    "respondent_handlers",
    "responses_of",
    "round_context",
    "round_handlers",
    "round_out",
]

_log = logging.getLogger("readiness.api")

ROUND_CODE_HEADER = "X-Round-Code"
"""The header a respondent sends their invitation code in."""
LONGEST_CODE = 64
"""Codes are 32 characters; anything much longer is no code, and is not looked up."""


def _not_found(round_id: str) -> ProblemError:
    # The same answer whether the round does not exist or the key may not see it.
    return ProblemError(404, "round-not-found", f"no round {round_id!r}")


def round_out(found: StoredRound) -> RoundOut:
    """A stored round as the API shows it."""
    return RoundOut(
        id=found.id,
        organisation_id=found.organisation_id,
        organisation_name=found.organisation_name,
        region=found.region,
        intervention=found.intervention,
        status=found.status,
        takes_responses=found.takes_responses(datetime.now(UTC)),
        opened_at=found.opened_at,
        closes_at=found.closes_at,
        closed_at=found.closed_at,
        respondents=found.respondents,
        assessment_id=found.assessment_id,
        answers_deleted_at=found.answers_deleted_at,
    )


def _visible(
    request: Request[Any, Any, Any], runtime: Runtime, round_id: str, scope: str
) -> tuple[StoredRound, ApiKeyInfo]:
    """The round, if the caller's key has `scope` and may see it; else 404 as if it did not exist."""
    key = require_key(request, runtime.repository, scope)
    found = runtime.rounds.get(round_id, key.binding)
    if found is None:
        raise _not_found(round_id)
    return found, key


def round_context(organisation: BaseModel, intervention: BaseModel) -> dict[str, Any]:
    """What a round is opened for: the organisation and intervention sections it combines into."""
    return {
        "organisation": organisation.model_dump(
            mode="json", exclude_none=True, exclude_defaults=True
        ),
        "intervention": intervention.model_dump(
            mode="json", exclude_none=True, exclude_defaults=True
        ),
    }


def purge_answers(runtime: Runtime) -> int:
    """Delete the answers of rounds closed longer ago than the retention period; return how many."""
    kept = timedelta(days=runtime.settings.round_retention_days)
    deleted = runtime.rounds.purge(datetime.now(UTC) - kept)
    if deleted:
        _log.info("round answers deleted by retention", extra={"deleted": deleted})
    return deleted


def _base(found: StoredRound) -> dict[str, Any]:
    """The organisation and intervention the round's combined assessment starts from.

    The organisation's region is the round's own (an admin's move changes it).
    """
    organisation = {**found.context.get("organisation", {}), "id": found.organisation_id}
    organisation["region"] = found.region
    return {"organisation": organisation, "intervention": found.context.get("intervention", {})}


# --- the caller's operations ----------------------------------------------------------------


@post(
    "/v1/rounds",
    tags=["rounds"],
    summary="Open an assessment round",
    description=(
        "Opens a round for an organisation and an intervention and issues its invitation "
        "codes: `codes` personal ones per role (one per respondent, who may replace their "
        "answers until the round closes), and one shared code per role in `shared_roles`. "
        "Each code is shown here once; only its hash is kept. Respondents answer with "
        "`X-Round-Code` at `/v1/respond`, anonymously. The organisation is placed in its region "
        "as a stored assessment places it: a round for an organisation of another region is "
        "refused."
    ),
    operation_id="openRound",
    operation_class=body_operation(
        "RoundRequest", "Whose round, about what, whom to invite", ROUND_EXAMPLE
    ),
    status_code=201,
    responses={
        201: ResponseSpec(
            data_container=RoundOpened,
            description="The round, `Location` of it, and its codes, shown this once",
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
                "`organisation-in-other-region`: the organisation is stored under another region"
            ),
            s422=(
                "`validation-failed`: the body is not a valid round (field errors listed), or "
                "it issues no code at all; `organisation-required`: no organisation.id, with a "
                "key bound to no organisation; `invalid-closing-date`: `closes_at` is not in "
                "the future"
            ),
        ),
    },
)
async def open_round(
    request: Request[Any, Any, Any], runtime: NamedDependency[Runtime]
) -> Response[RoundOpened]:
    key = require_key(request, runtime.repository, "assess")
    settings = runtime.settings
    data = await read_json(request, settings.max_json_depth, timeout=settings.body_timeout)
    try:
        asked = RoundRequest.model_validate(data)
    except ValidationError as exc:
        raise ProblemError(
            422,
            "validation-failed",
            "the body is not a valid round; see errors",
            errors=field_errors(exc, model=RoundRequest),
        ) from None
    opened, codes = await open_for(runtime, key, asked)
    body = RoundOpened(
        round=round_out(opened),
        codes=[
            InvitationCodeOut.model_validate({"role": c.role, "kind": c.kind, "code": c.code})
            for c in codes
        ],
    )
    return Response(
        content=body,
        status_code=201,
        headers={"Location": f"/v1/rounds/{opened.id}", "Cache-Control": "no-store"},
    )


async def open_for(
    runtime: Runtime, key: ApiKeyInfo, asked: RoundRequest
) -> tuple[StoredRound, list[InvitationCode]]:
    """Open the round `asked` for with `key` (which has the `assess` scope); return its codes.

    The one way rounds are opened, by the API and by the pages.

    Raises:
        ProblemError: 422 `validation-failed` without any code, `invalid-closing-date` for a
            closing date not in the future; 409 `organisation-in-other-region`.
    """
    if not asked.codes and not asked.shared_roles:
        raise ProblemError(
            422,
            "validation-failed",
            "a round needs at least one invitation code: give `codes` or `shared_roles`",
            errors=[
                FieldError(
                    path="$.codes",
                    type="missing",
                    message="give personal codes by role, or shared roles",
                )
            ],
        )
    if asked.closes_at is not None and asked.closes_at <= datetime.now(UTC):
        raise ProblemError(
            422,
            "invalid-closing-date",
            f"`closes_at` must be in the future; got {asked.closes_at.isoformat()}",
        )
    organisation_id, region = placement(asked.organisation, key, "round")
    organisation = asked.organisation.model_copy(update={"id": organisation_id, "region": region})
    intervention = asked.intervention
    context = round_context(organisation, intervention)

    def opening() -> tuple[StoredRound, list[InvitationCode]]:
        return runtime.rounds.open(
            organisation_id=organisation_id,
            organisation_name=organisation.name,
            region=region,
            intervention=intervention.name or intervention.model,
            context=context,
            closes_at=asked.closes_at,
            codes=asked.codes.items(),
            shared_roles=asked.shared_roles,
            key_id=key.id,
        )

    try:
        return await anyio.to_thread.run_sync(opening)
    except OrganisationRegionConflictError as exc:
        raise region_conflict(organisation_id, region, exc) from None


@get(
    "/v1/rounds",
    tags=["rounds"],
    summary="List rounds",
    description=(
        "Newest first, in pages: pass `cursor` from the previous page's `next`, or follow "
        "`next_url` or the `Link` header. Only what the key's binding allows is listed."
    ),
    operation_id="listRounds",
    sync_to_thread=True,
    responses=problem_responses(400, 401, 403),
)
def list_rounds(
    request: Request[Any, Any, Any],
    runtime: NamedDependency[Runtime],
    organisation: Annotated[str | None, QueryParameter(description="organisation.id")] = None,
    status: Annotated[RoundStatus | None, QueryParameter(description="open or closed")] = None,
    cursor: CursorQuery = None,
    limit: LimitQuery = None,
) -> Response[RoundPage]:
    key = require_key(request, runtime.repository, "read")
    after = after_cursor(cursor)
    purge_answers(runtime)
    found, cursor_next = runtime.rounds.page(
        RoundFilter(organisation_id=organisation, status=status), key.binding, after, limit or 50
    )
    query = sent(request, {"organisation": organisation, "status": status, "limit": limit})
    next_url = following(request, query, cursor_next) if cursor_next else None
    headers = {"Cache-Control": "no-store"}
    if next_url:
        headers["Link"] = f'<{next_url}>; rel="next"'
    page = RoundPage(items=[round_out(f) for f in found], next=cursor_next, next_url=next_url)
    return Response(content=page, headers=headers)


@get(
    "/v1/rounds/{round_id:str}",
    tags=["rounds"],
    summary="Get a round",
    description="Whose round, about what, whether it takes responses, how many answered.",
    operation_id="getRound",
    sync_to_thread=True,
    responses=problem_responses(401, 403, 404),
)
def get_round(
    round_id: str, request: Request[Any, Any, Any], runtime: NamedDependency[Runtime]
) -> Response[RoundOut]:
    found, _ = _visible(request, runtime, round_id, "read")
    return Response(content=round_out(found), headers={"Cache-Control": "no-store"})


@get(
    "/v1/rounds/{round_id:str}/responses",
    tags=["rounds"],
    summary="How many have answered",
    description=(
        "Respondents by privacy group: a role with fewer respondents than the threshold "
        "(`min_group`, at least 3) is counted together with its neighbouring role, never on "
        "its own; a round with fewer respondents than that shows no group. Also the codes "
        "issued per role. A closed round shows the groups its answers were combined in."
    ),
    operation_id="getRoundResponses",
    responses=problem_responses(401, 403, 404),
)
async def round_responses(
    round_id: str, request: Request[Any, Any, Any], runtime: NamedDependency[Runtime]
) -> Response[RoundResponses]:
    # Async, its reads in a worker thread: a `sync_to_thread` handler that another handler of
    # its path follows is registered twice by litestar 2.25, and wrapped twice (it then answers
    # a coroutine instead of a response).
    body = await anyio.to_thread.run_sync(_responses, request, runtime, round_id)
    return Response(content=body, headers={"Cache-Control": "no-store"})


def _responses(request: Request[Any, Any, Any], runtime: Runtime, round_id: str) -> RoundResponses:
    found, _ = _visible(request, runtime, round_id, "read")
    return responses_of(runtime, runtime.served_for(request).round_spec, found)


def responses_of(runtime: Runtime, spec: RoundSpec, found: StoredRound) -> RoundResponses:
    """How many have answered `found`, by privacy group (of `spec`), and the codes per role."""
    round_id = found.id
    if found.combination_json is not None:
        combined = json.loads(found.combination_json)
        groups = [PrivacyGroupOut.model_validate(g) for g in combined["groups"]]
        suppressed, min_group = bool(combined["suppressed"]), int(combined["min_group"])
    else:
        formed, suppressed = _privacy_groups(spec, runtime.rounds.role_counts(round_id))
        groups = [PrivacyGroupOut(roles=list(g.roles), respondents=g.respondents) for g in formed]
        min_group = spec.min_group
    issued = runtime.rounds.invited(round_id)
    return RoundResponses(
        round_id=found.id,
        status=found.status,
        takes_responses=found.takes_responses(datetime.now(UTC)),
        min_group=min_group,
        respondents=found.respondents,
        groups=groups,
        suppressed=suppressed,
        invited=[
            InvitedRole(
                role=role,
                personal=issued[role].get("personal", 0),
                shared=issued[role].get("shared", 0) > 0,
            )
            for role in spec.roles
            if role in issued
        ],
    )


def _privacy_groups(
    spec: RoundSpec, counts: dict[str, int]
) -> tuple[tuple[PrivacyGroup, ...], bool]:
    """The privacy groups of respondents counted by role, as combining forms them.

    And whether the round is too small for any. No answer is read to count.
    """
    known = {cast(Role, role): count for role, count in counts.items()}
    groups, suppressed = privacy_groups(spec.roles, known, spec.min_group)
    return groups, bool(suppressed)


@get(
    "/v1/rounds/{round_id:str}/result",
    tags=["rounds"],
    summary="A closed round's result",
    description=(
        "How the round's answers were combined (combined answers, privacy groups, the "
        "matters on which roles disagree), and the result of the combined assessment, "
        "evaluated by the serving rules in the asked language: disagreements are gaps of kind "
        "`disagreement`, with their recommendations. Only for a closed round: answers are "
        "combined once, so that no one's answer can be told from how the result changes."
    ),
    operation_id="getRoundResult",
    sync_to_thread=True,
    responses=problem_responses(
        400,
        401,
        403,
        404,
        409,
        s409="`round-open`: the round is not closed yet",
    ),
)
def round_result(
    round_id: str,
    request: Request[Any, Any, Any],
    runtime: NamedDependency[Runtime],
    lang: LangQuery = None,
    accept_language: AcceptLanguage = None,
) -> Response[RoundResult]:
    language = negotiate(lang, accept_language)
    found, _ = _visible(request, runtime, round_id, "read")
    if found.combination_json is None or found.request_json is None:
        raise ProblemError(
            409,
            "round-open",
            f"round {round_id!r} is not closed yet; close it to combine its answers",
        )
    assessment = AssessmentRequest.model_validate_json(found.request_json)
    result = runtime.engine_for(request).assess_json(assessment, language=language)
    head = json.dumps(
        {"round_id": found.id, "status": found.status, "assessment_id": found.assessment_id},
        separators=(",", ":"),
    )
    # The combination as kept and the result as the engine encodes it, spliced in unchanged.
    body = f'{head[:-1]},"combination":{found.combination_json},"result":'.encode() + result + b"}"
    answer: Response[Any] = Response(
        content=body,
        media_type=MediaType.JSON,
        headers={"Cache-Control": "no-store", "Content-Language": language},
    )
    return answer


@post(
    "/v1/rounds/{round_id:str}/close",
    tags=["rounds"],
    summary="Close a round and store its combined assessment",
    description=(
        "The round takes no more responses; its answers are combined by the documented rules "
        "(`rules/rounds.yaml`) into one assessment, which is evaluated and stored as `POST "
        "/v1/assessments?store=true` stores one (its result in the asked language), so that "
        "deltas, exports and summaries count it. A round past its `closes_at` is closed the same "
        "way. Answers are the raw material only until the retention period ends."
    ),
    operation_id="closeRound",
    status_code=200,
    responses=problem_responses(
        400,
        401,
        403,
        404,
        409,
        s409=(
            "`round-closed`: closed already; `round-without-responses`: nobody has answered; "
            "`organisation-in-other-region`: the organisation was placed in another region "
            "meanwhile"
        ),
    ),
)
async def close_round(
    round_id: str,
    request: Request[Any, Any, Any],
    runtime: NamedDependency[Runtime],
    lang: LangQuery = None,
    accept_language: AcceptLanguage = None,
) -> Response[RoundOut]:
    language = negotiate(lang, accept_language)
    key = require_key(request, runtime.repository, "assess")
    closed = await close_for(runtime, request, key, round_id, language)
    return Response(content=round_out(closed), headers={"Cache-Control": "no-store"})


async def close_for(
    runtime: Runtime,
    request: Request[Any, Any, Any],
    key: ApiKeyInfo,
    round_id: str,
    language: Language,
) -> StoredRound:
    """Close the round with `key` (which has `assess`): combine its answers and store them.

    The one way rounds are closed, by the API and by the pages.

    Raises:
        ProblemError: 404 `round-not-found`; 409 `round-closed`, `round-without-responses` or
            `organisation-in-other-region`.
    """
    rounds = runtime.rounds
    found = await anyio.to_thread.run_sync(rounds.get, round_id, key.binding)
    if found is None:
        raise _not_found(round_id)
    try:
        await anyio.to_thread.run_sync(rounds.begin_close, round_id)
    except RoundClosedError:
        raise ProblemError(409, "round-closed", f"round {round_id!r} is closed already") from None
    # Shielded: once begun, a close is finished (or undone) even if the caller goes away.
    with anyio.CancelScope(shield=True):
        try:
            combination = await _combine(runtime, runtime.served_for(request).round_spec, found)
            stored, _ = await store_assessment(runtime, request, combination.request, key, language)
        except Exception:
            await anyio.to_thread.run_sync(rounds.reopen, round_id)
            raise
        await anyio.to_thread.run_sync(
            lambda: rounds.finish_close(
                round_id,
                stored.id,
                json.dumps(combination.to_json(), ensure_ascii=False, separators=(",", ":")),
                combination.request.model_dump_json(exclude_defaults=True),
                combination.respondents,
            )
        )
        await anyio.to_thread.run_sync(purge_answers, runtime)
        closed = await anyio.to_thread.run_sync(rounds.get, round_id, key.binding)
    assert closed is not None  # noqa: S101 - it was just closed within this binding
    return closed


async def _combine(runtime: Runtime, spec: RoundSpec, found: StoredRound) -> Combination:
    """The round's answers combined.

    Raises:
        ProblemError: 409 `round-without-responses` when nobody answered.
    """
    answers = await anyio.to_thread.run_sync(runtime.rounds.responses, found.id)
    if not answers:
        raise ProblemError(
            409,
            "round-without-responses",
            f"nobody has answered round {found.id!r}; there is nothing to combine",
        )
    responses = [RoundResponse(role=cast(Role, role), answers=given) for role, given in answers]
    return combine(spec, _base(found), responses)


@delete(
    "/v1/rounds/{round_id:str}/responses",
    tags=["rounds"],
    summary="Delete a round's answers",
    description=(
        "Deletes the respondents' own answers now, rather than at the end of the retention "
        "period (`assess` or `admin`). What a closed round combined to, and its stored "
        "assessment, are kept; the round records when its answers were deleted. An open round "
        "goes on taking answers."
    ),
    operation_id="deleteRoundResponses",
    status_code=200,
    sync_to_thread=True,
    responses=problem_responses(401, 403, 404),
)
def delete_round_responses(
    round_id: str, request: Request[Any, Any, Any], runtime: NamedDependency[Runtime]
) -> Response[RoundOut]:
    found, key = _visible(request, runtime, round_id, "assess")
    runtime.rounds.delete_answers(found.id)
    after = runtime.rounds.get(found.id, key.binding)
    assert after is not None  # noqa: S101 - rounds are deleted only with their organisation
    return Response(content=round_out(after), headers={"Cache-Control": "no-store"})


def round_handlers() -> list[HTTPRouteHandler]:
    """The caller's handlers: `assess` to open, close and delete answers, `read` to read."""
    return [
        open_round,
        list_rounds,
        get_round,
        round_responses,
        round_result,
        close_round,
        delete_round_responses,
    ]


# --- the respondent's operations -------------------------------------------------------------


def _invitee(request: Request[Any, Any, Any], runtime: Runtime) -> Invitee:
    """Whom the request's invitation code lets answer.

    Raises:
        ProblemError: 401 `missing-round-code` or `invalid-round-code`.
    """
    challenge = {"WWW-Authenticate": f'{ROUND_CODE_HEADER} realm="readiness-rounds"'}
    code = request.headers.get(ROUND_CODE_HEADER, "").strip()
    if not code:
        raise ProblemError(
            401,
            "missing-round-code",
            f"send the invitation code you were given as `{ROUND_CODE_HEADER}`",
            headers=challenge,
        )
    invitee = runtime.rounds.invitee(code) if len(code) <= LONGEST_CODE else None
    if invitee is None:
        raise ProblemError(
            401, "invalid-round-code", "the invitation code is not valid", headers=challenge
        )
    return invitee


def _taking(invitee: Invitee) -> None:
    """Refuse a response to a round that takes none.

    Raises:
        ProblemError: 409 `round-closed`.
    """
    if not invitee.round.takes_responses(datetime.now(UTC)):
        raise ProblemError(409, "round-closed", "the round is closed; it takes no more answers")


_RESPONDENT_401 = "No invitation code in `X-Round-Code`, or one that is no round's"
_RESPONDENT_409 = "`round-closed`: the round is closed or past its closing date"


@get(
    "/v1/respond",
    tags=["respond"],
    summary="A respondent's form",
    description=(
        "What the invitation code (`X-Round-Code`) opens: the organisation, the intervention, "
        "the respondent's role and the role's form (the questions asked of it, with their "
        "answers and labels). No API key is needed."
    ),
    operation_id="getRespondentForm",
    responses=problem_responses(400, 401, 409, s401=_RESPONDENT_401, s409=_RESPONDENT_409),
)
async def respondent_form(
    request: Request[Any, Any, Any],
    runtime: NamedDependency[Runtime],
    lang: LangQuery = None,
    accept_language: AcceptLanguage = None,
) -> Response[RespondentForm]:
    # Async for the reason `round_responses` gives: `POST /v1/respond` follows it on its path.
    language = negotiate(lang, accept_language)
    served = runtime.served_for(request)
    invitee = await anyio.to_thread.run_sync(_invitee, request, runtime)
    _taking(invitee)
    role = cast(Role, invitee.role)
    found = invitee.round
    body = RespondentForm(
        organisation=found.organisation_name,
        intervention=found.intervention,
        role=role,
        role_title=served.round_spec.role_titles[role][language],
        language=language,
        closes_at=found.closes_at,
        form=served.questionnaires.of(language, role),
    )
    return Response(
        content=body, headers={"Cache-Control": "no-store", "Content-Language": language}
    )


@post(
    "/v1/respond",
    tags=["respond"],
    summary="Answer a round",
    description=(
        "The respondent's answers, nested by path as in an assessment, only the questions of "
        "the role's form (`unknown` or left out: don't know). With a personal code, answering "
        "again replaces the earlier answers until the round closes; a shared code adds a "
        "response each time and answers with a personal code for replacing it. The answers are "
        "never sent back by any endpoint. No API key is needed."
    ),
    operation_id="respond",
    operation_class=body_operation(
        "AssessmentRequest",
        "Answers to the questions of the role's form, nested as in an assessment",
        {"leadership": {"support": {"tactical": "no"}}, "risks": {"lack_of_time": "high"}},
        "Two answers",
    ),
    status_code=200,
    responses=problem_responses(
        400,
        401,
        408,
        409,
        413,
        415,
        422,
        s401=_RESPONDENT_401,
        s409=_RESPONDENT_409,
        s422=(
            "`field-not-in-form`: a question the role is not asked (which questions a role is "
            "asked depends on the code, which no schema can state); `answer-not-in-scale`: a "
            "value the question does not allow; `invalid-answers`: not an object of sections, "
            "fields and answers"
        ),
    ),
)
async def respond(
    request: Request[Any, Any, Any], runtime: NamedDependency[Runtime]
) -> Response[ResponseReceipt]:
    invitee = await anyio.to_thread.run_sync(_invitee, request, runtime)
    _taking(invitee)
    settings = runtime.settings
    data = await read_json(
        request,
        settings.max_json_depth,
        max_values=VALUES_PER_ASSESSMENT,
        timeout=settings.body_timeout,
    )
    role = cast(Role, invitee.role)
    try:
        answers = form_answers(runtime.served_for(request).round_spec, role, data)
    except RoundAnswerError as exc:
        raise _answer_problem(exc) from None
    try:
        taken = await anyio.to_thread.run_sync(runtime.rounds.submit, invitee, answers)
    except RoundClosedError:
        raise ProblemError(
            409, "round-closed", "the round closed meanwhile; it takes no more answers"
        ) from None
    receipt = ResponseReceipt(
        role=role,
        submitted_at=taken.submitted_at,
        replaced=taken.replaced,
        code=taken.receipt,
        closes_at=invitee.round.closes_at,
    )
    return Response(content=receipt, headers={"Cache-Control": "no-store"})


_ERROR_TYPES = {
    "field-not-in-form": "unknown-field",
    "answer-not-in-scale": "value-not-allowed",
    "invalid-answers": "wrong-type",
}


def _answer_problem(exc: RoundAnswerError) -> ProblemError:
    """422 with the code of `exc` and one field error where the answers went wrong."""
    path = ".".join(exc.loc)
    indicator = INDICATORS.get(path) if exc.code == "answer-not-in-scale" else None
    error = FieldError(
        path=json_path(list(exc.loc)),
        type=_ERROR_TYPES.get(exc.code, "invalid"),
        message=exc.message,
        allowed=list(indicator.scale.values) if indicator is not None else None,
    )
    return ProblemError(422, exc.code, exc.message, errors=[error])


def respondent_handlers() -> list[HTTPRouteHandler]:
    """The respondent's handlers, authenticated by invitation code instead of an API key."""
    return [respondent_form, respond]


def purge_at_startup(runtime: Runtime) -> None:
    """Apply the retention schedules (round answers, expired page sessions) once at start-up.

    A failure is logged, not raised.

    The app may start on a database not migrated yet (`readiness migrate` migrates it).
    """
    try:
        purge_answers(runtime)
    except SQLAlchemyError as exc:
        _log.warning("round answers could not be checked for retention", exc_info=exc)
    try:
        if runtime.pages is not None:
            runtime.pages.purge()
    except SQLAlchemyError as exc:
        _log.warning("expired page sessions could not be deleted", exc_info=exc)
