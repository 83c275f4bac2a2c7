"""Rate limits: per key, else per address; 429 `rate-limited` with Retry-After; probes exempt."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from api.auth import TokenBuckets
from tests.security.conftest import Keyed, bearer, keyed

LIMIT = 5  # requests a minute: one every 12 s, so the test never sees a token come back


@pytest.fixture(scope="module")
def limited(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Keyed]:
    yield from keyed(tmp_path_factory.mktemp("security-limited"), rate_limit=str(LIMIT))


def _assert_limited(response: httpx.Response) -> None:
    assert response.status_code == 429, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "rate-limited"
    assert response.json()["request_id"] == response.headers["x-request-id"]
    retry_after = int(response.headers["retry-after"])
    assert 1 <= retry_after <= 60 // LIMIT


def test_a_key_over_its_quota_gets_429_and_other_callers_do_not(limited: Keyed) -> None:
    client = limited.client
    read, other = bearer(limited.keys["read"]), bearer(limited.keys["other"])
    answers = [client.get("/v1/assessments", headers=read) for _ in range(LIMIT)]
    assert [a.status_code for a in answers] == [200] * LIMIT
    _assert_limited(client.get("/v1/assessments", headers=read))
    # The same key through the other header is the same caller.
    _assert_limited(client.get("/v1/assessments", headers={"X-API-Key": limited.keys["read"]}))
    # Another key, and callers without a key, have their own quota.
    assert client.get("/v1/assessments", headers=other).status_code == 200
    assert client.get("/v1/rules").status_code == 200
    # The probes are never limited.
    for _ in range(3 * LIMIT):
        assert client.get("/health").status_code == 200
        assert client.get("/ready").status_code == 200
    # Everyone else is still served.
    assert client.get("/v1/assessments", headers=bearer(limited.keys["admin"])).is_success


def test_made_up_keys_count_against_the_address(limited: Keyed) -> None:
    client = limited.client
    statuses = [
        client.get("/v1/assessments", headers=bearer(f"rk_{n:012d}_secret")).status_code
        for n in range(2 * LIMIT)
    ]
    # Valid-looking but unknown keys are refused (401) while the address has quota, then
    # limited: they never open buckets of their own.
    first = statuses.index(429)
    assert 1 <= first <= LIMIT
    assert set(statuses[:first]) == {401}
    assert set(statuses[first:]) == {429}
    _assert_limited(client.get("/v1/rules"))
    # A valid key has its own quota: refused for its scope here, not for the rate.
    answer = client.get("/v1/assessments", headers=bearer(limited.keys["assess"]))
    assert answer.json()["code"] == "insufficient-scope"


def test_buckets_refill_evenly_and_forget_idle_callers() -> None:
    now = [0.0]
    buckets = TokenBuckets(60, clock=lambda: now[0])  # one a second, 60 at once
    assert all(buckets.take("a") == 0 for _ in range(60))
    assert buckets.take("a") == pytest.approx(1.0)
    assert buckets.take("b") == 0  # another caller is not affected
    now[0] += 0.5
    assert buckets.take("a") == pytest.approx(0.5)
    now[0] += 0.5
    assert buckets.take("a") == 0
    assert buckets.take("a") > 0
    # Many callers, then a quiet minute: full buckets are swept, memory stays bounded.
    for n in range(TokenBuckets._SWEEP_ABOVE + 1):
        buckets.take(f"caller-{n}")
    now[0] += 61
    buckets.take("late")
    assert len(buckets) == 1


def test_off_means_off(plain: Keyed, plain_client: httpx.Client) -> None:
    """With 0 (what the other suites' servers run with) no quota applies."""
    statuses = {plain_client.get("/no-such-page").status_code for _ in range(700)}
    assert statuses == {404}
