"""The small HTTP surface of this version: health and one assessment endpoint."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from api import Settings, create_app


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient[Litestar]]:
    with TestClient(app=create_app(Settings())) as test_client:
        yield test_client


def test_health(client: TestClient[Litestar]) -> None:
    assert client.get("/health").json() == {"status": "ok"}


def test_assess_returns_the_ranked_result(client: TestClient[Litestar]) -> None:
    response = client.post(
        "/v1/assessments?lang=da",
        json={"competence": {"tovholder": {"appointed": "no"}}},
    )
    assert response.status_code == 200
    body = response.json()
    assert body["language"] == "da"
    assert body["recommendations"][0]["id"] == "appoint-tovholder"
    assert body["recommendations"][0]["title"] == "Udpeg en tovholder og afsæt tid"


def test_an_unknown_field_is_a_client_error(client: TestClient[Litestar]) -> None:
    response = client.post("/v1/assessments", json={"leadership": {"suport": {}}})
    assert response.status_code == 400
