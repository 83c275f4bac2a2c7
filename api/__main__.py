"""Run the API, migrate the database, manage API keys: `python -m api [serve|migrate|keys ...]`.

Settings come from READINESS_* environment variables (see the README).

The server is uvicorn on the standard library's event loop (`EVENT_LOOP`, which says why not
uvloop) with its httptools protocol, guarded against hostile request heads:
httptools buffers a request line and headers of any size for as long as a client takes to send
them, so a client could hold a connection forever with a few bytes a minute (slowloris) or make
the server buffer megabytes of headers. `GuardedHttpToolsProtocol` bounds both.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import json
import sys
from collections.abc import Sequence
from http import HTTPStatus
from typing import Any

import uvicorn
from uvicorn.config import Config
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
from uvicorn.server import ServerState

from api.problems import problem_of
from api.settings import Settings, SettingsError
from store.database import Database
from store.keys import SCOPES
from store.repository import Repository

EVENT_LOOP = "asyncio"
"""The event loop uvicorn runs: the standard library's, named so that uvloop is not picked.

uvicorn's default picks uvloop when it is installed. uvloop's libuv accepts one connection per
turn of the loop (libuv/libuv#3696 stopped accepting in a loop), and under load a turn runs every
request that is ready: about 40 ms with 64 busy connections here. A burst of new connections
therefore waited one turn each. In `bench/`, with 64 connections opened at once against a busy
server, the last was accepted 1.4 s after its request had arrived, and the p99 at 64 connections
was 0.4-0.7 s (44-58 ms on asyncio's loop). asyncio's loop accepts every pending connection in one
turn (up to the backlog). On this app both loops serve the same number of requests a second, because the time goes
into the application, not the loop (figures in `bench/RESULTS.md`).
"""

HTTP_PROTOCOL = "api.__main__:GuardedHttpToolsProtocol"
"""uvicorn's `http` setting: by import path, so that worker processes (and `bench/`) import it."""


@functools.cache
def _settings() -> Settings:
    """The settings of this worker process, read once from its environment."""
    return Settings.from_env()


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

    Refusals are problem+json without a request id (no request was made) and close the connection.
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
        self._refusal: tuple[int, str, str] | None = None

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

    def _refuse(self, status: int, code: str, detail: str) -> None:
        """Answer `status` with a problem and close the connection."""
        self._end_head()
        body = problem_of(status, code, detail).model_dump_json(exclude_none=True).encode()
        head = (
            f"HTTP/1.1 {status} {HTTPStatus(status).phrase}\r\n"
            "content-type: application/problem+json\r\n"
            f"content-length: {len(body)}\r\n"
            "connection: close\r\n\r\n"
        )
        self.logger.warning("refused a request head: %s", code)
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
        """Answer a refusal raised from a parser callback, else uvicorn's 400."""
        if self._refusal is None:
            super().send_400_response(msg)
            return
        status, code, detail = self._refusal
        self._refusal = None
        self._refuse(status, code, detail)

    def _stop(self, status: int, code: str, detail: str) -> None:
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


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m api", description=__doc__)
    commands = parser.add_subparsers(dest="command")
    commands.add_parser("serve", help="migrate the database, then serve with uvicorn (default)")
    commands.add_parser("migrate", help="bring the database schema up to date")
    keys = commands.add_parser("keys", help="manage API keys").add_subparsers(
        dest="keys_command", required=True
    )
    create = keys.add_parser("create", help="create a key and print it (shown only once)")
    create.add_argument("--scopes", required=True, help=f"comma-separated, of {', '.join(SCOPES)}")
    bound = create.add_mutually_exclusive_group()
    bound.add_argument("--region", help="bind the key to one region")
    bound.add_argument("--organisation", help="bind the key to one organisation id")
    create.add_argument("--description", help="who the key is for")
    keys.add_parser("list", help="list keys (never their secrets)")
    revoke = keys.add_parser("revoke", help="revoke a key by id")
    revoke.add_argument("key_id")
    return parser


def _keys(args: argparse.Namespace, repository: Repository) -> int:
    if args.keys_command == "create":
        scopes = [s.strip() for s in args.scopes.split(",") if s.strip()]
        unknown = [s for s in scopes if s not in SCOPES]
        if not scopes or unknown:
            print(f"unknown scopes {unknown}; use {', '.join(SCOPES)}", file=sys.stderr)
            return 2
        if "admin" not in scopes and args.region is None and args.organisation is None:
            print(
                "a key without admin scope must be bound: --region or --organisation",
                file=sys.stderr,
            )
            return 2
        print(repository.create_key(scopes, args.region, args.organisation, args.description))
        return 0
    if args.keys_command == "list":
        print(json.dumps(repository.list_keys(), indent=2, ensure_ascii=False))
        return 0
    if repository.revoke_key(args.key_id):
        return 0
    print(f"no key {args.key_id!r}", file=sys.stderr)
    return 1


def main(argv: Sequence[str] | None = None) -> int:
    """Run a command; return its exit code."""
    args = _parser().parse_args(argv)
    try:
        settings = Settings.from_env()
    except SettingsError as exc:
        print(f"invalid setting: {exc}", file=sys.stderr)
        return 2
    database = Database(settings.database_url)
    database.migrate()
    if args.command == "migrate":
        return 0
    if args.command == "keys":
        return _keys(args, Repository(database))
    database.close()
    uvicorn.run(
        "api.app:create_app",
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=settings.workers,
        log_level=settings.log_level.lower(),
        access_log=False,  # the app writes its own JSON access log
        server_header=False,
        loop=EVENT_LOOP,
        http=HTTP_PROTOCOL,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
