"""The documentation pages: everything from the app itself, and the same document at every start."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]

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


_DOCUMENT = """
import pathlib, sys, tempfile
from tests.api.conftest import in_process
with in_process(pathlib.Path(tempfile.mkdtemp()), assess_without_key="true") as client:
    sys.stdout.write(client.get("/schema/openapi.json").text)
"""


def test_the_document_is_the_same_from_one_start_to_the_next(tmp_path: Path) -> None:
    # Two string-hash seeds under which litestar's set of a handler's response headers (the
    # export's `Link` and `X-Export-Truncated`) came out in different orders.
    documents = [
        subprocess.run(  # noqa: S603 - this interpreter, a fixed script
            [sys.executable, "-c", _DOCUMENT],
            cwd=ROOT,
            env={**os.environ, "PYTHONHASHSEED": seed, "TMPDIR": str(tmp_path)},
            capture_output=True,
            check=True,
            timeout=120,
        ).stdout
        for seed in ("1", "3")
    ]
    assert documents[0] and documents[0] == documents[1]
