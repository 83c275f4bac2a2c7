"""The API under test: served in process through litestar's TestClient, or as a real server.

In process (`in_process`; fixtures `client`, `compiled_client`): `create_app(settings)`
behind litestar's `TestClient`, which is an `httpx.Client`, so tests send requests as they would
to a server, without a socket or uvicorn. This is how to test what the app answers: endpoints,
errors, storage, headers, keys, rate limits, CORS, and its logs (the `app_log` fixture).

A real server (`start`, `serving`; fixture `server`): `python -m api` under uvicorn on a free
loopback port, for what needs the socket or the process: the guarded protocol and slow clients
(tests/hostile), worker death and long batches (tests/reliability), a server killed while it
writes, Schemathesis, the soak and the generated client. A test that starts one must be marked
`server` (tests/conftest.py): `spawn` fails it otherwise.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from unittest import mock

import httpx
import pytest
from litestar.testing import TestClient
from litestar.types import ASGIApp

from api.app import create_app
from api.settings import Settings
from store.database import Database
from tests.conftest import require_marker

ROOT = Path(__file__).resolve().parents[2]


@contextmanager
def in_process(
    tmp: Path, factory: Callable[[Settings], ASGIApp] = create_app, /, **settings: str
) -> Iterator[TestClient[Any]]:
    """Serve the app made by `factory` in process, started and stopped as uvicorn would.

    Yields a client of it. The settings are those `start` gives a server (rate limit off,
    `settings` as READINESS_* values), with a SQLite file of its own in `tmp` unless
    `database_url` is given; the database is migrated first, as `python -m api` does.
    """
    env = {
        "READINESS_RATE_LIMIT": "0",
        "READINESS_DATABASE_URL": f"sqlite:///{tmp / 'readiness.sqlite3'}",
        **{f"READINESS_{k.upper()}": v for k, v in settings.items()},
    }
    config = settings_from(env)
    database = Database(config.database_url)
    try:
        database.migrate()
    finally:
        database.close()
    # create_app leaves the process alone (the serving entry point tunes it), so nothing to undo.
    with TestClient(factory(config)) as client:
        client.follow_redirects = False  # as httpx and real clients do by default
        yield client


@pytest.fixture
def closed_databases(monkeypatch: pytest.MonkeyPatch) -> list[Database]:
    """Every `Database` closed during the test, in order; each is still really closed."""
    closed: list[Database] = []
    close = Database.close

    def recorded(self: Database) -> None:
        closed.append(self)
        close(self)  # the test must not leave a pool open either

    monkeypatch.setattr(Database, "close", recorded)
    return closed


def settings_from(env: dict[str, str]) -> Settings:
    """The settings `env` gives, READINESS_* variables of this process left out."""
    others = {k: v for k, v in os.environ.items() if not k.startswith("READINESS_")}
    with mock.patch.dict(os.environ, {**others, **env}, clear=True):
        return Settings.from_env()


@pytest.fixture(scope="session")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[httpx.Client]:
    """The app in process: keyless assessing, batches of at most 20, the durable backend."""
    tmp = tmp_path_factory.mktemp("app")
    with in_process(tmp, assess_without_key="true", max_batch_items="20") as running:
        yield running


@pytest.fixture(scope="session")
def compiled_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[httpx.Client]:
    """The app in process on the compiled backend (READINESS_ENGINE=compiled)."""
    tmp = tmp_path_factory.mktemp("compiled-app")
    with in_process(tmp, assess_without_key="true", engine="compiled") as running:
        yield running


@dataclass
class Server:
    """A running server and where its logs go."""

    url: str
    log: Path
    process: subprocess.Popen[bytes]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def start(tmp: Path, **settings: str) -> Server:
    port = free_port()
    log = tmp / f"server-{port}.log"
    env = {
        **os.environ,
        "READINESS_HOST": "127.0.0.1",
        "READINESS_PORT": str(port),
        "READINESS_RATE_LIMIT": "0",  # many requests from one address; tests/security turns it on
        **{f"READINESS_{k.upper()}": v for k, v in settings.items()},
    }
    return spawn([sys.executable, "-m", "api"], env, port, log)


def spawn(
    command: list[str], env: dict[str, str], port: int, log: Path, timeout: float = 60
) -> Server:
    """Run a server `command` (output to `log`) and wait until it answers `/ready` on `port`.

    Raises:
        RuntimeError: When it exits or is not ready within `timeout` seconds (with its log).
    """
    require_marker("server", "starts a server process")
    with log.open("wb") as sink:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=sink, stderr=sink)  # noqa: S603
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited: {log.read_text()}")
        try:
            if httpx.get(f"{url}/ready", timeout=1).status_code == 200:
                return Server(url, log, process)
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    process.kill()
    raise RuntimeError(f"server did not become ready: {log.read_text()}")


def serving(factory: pytest.TempPathFactory, name: str, **settings: str) -> Iterator[Server]:
    """For a fixture: serve the API, and stop it afterwards.

    From a new folder `name`, with keyless assessing, a SQLite file of its own and `settings`.
    """
    tmp = factory.mktemp(name)
    database = f"sqlite:///{tmp / 'readiness.sqlite3'}"
    running = start(tmp, **{"assess_without_key": "true", "database_url": database, **settings})
    yield running
    stop(running)
    assert running.process.returncode is not None


def stop(server: Server) -> None:
    server.process.terminate()
    try:
        server.process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.process.kill()


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A real server, keyless assessing, batches of at most 20 (as `client`)."""
    yield from serving(tmp_path_factory, "server", max_batch_items="20")


@dataclass
class Keyed:
    """An in-process API with API keys made for it, each called by its name."""

    http: httpx.Client
    keys: dict[str, str]

    def call(
        self,
        key: str | None,
        method: str,
        url: str,
        headers: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> httpx.Response:
        """Send a request with the key named `key` (None: without a key)."""
        sent = {"Authorization": f"Bearer {self.keys[key]}"} if key else {}
        return self.http.request(method, url, headers={**sent, **(headers or {})}, **kwargs)
