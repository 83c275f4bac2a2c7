"""API keys: their scopes and binding, how they are made, and how a presented key is checked."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Literal

__all__ = [
    "SCOPES",
    "ApiKeyInfo",
    "Binding",
    "Scope",
    "hash_secret",
    "new_key",
    "secrets_match",
    "split_key",
    "stored_scopes",
]

Scope = Literal["assess", "read", "admin"]
SCOPES: tuple[Scope, ...] = ("assess", "read", "admin")


@dataclass(frozen=True, slots=True)
class Binding:
    """Whose data a key may see: one organisation, one region, or everything (admin keys)."""

    region: str | None = None
    organisation_id: str | None = None

    @property
    def everything(self) -> bool:
        """Whether the key is bound to nothing in particular."""
        return self.region is None and self.organisation_id is None


@dataclass(frozen=True, slots=True)
class ApiKeyInfo:
    """A verified key, as the API sees it."""

    id: str
    scopes: frozenset[str]
    binding: Binding


def hash_secret(secret: str) -> str:
    """Return the stored form of a key's secret (SHA-256; the secret has 256 random bits)."""
    return hashlib.sha256(secret.encode()).hexdigest()


def new_key() -> tuple[str, str, str]:
    """Return `(key_id, secret, full_key)`; the full key is shown once and never stored."""
    key_id = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    return key_id, secret, f"rk_{key_id}_{secret}"


def split_key(presented: str) -> tuple[str, str] | None:
    """Return `(key_id, secret)` of a presented key, or None when it is not of our form."""
    parts = presented.split("_", 2)
    if len(parts) != 3 or parts[0] != "rk" or len(parts[1]) != 12 or not parts[2]:
        return None
    return parts[1], parts[2]


def stored_scopes(joined: str) -> list[str]:
    """The scopes of a stored key: its `scopes` column, the scopes sorted and joined by commas."""
    return [scope for scope in joined.split(",") if scope]


def secrets_match(secret: str, stored_hash: str) -> bool:
    """Compare in constant time."""
    return hmac.compare_digest(hash_secret(secret), stored_hash)
