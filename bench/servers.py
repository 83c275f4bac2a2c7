"""The servers under test: started on a free loopback port, waited for, checked, stopped."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

__all__ = [
    "ROOT",
    "Server",
    "create_key",
    "loaded_libraries",
    "memory_kib",
    "server_env",
    "sqlite_url",
    "start_api",
    "start_bench_app",
    "stop",
    "wait_ready",
]

ROOT = Path(__file__).resolve().parents[1]
_PREFIX = "READINESS_"


def memory_kib(pid: int | str, field: str = "VmRSS") -> int:
    """A memory figure of process `pid` ("self" for this one) from /proc, in KiB.

    `VmRSS`: resident now; `VmHWM`: the peak resident so far.
    """
    for line in Path(f"/proc/{pid}/status").read_text(encoding="ascii").splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    raise RuntimeError(f"no {field} in /proc/{pid}/status")


@dataclass
class Server:
    """A running server process and where its output goes."""

    url: str
    process: subprocess.Popen[bytes]
    log: Path

    def tail(self, lines: int = 30) -> str:
        """Return the end of the server's output, for error messages."""
        text = self.log.read_text(encoding="utf-8", errors="replace") if self.log.exists() else ""
        return "\n".join(text.splitlines()[-lines:])


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def sqlite_url(folder: Path) -> str:
    """Return the SQLAlchemy URL of a new SQLite database file in `folder`."""
    return f"sqlite:///{folder.resolve() / 'bench.sqlite3'}"


def server_env(**settings: str) -> dict[str, str]:
    """Return this environment without any READINESS_* variable, plus `settings` as READINESS_*.

    Whatever the caller's shell exports must not change what is measured.
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith(_PREFIX)}
    env.update({f"{_PREFIX}{name.upper()}": value for name, value in settings.items()})
    return env


def _spawn(command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as sink:
        return subprocess.Popen(command, cwd=ROOT, env=env, stdout=sink, stderr=sink)  # noqa: S603


def start_api(folder: Path, backend: str, **settings: str) -> Server:
    """Spawn `python -m api` (the real server) on a free port; do not wait for it.

    Everything not in `settings` keeps its default, apart from the port, the database (SQLite in
    `folder`), `READINESS_ENGINE=<backend>` and the rate limit (off unless `settings` sets it).
    """
    port = _free_port()
    settings = {"rate_limit": "0", **settings}  # thousands of requests a second from one address
    env = server_env(port=str(port), database_url=sqlite_url(folder), engine=backend, **settings)
    log = folder / f"api-{backend}-{port}.log"
    return Server(f"http://127.0.0.1:{port}", _spawn([sys.executable, "-m", "api"], env, log), log)


def served_as_api() -> list[str]:
    """The uvicorn options for the event loop and HTTP protocol that `python -m api` uses."""
    # Imported here: `api` imports the app and the engine, which the in-process sections of
    # bench/run.py measure without.
    from api.server import EVENT_LOOP, HTTP_PROTOCOL

    return ["--loop", EVENT_LOOP, "--http", HTTP_PROTOCOL]


def start_bench_app(folder: Path, backend: str, corpus: Path, **settings: str) -> Server:
    """Migrate a database in `folder`, then serve `bench.app:create_bench_app` with uvicorn.

    uvicorn runs as `python -m api` runs it: one worker, no uvicorn access log, no server header,
    the same event loop (`api.server.EVENT_LOOP`) and the same guarded httptools protocol
    (`api.server.HTTP_PROTOCOL`).
    """
    port = _free_port()
    settings = {"rate_limit": "0", **settings}  # thousands of requests a second from one address
    env = server_env(port=str(port), database_url=sqlite_url(folder), engine=backend, **settings)
    env["BENCH_CORPUS"] = str(corpus)
    subprocess.run([sys.executable, "-m", "api", "migrate"], cwd=ROOT, env=env, check=True)
    level = env.get(f"{_PREFIX}LOG_LEVEL", "info").lower()
    command = [
        sys.executable, "-m", "uvicorn", "bench.app:create_bench_app", "--factory",
        "--host", "127.0.0.1", "--port", str(port), "--workers", "1",
        *served_as_api(),
        "--no-access-log", "--no-server-header", "--log-level", level,
    ]  # fmt: skip
    log = folder / f"bench-app-{backend}-{port}.log"
    return Server(f"http://127.0.0.1:{port}", _spawn(command, env, log), log)


def create_key(folder: Path, *scopes: str) -> str:
    """Make an API key with `scopes` in the (migrated) database in `folder`; return it in full."""
    # Imported here, as `served_as_api` imports the app: only the server sections need it.
    from store.database import Database
    from store.repository import Repository

    database = Database(sqlite_url(folder))
    try:
        return Repository(database).create_key(list(scopes), organisation_id="bench-0")
    finally:
        database.close()


def wait_ready(server: Server, rules: int | None = None, timeout: float = 180) -> dict[str, Any]:
    """Poll `GET /ready` until it answers 200 (with `rules` rules, when given); return its body.

    Raises:
        RuntimeError: When the server exits or is not ready within `timeout` seconds.
    """
    deadline = time.monotonic() + timeout
    with httpx.Client(timeout=2) as client:
        while time.monotonic() < deadline:
            if server.process.poll() is not None:
                raise RuntimeError(f"server exited ({server.process.returncode}):\n{server.tail()}")
            try:
                answer = client.get(f"{server.url}/ready")
            except httpx.TransportError:
                answer = None
            if answer is not None and answer.status_code == 200:
                body: dict[str, Any] = answer.json()
                if rules is None or body.get("rules") == rules:
                    return body
            time.sleep(0.02)
    stop(server)
    raise RuntimeError(f"server not ready after {timeout} s:\n{server.tail()}")


NATIVE = ("httptools",)
"""Native modules the server must have mapped: the HTTP parser (the loop is the standard one)."""


def loaded_libraries(server: Server) -> dict[str, bool]:
    """Whether each of `NATIVE` is mapped into the server process."""
    maps = Path(f"/proc/{server.process.pid}/maps").read_text(encoding="utf-8", errors="replace")
    return {name: f"/{name}/" in maps for name in NATIVE}


def stop(server: Server) -> None:
    """Stop the server (SIGINT, as Ctrl-C would), killing it if it does not stop in 20 s."""
    if server.process.poll() is None:
        server.process.send_signal(signal.SIGINT)
    try:
        server.process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait()
