"""Reading a JSON request body: media type, emptiness, syntax, depth; each with its own 4xx."""

from __future__ import annotations

import json
from typing import Any

from litestar import Request

from api.problems import ProblemError

__all__ = ["read_json"]


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"duplicate key {key!r}")
        result[key] = value
    return result


def _depth(value: Any) -> int:
    deepest = 0
    stack = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        if isinstance(node, dict):
            stack.extend((child, depth + 1) for child in node.values())
        elif isinstance(node, list):
            stack.extend((child, depth + 1) for child in node)
    return deepest


def _is_json(content_type: str) -> bool:
    media = content_type.split(";", 1)[0].strip().lower()
    return media == "application/json" or (
        media.startswith("application/") and media.endswith("+json")
    )


async def read_json(request: Request[Any, Any, Any], max_depth: int) -> Any:
    """Return the parsed JSON body of `request`.

    Raises:
        ProblemError: 415 `unsupported-media-type`, 400 `empty-body`, 400 `invalid-json`,
            400 `too-deep`. Bodies over the size limit are refused with 413 before this runs.
    """
    content_type = request.headers.get("content-type", "")
    if not _is_json(content_type):
        raise ProblemError(
            415,
            "unsupported-media-type",
            f"send the body as application/json, not {content_type or 'without a content type'}",
        )
    raw = await request.body()
    if not raw.strip():
        raise ProblemError(400, "empty-body", "the request body is empty; send a JSON object")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ProblemError(400, "invalid-json", f"the body is not UTF-8: {exc.reason}") from None
    try:
        value = json.loads(text, parse_constant=_no_constants, object_pairs_hook=_no_duplicates)
    except RecursionError:
        raise ProblemError(400, "too-deep", f"JSON nested deeper than {max_depth}") from None
    except ValueError as exc:
        raise ProblemError(400, "invalid-json", f"the body is not valid JSON: {exc}") from None
    # Each level of nesting needs an opening bracket, so a body with few brackets (counted in
    # strings too, which only overestimates) cannot be too deep and needs no walk.
    if raw.count(b"{") + raw.count(b"[") + 1 > max_depth and _depth(value) > max_depth:
        raise ProblemError(400, "too-deep", f"JSON nested deeper than {max_depth}")
    return value
