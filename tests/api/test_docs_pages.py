"""The documentation pages load everything from the app itself: no CDN, a CSP of 'self'."""

from __future__ import annotations

import re

import httpx
import pytest

_LOADED = re.compile(r"<(?:script|link)\b[^>]*\b(?:src|href)=['\"]([^'\"]+)['\"]")
_HASH_SOURCE = re.compile(r"'sha(?:256|384|512)-[A-Za-z0-9+/=]+'")


@pytest.mark.parametrize("page", ["/schema/swagger", "/schema/redoc"])
def test_a_page_loads_only_files_the_app_serves(client: httpx.Client, page: str) -> None:
    answer = client.get(page)
    assert answer.status_code == 200
    loaded = [url for url in _LOADED.findall(answer.text) if not url.startswith("data:")]
    assert any(url.endswith(".js") for url in loaded), loaded
    for url in loaded:
        assert url.startswith("/schema/assets/"), url
        asset = client.get(url)
        assert asset.status_code == 200, url
        kind = "text/css" if url.endswith(".css") else "text/javascript"
        assert asset.headers["content-type"].startswith(kind), url
        assert len(asset.content) > 100_000, url  # the real bundle, not a stub
    policy = answer.headers["content-security-policy"]
    assert "script-src 'sha256-" in policy and "'self'" in policy
    # No source names a host; a script's hash is base64 and may itself hold "//".
    hosts = _HASH_SOURCE.sub("", policy)
    assert "http" not in hosts and "//" not in hosts, policy


def test_the_swagger_page_offers_the_key_schemes(client: httpx.Client) -> None:
    # Swagger UI shows "Authorize" when the document it is given has security schemes.
    page = client.get("/schema/swagger").text
    assert '"securitySchemes":{"bearer":' in page.replace(" ", "")
