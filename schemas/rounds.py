"""Assessment rounds as the API takes and sends them: opening, codes, counts, results, answers.

A round is opened for an organisation and an intervention; respondents in roles answer by
invitation code, anonymously; closing combines their answers into one stored assessment. No
model here holds one respondent's answers: what is sent is counted and combined, and per role
only where enough respondents of it answered (privacy groups).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal, get_args

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator

from schemas.assessment import InterventionKind, InterventionModel, Organisation, ShortText
from schemas.questionnaire import Questionnaire
from schemas.result import AssessmentResult
from schemas.vocabulary import Language, RoundRole

__all__ = [
    "MAX_CODES_PER_ROLE",
    "ROUND_EXAMPLE",
    "CombinationOut",
    "CombinedAnswerOut",
    "DisagreementEndOut",
    "DisagreementOut",
    "InvitationCodeOut",
    "InvitedRole",
    "PrivacyGroupOut",
    "RespondentForm",
    "ResponseReceipt",
    "RoundIntervention",
    "RoundOpened",
    "RoundOut",
    "RoundPage",
    "RoundRequest",
    "RoundResponses",
    "RoundResult",
    "RoundStatus",
]

RoundStatus = Literal["open", "closed"]

MAX_CODES_PER_ROLE = 500
"""Most personal codes one request issues for one role."""

ROUND_EXAMPLE: dict[str, Any] = {
    "organisation": {
        "id": "se-0780-ifo",
        "name": "Växjö kommun, IFO",
        "country": "SE",
        "region": "Region Kronoberg",
    },
    "intervention": {"name": "Familjeorienterat arbetssätt", "model": "family_oriented_work"},
    "codes": {"strategic_leader": 2, "tactical_leader": 3, "operational_leader": 4},
    "shared_roles": ["staff"],
}
"""A round as a municipality's unit would open it: its leaders invited one by one, its staff
with one shared code."""


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)


class RoundIntervention(_In):
    """The intervention a round is about: what describes it, not what is asked of respondents."""

    name: ShortText | None = None
    """Name of the intervention."""
    kind: InterventionKind = "unknown"
    """What kind of intervention it is."""
    model: InterventionModel = "unknown"
    """Which known model it follows."""


class RoundRequest(_In):
    """What opening a round needs: whose round it is, about what, and whom to invite."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [ROUND_EXAMPLE],
            # At least one code: personal ones, or a shared one.
            "anyOf": [
                {"required": ["codes"], "properties": {"codes": {"minProperties": 1}}},
                {"required": ["shared_roles"], "properties": {"shared_roles": {"minItems": 1}}},
            ],
        }
    )

    organisation: Organisation
    """The organisation (as in an assessment); `id` is needed unless the key is bound to one."""
    intervention: RoundIntervention = RoundIntervention()
    closes_at: AwareDatetime | None = None
    """When the round stops taking responses (with a time zone, in the future); unset: when it
    is closed."""
    codes: Annotated[
        dict[RoundRole, Annotated[int, Field(ge=1, le=MAX_CODES_PER_ROLE)]],
        Field(
            # What pydantic validates, for the OpenAPI document (which leaves both out).
            json_schema_extra={
                "propertyNames": {"enum": list(get_args(RoundRole))},
                "additionalProperties": {
                    "type": "integer",
                    "minimum": 1,
                    "maximum": MAX_CODES_PER_ROLE,
                },
            }
        ),
    ] = {}
    """Personal invitation codes to issue, by role: one per respondent, who may replace their
    answers with it until the round closes."""
    shared_roles: Annotated[list[RoundRole], Field(json_schema_extra={"uniqueItems": True})] = []
    """Roles to issue one shared code for: anyone of the role answers with it, and gets a
    personal code of their own back."""

    @field_validator("shared_roles")
    @classmethod
    def _once_each(cls, roles: list[RoundRole]) -> list[RoundRole]:
        twice = sorted({role for role in roles if roles.count(role) > 1})
        if twice:
            raise ValueError(f"each role once; repeated: {', '.join(twice)}")
        return roles


class RoundOut(_Out):
    """A round: whose, about what, its state; never a respondent's answers."""

    id: str = Field(examples=["0661d600bd1760d6770d9ee11ca53976"])
    organisation_id: str = Field(examples=["se-0780-ifo"])
    organisation_name: str | None = Field(default=None, examples=["Växjö kommun, IFO"])
    region: str | None = Field(default=None, examples=["Region Kronoberg"])
    intervention: str = Field(examples=["Familjeorienterat arbetssätt"])
    """The intervention's name, else its model."""
    status: RoundStatus
    """`open` until closed; closing stores the combined assessment."""
    takes_responses: bool
    """Open and not past `closes_at`."""
    opened_at: datetime
    closes_at: datetime | None = None
    closed_at: datetime | None = None
    respondents: int
    """How many have answered (for a closed round: whose answers were combined)."""
    assessment_id: str | None = None
    """The stored assessment closing made (`GET /v1/assessments/{id}`)."""
    answers_deleted_at: datetime | None = None
    """When the respondents' own answers were deleted (on request or by retention); what the
    round combined to is kept."""


class InvitationCodeOut(_Out):
    """An invitation code, shown this once: only its hash is kept."""

    role: RoundRole
    kind: Literal["personal", "shared"]
    """`personal`: one respondent's; `shared`: anyone's of the role."""
    code: str = Field(examples=["Xq3vJ0o6aZ2d9Gm1Qe7kT4bR8sLw5nYc"])
    """Sent as `X-Round-Code` to `/v1/respond`."""


class RoundOpened(_Out):
    """A new round and its codes, each shown only here."""

    round: RoundOut
    codes: list[InvitationCodeOut]


class RoundPage(_Out):
    """One page of rounds, newest first."""

    items: list[RoundOut]
    next: str | None = None
    """The cursor of the next page (pass it as `cursor`), null on the last page."""
    next_url: str | None = None
    """The next page's URL, with every parameter of this one (the `Link` header's target)."""


class PrivacyGroupOut(_Out):
    """Roles shown together, with at least the minimum group of respondents among them."""

    roles: list[RoundRole]
    respondents: int


class InvitedRole(_Out):
    """The codes issued for one role."""

    role: RoundRole
    personal: int
    """Personal codes issued."""
    shared: bool
    """Whether a shared code was issued."""


class RoundResponses(_Out):
    """How many have answered, by privacy group: no role with fewer than `min_group` on its own."""

    round_id: str
    status: RoundStatus
    takes_responses: bool
    min_group: int
    """The fewest respondents a role (or group of roles) is shown with."""
    respondents: int
    """Everyone who answered."""
    groups: list[PrivacyGroupOut]
    suppressed: bool
    """Fewer respondents in the whole round than `min_group`: no group is shown."""
    invited: list[InvitedRole]
    """Codes issued, by role, in the rounds file's order."""


class CombinedAnswerOut(_Out):
    """The organisation's answer to one question, and what it rests on."""

    path: str = Field(examples=["leadership.support.tactical"])
    value: str
    answers: int
    """How many answers it was combined from (unknowns not counted)."""
    method: Literal["median", "cautious"]
    """`median`: the middle answer (the more cautious of two middle ones); `cautious`: the most
    cautious answer."""
    roles: list[RoundRole]
    """The roles whose answers counted, each small one widened to its privacy group."""
    fallback: bool
    """None of the roles that count answered, so every answer counted."""


class DisagreementEndOut(_Out):
    """One end of a disagreement: the value, and the privacy groups whose roles hold it."""

    value: str
    groups: list[list[RoundRole]]
    """Empty when the round is too small for any group."""


class DisagreementOut(_Out):
    """Roles two or more steps apart on one matter."""

    matter: str = Field(examples=["agreement.tactical_support"])
    """The `agreement.*` field set to `differ`."""
    indicator: str = Field(examples=["leadership.support.tactical"])
    """The question compared."""
    spread: int
    """Steps between the lowest and the highest role value."""
    low: DisagreementEndOut
    """The least ready view."""
    high: DisagreementEndOut
    """The most ready view."""


class CombinationOut(_Out):
    """How a round's answers became one assessment, as far as it may be shown."""

    respondents: int
    min_group: int
    groups: list[PrivacyGroupOut]
    suppressed: bool
    """Fewer respondents than `min_group`: no group is shown."""
    answers: list[CombinedAnswerOut]
    """One per question with at least one answer, in the assessment's order."""
    agreement: dict[str, Literal["agree", "differ", "unknown"]]
    """Per matter (`agreement.*`): whether the roles see it alike."""
    disagreements: list[DisagreementOut]


class RoundResult(_Out):
    """A round's combination and the result of its combined assessment.

    Disagreements between roles are findings of the result: gaps of kind `disagreement`, with
    their recommendations.
    """

    round_id: str
    status: RoundStatus
    assessment_id: str | None = None
    """The stored assessment of a closed round."""
    combination: CombinationOut
    result: AssessmentResult
    """The combined assessment evaluated by the serving rules, in the asked language (for an
    open round: what closing it now would give)."""


class RespondentForm(_Out):
    """What a respondent's code opens: whose round, their role, and the questions to answer."""

    organisation: str | None = Field(default=None, examples=["Växjö kommun, IFO"])
    """The organisation's name."""
    intervention: str = Field(examples=["Familjeorienterat arbetssätt"])
    role: RoundRole
    role_title: str
    """The role's name, in the chosen language."""
    language: Language
    closes_at: datetime | None = None
    form: Questionnaire
    """The questions of the role; answers are sent nested by their paths, as in an assessment."""


class ResponseReceipt(_Out):
    """A response taken; the answers themselves are never sent back."""

    role: RoundRole
    submitted_at: datetime
    replaced: bool
    """The answers given earlier with this code were replaced."""
    code: str | None = None
    """For answers given with a shared code: a personal code, shown this once, to replace them
    until the round closes."""
    closes_at: datetime | None = None
