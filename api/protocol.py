"""The HTTP protocol the server runs: uvicorn's httptools protocol, guarded against hostile heads.

httptools buffers a request line and headers of any size for as long as a client takes to send
them, so a client could hold a connection forever with a few bytes a minute (slowloris) or make
the server buffer megabytes of headers. `GuardedHttpToolsProtocol` bounds both. uvicorn imports
it by its path (`api.server.HTTP_PROTOCOL`), in every worker process.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import sys
import uuid
from http import HTTPStatus
from typing import Any

import httptools
from uvicorn.config import Config
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
from uvicorn.server import ServerState

from api.problems import problem_of
from api.settings import Settings
from schemas.codes import ProblemCode

__all__ = ["GuardedHttpToolsProtocol"]

_log = logging.getLogger("readiness.protocol")
"""Refused request heads, as JSON lines with the rest of the server's logs."""


@functools.cache
def _settings() -> Settings:
    """The settings of this worker process, read once from its environment."""
    return Settings.from_env()


def _invalid_request(error: BaseException | None) -> str:
    """The detail of a 400 for a request the parser rejected with `error`."""
    if isinstance(error, httptools.HttpParserInvalidURLError):
        return (
            "the request target holds a character that must be percent-encoded: send the URL "
            "in ASCII, e.g. `Skåne` as `Sk%C3%A5ne` (HTTP libraries do it; with curl, "
            "`-G --data-urlencode 'region=Skåne'`)"
        )
    # The parser's reasons are fixed phrases ("Invalid header token"), never request content.
    reason = str(error).rstrip(".") if isinstance(error, httptools.HttpParserError) else ""
    return f"the request is not valid HTTP/1.1{': ' + reason if reason else ''}"


class _RefusedError(Exception):
    """Raised from a parser callback to stop parsing a request head that breaks a limit."""


class GuardedHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with limits on the request line and headers.

    - A connection must send a complete request head within `header_timeout` seconds of being
      opened (or of the first byte of its next request); else it gets 408 `request-timeout` and
      is closed. Idle keep-alive connections are closed by uvicorn's own keep-alive timeout.
    - A request target longer than `max_url_bytes` gets 414 `url-too-long`; more than
      `max_headers` headers, or a head (line and headers) over `max_header_bytes`, get 431
      `headers-too-large`. The head is counted while it arrives, so at most one read buffer more
      than the limit is ever held.

    A request the parser rejects (a raw `å` in the request target, a malformed request line or
    header) gets 400 `invalid-request` where uvicorn would answer plain text.

    Refusals are problem+json with a new request id (in the body, the `X-Request-Id` header and
    the log line of the refusal) and close the connection.
    """

    def __init__(
        self,
        config: Config,
        server_state: ServerState,
        app_state: dict[str, Any],
        _loop: asyncio.AbstractEventLoop | None = None,
    ) -> None:
        super().__init__(config, server_state, app_state, _loop)
        self._limits = _settings()
        self._head_timer: asyncio.TimerHandle | None = None
        self._in_head = False  # a request head has begun (or may begin) and is not complete
        self._head_bytes = 0  # bytes received while the head was incomplete
        self._header_count = 0
        self._refusal: tuple[int, ProblemCode, str] | None = None

    def _start_head(self) -> None:
        self._in_head = True
        self._head_bytes = 0
        self._header_count = 0
        if self._head_timer is None:
            self._head_timer = self.loop.call_later(
                self._limits.header_timeout, self._head_timed_out
            )

    def _end_head(self) -> None:
        self._in_head = False
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _head_timed_out(self) -> None:
        self._head_timer = None
        if self._in_head and not self.transport.is_closing():
            detail = f"the request head did not arrive within {self._limits.header_timeout:g} s"
            self._refuse(408, "request-timeout", detail)

    def _refuse(self, status: int, code: ProblemCode, detail: str) -> None:
        """Answer `status` with a problem and close the connection."""
        self._end_head()
        request_id = uuid.uuid4().hex
        problem = problem_of(status, code, detail, request_id)
        body = problem.model_dump_json(exclude_none=True).encode()
        head = (
            f"HTTP/1.1 {status} {HTTPStatus(status).phrase}\r\n"
            "content-type: application/problem+json\r\n"
            f"content-length: {len(body)}\r\n"
            f"x-request-id: {request_id}\r\n"
            "connection: close\r\n\r\n"
        )
        _log.warning(
            "refused a request head",
            extra={"status": status, "request_id": request_id, "error_code": code},
        )
        self.transport.write(head.encode("ascii") + body)
        self.transport.close()

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        """Start the clock for the first request head."""
        super().connection_made(transport)
        self._start_head()

    def connection_lost(self, exc: Exception | None) -> None:
        """Stop the clock."""
        self._end_head()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        """Parse `data`, counting it against the head limit while a head is incomplete."""
        super().data_received(data)
        if self._in_head and not self.transport.is_closing():
            self._head_bytes += len(data)
            if self._head_bytes > self._limits.max_header_bytes:
                limit = self._limits.max_header_bytes
                self._refuse(431, "headers-too-large", f"the request head is over {limit} bytes")

    def send_400_response(self, msg: str) -> None:
        """Answer a refusal raised from a parser callback, else 400 `invalid-request`.

        uvicorn calls this while it handles the parser's error, so the error in hand says why.
        """
        if self._refusal is None:
            self._refuse(400, "invalid-request", _invalid_request(sys.exc_info()[1]))
            return
        status, code, detail = self._refusal
        self._refusal = None
        self._refuse(status, code, detail)

    def _stop(self, status: int, code: ProblemCode, detail: str) -> None:
        self._refusal = (status, code, detail)
        raise _RefusedError(detail)

    def on_message_begin(self) -> None:
        """Start the clock for this request's head, unless the connection's clock runs."""
        super().on_message_begin()
        self._start_head()

    def on_url(self, url: bytes) -> None:
        """Collect the request target, refusing one over `max_url_bytes`."""
        super().on_url(url)
        if len(self.url) > self._limits.max_url_bytes:
            limit = self._limits.max_url_bytes
            self._stop(414, "url-too-long", f"the request target is over {limit} bytes")

    def on_header(self, name: bytes, value: bytes) -> None:
        """Collect a header, refusing more than `max_headers`."""
        self._header_count += 1
        if self._header_count > self._limits.max_headers:
            limit = self._limits.max_headers
            self._stop(431, "headers-too-large", f"more than {limit} header lines")
        super().on_header(name, value)

    def on_headers_complete(self) -> None:
        """Refuse a head over `max_header_bytes` that arrived in one read; else run the request."""
        size = len(self.url) + sum(len(name) + len(value) + 4 for name, value in self.headers)
        if size > self._limits.max_header_bytes:
            limit = self._limits.max_header_bytes
            self._stop(431, "headers-too-large", f"the request head is over {limit} bytes")
        self._end_head()
        super().on_headers_complete()
