"""API keys on requests: who is calling, with which scopes, bound to which data, and how often."""

from __future__ import annotations

import hashlib
import json
import math
import time
from collections.abc import Callable, Collection
from typing import Any

from litestar import Request
from litestar.types import ASGIApp, Receive, Scope, Send

from api.problems import PROBLEM_MEDIA_TYPE, ProblemError, problem_of
from store.keys import ApiKeyInfo
from store.repository import Repository

__all__ = [
    "RateLimitMiddleware",
    "TokenBuckets",
    "key_id_checker",
    "optional_key",
    "require_key",
]

_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="readiness"'}


def _presented(request: Request[Any, Any, Any]) -> str | None:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip() or None
    return request.headers.get("x-api-key") or None


def optional_key(request: Request[Any, Any, Any], repository: Repository) -> ApiKeyInfo | None:
    """Return the caller's key when one is presented.

    Raises:
        ProblemError: 401 `invalid-api-key` for a key that is unknown, wrong or revoked.
    """
    presented = _presented(request)
    if presented is None:
        return None
    key = repository.verify_key(presented)
    if key is None:
        raise ProblemError(401, "invalid-api-key", "the API key is not valid", headers=_CHALLENGE)
    return key


def require_key(request: Request[Any, Any, Any], repository: Repository, scope: str) -> ApiKeyInfo:
    """Return the caller's key if it has `scope` (admin has every scope).

    Raises:
        ProblemError: 401 `missing-api-key` or `invalid-api-key`; 403 `insufficient-scope`.
    """
    key = optional_key(request, repository)
    if key is None:
        raise ProblemError(
            401,
            "missing-api-key",
            "send an API key as `Authorization: Bearer <key>` or `X-API-Key`",
            headers=_CHALLENGE,
        )
    if scope not in key.scopes and "admin" not in key.scopes:
        raise ProblemError(403, "insufficient-scope", f"the API key lacks the {scope!r} scope")
    return key


class TokenBuckets:
    """One token bucket per caller: `per_minute` tokens, refilled evenly over a minute.

    A caller may spend a whole minute's quota at once, then one request every `60 / per_minute`
    seconds. Buckets that have refilled completely are forgotten, so memory stays bounded by the
    callers of the last minute.
    """

    _SWEEP_ABOVE = 10_000  # buckets kept before full ones are swept out
    _SWEEP_EVERY = 10.0  # seconds between sweeps at most

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.capacity = float(per_minute)
        self.rate = per_minute / 60.0
        self._clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}  # caller -> (tokens, when)
        self._swept = clock()

    def take(self, caller: str) -> float:
        """Spend a token of `caller`; return 0 when there was one, else seconds until there is."""
        now = self._clock()
        tokens, then = self._buckets.get(caller, (self.capacity, now))
        tokens = min(self.capacity, tokens + (now - then) * self.rate)
        if tokens >= 1.0:
            self._buckets[caller] = (tokens - 1.0, now)
            self._sweep(now)
            return 0.0
        self._buckets[caller] = (tokens, now)
        return (1.0 - tokens) / self.rate

    def __len__(self) -> int:
        return len(self._buckets)

    def _sweep(self, now: float) -> None:
        if len(self._buckets) <= self._SWEEP_ABOVE or now - self._swept < self._SWEEP_EVERY:
            return
        self._swept = now
        full = [
            caller
            for caller, (tokens, then) in self._buckets.items()
            if tokens + (now - then) * self.rate >= self.capacity
        ]
        for caller in full:
            del self._buckets[caller]


def _presented_in(scope: Scope) -> str | None:
    """The API key of a raw request, read as `_presented` reads it."""
    headers = dict(scope["headers"])
    header = headers.get(b"authorization", b"").decode("latin-1")
    if header.lower().startswith("bearer "):
        return header[7:].strip() or None
    return headers.get(b"x-api-key", b"").decode("latin-1") or None


class RateLimitMiddleware:
    """Answers 429 `rate-limited` with `Retry-After` to callers over `per_minute` requests.

    A caller is its API key's id when the request carries a valid key, else its client address
    (what uvicorn puts in the ASGI scope; behind a proxy, the address the proxy forwards when
    uvicorn trusts it). A presented key that is not valid counts against the address, so made-up
    keys do not open new buckets. Valid keys are remembered for a minute (by a hash of the key) so
    that most requests do not look the key up twice; revocation still takes effect at once,
    because the handlers check the key themselves. Counts are kept in this process only.
    """

    _KNOWN_FOR = 60.0  # seconds a verified key is remembered
    _KNOWN_AT_MOST = 10_000

    def __init__(
        self,
        app: ASGIApp,
        per_minute: int,
        key_id_of: Callable[[str], str | None],
        exempt: Collection[str] = ("/health", "/ready"),
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """Wrap `app`.

        Args:
            app: The ASGI app to protect.
            per_minute: Requests a minute per caller; 0 passes every request through.
            key_id_of: The id of a presented key when it is valid, else None.
            exempt: Paths never limited (the probes).
            clock: Seconds, monotonic.
        """
        self.app = app
        self.per_minute = per_minute
        self.buckets = TokenBuckets(max(per_minute, 1), clock)
        self._key_id_of = key_id_of
        self._exempt = frozenset(exempt)
        self._clock = clock
        self._known: dict[str, tuple[str, float]] = {}  # sha256 of key -> (key id, until)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Handle one ASGI connection."""
        if (
            self.per_minute == 0
            or scope["type"] != "http"  # type: ignore[comparison-overlap]  # the enum is a str
            or scope["path"] in self._exempt
        ):
            await self.app(scope, receive, send)
            return
        wait = self.buckets.take(self._caller(scope))
        if wait <= 0:
            await self.app(scope, receive, send)
            return
        await self._refuse(scope, send, max(1, math.ceil(wait)))

    def _caller(self, scope: Scope) -> str:
        presented = _presented_in(scope)
        if presented is not None:
            digest = hashlib.sha256(presented.encode("utf-8", "replace")).hexdigest()
            now = self._clock()
            known = self._known.get(digest)
            if known is not None and known[1] > now:
                return f"key:{known[0]}"
            key_id = self._key_id_of(presented)
            if key_id is not None:
                if len(self._known) >= self._KNOWN_AT_MOST:
                    self._known.clear()
                self._known[digest] = (key_id, now + self._KNOWN_FOR)
                return f"key:{key_id}"
        client = scope.get("client")
        return f"address:{client[0] if client else 'unknown'}"

    async def _refuse(self, scope: Scope, send: Send, retry_after: int) -> None:
        request_id = scope.get("state", {}).get("request_id")
        detail = (
            f"more than {self.per_minute} requests a minute from this caller; "
            f"retry after {retry_after} s"
        )
        problem = problem_of(429, "rate-limited", detail, request_id)
        body = json.dumps(problem.model_dump(mode="json", exclude_none=True)).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 429,
                "headers": [
                    (b"content-type", PROBLEM_MEDIA_TYPE.encode()),
                    (b"content-length", str(len(body)).encode()),
                    (b"retry-after", str(retry_after).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body, "more_body": False})


def key_id_checker(repository: Repository) -> Callable[[str], str | None]:
    """Return a function giving the id of a presented key when it is valid (for rate limits)."""

    def key_id_of(presented: str) -> str | None:
        key = repository.verify_key(presented)
        return key.id if key is not None else None

    return key_id_of
