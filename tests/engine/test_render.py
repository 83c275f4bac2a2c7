"""The JSON assembled from fragments is exactly what the result model would serialise."""

from __future__ import annotations

import random
from typing import Any

import pytest

from engine import Engine
from engine.indicators import INDICATORS, nested, values_of
from engine.runtime.render import _ids, _safe
from schemas.assessment import AssessmentRequest
from schemas.result import AssessmentResult, Escalation, Gap
from schemas.vocabulary import Language
from tests.conftest import worst_request


def _assessment(seed: int) -> dict[str, Any]:
    rng = random.Random(seed)
    values = {}
    for indicator in INDICATORS:
        roll = rng.random()
        if roll < 0.25:
            continue
        scale = indicator.scale
        values[indicator.path] = (
            scale.worst if scale.scored and roll < 0.5 else rng.choice(scale.values)
        )
    return nested(values)


@pytest.mark.parametrize("language", ["sv", "da", "en"])
def test_the_rendered_json_is_the_models_own_serialisation(
    engine: Engine, language: Language
) -> None:
    requests = [AssessmentRequest.model_validate(_assessment(seed)) for seed in range(150)]
    requests += [AssessmentRequest(), worst_request()]
    for number, request in enumerate(requests):
        rendered = engine.assess_json(request, language=language, explain=number % 2 == 0)
        model = AssessmentResult.model_validate_json(rendered)
        assert model.model_dump_json().encode() == rendered
        assert model.language == language


def test_texts_outside_latin_1_stay_intact(engine: Engine) -> None:
    # Swedish and Danish letters, and dashes, are written as UTF-8, not as escapes.
    rendered = engine.assess_json(worst_request(), language="da")
    text = rendered.decode("utf-8")
    assert any(letter in text for letter in "æøå")
    assert "\\u00" not in text


def test_only_json_safe_ids_are_joined_by_hand() -> None:
    assert _ids(["a/b-c", "d_e"]) == b'["a/b-c","d_e"]'
    assert _ids([]) == b"[]"
    with pytest.raises(ValueError, match="escaping"):
        _safe('bad"id')
    with pytest.raises(ValueError, match="escaping"):
        _safe("tab\there")


@pytest.mark.parametrize("language", ["sv", "da", "en"])
def test_a_judgement_is_given_in_the_results_language(engine: Engine, language: Language) -> None:
    # The reason for a severity no source weighs is a text the municipality reads, like a title:
    # a Swedish result gives it in Swedish, in the JSON and in the typed result alike.
    requests = [AssessmentRequest.model_validate(_assessment(seed)) for seed in range(60)]
    requests.append(worst_request())
    judged = 0
    for request in requests:
        values = values_of(request)
        rendered = AssessmentResult.model_validate_json(
            engine.assess_json(request, language=language)
        )
        typed = engine.assess(request, language=language)
        assert rendered == typed
        findings: list[Gap | Escalation] = [*rendered.gaps, *rendered.escalations]
        for finding in findings:
            basis = engine.ruleset.by_id[finding.id].basis_for(values)
            assert basis is not None
            if basis.judgement is None:
                assert finding.severity_basis.judgement is None
                continue
            judged += 1
            assert finding.severity_basis.judgement == basis.judgement.in_(language)
            if language != "en":
                assert finding.severity_basis.judgement != basis.judgement.en
    assert judged > 100  # the requests reach many judgements, in contexts too
