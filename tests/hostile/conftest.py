"""A real server with short timeouts, raw-socket helpers, and the check that others are served.

Hostile clients are played with raw sockets, since HTTP clients refuse to send most of what they
send. While each one runs, `served_meanwhile` checks that ordinary clients still get answers.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

import httpx
import pytest

from bench.servers import memory_kib
from tests.api.conftest import Server, serving

T = TypeVar("T")

# The timeouts of the test server: short, so that the slow-client tests take seconds.
BODY_TIMEOUT = 2.0
HEADER_TIMEOUT = 2.0
# What "promptly" means for an ordinary request while a hostile one runs (a generous bound on a
# loaded two-core machine; the requests take milliseconds).
PROMPT = 5.0
# How much the server's resident memory may grow while refusing a large body or head.
MEMORY_BOUND_KIB = 50 * 1024


@dataclass
class Reply:
    """What a raw-socket client got back: the status, headers and body of one response."""

    status: int
    headers: dict[str, str]
    body: bytes
    closed: bool | None  # the server closed the connection after it (None: not waited for)

    def problem(self, status: int, code: str) -> dict[str, Any]:
        """Assert that this is the problem `status`/`code` and return its body."""
        assert self.status == status, (self.status, self.body[:500])
        assert self.headers["content-type"].startswith("application/problem+json")
        problem: dict[str, Any] = json.loads(self.body)
        assert problem["status"] == status
        assert problem["code"] == code
        assert problem["detail"]
        assert b"Traceback" not in self.body
        return problem


def connect(server: Server, timeout: float = 30) -> socket.socket:
    """A TCP connection to `server`, reads and writes timing out after `timeout` seconds."""
    host, port = server.url.removeprefix("http://").split(":")
    sock = socket.create_connection((host, int(port)), timeout=timeout)
    return sock


def read_reply(sock: socket.socket, close_within: float = 0) -> Reply:
    """Read one response (Content-Length delimited, or chunked: a streamed batch).

    With `close_within`, also wait that long for the server to close the connection.
    """
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError(f"closed before a response head: {data[:200]!r}")
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {k.strip().lower(): v.strip() for k, _, v in (x.partition(":") for x in lines[1:])}
    if headers.get("transfer-encoding", "").lower() == "chunked":
        body = _dechunked(sock, body)
    else:
        length = int(headers.get("content-length", "0"))
        while len(body) < length:
            chunk = sock.recv(65536)
            if not chunk:
                break
            body += chunk
        body = body[:length]
    closed = closes(sock, close_within) if close_within else None
    return Reply(status, headers, body, closed)


def _dechunked(sock: socket.socket, data: bytes) -> bytes:
    """The body of a chunked response whose first bytes, after the head, are `data`."""
    body = bytearray()
    while True:
        while b"\r\n" not in data:
            more = sock.recv(65536)
            if not more:
                raise ConnectionError("closed inside a chunked body")
            data += more
        size_line, _, data = data.partition(b"\r\n")
        size = int(size_line.split(b";")[0], 16)
        while len(data) < size + 2:
            more = sock.recv(1 << 20)
            if not more:
                raise ConnectionError("closed inside a chunk")
            data += more
        if size == 0:
            return bytes(body)
        body += data[:size]
        data = data[size + 2 :]


def closes(sock: socket.socket, within: float) -> bool:
    """Whether the server closes `sock` within `within` seconds (data is read and dropped)."""
    deadline = time.monotonic() + within
    try:
        while True:
            sock.settimeout(max(0.01, deadline - time.monotonic()))
            if not sock.recv(65536):
                return True
    except TimeoutError:
        return False
    except ConnectionError:
        return True


def send_request(
    server: Server,
    target: str,
    body: bytes,
    headers: dict[str, str] | None = None,
    method: str = "POST",
) -> Reply:
    """Send one request with a Content-Length as raw bytes; tolerate an early answer."""
    fields = {"host": "localhost", "content-length": str(len(body)), **(headers or {})}
    head = f"{method} {target} HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in fields.items())
    with connect(server) as sock:
        sock.sendall(head.encode("latin-1") + b"\r\n")
        try:
            for start_at in range(0, len(body), 256 * 1024):
                sock.sendall(body[start_at : start_at + 256 * 1024])
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server answered before the whole body arrived; read that answer
        return read_reply(sock)


def rss_kib(server: Server) -> int:
    """The resident memory of the server process, in KiB."""
    return memory_kib(server.process.pid)


def assert_refusal_logged(server: Server, request_id: str, status: int, code: str) -> None:
    """The server logged the refused head as one JSON line, under the answer's request id."""
    logged = [
        json.loads(line)
        for line in server.log.read_text(encoding="utf-8").splitlines()
        if request_id in line
    ]
    assert [(e["logger"], e["message"], e["status"], e["error_code"]) for e in logged] == [
        ("readiness.protocol", "refused a request head", status, code)
    ], logged


def assert_served(server: Server) -> None:
    """An ordinary client gets GET /health and a real assessment, each within `PROMPT` s."""
    with httpx.Client(base_url=server.url, timeout=PROMPT) as client:
        started = time.monotonic()
        assert client.get("/health").status_code == 200
        response = client.post(
            "/v1/assessments", json={"leadership": {"support": {"tactical": "no"}}}
        )
        assert response.status_code == 200, response.text
        assert response.json()["readiness"]
        assert time.monotonic() - started < PROMPT


@contextmanager
def running(action: Callable[[], T]) -> Iterator[Future[T]]:
    """Run `action` in a thread for the duration of the block; yield its future."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        yield pool.submit(action)


def while_hostile(server: Server, action: Callable[[], T], timeout: float = 60) -> T:
    """Run `action` (a hostile client) and, while it runs, check that others are served.

    Returns what `action` returned, which must be within `timeout` seconds.
    """
    started = threading.Event()

    def run() -> T:
        started.set()
        return action()

    with running(run) as future:
        started.wait()
        time.sleep(0.1)  # let the hostile client get going
        assert_served(server)
        return future.result(timeout=timeout)


@pytest.fixture(scope="session")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A server with the default limits but short body and header timeouts."""
    yield from serving(
        tmp_path_factory,
        "hostile",
        rate_limit="0",
        body_timeout=str(BODY_TIMEOUT),
        header_timeout=str(HEADER_TIMEOUT),
    )
