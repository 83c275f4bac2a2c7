"""API keys as clients see them: the OpenAPI security schemes, one verification per request."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest

from api.auth import CallerMiddleware, KeyVerifier
from store.database import Database
from store.keys import ApiKeyInfo, Binding, split_key
from store.repository import Repository
from tests.api.conftest import in_process
from tests.databases import BACKENDS, database_url, fresh

OPEN = {"/health", "/ready", "/v1/questionnaire", "/v1/sources", "/v1/rules", "/v1/rules/{rule_id}"}
_FILLED = {
    "{assessment_id}": "x",
    "{rule_id}": "x",
    "{region}": "x",
    "{organisation_id}": "x",
    "{round_id}": "x",
}
ROUND_CODE: list[dict[str, list[str]]] = [{"roundCode": []}]
"""The security of a respondent's operations: an invitation code, never an API key."""


class Keyed:
    """A client of the app in process, a repository of its database, and its key verifier."""

    def __init__(self, client: Any, url: str) -> None:
        self.client = client
        self.repository = Repository(Database(url))
        middleware: Any = client.app.asgi_handler
        while not isinstance(middleware, CallerMiddleware):
            middleware = middleware.app
        self.middleware = middleware
        self.verifier: KeyVerifier = middleware.verifier
        self.now = 0.0
        self.verifier.clock = lambda: self.now  # the cache's time is the test's

    def key(self, *scopes: str) -> str:
        return self.repository.create_key(list(scopes), region="Stockholm")


@contextmanager
def _keyed(tmp: Path, backend: str = "sqlite", **settings: str) -> Iterator[Keyed]:
    url = database_url(backend, tmp)
    fresh(url).close()
    with in_process(tmp, database_url=url, **settings) as client:
        keyed = Keyed(client, url)
        yield keyed
        keyed.repository.db.close()


@pytest.fixture(params=BACKENDS)
def keyed(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Keyed]:
    """The app with its defaults, on each database: assessing needs a key; rate limit off."""
    with _keyed(tmp_path, request.param) as running:
        yield running


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every key `Repository.verify_key` is asked about, in order."""
    asked: list[str] = []
    real = Repository.verify_key

    def verify_key(self: Repository, presented: str) -> ApiKeyInfo | None:
        asked.append(presented)
        return real(self, presented)

    monkeypatch.setattr(Repository, "verify_key", verify_key)
    return asked


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def _operations(document: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            yield method.upper(), path, operation


def _call(client: Any, method: str, path: str, headers: dict[str, str]) -> httpx.Response:
    url = re.sub(r"\{[^}]+\}", lambda m: _FILLED[m.group(0)], path)
    response: httpx.Response = client.request(method, url, headers=headers)
    return response


def test_the_document_names_both_key_schemes(keyed: Keyed) -> None:
    document = keyed.client.get("/schema/openapi.json").json()
    assert document["components"]["securitySchemes"] == {
        "bearer": {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "rk_<id>_<secret>",
            "description": "An API key as `Authorization: Bearer <key>`",
        },
        "apiKey": {
            "type": "apiKey",
            "name": "X-API-Key",
            "in": "header",
            "description": "An API key as `X-API-Key: <key>`",
        },
        "roundCode": {
            "type": "apiKey",
            "name": "X-Round-Code",
            "in": "header",
            "description": (
                "A respondent's invitation code to an assessment round as `X-Round-Code: <code>`"
            ),
        },
    }
    assert "Authorization: Bearer" in document["info"]["description"]


@pytest.mark.parametrize("assess_without_key", ["false", "true"])
def test_each_operation_says_what_it_checks(tmp_path: Path, assess_without_key: str) -> None:
    """An operation's `security` is exactly what its handler does with keys, asked by requests.

    Required: no key is 401 `missing-api-key`. Optional (`{}` among the requirements): no key
    passes, a bad key is 401 `invalid-api-key`. None: keys are not looked at. A round code
    (a respondent's operations): no code is 401 `missing-round-code`, whatever key is sent.
    """
    with _keyed(tmp_path, assess_without_key=assess_without_key) as keyed:
        document = keyed.client.get("/schema/openapi.json").json()
        required: set[tuple[str, str]] = set()
        optional: set[tuple[str, str]] = set()
        open_: set[str] = set()
        coded: set[tuple[str, str]] = set()
        for method, path, operation in _operations(document):
            security = operation.get("security")
            if security == ROUND_CODE:
                coded.add((method, path))
                for headers in ({}, bearer("rk_000000000000_nope")):
                    refused = _call(keyed.client, method, path, headers)
                    assert refused.json()["code"] == "missing-round-code", (method, path)
                continue
            if security is None:
                open_.add(path)
            else:
                assert security[-2:] == [{"bearer": []}, {"apiKey": []}], (method, path)
                (optional if {} in security else required).add((method, path))
            none = _call(keyed.client, method, path, {}).json()
            bad = _call(keyed.client, method, path, bearer("rk_000000000000_nope"))
            missing = isinstance(none, dict) and none.get("code") == "missing-api-key"
            invalid = bad.status_code == 401 and bad.json()["code"] == "invalid-api-key"
            assert missing == (security is not None and {} not in security), (method, path)
            assert invalid == (security is not None), (method, path)
        assert open_ >= OPEN
        assessing = {("POST", "/v1/assessments"), ("POST", "/v1/assessments/batch")}
        assert (assessing <= optional) == (assess_without_key == "true")
        assert ("GET", "/v1/assessments") in required
        assert ("POST", "/v1/rules/reload") in required
        assert coded == {("GET", "/v1/respond"), ("POST", "/v1/respond")}


def test_a_key_is_verified_once_then_remembered(keyed: Keyed, counted: list[str]) -> None:
    key = keyed.key("assess", "read")
    answer = keyed.client.get("/v1/assessments", headers=bearer(key))
    assert answer.status_code == 200, answer.text
    assert counted == [key]  # once for the rate limit and the handler together
    assert keyed.client.get("/v1/assessments", headers={"X-API-Key": key}).status_code == 200
    assert keyed.client.post("/v1/assessments", json={}, headers=bearer(key)).status_code == 200
    assert counted == [key]  # remembered
    keyed.now += 60.0  # past the time a verdict is kept
    assert keyed.client.get("/v1/assessments", headers=bearer(key)).status_code == 200
    assert counted == [key, key]


def test_a_revocation_in_this_process_takes_effect_at_once(keyed: Keyed) -> None:
    key = keyed.key("read")
    assert keyed.client.get("/v1/assessments", headers=bearer(key)).status_code == 200
    parts = split_key(key)
    assert parts is not None
    other = Repository(Database(keyed.repository.db.url))  # any repository
    assert other.revoke_key(parts[0])
    other.db.close()
    refused = keyed.client.get("/v1/assessments", headers=bearer(key))
    assert (refused.status_code, refused.json()["code"]) == (401, "invalid-api-key")


def test_an_invalid_key_is_refused_every_time_and_asked_about_once(
    keyed: Keyed, counted: list[str]
) -> None:
    wrong = "rk_000000000000_" + "x" * 43
    for _ in range(3):
        answer = keyed.client.get("/v1/assessments", headers=bearer(wrong))
        assert (answer.status_code, answer.json()["code"]) == (401, "invalid-api-key")
    assert counted == [wrong]
    keyed.now += 60.0
    assert keyed.client.get("/v1/assessments", headers=bearer(wrong)).status_code == 401
    assert counted == [wrong, wrong]


def test_a_repeated_bad_key_is_limited_and_read_once(tmp_path: Path, counted: list[str]) -> None:
    wrong = "rk_000000000000_" + "x" * 43
    with _keyed(tmp_path, rate_limit="3") as keyed:
        statuses = [
            keyed.client.get("/v1/assessments", headers=bearer(wrong)).status_code for _ in range(6)
        ]
        assert statuses == [401] * 3 + [429] * 3  # counted against the address
        assert counted == [wrong]
        # A valid key has its own quota, verified once for the limit and the handler.
        key = keyed.key("read")
        assert keyed.client.get("/v1/assessments", headers=bearer(key)).status_code == 200
        assert counted == [wrong, key]


class _Repository:
    """Answers `verify_key` from a table; counts the questions; may revoke while asked."""

    def __init__(self, valid: dict[str, ApiKeyInfo]) -> None:
        self.valid = valid
        self.asked = 0
        self.revoke_while_asked = False

    def verify_key(self, presented: str) -> ApiKeyInfo | None:
        self.asked += 1
        if self.revoke_while_asked:
            Repository.revocations += 1
        return self.valid.get(presented)


_INFO = ApiKeyInfo("k" * 12, frozenset({"read"}), Binding(region="Stockholm"))


def _verify(verifier: KeyVerifier, presented: str) -> ApiKeyInfo | None:
    remembered = verifier.remembered(presented)
    if remembered is not None:
        return remembered.key
    return anyio.run(verifier.verify, presented).key


def test_a_revocation_elsewhere_is_seen_within_the_ttl() -> None:
    repository = _Repository({"good": _INFO})
    now = [0.0]
    verifier = KeyVerifier(repository, ttl=5.0, clock=lambda: now[0])  # type: ignore[arg-type]
    assert _verify(verifier, "good") == _INFO
    del repository.valid["good"]  # revoked by another process: this one is not told
    now[0] = 4.9
    assert _verify(verifier, "good") == _INFO
    now[0] = 5.0
    assert _verify(verifier, "good") is None
    assert repository.asked == 2


def test_a_verdict_reached_during_a_revocation_is_not_remembered() -> None:
    repository = _Repository({"good": _INFO})
    verifier = KeyVerifier(repository, clock=lambda: 0.0)  # type: ignore[arg-type]
    repository.revoke_while_asked = True
    assert _verify(verifier, "good") == _INFO
    repository.revoke_while_asked = False
    assert _verify(verifier, "good") == _INFO
    assert _verify(verifier, "good") == _INFO
    assert repository.asked == 2  # the first verdict was used once and not kept


def test_the_cache_is_bounded_and_the_oldest_go_first() -> None:
    repository = _Repository({"a": _INFO, "b": _INFO, "c": _INFO})
    verifier = KeyVerifier(repository, most=2, clock=lambda: 0.0)  # type: ignore[arg-type]
    for presented in ("a", "b", "c"):
        _verify(verifier, presented)
    assert len(verifier) == 2
    assert verifier.remembered("a") is None
    assert verifier.remembered("c") is not None


def test_requests_presenting_a_key_under_verification_wait_for_it() -> None:
    release = threading.Event()

    class Slow(_Repository):
        def verify_key(self, presented: str) -> ApiKeyInfo | None:
            release.wait(timeout=60)
            return super().verify_key(presented)

    repository = Slow({"good": _INFO})
    verifier = KeyVerifier(repository, clock=lambda: 0.0)  # type: ignore[arg-type]
    verdicts: list[ApiKeyInfo | None] = []

    async def one() -> None:
        verdicts.append((await verifier.verify("good")).key)

    async def many() -> None:
        async with anyio.create_task_group() as group:
            for _ in range(5):
                group.start_soon(one)
            await anyio.wait_all_tasks_blocked()  # the first in the thread, the rest waiting
            release.set()

    anyio.run(many)
    assert verdicts == [_INFO] * 5
    assert repository.asked == 1
