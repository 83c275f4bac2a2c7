"""How the app is served: uvicorn's loop and protocol, and the tuning only a serving process gets.

A loop that accepts one connection per turn makes the last of a burst wait one turn per
connection before it; under load a turn lasts as long as every request that is ready, so that
wait reached seconds (see `api.server.EVENT_LOOP`). Turns are counted here, not timed.
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from click.testing import CliRunner
from uvicorn.importer import import_from_string

from api.cli import readiness
from api.heap import YOUNG_THRESHOLD
from api.protocol import GuardedHttpToolsProtocol
from api.server import EVENT_LOOP, SWITCH_INTERVAL, serving_app

PENDING = 32
"""Connections that arrive while the loop is busy."""

TURNS = 6
"""Turns of the loop allowed from the first accept to the last connection made (one per connection
would be PENDING)."""


def _served_loop() -> asyncio.AbstractEventLoop:
    """A new loop made by the factory uvicorn uses for `python -m api`'s settings."""
    factory = uvicorn.Config("api.server:serving_app", loop=EVENT_LOOP).get_loop_factory()
    assert factory is not None
    return factory()


async def _turns_to_accept(pending: int) -> int:
    """Open `pending` connections while the loop is blocked; count turns until all are made."""
    loop = asyncio.get_running_loop()
    made: list[asyncio.BaseTransport] = []

    class Recorder(asyncio.Protocol):
        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            made.append(transport)

    server = await loop.create_server(Recorder, "127.0.0.1", 0, backlog=128)
    port = server.sockets[0].getsockname()[1]
    # Blocking connects: the kernel completes each handshake and queues the connection while
    # this coroutine holds the loop, as a burst arriving during a long turn would be queued.
    clients = [socket.create_connection(("127.0.0.1", port), timeout=5) for _ in range(pending)]
    try:
        turns = 0
        while len(made) < pending and turns < 10 * pending:
            await asyncio.sleep(0)
            turns += 1
        assert len(made) == pending, f"{len(made)} of {pending} accepted in {turns} turns"
        return turns
    finally:
        for client in clients:
            client.close()
        for transport in made:
            transport.close()
        server.close()
        await server.wait_closed()


def test_serve_runs_the_serving_factory_on_that_loop_with_the_guarded_protocol(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("READINESS_DATABASE_URL", f"sqlite:///{tmp_path / 'db.sqlite3'}")
    handed: dict[str, Any] = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **kwargs: handed.update(kwargs, app=app))
    done = CliRunner().invoke(readiness, ["serve"])
    assert done.exit_code == 0, done.output
    assert handed["loop"] == EVENT_LOOP
    assert import_from_string(handed["http"]) is GuardedHttpToolsProtocol
    assert handed["factory"]
    assert import_from_string(handed["app"]) is serving_app


def test_building_the_app_leaves_the_process_alone_and_serving_tunes_it(tmp_path: Path) -> None:
    # In a child interpreter: the serving half changes the process for good.
    code = """
        import gc, json, sys
        from litestar.testing import TestClient
        from api.app import create_app
        from api.server import serving_app

        def state():
            return {"switch": sys.getswitchinterval(), "threshold": gc.get_threshold(),
                    "frozen": gc.get_freeze_count()}

        before = state()
        with TestClient(create_app()):  # started: its start-up hooks have run
            built = state()
        with TestClient(serving_app()):
            served = state()
        print(json.dumps({"before": before, "built": built, "served": served}))
        """
    env = {
        **os.environ,
        "READINESS_DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "READINESS_RELOAD_INTERVAL": "0",
        "READINESS_LOG_LEVEL": "warning",
    }
    done = subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    states = json.loads(done.stdout.strip().splitlines()[-1])
    assert states["built"] == states["before"]
    assert states["served"]["switch"] == pytest.approx(SWITCH_INTERVAL)
    assert states["served"]["threshold"][0] == YOUNG_THRESHOLD
    assert states["served"]["frozen"] > states["before"]["frozen"]


def test_a_burst_of_pending_connections_is_accepted_in_a_few_turns() -> None:
    loop = _served_loop()
    try:
        turns = loop.run_until_complete(_turns_to_accept(PENDING))
    finally:
        loop.close()
    assert turns <= TURNS, f"{PENDING} pending connections took {turns} turns of the loop"
