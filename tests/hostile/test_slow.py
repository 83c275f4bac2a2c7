"""Slow clients: a body or a request head trickled byte by byte is cut off, others are served.

The test server's body and header timeouts are 2 s (READINESS_BODY_TIMEOUT, READINESS_HEADER_TIMEOUT);
the clients here trickle for longer. One test also trickles a body for over a minute (at a byte a
second, for up to 90 s) against a server with the default timeouts (30 s and 10 s).
"""

from __future__ import annotations

import re
import socket
import time
from collections.abc import Iterator

import pytest

from tests.api.conftest import Server, serving
from tests.hostile.conftest import (
    BODY_TIMEOUT,
    HEADER_TIMEOUT,
    Reply,
    assert_refusal_logged,
    connect,
    read_reply,
    while_hostile,
)

pytestmark = pytest.mark.server  # the server's timeouts, on raw sockets

HEAD = b"POST /v1/assessments HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\n"


def _peekable(sock: socket.socket) -> bytes:
    try:
        return sock.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT)
    except BlockingIOError:
        return b""


def _trickled_body(server: Server, interval: float, limit: float) -> tuple[float, Reply]:
    body = b'{"leadership": {"support": {"tactical": "no"}}}' + b" " * 1000
    with connect(server, timeout=limit + 30) as sock:
        sock.sendall(HEAD + b"content-length: %d\r\n\r\n" % len(body))
        started = time.monotonic()
        for byte in body:
            if _peekable(sock) or time.monotonic() - started > limit:
                break
            try:
                sock.sendall(bytes([byte]))
            except (BrokenPipeError, ConnectionResetError):
                break
            time.sleep(interval)
        reply = read_reply(sock, close_within=5)
        return time.monotonic() - started, reply


def _trickled_head(server: Server, interval: float, limit: float) -> tuple[float, bytes, bool]:
    """Trickle an endless header; return the seconds it took, what came back, whether closed."""
    with connect(server, timeout=limit + 30) as sock:
        sock.sendall(HEAD + b"x-slow: ")
        started = time.monotonic()
        while not _peekable(sock) and time.monotonic() - started < limit:
            try:
                sock.sendall(b"a")
            except (BrokenPipeError, ConnectionResetError):
                return time.monotonic() - started, b"", True
            time.sleep(interval)
        elapsed = time.monotonic() - started
        answer = b""
        closed = False
        sock.settimeout(5)
        try:
            while chunk := sock.recv(65536):
                answer += chunk
            closed = True
        except TimeoutError:
            pass
        except ConnectionError:
            closed = True
        return elapsed, answer, closed


def test_a_trickled_body_gets_408_and_is_closed(hostile: Server) -> None:
    elapsed, reply = while_hostile(hostile, lambda: _trickled_body(hostile, 0.1, 20))
    problem = reply.problem(408, "request-timeout")
    assert f"{BODY_TIMEOUT:g} s" in problem["detail"]
    assert reply.closed
    assert BODY_TIMEOUT - 0.5 < elapsed < BODY_TIMEOUT + 5


def test_a_trickled_batch_body_gets_408(hostile: Server) -> None:
    def trickle() -> Reply:
        body = b'{"assessments": [{}]}' + b" " * 1000
        with connect(hostile) as sock:
            head = HEAD.replace(b"/v1/assessments", b"/v1/assessments/batch")
            sock.sendall(head + b"content-length: %d\r\n\r\n" % len(body))
            for byte in body:
                if _peekable(sock):
                    break
                sock.sendall(bytes([byte]))
                time.sleep(0.1)
            return read_reply(sock, close_within=5)

    reply = while_hostile(hostile, trickle)
    reply.problem(408, "request-timeout")
    assert reply.closed


def test_a_trickled_head_is_cut_off(hostile: Server) -> None:
    elapsed, answer, closed = while_hostile(hostile, lambda: _trickled_head(hostile, 0.1, 20))
    assert closed
    assert answer.startswith(b"HTTP/1.1 408 ")
    assert b'"code":"request-timeout"' in answer
    assert HEADER_TIMEOUT - 0.5 < elapsed < HEADER_TIMEOUT + 5
    request_id = re.search(rb"\r\nx-request-id: ([0-9a-f]+)\r\n", answer)
    assert request_id is not None, answer[:300]
    assert_refusal_logged(hostile, request_id[1].decode(), 408, "request-timeout")


def test_a_connection_that_sends_nothing_is_closed(hostile: Server) -> None:
    def idle() -> tuple[float, bytes]:
        with connect(hostile) as sock:
            started = time.monotonic()
            answer = b""
            while chunk := sock.recv(65536):
                answer += chunk
            return time.monotonic() - started, answer

    elapsed, answer = while_hostile(hostile, idle)
    assert HEADER_TIMEOUT - 0.5 < elapsed < HEADER_TIMEOUT + 5
    assert answer.startswith(b"HTTP/1.1 408 ")


def test_a_second_request_on_a_connection_is_timed_too(hostile: Server) -> None:
    with connect(hostile) as sock:
        sock.sendall(HEAD + b"content-length: 2\r\n\r\n{}")
        assert read_reply(sock).status == 200
        # Keep-alive: the next request head begins, then trickles.
        sock.sendall(b"GET /health HTTP/1.1\r\n")
        started = time.monotonic()
        while not _peekable(sock) and time.monotonic() - started < 20:
            sock.sendall(b"x-slow: 1\r\n")
            time.sleep(0.2)
        assert time.monotonic() - started < HEADER_TIMEOUT + 5
        assert read_reply(sock, close_within=5).status == 408


@pytest.fixture(scope="module")
def default_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A server with the default timeouts."""
    yield from serving(tmp_path_factory, "default-timeouts")


@pytest.mark.slow  # over a minute
def test_long_trickles_against_the_default_timeouts(default_server: Server) -> None:
    # 1 byte a second, for up to 90 s: the 30 s body timeout cuts the body off.
    elapsed, reply = while_hostile(
        default_server, lambda: _trickled_body(default_server, 1.0, 90), timeout=150
    )
    reply.problem(408, "request-timeout")
    assert 29 < elapsed < 40
    # Headers at 1 byte a second: the 10 s header timeout cuts them off.
    elapsed, answer, closed = while_hostile(
        default_server, lambda: _trickled_head(default_server, 1.0, 90), timeout=150
    )
    assert closed and answer.startswith(b"HTTP/1.1 408 ")
    assert 9 < elapsed < 20
