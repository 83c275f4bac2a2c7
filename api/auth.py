"""API keys on requests: who is calling, with which scopes, bound to which data."""

from __future__ import annotations

from typing import Any

from litestar import Request

from api.problems import ProblemError
from store.keys import ApiKeyInfo
from store.repository import Repository

__all__ = ["optional_key", "require_key"]

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
