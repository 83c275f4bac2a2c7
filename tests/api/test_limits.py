"""Body limits: one assessment up to READINESS_MAX_BODY_BYTES, a batch up to its own, larger limit."""

from __future__ import annotations

import json

import httpx

JSON = {"content-type": "application/json"}


def _padded(payload: object, size: int) -> bytes:
    """`payload` as JSON, padded with insignificant whitespace to `size` bytes."""
    body = json.dumps(payload).encode()
    return body[:-1] + b" " * (size - len(body)) + body[-1:]


def test_a_batch_may_be_larger_than_one_assessment(client: httpx.Client) -> None:
    two_mib = 2 * 1024 * 1024
    batch = _padded({"assessments": [{}, {"leadership": {"support": {"tactical": "no"}}}]}, two_mib)
    response = client.post("/v1/assessments/batch", content=batch, headers=JSON)
    assert response.status_code == 200, response.text
    assert response.json()["succeeded"] == 2
    single = _padded({"leadership": {"support": {"tactical": "no"}}}, two_mib)
    response = client.post("/v1/assessments", content=single, headers=JSON)
    assert response.status_code == 413
    assert response.json()["code"] == "body-too-large"


def test_a_batch_over_its_limit_is_refused(client: httpx.Client) -> None:
    batch = _padded({"assessments": [{}]}, 8 * 1024 * 1024 + 1)
    response = client.post("/v1/assessments/batch", content=batch, headers=JSON)
    assert response.status_code == 413
    assert response.json()["code"] == "body-too-large"
    assert client.get("/health").status_code == 200
