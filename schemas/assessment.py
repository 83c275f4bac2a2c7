"""The assessment request: one organisation's typed answers about one intervention."""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field
from pydantic_core import PydanticCustomError

from schemas.scales import (
    Agreement,
    Answer,
    Capacity,
    Category,
    Risk,
    RiskFlag,
    StepStatus,
)

__all__ = [
    "REGION_PATTERN",
    "AgreementSection",
    "AssessmentRequest",
    "Competence",
    "Context",
    "Culture",
    "Intervention",
    "InterventionKind",
    "InterventionModel",
    "Leadership",
    "LeadershipResources",
    "LeadershipSupport",
    "Organisation",
    "OrganisationSetup",
    "Process",
    "RegionName",
    "Risks",
    "ShortText",
    "Strengths",
    "Tovholder",
    "Venue",
]

INTERVENTION_KIND = Category("intervention_kind", ("method", "guideline", "law", "programme"))
INTERVENTION_MODEL = Category(
    "intervention_model",
    ("family_group_conference", "family_oriented_work", "early_support", "other"),
)
COUNTRY = Category("country", ("SE", "DK"))
ORGANISATION_SIZE = Category("organisation_size", ("small", "medium", "large"))
UNITS_INVOLVED = Category("units_involved", ("one", "several"))
"""How rules read `organisation.units_involved`: one unit or several (0 or none given: unknown)."""

ShortText = Annotated[str, Field(min_length=1, max_length=200)]


_CONTROL = r"\x00-\x1f\x7f-\x9f"
REGION_PATTERN = rf"^[^\s{_CONTROL}](?:[^{_CONTROL}]*[^\s{_CONTROL}])?$"
"""What a region may be, as the OpenAPI document states it: no white space at its start or end,
no control character anywhere (the whole text must match)."""
_REGION = re.compile(REGION_PATTERN)


def _region_name(value: str) -> str:
    """Refuse a region that would be kept apart from the same region written without extras.

    Key bindings, summaries and exports match a region exactly, so `"Skåne "` would start a
    region of its own that the dashboard of Skåne never shows. `REGION_PATTERN` decides; the
    message says which part of it the value missed.
    """
    if _REGION.fullmatch(value):
        return value
    if not value.strip():
        message = "a region is a name, not blank"
    elif value != value.strip():
        message = "a region has no spaces or line breaks at its start or end: send it without them"
    else:
        message = "a region holds no tabs, line breaks or other control characters"
    raise PydanticCustomError("string_pattern_mismatch", message)


RegionName = Annotated[
    str,
    Field(min_length=1, max_length=100, json_schema_extra={"pattern": REGION_PATTERN}),
    AfterValidator(_region_name),
]
"""A region's name, matched exactly wherever it is used: without spaces at its start or end and
without control characters."""
InterventionKind = Annotated[
    Literal["method", "guideline", "law", "programme", "unknown"], INTERVENTION_KIND
]
"""What kind of intervention it is (a case descriptor, not scored)."""
InterventionModel = Annotated[
    Literal["family_group_conference", "family_oriented_work", "early_support", "other", "unknown"],
    INTERVENTION_MODEL,
]
"""Which known model an intervention follows (a case descriptor, not scored)."""
Identifier = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._:-]+$")]


class _Section(BaseModel):
    """Base of every section: unknown fields are rejected, values are immutable once validated."""

    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)


class Organisation(_Section):
    """Who is assessed. Describes the case; not scored."""

    id: Identifier | None = None
    """The organisation's stable identifier in the calling system."""
    name: ShortText | None = None
    """Display name, e.g. the municipality and unit."""
    country: Annotated[Literal["SE", "DK", "unknown"] | None, COUNTRY] = None
    """Country code: Sweden or Denmark. Rules and texts that differ by country (support
    structures, agreements) follow it; left out, only what holds in both countries is said."""
    region: RegionName | None = None
    """The region or regional support structure (RSS) the organisation belongs to, written as
    every assessment of the region writes it (regions are compared exactly: `Skåne`, not `skåne`
    or `Skåne `)."""
    size: Annotated[Literal["small", "medium", "large", "unknown"], ORGANISATION_SIZE] = "unknown"
    """Size of the organisation."""
    units_involved: Annotated[Annotated[int, Field(ge=0, le=1000)] | None, UNITS_INVOLVED] = None
    """How many units take part in the implementation. Rules read it as one unit or several:
    what concerns units working apart applies only when several take part."""


class Intervention(_Section):
    """The method, guideline or way of working being implemented."""

    name: ShortText | None = None
    """Name of the intervention."""
    kind: InterventionKind = "unknown"
    """What kind of intervention it is."""
    model: InterventionModel = "unknown"
    """Which known model it follows; rules specific to a model apply only when it is named here."""
    purpose_described: Answer = "unknown"
    """The purpose of the intervention is written down."""
    target_group_described: Answer = "unknown"
    """The target group is described."""
    need_documented: Answer = "unknown"
    """A local inventory documents the need the intervention should meet."""
    gains_described: Answer = "unknown"
    """The expected gains (professional, organisational, for citizens) are described."""
    theory_of_change: Answer = "unknown"
    """A theory of change links the activities to the expected outcomes."""
    preventive_focus: Answer = "unknown"
    """The intervention reaches people early, before problems grow."""
    core_defined: Answer = "unknown"
    """What must not change in the method (its core; for family group conferences, its
    cornerstones) is described, and whether it is kept is followed up."""


class LeadershipSupport(_Section):
    """Support for the implementation at each level of leadership."""

    strategic: Answer = "unknown"
    """Top management (director level) backs the implementation and can move resources."""
    tactical: Answer = "unknown"
    """Heads of service (e.g. head of family services) back it and prioritise it."""
    operational: Answer = "unknown"
    """Team leaders and those who lead the work locally back it and turn it into daily practice."""


class LeadershipResources(_Section):
    """Resources set aside for the implementation period."""

    training_time: Answer = "unknown"
    """Time for staff to attend training in the method."""
    startup_time: Answer = "unknown"
    """Time for staff to use the method in the start-up phase."""
    tovholder_time: Answer = "unknown"
    """Time for the tovholder to support colleagues."""
    leader_training: Answer = "unknown"
    """Training for the leaders who will own the method."""
    management_time: Answer = "unknown"
    """Management time for follow-up."""
    catering: Answer = "unknown"
    """Budget for catering at meetings (family group conferences)."""


class Leadership(_Section):
    """Leadership: support at three levels, responsibility, team, information and resources."""

    support: LeadershipSupport = LeadershipSupport()
    """Support at strategic, tactical and operational level."""
    responsibility_placed: Answer = "unknown"
    """Management responsibility and decision rights for the implementation are placed."""
    implementation_team: Answer = "unknown"
    """An implementation team with a mandate to decide has been set up."""
    management_information: Answer = "unknown"
    """A procedure keeps management informed about progress."""
    resources: LeadershipResources = LeadershipResources()
    """Resources set aside for the implementation period."""


class Tovholder(_Section):
    """The tovholder: the staff member who drives the method day to day."""

    appointed: Answer = "unknown"
    """A tovholder has been appointed."""
    time_allocated: Answer = "unknown"
    """The tovholder has time allocated for the role."""


class Competence(_Section):
    """Competence: training, support and the staff who will use the method."""

    tovholder: Tovholder = Tovholder()
    """The tovholder."""
    professions_decided: Answer = "unknown"
    """It is decided which professions are trained."""
    training_available: Answer = "unknown"
    """Training in the method is available to those who will use it."""
    supervision: Answer = "unknown"
    """Supervision is available to those who use the method."""
    technical_support: Answer = "unknown"
    """Those using the intervention get expert implementation support (technical assistance:
    consultation or coaching from its owner or a regional or national support body)."""
    working_hours_arranged: Answer = "unknown"
    """Working hours are arranged for the method (e.g. evening meetings)."""
    staff_selection: Answer = "unknown"
    """It is decided, on a profile of what the method needs, which staff will work with it."""
    peer_learning: Answer = "unknown"
    """Staff learn the method beside an experienced colleague (a coach), with the roles clear."""
    staff_competence: Capacity = "unknown"
    """The professional competence of the staff who will use the method."""
    staff_motivation: Capacity = "unknown"
    """How motivated the staff are to use the method."""
    caseload: Risk = "unknown"
    """How heavily other tasks load the staff who will use the method."""


class Venue(_Section):
    """Rooms for the method."""

    available: Answer = "unknown"
    """A suitable room is available."""
    neutral: Answer = "unknown"
    """The room is on neutral ground: not in the town hall, the social services offices or anywhere
    the family has other meetings."""
    evening_access: Answer = "unknown"
    """The room can be used in the evening."""


class OrganisationSetup(_Section):
    """How the organisation is set up for the method."""

    case_types_decided: Answer = "unknown"
    """It is decided in which types of cases the method is used."""
    unit_collaboration: Answer = "unknown"
    """Collaboration with the other units concerned is in place."""
    venue: Venue = Venue()
    """Rooms for the method."""
    coordinators: Answer = "unknown"
    """It is decided how coordinators are recruited."""
    informants: Answer = "unknown"
    """It is decided on what terms informants take part."""
    child_support: Answer = "unknown"
    """A procedure prepares and supports children and young people taking part."""
    evaluation_procedure: Answer = "unknown"
    """A procedure evaluates each use of the method."""
    results_procedure: Answer = "unknown"
    """A procedure collects the results of the intervention."""
    units_co_located: Answer = "unknown"
    """The units involved work in the same place and administration."""
    structure_fit: Answer = "unknown"
    """The organisation structure and the interfaces between administrations suit the method."""
    decision_rights: Answer = "unknown"
    """Staff have the decision rights the method needs without going past a manager each time."""
    procedures_written: Answer = "unknown"
    """The ways of working the method needs are written down."""
    specialisation: Risk = "unknown"
    """How specialised the staff's tasks are; high specialisation means many hand-overs."""
    incentives_support: Answer = "unknown"
    """Incentives encourage staff to work as the method intends."""
    documentation_fits: Answer = "unknown"
    """Documentation routines and templates support the method (e.g. the family perspective)."""
    assessment_and_services_aligned: Answer = "unknown"
    """Investigation and the services that follow are in step with each other across units."""
    digital_tools: Answer = "unknown"
    """Digital tools support the way of working."""


class Culture(_Section):
    """The interpersonal level: collaboration, culture, values."""

    collaboration_communication: Answer = "unknown"
    """Staff collaborate and communicate well."""
    culture_supports_change: Answer = "unknown"
    """Habits and attitudes support rather than hinder the change."""
    values_aligned: Answer = "unknown"
    """The staff group's values and norms fit the intervention."""
    staff_believe: Answer = "unknown"
    """Staff believe the intervention will help."""
    sense_of_urgency: Answer = "unknown"
    """Managers and staff share a sense of why the change is needed now (a burning platform)."""
    person_centred: Answer = "unknown"
    """Work starts from what matters to the person, who takes part in shaping the support."""
    trust_based_leadership: Answer = "unknown"
    """Leadership and governance build on trust in staff and on knowledge."""


class Context(_Section):
    """The infrastructural level: what lies outside the organisation."""

    cross_sector_collaboration: Answer = "unknown"
    """Collaboration across sectors (health, school, region) works."""
    inter_municipal_collaboration: Answer = "unknown"
    """The organisation collaborates with other municipalities or the region on the intervention."""
    political_attention: Capacity = "unknown"
    """Political attention to the area."""
    cost_pressure: Risk = "unknown"
    """How far the intervention is judged to drive costs for the municipality: the Danish
    framework's question whether it is cost-driving ('udgiftsdrivende'), as the questionnaire asks
    it. A tight budget weighs in here as far as it makes the intervention's costs a burden."""
    discourse_fit: Answer = "unknown"
    """The intervention fits the prevailing agenda in the field."""
    civil_society_partners: Answer = "unknown"
    """Civil-society partners take part."""
    geography_barriers: Risk = "unknown"
    """How much distances and geography hinder the work."""


class Process(_Section):
    """The fourteen implementation steps and the process questions."""

    step_1: StepStatus = "unknown"
    """Step 1: the needs are known and the method can meet them."""
    step_2: StepStatus = "unknown"
    """Step 2: the method fits the organisation, its needs and values."""
    step_3: StepStatus = "unknown"
    """Step 3: the organisation is ready for the method and for change."""
    step_4: StepStatus = "unknown"
    """Step 4: adaptation of the method to the organisation is decided."""
    step_5: StepStatus = "unknown"
    """Step 5: decision makers, managers and practitioners genuinely support the method."""
    step_6: StepStatus = "unknown"
    """Step 6: needs for infrastructure, motivation and knowledge are assessed."""
    step_7: StepStatus = "unknown"
    """Step 7: those who will carry out the implementation are identified and supported."""
    step_8: StepStatus = "unknown"
    """Step 8: enough training can be offered."""
    step_9: StepStatus = "unknown"
    """Step 9: responsible people and support persons are appointed, roles specified."""
    step_10: StepStatus = "unknown"
    """Step 10: an implementation plan with tasks and timeline exists."""
    step_11: StepStatus = "unknown"
    """Step 11: supervision and technical support are offered."""
    step_12: StepStatus = "unknown"
    """Step 12: the process is evaluated, strengths and weaknesses."""
    step_13: StepStatus = "unknown"
    """Step 13: everyone involved gets feedback."""
    step_14: StepStatus = "unknown"
    """Step 14: lessons are drawn for future implementations."""
    readiness_analysis: Answer = "unknown"
    """A readiness analysis has been carried out."""
    implementation_plan: Answer = "unknown"
    """An implementation plan exists."""
    monitoring: Answer = "unknown"
    """Implementation and outcomes are monitored."""
    network_municipalities: Answer = "unknown"
    """The organisation works in a network with other municipalities."""
    time_horizon: Answer = "unknown"
    """The plan gives the implementation at least a year and expects full use to take years."""
    ordinary_operation: Answer = "unknown"
    """It is planned how the method moves from project to ordinary operation (budget, routines,
    managers' responsibility)."""
    used_as_intended: Answer = "unknown"
    """Where the method is in use (unanswered before the start): more than half of the
    professionals who should use it use it as intended (`yes`); some do, but not more than half
    (`partly`); hardly anyone (`no`). An estimate will do where nobody has counted: rules read an
    answer here as the method being in use, and weigh its follow-up accordingly."""


class Risks(_Section):
    """Risks to the implementation."""

    staff_turnover: Risk = "unknown"
    """Staff turnover."""
    workload: Risk = "unknown"
    """Workload of the staff."""
    concurrent_projects: Risk = "unknown"
    """How many other projects and changes compete for attention."""
    change_fatigue: Risk = "unknown"
    """Fatigue from earlier changes."""
    manager_changes: RiskFlag = "unknown"
    """Managers concerned have changed recently."""
    reorganisation: RiskFlag = "unknown"
    """A reorganisation is under way."""
    lack_of_time: Risk = "unknown"
    """How much lack of time hinders the work."""
    unclear_communication: RiskFlag = "unknown"
    """How the change is meant to work has been communicated unclearly."""


class Strengths(_Section):
    """Strengths the implementation can build on."""

    pilot_cases: Answer = "unknown"
    """Pilot cases are used to start."""
    intake_function: Answer = "unknown"
    """The units have an intake function."""
    good_change_experience: Answer = "unknown"
    """The organisation has good experience of earlier changes."""
    municipal_exchange: Answer = "unknown"
    """Experience is exchanged with other municipalities."""
    regular_meetings: Answer = "unknown"
    """Those involved meet regularly."""
    pdsa_tests: Answer = "unknown"
    """Small-scale tests in plan-do-study-act cycles are used."""
    target_group_inventory: Answer = "unknown"
    """The target group has been inventoried."""
    user_involvement: Answer = "unknown"
    """Users are involved (surveys, dialogue)."""
    rss_support: Answer = "unknown"
    """Support from the regional support structure (RSS) or national bodies is used."""
    project_staff_mandate: Answer = "unknown"
    """Project staff have a clear mandate."""
    leaders_take_part: Answer = "unknown"
    """Leaders take an active part."""


class AgreementSection(_Section):
    """Whether the roles who answered an assessment round see each matter alike.

    A round's combining sets these (`engine.rounds`, `rules/rounds.yaml`): `differ` when two roles
    are two or more steps apart on the matter, `agree` when no two are, `unknown` when fewer than
    two roles answered it. A caller who ran its own survey or workshop may set them too. Not
    scored: a disagreement is a finding of its own, matched by the rules under
    `rules/logic/disagreements/`.
    """

    strategic_support: Agreement = "unknown"
    """The roles see the strategic leadership's support differently."""
    tactical_support: Agreement = "unknown"
    """The roles see the tactical leadership's (head of service's) support differently."""
    operational_support: Agreement = "unknown"
    """The roles see the operational leadership's (team leaders') support differently."""
    time: Agreement = "unknown"
    """The roles see differently how much lack of time hinders the work."""
    training: Agreement = "unknown"
    """The roles see differently whether training in the method is available."""
    staff_motivation: Agreement = "unknown"
    """The roles see the staff's motivation differently."""
    communication: Agreement = "unknown"
    """The roles see differently whether how it is meant to work has been made clear."""
    sense_of_urgency: Agreement = "unknown"
    """The roles see differently whether the need for change is felt."""


class AssessmentRequest(BaseModel):
    """One organisation's answers about one intervention at one time.

    Every indicator is optional and defaults to `unknown`; unknown fields are rejected so that a
    typo in an integration never silently becomes `unknown`.
    """

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        use_attribute_docstrings=True,
        json_schema_extra={
            "examples": [
                {
                    "organisation": {"id": "0180-ifo", "country": "SE", "region": "Stockholm"},
                    "intervention": {"name": "Familjeorienterat arbetssätt", "kind": "method"},
                    "leadership": {"support": {"tactical": "no"}},
                    "competence": {"tovholder": {"appointed": "no"}},
                    "organisation_setup": {"venue": {"available": "no"}},
                }
            ]
        },
    )

    organisation: Organisation = Organisation()
    """Who is assessed."""
    intervention: Intervention = Intervention()
    """The intervention being implemented."""
    leadership: Leadership = Leadership()
    """Leadership support, responsibility and resources."""
    competence: Competence = Competence()
    """Training, the tovholder and the staff."""
    organisation_setup: OrganisationSetup = OrganisationSetup()
    """How the organisation is set up for the method."""
    culture: Culture = Culture()
    """Collaboration, culture, values and norms."""
    context: Context = Context()
    """The world outside the organisation."""
    process: Process = Process()
    """The fourteen steps and the process questions."""
    risks: Risks = Risks()
    """Risks to the implementation."""
    strengths: Strengths = Strengths()
    """Strengths to build on."""
    agreement: AgreementSection = AgreementSection()
    """Whether the roles of an assessment round see each matter alike (set by combining)."""
