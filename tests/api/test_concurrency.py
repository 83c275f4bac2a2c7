"""Concurrent requests never see each other's results: 500 assessments, 32 in flight."""

from __future__ import annotations

import random
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx

from engine import Engine
from engine.indicators import INDICATORS, nested
from schemas.assessment import AssessmentRequest
from schemas.vocabulary import Language


def generated(seed: int) -> dict[str, Any]:
    rng = random.Random(seed)
    values = {i.path: rng.choice(i.scale.values) for i in INDICATORS if rng.random() < 0.6}
    return nested(values)


def test_500_different_assessments_32_in_flight_match_lone_evaluation(
    client: httpx.Client, engine: Engine
) -> None:
    _check_concurrent(client, engine)


def test_the_compiled_backend_app_answers_what_the_durable_engine_answers(
    compiled_client: httpx.Client, engine: Engine
) -> None:
    # The engine here runs durable_rules; the app runs the compiled backend.
    assert engine.backend.name == "durable"
    ready = compiled_client.get("/ready").json()
    assert ready["engine"] == "compiled"
    assert ready["rules"] == len(engine.ruleset.rules)
    _check_concurrent(compiled_client, engine)


def _check_concurrent(client: httpx.Client, engine: Engine) -> None:
    bodies = [generated(seed) for seed in range(500)]
    languages: list[Language] = ["sv", "da", "en"]
    expected = [
        engine.assess(AssessmentRequest.model_validate(body), language=languages[i % 3]).model_dump(
            mode="json"
        )
        for i, body in enumerate(bodies)
    ]
    assert len({str(e["gaps"]) for e in expected}) > 400  # the assessments really differ

    def send(index: int) -> dict[str, Any]:
        response = client.post(f"/v1/assessments?lang={languages[index % 3]}", json=bodies[index])
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    with ThreadPoolExecutor(max_workers=32) as pool:
        answers = list(pool.map(send, range(len(bodies))))
    mismatched = [
        i for i, (got, want) in enumerate(zip(answers, expected, strict=True)) if got != want
    ]
    assert mismatched == []
