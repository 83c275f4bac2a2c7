"""CORS: off unless origins are listed; then only the listed origins get the CORS headers."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.api.conftest import in_process
from tests.security.conftest import Keyed

ALLOWED = "https://dashboard.example.org"
ALSO_ALLOWED = "http://localhost:5173"
OTHER = "https://evil.example.net"


def _preflight(client: httpx.Client, origin: str) -> httpx.Response:
    return client.options(
        "/v1/assessments",
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type, authorization",
        },
    )


@pytest.fixture(scope="module")
def cors_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[httpx.Client]:
    tmp = tmp_path_factory.mktemp("security-cors")
    with in_process(tmp, cors_origins=f"{ALLOWED}, {ALSO_ALLOWED}") as client:
        yield client


def test_without_the_setting_no_cors_header_is_sent(
    plain: Keyed, plain_client: httpx.Client
) -> None:
    del plain
    for origin in (ALLOWED, OTHER):
        answers = [
            plain_client.get("/v1/rules", headers={"Origin": origin}),
            plain_client.get("/health", headers={"Origin": origin}),
            plain_client.get("/v1/nothing-here", headers={"Origin": origin}),
            _preflight(plain_client, origin),
        ]
        for answer in answers:
            assert answer.status_code < 500
            cors = [name for name in answer.headers if name.lower().startswith("access-control-")]
            assert cors == [], (answer.request.method, answer.request.url, cors)


def test_listed_origins_get_cors_headers_and_others_do_not(cors_client: httpx.Client) -> None:
    for origin in (ALLOWED, ALSO_ALLOWED):
        simple = cors_client.get("/v1/rules", headers={"Origin": origin})
        assert simple.status_code == 200
        assert simple.headers["access-control-allow-origin"] == origin
        exposed = simple.headers["access-control-expose-headers"].lower()
        # What a dashboard in a browser reads: the request id, the next page or the rest of an
        # export, whether an export was cut short, and its file name.
        for header in ("x-request-id", "link", "x-export-truncated", "content-disposition"):
            assert header in exposed, header
        assert "access-control-allow-credentials" not in simple.headers
        preflight = _preflight(cors_client, origin)
        assert preflight.status_code in (200, 204)
        assert preflight.headers["access-control-allow-origin"] == origin
        assert "POST" in preflight.headers["access-control-allow-methods"]
        allowed_headers = preflight.headers["access-control-allow-headers"].lower()
        assert "authorization" in allowed_headers and "content-type" in allowed_headers
    simple = cors_client.get("/v1/rules", headers={"Origin": OTHER})
    assert simple.status_code == 200
    assert "access-control-allow-origin" not in simple.headers
    preflight = _preflight(cors_client, OTHER)
    assert preflight.headers.get("access-control-allow-origin") in (None, "")
    assert preflight.status_code < 500
