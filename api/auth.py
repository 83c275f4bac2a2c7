"""API keys on requests: who is calling, with which scopes, bound to which data, and how often."""

from __future__ import annotations

import hashlib
import json
import math
import time
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any

import anyio
import anyio.to_thread
from litestar import Request
from litestar.types import ASGIApp, Receive, Scope, Send

from api.problems import PROBLEM_MEDIA_TYPE, ProblemError, problem_of
from store.keys import ApiKeyInfo
from store.repository import Repository

__all__ = [
    "KEY_STATE",
    "CallerMiddleware",
    "KeyVerifier",
    "TokenBuckets",
    "Verdict",
    "optional_key",
    "require_key",
]

_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="readiness"'}


KEY_STATE = "api_key"
"""The entry of the request's scope state that holds its verified key (`Verdict`)."""


@dataclass(frozen=True, slots=True)
class Verdict:
    """What the presented key of a request turned out to be: its info, or None if not valid."""

    key: ApiKeyInfo | None


def _presented(request: Request[Any, Any, Any]) -> str | None:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip() or None
    return request.headers.get("x-api-key") or None


def optional_key(request: Request[Any, Any, Any], repository: Repository) -> ApiKeyInfo | None:
    """Return the caller's key when one is presented.

    The key is the one `CallerMiddleware` verified for this request; without that middleware
    (an app assembled otherwise) it is verified here, with `repository`.

    Raises:
        ProblemError: 401 `invalid-api-key` for a key that is unknown, wrong or revoked.
    """
    presented = _presented(request)
    if presented is None:
        return None
    verdict = request.scope.get("state", {}).get(KEY_STATE)
    key = verdict.key if isinstance(verdict, Verdict) else repository.verify_key(presented)
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
            "send an API key as `Authorization: Bearer <key>` or `X-API-Key`; an operator of "
            "the service makes keys with `readiness keys create`",
            headers=_CHALLENGE,
        )
    if scope not in key.scopes and "admin" not in key.scopes:
        raise ProblemError(403, "insufficient-scope", f"the API key lacks the {scope!r} scope")
    return key


class KeyVerifier:
    """Verifies presented keys in a worker thread and remembers the verdicts for `ttl` seconds.

    Verdicts are kept by the SHA-256 of the presented key, valid and invalid alike: a key that
    is not valid never becomes valid (revocation is final, new keys have new random secrets),
    so remembering a refusal only spares the database a repeated bad key. A revocation by any
    `Repository` of this process empties the cache before the next request is verified; a
    revocation by another process (the `keys revoke` command) takes effect here within `ttl`
    seconds. At most `most` verdicts are kept; the oldest go first.

    A key not remembered costs one primary-key read; at most `threads` run at once, in threads
    of their own, so that a flood of made-up keys holds no more database connections than that
    and never the worker threads the handlers use (its requests still count against their
    address's rate limit).
    """

    def __init__(
        self,
        repository: Repository,
        ttl: float = 5.0,
        most: int = 10_000,
        threads: int = 4,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._repository = repository
        self._threads = anyio.CapacityLimiter(threads)
        self._ttl = ttl
        self._most = most
        self.clock = clock
        self._verdicts: dict[bytes, tuple[Verdict, float]] = {}  # digest -> (verdict, until)
        self._pending: dict[bytes, _Pending] = {}  # digest -> verification under way
        self._revocations = Repository.revocations

    def remembered(self, presented: str) -> Verdict | None:
        """The verdict on `presented` while it is remembered, else None (ask `verify`)."""
        if self._revocations != Repository.revocations:
            self._verdicts.clear()
            self._revocations = Repository.revocations
        known = self._verdicts.get(_digest(presented))
        if known is None:
            return None
        if known[1] <= self.clock():
            return None
        return known[0]

    async def verify(self, presented: str) -> Verdict:
        """Verify `presented` with the repository, off the event loop, and remember the verdict.

        Requests presenting the same key while it is being verified wait for that verification
        (when a verdict expires, 64 connections of one caller ask for it at once). A verdict
        reached while a key was being revoked is used once and not remembered.
        """
        digest = _digest(presented)
        pending = self._pending.get(digest)
        if pending is not None:
            await pending.done.wait()
            if pending.verdict is not None:
                return pending.verdict
        pending = _Pending()
        self._pending[digest] = pending
        try:
            revocations = Repository.revocations
            key = await anyio.to_thread.run_sync(
                self._repository.verify_key, presented, limiter=self._threads
            )
            verdict = pending.verdict = Verdict(key)
        finally:
            pending.done.set()
            if self._pending.get(digest) is pending:
                del self._pending[digest]
        if revocations == Repository.revocations == self._revocations:
            while len(self._verdicts) >= self._most:
                del self._verdicts[next(iter(self._verdicts))]
            self._verdicts.pop(digest, None)  # re-inserted last, so that the oldest go first
            self._verdicts[digest] = (verdict, self.clock() + self._ttl)
        return verdict

    def __len__(self) -> int:
        return len(self._verdicts)


class _Pending:
    """A verification under way: its verdict once `done` is set (None if it failed)."""

    __slots__ = ("done", "verdict")

    def __init__(self) -> None:
        self.done = anyio.Event()
        self.verdict: Verdict | None = None


def _digest(presented: str) -> bytes:
    return hashlib.sha256(presented.encode("utf-8", "replace")).digest()


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


class CallerMiddleware:
    """Verifies the request's API key once, then answers callers over their rate limit with 429.

    The presented key is verified here, before routing, by `KeyVerifier` (in a worker thread, or
    from its cache of recent verdicts), and the verdict is put in the request's scope state
    (`KEY_STATE`), where `require_key` and `optional_key` read it: one verification a request.

    The rate limit: 429 `rate-limited` with `Retry-After` to callers over `per_minute` requests.
    A caller is its API key's id when the request carries a valid key, else its client address
    (what uvicorn puts in the ASGI scope; behind a proxy, the address the proxy forwards when
    uvicorn trusts it). A presented key that is not valid counts against the address, so made-up
    keys do not open new buckets; a valid key has its own quota even when its address has spent
    its own. Counts are kept in this process only.
    """

    def __init__(
        self,
        app: ASGIApp,
        per_minute: int,
        verifier: KeyVerifier,
        exempt: Collection[str] = ("/health", "/ready"),
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """Wrap `app`.

        Args:
            app: The ASGI app to protect.
            per_minute: Requests a minute per caller; 0 passes every request through.
            verifier: Verifies presented keys.
            exempt: Paths never limited and never verified (the probes).
            clock: Seconds, monotonic.
        """
        self.app = app
        self.per_minute = per_minute
        self.buckets = TokenBuckets(max(per_minute, 1), clock)
        self.verifier = verifier
        self._exempt = frozenset(exempt)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Handle one ASGI connection."""
        if (
            scope["type"] != "http"  # type: ignore[comparison-overlap]  # the enum is a str
            or scope["path"] in self._exempt
        ):
            await self.app(scope, receive, send)
            return
        verdict: Verdict | None = None
        presented = _presented_in(scope)
        if presented is not None:
            verdict = self.verifier.remembered(presented) or await self.verifier.verify(presented)
            scope.setdefault("state", {})[KEY_STATE] = verdict
        if self.per_minute > 0:
            if verdict is not None and verdict.key is not None:
                caller = f"key:{verdict.key.id}"
            else:
                caller = self._address(scope)
            wait = self.buckets.take(caller)
            if wait > 0:
                await self._refuse(scope, send, max(1, math.ceil(wait)))
                return
        await self.app(scope, receive, send)

    @staticmethod
    def _address(scope: Scope) -> str:
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
