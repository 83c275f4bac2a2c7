"""The databases storage tests run against: a SQLite file, and PostgreSQL when configured.

PostgreSQL: set READINESS_TEST_DATABASE_URL (e.g. postgresql+psycopg://readiness:readiness@127.0.0.1/readiness_test);
`.ci/run` starts a server and sets it, and sets READINESS_REQUIRE_POSTGRES=1 so that a missing
server fails the run instead of skipping.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy import text

from store.database import Database
from store.models import Base

BACKENDS = ["sqlite", "postgresql"]


def database_url(backend: str, tmp: Path) -> str:
    if backend == "sqlite":
        return f"sqlite:///{tmp / 'readiness.sqlite3'}"
    url = os.environ.get("READINESS_TEST_DATABASE_URL")
    if not url:
        if os.environ.get("READINESS_REQUIRE_POSTGRES") == "1":
            pytest.fail("READINESS_REQUIRE_POSTGRES=1 but READINESS_TEST_DATABASE_URL is not set")
        pytest.skip("PostgreSQL not configured: set READINESS_TEST_DATABASE_URL (see README)")
    return url


def fresh(url: str) -> Database:
    """A migrated, empty database at `url`."""
    database = Database(url)
    with database.engine.begin() as connection:
        Base.metadata.drop_all(connection)
        connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
    database.migrate()
    return database
