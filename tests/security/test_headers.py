"""Security headers on every response; no-store on results; a strict CSP on the HTML pages."""

from __future__ import annotations

import base64
import hashlib
import re

import httpx

from tests.security.conftest import EXAMPLE, Keyed, bearer

_API_POLICY = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"


def _assert_basic(response: httpx.Response) -> None:
    where = f"{response.request.method} {response.request.url} -> {response.status_code}"
    assert response.headers.get("x-content-type-options") == "nosniff", where
    assert response.headers.get("referrer-policy") == "no-referrer", where
    assert response.headers.get("x-frame-options") == "DENY", where
    assert "frame-ancestors 'none'" in response.headers.get("content-security-policy", ""), where
    for name in ("x-content-type-options", "content-security-policy", "x-frame-options"):
        assert len(response.headers.get_list(name)) == 1, (where, name)


def test_every_kind_of_response_carries_the_headers(
    plain: Keyed, plain_client: httpx.Client
) -> None:
    admin = bearer(plain.keys["admin"])
    answers = [
        plain_client.get("/health"),
        plain_client.get("/v1/rules"),
        plain_client.get("/schema/openapi.json"),
        plain_client.post("/v1/assessments", json=EXAMPLE),
        plain_client.post("/v1/assessments", json={"nope": 1}),
        plain_client.post(
            "/v1/assessments", content=b"{", headers={"Content-Type": "application/json"}
        ),
        plain_client.get("/v1/assessments"),
        plain_client.get("/v1/assessments?format=csv", headers=admin),
        plain_client.get("/nothing-here"),
        plain_client.delete("/v1/rules"),
    ]
    for answer in answers:
        _assert_basic(answer)
        if "html" not in answer.headers["content-type"]:
            assert answer.headers["content-security-policy"] == _API_POLICY


def test_results_and_stored_data_are_not_cached(plain: Keyed, plain_client: httpx.Client) -> None:
    assessed = plain_client.post("/v1/assessments", json=EXAMPLE)
    batch = plain_client.post("/v1/assessments/batch", json={"assessments": [EXAMPLE]})
    stored = plain_client.post(
        "/v1/assessments?store=true", json=EXAMPLE, headers=bearer(plain.keys["assess"])
    )
    assert (assessed.status_code, batch.status_code, stored.status_code) == (200, 200, 201)
    again = plain_client.post(
        "/v1/assessments?store=true", json=EXAMPLE, headers=bearer(plain.keys["assess"])
    )
    assert again.status_code == 201
    read = bearer(plain.keys["read"])
    location = again.headers["location"]
    answers = [
        assessed,
        batch,
        stored,
        plain_client.get(location, headers=read),
        plain_client.get(f"{location}/result", headers=read),
        plain_client.get(f"{location}/delta", headers=read),
        plain_client.get("/v1/assessments", headers=read),
        plain_client.get("/v1/assessments?format=ndjson", headers=read),
    ]
    for answer in answers:
        assert answer.is_success, answer.text
        assert answer.headers["cache-control"] == "no-store", answer.request.url


def _policy(response: httpx.Response) -> dict[str, list[str]]:
    policy = response.headers["content-security-policy"]
    return {
        part.split()[0]: part.split()[1:] for part in (p.strip() for p in policy.split(";")) if part
    }


def test_documentation_pages_allow_only_their_own_scripts(plain_client: httpx.Client) -> None:
    for path in ("/schema/swagger", "/schema/redoc", "/schema/oauth2-redirect.html"):
        page = plain_client.get(path)
        assert page.status_code == 200, path
        assert page.headers["content-type"].startswith("text/html")
        _assert_basic(page)
        policy = _policy(page)
        assert policy["default-src"] == ["'none'"]
        assert policy["frame-ancestors"] == ["'none'"]
        assert policy["base-uri"] == ["'none'"]
        scripts = policy["script-src"]
        assert "'unsafe-inline'" not in scripts and "'unsafe-eval'" not in scripts
        inline = re.findall(r"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", page.text, re.DOTALL)
        assert inline, path
        for script in inline:
            digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
            assert f"'sha256-{digest}'" in scripts, path
        for source in scripts:
            assert source.startswith("'sha256-") or source == "'self'", source
        files = re.findall(r"<script[^>]*\bsrc=\"([^\"]+)\"", page.text)
        assert all(file.startswith("/") and not file.startswith("//") for file in files), path
        assert not files or "'self'" in scripts, path
        assert "*" not in page.headers["content-security-policy"]
