"""Real servers for the security tests, and API keys made in their databases."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from store.database import Database
from store.repository import Repository
from tests.api.conftest import Server, start, stop

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE: dict[str, Any] = json.loads(
    (ROOT / "examples" / "design-examples.json").read_text(encoding="utf-8")
)
ORGANISATION = EXAMPLE["organisation"]["id"]
REGION = EXAMPLE["organisation"]["region"]


@dataclass
class Keyed:
    """A running server, its database URL and keys made in it, by name."""

    server: Server
    database_url: str
    keys: dict[str, str]


def make_keys(database_url: str) -> dict[str, str]:
    """Create the keys the tests use; return them in full, by name."""
    database = Database(database_url)
    repository = Repository(database)
    keys = {
        "admin": repository.create_key(["admin"], description="security tests"),
        "assess": repository.create_key(["assess"], organisation_id=ORGANISATION),
        "read": repository.create_key(["read"], region=REGION),
        "other": repository.create_key(["read"], region="Skåne"),
    }
    database.close()
    return keys


@pytest.fixture(scope="session")
def plain(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Keyed]:
    """A server with the security defaults (no CORS), rate limit off, and four keys."""
    tmp = tmp_path_factory.mktemp("security-plain")
    url = f"sqlite:///{tmp / 'readiness.sqlite3'}"
    running = start(tmp, assess_without_key="true", database_url=url)
    yield Keyed(running, url, make_keys(url))
    stop(running)


@pytest.fixture(scope="session")
def plain_client(plain: Keyed) -> Iterator[httpx.Client]:
    """A client of the `plain` server."""
    with httpx.Client(base_url=plain.server.url, timeout=30) as http:
        yield http


def bearer(key: str) -> dict[str, str]:
    """The header that presents `key`."""
    return {"Authorization": f"Bearer {key}"}
