"""A real server: `python -m api` under uvicorn on a free loopback port, for end-to-end tests."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Server:
    """A running server and where its logs go."""

    url: str
    log: Path
    process: subprocess.Popen[bytes]

    def log_lines(self) -> list[str]:
        return self.log.read_text(encoding="utf-8").split("\n")


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
    yield from serving(tmp_path_factory, "server", max_batch_items="20")


@pytest.fixture(scope="session")
def client(server: Server) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=30) as http:
        yield http


@pytest.fixture(scope="session")
def compiled_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A server on the compiled backend (READINESS_ENGINE=compiled)."""
    yield from serving(tmp_path_factory, "compiled-server", engine="compiled")
