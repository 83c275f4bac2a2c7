"""The event loop the server runs accepts a burst of pending connections at once.

A loop that accepts one connection per turn makes the last of a burst wait one turn per
connection before it; under load a turn lasts as long as every request that is ready, so that
wait reached seconds (see `api.__main__.EVENT_LOOP`). Turns are counted here, not timed.
"""

from __future__ import annotations

import asyncio
import socket
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from uvicorn.importer import import_from_string

from api.__main__ import EVENT_LOOP, GuardedHttpToolsProtocol, main

PENDING = 32
"""Connections that arrive while the loop is busy."""

TURNS = 6
"""Turns of the loop allowed from the first accept to the last connection made (one per connection
would be PENDING)."""


def _served_loop() -> asyncio.AbstractEventLoop:
    """A new loop made by the factory uvicorn uses for `python -m api`'s settings."""
    factory = uvicorn.Config("api.app:create_app", loop=EVENT_LOOP).get_loop_factory()
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


def test_python_m_api_serves_on_that_loop_with_the_guarded_protocol(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("READINESS_DATABASE_URL", f"sqlite:///{tmp_path / 'db.sqlite3'}")
    handed: dict[str, Any] = {}
    monkeypatch.setattr(uvicorn, "run", lambda *args, **kwargs: handed.update(kwargs))
    assert main([]) == 0
    assert handed["loop"] == EVENT_LOOP
    assert import_from_string(handed["http"]) is GuardedHttpToolsProtocol


def test_a_burst_of_pending_connections_is_accepted_in_a_few_turns() -> None:
    loop = _served_loop()
    try:
        turns = loop.run_until_complete(_turns_to_accept(PENDING))
    finally:
        loop.close()
    assert turns <= TURNS, f"{PENDING} pending connections took {turns} turns of the loop"
