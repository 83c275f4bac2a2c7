"""A real server on the fault-injecting app factory (`tests/reliability/faulty_app.py`)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.api.conftest import ROOT, Server, free_port, stop
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
    with log.open("wb") as sink:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=sink, stderr=sink)  # noqa: S603
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited: {log.read_text()}")
        try:
            if httpx.get(f"{base}/ready", timeout=1).status_code == 200:
                return Server(base, log, process)
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    process.kill()
    raise RuntimeError(f"server did not become ready: {log.read_text()}")


@pytest.fixture(scope="module")
def faulty(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    server = start_faulty(tmp_path_factory.mktemp("faulty"))
    yield server
    stop(server)
