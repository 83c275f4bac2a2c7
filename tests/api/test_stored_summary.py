"""What is stored beside a result comes from the outcome, and equals what the result shows."""

from __future__ import annotations

import random
from typing import Literal

import pytest

from api.assessments import stored_summary
from engine import INDICATORS, Engine
from engine.indicators import nested
from schemas.assessment import AssessmentRequest
from schemas.result import AssessmentResult
from schemas.vocabulary import Language
from tests.conftest import worst_request
from tests.store.stored import summary_of

LANGUAGES: tuple[Language, ...] = ("sv", "da", "en")


def _assessments() -> list[AssessmentRequest]:
    chance = random.Random(11)
    found = [AssessmentRequest(), worst_request()]
    for _ in range(80):
        values = {i.path: chance.choice(i.scale.values) for i in INDICATORS}
        found.append(AssessmentRequest.model_validate(nested(values)))
    return found


def test_the_stored_columns_from_the_outcome_are_those_of_the_result(engine: Engine) -> None:
    for number, request in enumerate(_assessments()):
        outcome = engine.evaluate(request)
        language = LANGUAGES[number % 3]
        result = AssessmentResult.model_validate_json(
            engine.result_json(outcome, language=language)
        )
        assert stored_summary(outcome, engine.ruleset, language) == summary_of(result)


def test_the_stored_columns_are_taken_without_parsing_the_result(
    engine: Engine, no_parsing_back: None
) -> None:
    summary = stored_summary(engine.evaluate(worst_request()), engine.ruleset, "sv")
    assert summary.gap_count > 0 and summary.blocking_gap_count > 0
    assert {kind for kind, _ in summary.findings} >= {"gap", "obstacle", "missing_factor"}


@pytest.mark.parametrize("country", ["SE", "DK"])
def test_the_first_recommendation_is_kept_by_the_title_its_country_reads(
    engine: Engine, country: Literal["SE", "DK"]
) -> None:
    # contact-regional-support has a title of its own in each country (the regional support
    # structure in Sweden; national support and networks in Denmark, which has none).
    ready = {i.path: i.scale.best for i in INDICATORS if i.scale.scored}
    ready |= {"strengths.rss_support": "no", "organisation.country": country}
    outcome = engine.evaluate(AssessmentRequest.model_validate(nested(ready)))
    assert [p.id for p in outcome.recommendations] == ["contact-regional-support"]
    entry = engine.ruleset.recommendations["contact-regional-support"]
    for language in LANGUAGES:
        summary = stored_summary(outcome, engine.ruleset, language)
        title = entry.by_country[country].title
        assert title is not None and summary.top_recommendation_title == title.in_(language)
        result = AssessmentResult.model_validate_json(
            engine.result_json(outcome, language=language)
        )
        assert summary == summary_of(result)
