"""Request ids, ruleset headers on every response, and JSON access logs without request content."""

from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from litestar.types import ASGIApp, Message, Receive, Scope, Send

if TYPE_CHECKING:
    from api.runtime import Served

__all__ = ["JsonFormatter", "RequestContextMiddleware", "configure_logging"]

_VALID_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
_access = logging.getLogger("readiness.access")


class JsonFormatter(logging.Formatter):
    """Formats each record as one JSON object per line."""

    _FIELDS = (
        "method", "path", "status", "duration_ms", "request_id", "ruleset_digest",
        "ruleset_version", "rule", "error_code", "errors",
    )  # fmt: skip

    def format(self, record: logging.LogRecord) -> str:
        """Return the record as a JSON line."""
        entry: dict[str, Any] = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name in self._FIELDS:
            if hasattr(record, name):
                entry[name] = getattr(record, name)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def configure_logging(level: str) -> None:
    """Send the `readiness` loggers to stderr as JSON lines at `level` (idempotent)."""
    logger = logging.getLogger("readiness")
    logger.setLevel(level.upper())
    if not any(isinstance(h.formatter, JsonFormatter) for h in logger.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(JsonFormatter())
        logger.addHandler(handler)
    logger.propagate = False


class RequestContextMiddleware:
    """Gives each request an id and every response the ruleset headers; logs one line per request.

    The id is the client's `X-Request-Id` when it is a short token, else a new one. The access log
    holds method, path, status, duration, request id and ruleset digest, never the query or body.
    """

    def __init__(self, app: ASGIApp, current: Callable[[], Served]) -> None:
        self.app = app
        self._current = current

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Handle one ASGI connection."""
        if scope["type"] != "http":  # type: ignore[comparison-overlap]  # the enum is a str
            await self.app(scope, receive, send)
            return
        given = next((v.decode("latin-1") for k, v in scope["headers"] if k == b"x-request-id"), "")
        request_id = given if _VALID_ID.match(given) else uuid.uuid4().hex
        served = self._current()  # the request keeps these rules even if a reload switches
        ruleset = served.engine.ruleset
        state = scope.setdefault("state", {})
        state["request_id"] = request_id
        state["served"] = served
        ruleset_headers = [
            (b"x-ruleset-version", ruleset.version.encode()),
            (b"x-ruleset-digest", ruleset.digest.encode()),
        ]
        started = time.perf_counter()
        status = 500

        async def send_with_headers(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = [
                    (k, v)
                    for k, v in message.get("headers", [])
                    if k.lower() not in (b"x-request-id", b"x-ruleset-version", b"x-ruleset-digest")
                ]
                headers += [*ruleset_headers, (b"x-request-id", request_id.encode())]
                message["headers"] = headers
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        finally:
            _access.info(
                "request",
                extra={
                    "method": scope.get("method", ""),
                    "path": scope["path"],
                    "status": status,
                    "duration_ms": round(1000 * (time.perf_counter() - started), 2),
                    "request_id": request_id,
                    "ruleset_digest": ruleset.digest,
                },
            )
