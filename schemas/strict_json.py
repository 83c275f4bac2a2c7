"""Strict JSON: what every reader of an assessment accepts, the API and the command line alike.

NaN, Infinity, numbers that overflow to infinity, integers over Python's digit limit and
duplicate keys are refused: a later duplicate silently replacing an earlier value could hide an
answer, so the whole document is refused instead. The API answers a refusal with 400
`invalid-json`; the command line (`readiness assess`, `rules diff`, `rounds open` and `rounds
combine`) prints it as one line with the same reason.
"""

from __future__ import annotations

import json
import math
from typing import Any

__all__ = ["RefusedError", "decode", "loads", "parse", "parse_file"]


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):  # too large in magnitude, either sign, for a double
        shown = text if len(text) <= 20 else text[:20] + "..."
        raise ValueError(f"the number {shown} is out of range")
    return value


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)  # built in C; a repeated key shows as a shorter dict
    if len(result) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise ValueError(f"duplicate key {key!r}")
            seen.add(key)
    return result


def loads(text: str) -> Any:
    """Parse `text` as strict JSON.

    Raises:
        json.JSONDecodeError: Not JSON (a `ValueError`, with the line and column).
        ValueError: Refused as above; the message says why, in words.
        RecursionError: Nested deeper than Python's recursion limit.
    """
    try:
        return json.loads(
            text,
            parse_constant=_no_constants,
            parse_float=_finite,
            object_pairs_hook=_no_duplicates,
        )
    except json.JSONDecodeError:
        raise  # a syntax error, with its line and column
    except ValueError as exc:
        if "integer string conversion" in str(exc):  # Python converts at most 4,300 digits
            raise ValueError("an integer has too many digits") from None
        raise


class RefusedError(ValueError):
    """Why a text is refused, under the code the API answers such a body with (`code`)."""

    def __init__(self, code: str, reason: str) -> None:
        super().__init__(reason)
        self.code = code

    def at(self, where: str) -> str:
        """The refusal as one line about `where` (a file, or `file:line`): `WHERE: CODE: REASON`."""
        return f"{where}: {self.code}: {self}"


def parse(text: str) -> Any:
    """`loads`, every refusal a `RefusedError`: `too-deep` for nesting, else `invalid-json`."""
    try:
        return loads(text)
    except RecursionError:
        raise RefusedError("too-deep", "the JSON is nested too deeply") from None
    except ValueError as exc:
        raise RefusedError("invalid-json", str(exc)) from None


def decode(data: bytes) -> str:
    """`data` as UTF-8 text; a leading byte-order mark is dropped.

    Files, not request bodies: Windows editors write a mark, and since it cannot begin valid
    JSON, dropping it changes no document's meaning.

    Raises:
        RefusedError: `invalid-json`, naming the first byte that is not UTF-8 and its offset.
    """
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise RefusedError(
            "invalid-json",
            f"not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start})",
        ) from None


def parse_file(data: bytes) -> Any:
    """The JSON document in a file's bytes: `decode`, then `parse`; a blank file is refused.

    Raises:
        RefusedError: `empty-body`, `invalid-json` (not UTF-8, or as `parse`) or `too-deep`.
    """
    text = decode(data)
    if not text.strip():
        raise RefusedError("empty-body", "the file is empty; give one JSON object")
    return parse(text)
