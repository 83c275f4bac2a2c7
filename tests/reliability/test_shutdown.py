"""A stopping server lets the requests it is answering finish, but no longer than its grace period.

uvicorn, asked to stop (SIGTERM, or Ctrl-C), stops accepting connections and waits for the
requests in flight; READINESS_SHUTDOWN_TIMEOUT bounds that wait. Both tests begin a request whose
body is still arriving when the server is told to stop: one finishes sending within the grace
period and gets its answer, the other never does and is cut off when the period ends, long
before the body timeout would have ended it.
"""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.api.conftest import ROOT, Server, serving

pytestmark = pytest.mark.server  # a server process told to stop

EXAMPLE = (ROOT / "examples" / "design-examples.json").read_bytes()
BODY_TIMEOUT = 300.0
"""Seconds: so long that a server stopped within the test's bound was not stopped by it."""
BOUND = 60.0
"""Seconds: a correctness bound (well under the body timeout), not a speed figure."""


def _server(factory: pytest.TempPathFactory, grace: int) -> Iterator[Server]:
    yield from serving(
        factory,
        "shutdown",
        body_timeout=str(BODY_TIMEOUT),
        shutdown_timeout=str(grace),
    )


@pytest.fixture
def short_grace(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    yield from _server(tmp_path_factory, 1)


@pytest.fixture
def long_grace(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    yield from _server(tmp_path_factory, 30)


CONTINUE = b"HTTP/1.1 100 Continue\r\n\r\n"


def _begin(server: Server, sent: int) -> socket.socket:
    """Open a connection, begin an assessment, and return once the app reads its body.

    The head asks the server to confirm first (`Expect: 100-continue`); uvicorn sends `100
    Continue` when the app starts reading the body, so the request is under way before the
    test tells the server to stop. Then the first `sent` bytes of the body follow.
    """
    host, port = server.url.removeprefix("http://").split(":")
    sock = socket.create_connection((host, int(port)), timeout=BOUND)
    head = (
        "POST /v1/assessments HTTP/1.1\r\n"
        f"Host: {host}\r\n"
        "Content-Type: application/json\r\n"
        "Expect: 100-continue\r\n"
        f"Content-Length: {len(EXAMPLE)}\r\n\r\n"
    )
    sock.sendall(head.encode())
    received = b""
    while len(received) < len(CONTINUE):
        chunk = sock.recv(len(CONTINUE) - len(received))
        assert chunk, received
        received += chunk
    assert received == CONTINUE
    sock.sendall(EXAMPLE[:sent])
    return sock


def _read_all(sock: socket.socket) -> bytes:
    received = b""
    while True:
        try:
            chunk = sock.recv(65536)
        except ConnectionResetError:
            break
        if not chunk:
            break
        received += chunk
    return received


def _stopped_after(process: subprocess.Popen[bytes], since: float) -> float:
    process.wait(timeout=BOUND)
    return time.monotonic() - since


def test_a_request_that_ends_within_the_grace_period_is_answered(long_grace: Server) -> None:
    sock = _begin(long_grace, 100)
    with sock:
        asked = time.monotonic()
        long_grace.process.send_signal(signal.SIGTERM)
        time.sleep(0.5)
        sock.sendall(EXAMPLE[100:])
        reply = _read_all(sock)
    status, _, rest = reply.partition(b"\r\n")
    assert status == b"HTTP/1.1 200 OK", reply[:500]
    body = rest.split(b"\r\n\r\n", 1)[1]
    assert json.loads(body)["readiness"]["level"]
    # Answered, the connection closed, nothing else waits: the server ends without using up
    # its 30 s of grace.
    assert _stopped_after(long_grace.process, asked) < 30.0
    # uvicorn ends by raising the signal it was stopped with again, as a process manager expects.
    assert long_grace.process.returncode == -signal.SIGTERM


def test_a_body_that_never_ends_does_not_hold_up_the_stop(short_grace: Server) -> None:
    sock = _begin(short_grace, 100)
    with sock:
        asked = time.monotonic()
        short_grace.process.send_signal(signal.SIGTERM)
        took = _stopped_after(short_grace.process, asked)
        # Cut off without an answer: the request was cancelled, not timed out with a 408.
        assert b"408" not in _read_all(sock)[:20]
    assert took < BOUND < BODY_TIMEOUT
    log = Path(short_grace.log).read_text(encoding="utf-8", errors="replace")
    assert "timeout graceful shutdown exceeded" in log, log[-2000:]
