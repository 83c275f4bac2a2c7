from __future__ import annotations

import json

import pytest
from pydantic import ValidationError

from schemas.assessment import AssessmentRequest
from schemas.result import AssessmentResult


def errors_of(data: object) -> list[dict[str, object]]:
    with pytest.raises(ValidationError) as caught:
        AssessmentRequest.model_validate(data)
    return [dict(e) for e in caught.value.errors()]


def test_an_empty_assessment_is_valid_and_every_indicator_is_unknown() -> None:
    request = AssessmentRequest.model_validate({})
    assert request.leadership.support.tactical == "unknown"
    assert request.competence.tovholder.appointed == "unknown"
    assert request.organisation_setup.venue.available == "unknown"
    assert request.process.step_14 == "unknown"
    assert request.organisation.id is None


def test_the_three_design_examples_validate() -> None:
    request = AssessmentRequest.model_validate(
        {
            "leadership": {"support": {"tactical": "no"}},
            "competence": {"tovholder": {"appointed": "no"}},
            "organisation_setup": {"venue": {"available": "no"}},
        }
    )
    assert request.leadership.support.tactical == "no"


@pytest.mark.parametrize(
    ("data", "loc"),
    [
        ({"leadership": {"support": {"tactical": "maybe"}}}, ("leadership", "support", "tactical")),
        ({"risks": {"staff_turnover": "yes"}}, ("risks", "staff_turnover")),
        ({"process": {"step_3": "yes"}}, ("process", "step_3")),
        ({"organisation": {"country": "NO"}}, ("organisation", "country")),
        (
            {"competence": {"tovholder": {"appointed": True}}},
            ("competence", "tovholder", "appointed"),
        ),
    ],
)
def test_a_value_off_the_scale_is_rejected_at_its_path(data: object, loc: tuple[str, ...]) -> None:
    errors = errors_of(data)
    assert [e["loc"] for e in errors] == [loc]
    assert errors[0]["type"] == "literal_error"


@pytest.mark.parametrize(
    ("data", "loc"),
    [
        ({"leadership": {"suport": {}}}, ("leadership", "suport")),
        (
            {"competence": {"tovholder": {"apointed": "no"}}},
            ("competence", "tovholder", "apointed"),
        ),
        ({"extra_section": {}}, ("extra_section",)),
    ],
)
def test_an_unknown_field_is_rejected_not_ignored(data: object, loc: tuple[str, ...]) -> None:
    errors = errors_of(data)
    assert [(e["loc"], e["type"]) for e in errors] == [(loc, "extra_forbidden")]


@pytest.mark.parametrize(
    ("data", "error_type"),
    [
        ({"organisation": {"name": "x" * 201}}, "string_too_long"),
        ({"organisation": {"name": ""}}, "string_too_short"),
        ({"organisation": {"region": "r" * 101}}, "string_too_long"),
        ({"organisation": {"id": "has space"}}, "string_pattern_mismatch"),
        ({"organisation": {"units_involved": -1}}, "greater_than_equal"),
        ({"organisation": {"units_involved": 1001}}, "less_than_equal"),
    ],
)
def test_strings_and_numbers_are_bounded(data: object, error_type: str) -> None:
    assert [e["type"] for e in errors_of(data)] == [error_type]


@pytest.mark.parametrize(
    ("region", "said"),
    [
        ("Skåne ", "no spaces or line breaks at its start or end"),
        (" Region Kronoberg", "no spaces or line breaks at its start or end"),
        ("Skåne\n", "no spaces or line breaks at its start or end"),
        ("Region\tKronoberg", "no tabs, line breaks or other control characters"),
        ("Region\u0000Kronoberg", "no tabs, line breaks or other control characters"),
        ("   ", "not blank"),
    ],
)
def test_a_region_is_refused_where_it_would_start_a_region_of_its_own(
    region: str, said: str
) -> None:
    # Key bindings, summaries and exports match regions exactly: "Skåne " is not Skåne.
    errors = errors_of({"organisation": {"region": region}})
    assert [(e["loc"], e["type"]) for e in errors] == [
        (("organisation", "region"), "string_pattern_mismatch")
    ]
    assert said in str(errors[0]["msg"])


def test_a_round_and_a_move_refuse_such_a_region_too() -> None:
    from schemas.regions import OrganisationRegion
    from schemas.rounds import ROUND_EXAMPLE, RoundRequest

    opened = {**ROUND_EXAMPLE, "organisation": {"id": "se-0780-ifo", "region": "Kronoberg "}}
    with pytest.raises(ValidationError) as round_refused:
        RoundRequest.model_validate(opened)
    with pytest.raises(ValidationError) as move_refused:
        OrganisationRegion.model_validate({"region": "Kronoberg "})
    for caught, loc in ((round_refused, ("organisation", "region")), (move_refused, ("region",))):
        assert [(e["loc"], e["type"]) for e in caught.value.errors()] == [
            (loc, "string_pattern_mismatch")
        ]


@pytest.mark.parametrize(
    "region", ["Skåne", "Region Kronoberg", "Västra Götalandsregionen", "Syddanmark"]
)
def test_a_region_written_plainly_is_taken_as_it_is(region: str) -> None:
    request = AssessmentRequest.model_validate({"organisation": {"region": region}})
    assert request.organisation.region == region


def test_an_assessment_is_immutable_once_validated() -> None:
    request = AssessmentRequest.model_validate({})
    with pytest.raises(ValidationError):
        request.leadership.support.tactical = "yes"


def test_both_contracts_export_json_schema_with_closed_scales() -> None:
    request_schema = AssessmentRequest.model_json_schema()
    support = request_schema["$defs"]["LeadershipSupport"]["properties"]["tactical"]
    assert support["enum"] == ["yes", "partly", "no", "unknown"]
    assert support["default"] == "unknown"
    assert request_schema["additionalProperties"] is False
    result_schema = AssessmentResult.model_json_schema(mode="serialization")
    assert {"readiness", "gaps", "recommendations", "ruleset"} <= set(result_schema["properties"])
    assert "sources" in result_schema["$defs"]["Recommendation"]["properties"]
    json.dumps(result_schema)
