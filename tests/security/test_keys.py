"""API keys: stored only as hashes, compared in constant time, and refused alike however wrong."""

from __future__ import annotations

import hashlib
import hmac
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import httpx
import pytest

from store.database import Database
from store.keys import hash_secret, split_key
from store.repository import Repository
from tests.security.conftest import Keyed, bearer


@pytest.fixture
def repository(tmp_path: Path) -> Iterator[Repository]:
    database = Database(f"sqlite:///{tmp_path / 'keys.sqlite3'}")
    database.migrate()
    yield Repository(database)
    database.close()


def test_the_database_never_holds_the_secret(repository: Repository, tmp_path: Path) -> None:
    full = repository.create_key(["read"], region="Stockholm", description="dashboard")
    parts = split_key(full)
    assert parts is not None
    key_id, secret = parts
    repository.db.close()
    raw = (tmp_path / "keys.sqlite3").read_bytes()
    assert secret.encode() not in raw
    assert full.encode() not in raw
    # closing: a connection's own `with` ends the transaction, not the connection.
    with closing(sqlite3.connect(tmp_path / "keys.sqlite3")) as connection:
        rows = connection.execute("SELECT * FROM api_keys").fetchall()
    assert len(rows) == 1
    cells = [str(cell) for cell in rows[0]]
    assert not any(secret in cell for cell in cells)
    assert hashlib.sha256(secret.encode()).hexdigest() in cells
    assert key_id in cells


def test_listing_keys_shows_no_secret_or_hash(repository: Repository) -> None:
    full = repository.create_key(["admin"])
    parts = split_key(full)
    assert parts is not None
    listed = repr(repository.list_keys())
    assert parts[1] not in listed
    assert hash_secret(parts[1]) not in listed


def test_listing_keys_gives_each_key_its_scopes_as_a_list(repository: Repository) -> None:
    repository.create_key(["read", "assess", "read"], region="Skåne")
    (listed,) = repository.list_keys()
    assert listed["scopes"] == ["assess", "read"]
    assert listed["region"] == "Skåne"
    assert listed["revoked"] is False


def test_secrets_are_compared_with_compare_digest_even_for_unknown_ids(
    repository: Repository, monkeypatch: pytest.MonkeyPatch
) -> None:
    full = repository.create_key(["read"], region="Stockholm")
    parts = split_key(full)
    assert parts is not None
    key_id, secret = parts
    compared: list[tuple[Any, Any]] = []
    real = hmac.compare_digest

    def spy(a: Any, b: Any) -> bool:
        compared.append((a, b))
        return real(a, b)

    monkeypatch.setattr(hmac, "compare_digest", spy)
    assert repository.verify_key(full) is not None
    assert repository.verify_key(f"rk_{key_id}_{secret}x") is None
    assert repository.verify_key(f"rk_{'0' * 12}_{secret}") is None  # an id that does not exist
    assert len(compared) == 3  # one constant-time comparison per check, known id or not
    assert all(len(a) == len(b) == 64 for a, b in compared)  # hashes, never raw secrets


def test_revoked_keys_are_refused(repository: Repository) -> None:
    full = repository.create_key(["read"], region="Stockholm")
    parts = split_key(full)
    assert parts is not None
    assert repository.revoke_key(parts[0])
    assert repository.verify_key(full) is None


def _shape(response: httpx.Response) -> tuple[int, str, str | None, tuple[str, ...], str]:
    body = response.json()
    return (
        response.status_code,
        response.headers["content-type"],
        response.headers.get("www-authenticate"),
        tuple(sorted(k for k in body if k != "request_id")),
        f"{body['code']}|{body['detail']}|{body['title']}|{body['type']}",
    )


def test_wrong_secret_unknown_id_and_garbage_get_the_same_401(
    plain: Keyed, plain_client: httpx.Client
) -> None:
    full = plain.keys["read"]
    parts = split_key(full)
    assert parts is not None
    key_id, secret = parts
    wrong_secret = f"rk_{key_id}_{'A' * len(secret)}"
    unknown_id = f"rk_{'f' * 12}_{secret}"
    no_secret = f"rk_{key_id}_"
    answers = [
        plain_client.get("/v1/assessments", headers=bearer(candidate))
        for candidate in (wrong_secret, unknown_id, no_secret, "not-a-key")
    ]
    answers.append(plain_client.get("/v1/assessments", headers={"X-API-Key": unknown_id}))
    shapes = {_shape(answer) for answer in answers}
    assert len(shapes) == 1, shapes
    status, content_type, challenge, _, text = shapes.pop()
    assert (status, content_type) == (401, "application/problem+json")
    assert challenge is not None and challenge.startswith("Bearer")
    assert text.startswith("invalid-api-key|")
    assert plain_client.get("/v1/assessments", headers=bearer(full)).status_code == 200
