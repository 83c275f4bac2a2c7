"""Hostile request heads: floods of headers, huge headers and URLs, and idle connections.

uvicorn's httptools parser would buffer any head; the server's guarded protocol answers 431 or 414
(problem+json, then closes) and closes connections that never finish a head (api/protocol.py).
"""

from __future__ import annotations

import contextlib
import functools
import json
import socket
import time

import pytest

from tests.api.conftest import Server
from tests.hostile.conftest import (
    HEADER_TIMEOUT,
    MEMORY_BOUND_KIB,
    Reply,
    assert_refusal_logged,
    assert_served,
    connect,
    read_reply,
    rss_kib,
    while_hostile,
)

pytestmark = pytest.mark.server  # the server's guarded protocol, on raw sockets

MIB = 1024 * 1024


def _raw(server: Server, head: bytes, close_within: float = 5) -> Reply:
    """Send `head` (a request line and headers, without the blank line) and read the answer."""
    with connect(server) as sock:
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            sock.sendall(head + b"\r\n")  # refused while sending: the answer is waiting
        return read_reply(sock, close_within)


def _refused(server: Server, reply: Reply, status: int, code: str) -> None:
    assert reply.status == status, reply.body[:300]
    assert reply.headers["content-type"] == "application/problem+json"
    problem = json.loads(reply.body)
    assert (problem["status"], problem["code"]) == (status, code)
    assert reply.closed
    assert_refusal_logged(server, reply.headers["x-request-id"], status, code)


def test_thousands_of_headers(hostile: Server) -> None:
    head = b"GET /health HTTP/1.1\r\nhost: x\r\n" + b"".join(
        b"x-h%d: v\r\n" % i for i in range(5000)
    )
    _refused(hostile, while_hostile(hostile, lambda: _raw(hostile, head)), 431, "headers-too-large")


def test_one_huge_header_is_refused_without_being_held(hostile: Server) -> None:
    before = rss_kib(hostile)
    for size in (100 * 1024, MIB, 10 * MIB):
        head = b"GET /health HTTP/1.1\r\nhost: x\r\ncookie: " + b"a" * size + b"\r\n"
        _refused(
            hostile,
            while_hostile(hostile, functools.partial(_raw, hostile, head)),
            431,
            "headers-too-large",
        )
    assert rss_kib(hostile) - before < MEMORY_BOUND_KIB


def test_a_huge_url(hostile: Server) -> None:
    for target in (b"/health?q=" + b"a" * MIB, b"/" + b"a" * (100 * 1024)):
        head = b"GET " + target + b" HTTP/1.1\r\nhost: x\r\n"
        _refused(
            hostile,
            while_hostile(hostile, functools.partial(_raw, hostile, head)),
            414,
            "url-too-long",
        )


def test_ordinary_heads_are_accepted(hostile: Server) -> None:
    # Within the limits: 90 headers, an 8 KiB cookie and a 4 KiB query are served.
    head = (
        b"GET /health?q="
        + b"a" * 4096
        + b" HTTP/1.1\r\nhost: x\r\ncookie: "
        + b"c" * 8192
        + b"\r\n"
    )
    head += b"".join(b"x-h%d: v\r\n" % i for i in range(88))
    reply = _raw(hostile, head, close_within=1)
    assert reply.status == 200, reply.body[:300]
    assert reply.closed is False  # kept alive as usual (uvicorn closes idle ones after 5 s)


def test_an_invalid_request_line_is_a_400(hostile: Server) -> None:
    reply = _raw(hostile, b"GARBAGE\x00 / HTTP/9.9\r\n")
    assert reply.status == 400
    assert reply.closed
    assert_served(hostile)
    assert_refusal_logged(hostile, reply.headers["x-request-id"], 400, "invalid-request")


def test_500_idle_connections_do_not_stop_others(hostile: Server) -> None:
    idle: list[socket.socket] = []
    try:
        for _ in range(500):
            idle.append(connect(hostile))
        started = time.monotonic()
        assert_served(hostile)
        assert time.monotonic() - started < 5
        # Each of them is closed once the header timeout passes.
        deadline = time.monotonic() + HEADER_TIMEOUT + 10
        for sock in idle:
            sock.settimeout(max(0.1, deadline - time.monotonic()))
            answer = b""
            while chunk := sock.recv(65536):
                answer += chunk
            assert answer.startswith(b"HTTP/1.1 408 ")
    finally:
        for sock in idle:
            sock.close()
    assert_served(hostile)
