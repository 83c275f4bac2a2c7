"""A real server on the fault-injecting app factory (`tests/reliability/faulty_app.py`)."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.api.conftest import Server, free_port, spawn, stop
from tests.databases import fresh


def start_faulty(tmp: Path) -> Server:
    """Serve `faulty_app:create_app` with uvicorn on a free port; the app's logs go to a file."""
    port = free_port()
    url = f"sqlite:///{tmp / 'readiness.sqlite3'}"
    fresh(url).close()
    log = tmp / f"faulty-{port}.log"
    env = {
        **os.environ,
        "READINESS_DATABASE_URL": url,
        "READINESS_ASSESS_WITHOUT_KEY": "true",
        "READINESS_RATE_LIMIT": "0",
        "READINESS_RELOAD_INTERVAL": "0",
    }
    command = [
        sys.executable, "-m", "uvicorn", "tests.reliability.faulty_app:create_app", "--factory",
        "--host", "127.0.0.1", "--port", str(port), "--no-access-log", "--log-level", "warning",
    ]  # fmt: skip
    return spawn(command, env, port, log)


@pytest.fixture(scope="module")
def faulty(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    server = start_faulty(tmp_path_factory.mktemp("faulty"))
    yield server
    stop(server)
