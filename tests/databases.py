"""The databases storage tests run against: a SQLite file, and PostgreSQL when configured.

PostgreSQL: set READINESS_TEST_DATABASE_URL (e.g. postgresql+psycopg://readiness:readiness@127.0.0.1/readiness_test);
`.ci/run` starts a server and sets it, and sets READINESS_REQUIRE_POSTGRES=1 so that a missing
server fails the run instead of skipping. Under pytest-xdist (`make test` runs one worker per
core) each worker has a database of its own, the configured one's name with the worker's id appended
(`readiness_test_gw0`), made on first use: the tests empty their tables, and two workers must not
do that to each other.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, make_url, text

from store.database import Database
from store.models import Base
from store.repository import Repository

BACKENDS = ["sqlite", "postgresql"]


def database_url(backend: str, tmp: Path) -> str:
    if backend == "sqlite":
        return f"sqlite:///{tmp / 'readiness.sqlite3'}"
    url = os.environ.get("READINESS_TEST_DATABASE_URL")
    if not url:
        if os.environ.get("READINESS_REQUIRE_POSTGRES") == "1":
            pytest.fail("READINESS_REQUIRE_POSTGRES=1 but READINESS_TEST_DATABASE_URL is not set")
        pytest.skip("PostgreSQL not configured: set READINESS_TEST_DATABASE_URL (see README)")
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    return _of_worker(url, worker) if worker else url


_made: dict[str, str] = {}


def _of_worker(url: str, worker: str) -> str:
    """The database of one xdist worker beside the configured one, made when missing."""
    found = _made.get(url)
    if found is None:
        base = make_url(url)
        name = f"{base.database}_{worker}"
        admin = create_engine(base, isolation_level="AUTOCOMMIT")
        try:
            with admin.connect() as connection:
                exists = connection.execute(
                    text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
                ).first()
                if exists is None:
                    connection.execute(text(f'CREATE DATABASE "{name}"'))
        finally:
            admin.dispose()
        found = _made[url] = base.set(database=name).render_as_string(hide_password=False)
    return found


def fresh(url: str) -> Database:
    """A migrated, empty database at `url`."""
    database = Database(url)
    with database.engine.begin() as connection:
        Base.metadata.drop_all(connection)
        connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
    database.migrate()
    return database


def fresh_with_keys(url: str, **keys: dict[str, Any]) -> dict[str, str]:
    """Make `url` a migrated, empty database with API keys in it; each key in full, by name.

    Each keyword names a key and gives `Repository.create_key`'s arguments, e.g.
    `reader={"scopes": ["read"], "region": "Kronoberg"}`.
    """
    database = fresh(url)
    try:
        repository = Repository(database)
        return {name: repository.create_key(**made) for name, made in keys.items()}
    finally:
        database.close()
