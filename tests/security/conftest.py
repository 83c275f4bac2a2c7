"""The app in process for the security tests, and API keys made in its database."""

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
from tests.api.conftest import in_process

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE: dict[str, Any] = json.loads(
    (ROOT / "examples" / "design-examples.json").read_text(encoding="utf-8")
)
ORGANISATION = EXAMPLE["organisation"]["id"]
REGION = EXAMPLE["organisation"]["region"]


@dataclass
class Keyed:
    """A client of the app in process, its database URL and keys made in it, by name."""

    client: httpx.Client
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


def keyed(tmp: Path, **settings: str) -> Iterator[Keyed]:
    """For a fixture: the app in process with `settings` on a SQLite file in `tmp`, and keys."""
    url = f"sqlite:///{tmp / 'readiness.sqlite3'}"
    with in_process(tmp, database_url=url, **settings) as client:
        yield Keyed(client, url, make_keys(url))


@pytest.fixture(scope="session")
def plain(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Keyed]:
    """The app with the security defaults (no CORS), rate limit off, and four keys."""
    yield from keyed(tmp_path_factory.mktemp("security-plain"), assess_without_key="true")


@pytest.fixture(scope="session")
def plain_client(plain: Keyed) -> httpx.Client:
    """A client of the `plain` app."""
    return plain.client


def bearer(key: str) -> dict[str, str]:
    """The header that presents `key`."""
    return {"Authorization": f"Bearer {key}"}
