"""Reading a JSON request body: media type, time, size, syntax, depth; each with its own 4xx.

Hostile bodies are refused before they cost much: the body must arrive within a deadline (a
client trickling it byte by byte gets 408), its charset must be UTF-8, and the number of JSON
values is bounded before parsing, because Python objects are 10-30 times larger than the JSON that
describes them (8 MiB of `{},` would become 2.8 million dictionaries). Strict JSON only
(`schemas.strict_json`): NaN, Infinity, numbers that overflow to infinity, integers over Python's
digit limit and duplicate keys are all 400 `invalid-json`.
"""

from __future__ import annotations

import asyncio
import re
from typing import Any

from litestar import Request

from api.problems import ProblemError
from schemas import strict_json

__all__ = ["read_json"]

# A JSON string, escapes included; used only to blank strings out before counting structure.
_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")


def _deeper_than(value: Any, max_depth: int) -> bool:
    """Whether `value` nests deeper than `max_depth` (the top level is 1, scalars count).

    Level by level, so that each node costs one type check and no tuple: a batch of 1,000
    assessments holds some 100,000 values.
    """
    level = [value]
    depth = 0
    while level:
        depth += 1
        if depth > max_depth:
            return True
        below: list[Any] = []
        for node in level:
            kind = type(node)
            if kind is dict:
                below += node.values()
            elif kind is list:
                below += node
        level = below
    return False


def _crude_count(raw: bytes) -> int:
    return 1 + raw.count(b",") + raw.count(b"{") + raw.count(b"[")


def _check_size(raw: bytes, max_values: int, max_depth: int) -> None:
    """Refuse a body with more than `max_values` JSON values before it is parsed.

    Every value but the first follows an opening bracket or a comma, so a body holds one more
    value than it has commas and opening brackets outside strings (exactly, if it is valid JSON).

    Raises:
        ProblemError: 400 `too-deep` when a run of opening brackets is also deeper than
            `max_depth` (that code wins, as it does for bodies within the count), else 413
            `too-many-values`.
    """
    if _crude_count(raw) <= max_values:  # brackets and commas in strings count too: fast path
        return
    bare = _STRING.sub(b'""', raw)
    if _crude_count(bare) <= max_values:
        return
    brackets = bare.translate(None, _NOT_BRACKETS)
    if re.search(rb"[\[{]{%d}" % (max_depth + 1), brackets):
        raise ProblemError(400, "too-deep", f"JSON nested deeper than {max_depth}")
    raise ProblemError(413, "too-many-values", f"the body holds more than {max_values} JSON values")


def _media_problem(content_type: str) -> ProblemError | None:
    """None when `content_type` is JSON in UTF-8, else the 415 to answer with."""
    media, _, params = content_type.partition(";")
    media = media.strip().lower()
    if not (
        media == "application/json"
        or (media.startswith("application/") and media.endswith("+json"))
    ):
        return ProblemError(
            415,
            "unsupported-media-type",
            f"send the body as application/json, not {content_type[:100] or 'without a content type'}",
        )
    for param in params.split(";"):
        name, _, value = param.partition("=")
        charset = value.strip().strip('"').lower()
        if name.strip().lower() == "charset" and charset not in ("utf-8", "utf8"):
            return ProblemError(
                415,
                "unsupported-media-type",
                f"send the body as UTF-8 JSON, not charset {charset[:40]!r}",
            )
    return None


async def _body(request: Request[Any, Any, Any], timeout: float | None) -> bytes:
    """The whole body, or 408 `request-timeout` when it has not arrived within `timeout` s."""
    if timeout is None:
        return await request.body()
    try:
        # Not `wait_for`: on Python 3.11 it runs the read as a task of its own, which costs every
        # request two more turns of the event loop (tens of milliseconds each under load).
        async with asyncio.timeout(timeout):
            return await request.body()
    except TimeoutError:
        raise ProblemError(
            408,
            "request-timeout",
            f"the request body did not arrive within {timeout:g} s",
            headers={"Connection": "close"},  # the rest of a trickled body is not worth reading
        ) from None


async def read_json(
    request: Request[Any, Any, Any],
    max_depth: int,
    *,
    max_values: int | None = None,
    timeout: float | None = None,
) -> Any:
    """Return the parsed JSON body of `request`.

    Args:
        request: The request whose body to read.
        max_depth: Deepest nesting allowed.
        max_values: Most JSON values (objects, arrays, strings, numbers, ...) allowed; None: any.
        timeout: Seconds the whole body may take to arrive; None: no deadline.

    Raises:
        ProblemError: 415 `unsupported-media-type` (not JSON, or not UTF-8), 408
            `request-timeout`, 400 `empty-body`, 413 `too-many-values`, 400 `invalid-json`,
            400 `too-deep`. Bodies over the size limit are refused with 413 while being read.
    """
    refusal = _media_problem(request.headers.get("content-type", ""))
    if refusal is not None:
        raise refusal
    raw = await _body(request, timeout)
    if not raw.strip():
        raise ProblemError(400, "empty-body", "the request body is empty; send a JSON object")
    if max_values is not None:
        _check_size(raw, max_values, max_depth)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ProblemError(400, "invalid-json", f"the body is not UTF-8: {exc.reason}") from None
    try:
        value = strict_json.parse(text)
    except strict_json.RefusedError as exc:
        if exc.code == "too-deep":
            raise ProblemError(400, "too-deep", f"JSON nested deeper than {max_depth}") from None
        raise ProblemError(400, "invalid-json", f"the body is not valid JSON: {exc}") from None
    # Each level of nesting needs an opening bracket, so a body with few brackets (counted in
    # strings too, which only overestimates) cannot be too deep and needs no walk.
    if raw.count(b"{") + raw.count(b"[") + 1 > max_depth and _deeper_than(value, max_depth):
        raise ProblemError(400, "too-deep", f"JSON nested deeper than {max_depth}")
    return value
