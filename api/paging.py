"""Pages of stored items: the `cursor` and `limit` parameters, and the next page's URL."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote, urlencode

from litestar import Request
from litestar.params import QueryParameter

from api.problems import ProblemError
from store.repository import CURSOR_PATTERN, decode_cursor

__all__ = ["CursorQuery", "LimitQuery", "after_cursor", "following", "sent"]

CursorQuery = Annotated[
    str | None,
    QueryParameter(
        description="from `next`: continue after it (empty: the first page)",
        # Documented, and checked by `after_cursor` (400 `invalid-cursor`).
        schema_extra={"pattern": f"^({CURSOR_PATTERN})?$"},
    ),
]
LimitQuery = Annotated[
    int | None, QueryParameter(ge=1, le=500, description="page size (default 50)")
]


def after_cursor(cursor: str | None) -> str | None:
    """The id a page starts after: none for no cursor or an empty one (the first page).

    Raises:
        ProblemError: 400 `invalid-cursor` for a cursor not of a cursor's form.
    """
    if not cursor:
        return None
    after = decode_cursor(cursor)
    if after is None:
        raise ProblemError(
            400,
            "invalid-cursor",
            "the cursor is not one this API gives (the id of a page's last assessment, 32 "
            "lowercase hex digits); pass the previous page's `next` unchanged",
        )
    return after


def sent(request: Request[Any, Any, Any], values: dict[str, object]) -> dict[str, object]:
    """Those of a list's parameters (`values`, as the handler read them) the request sent."""
    return {name: value for name, value in values.items() if name in request.query_params}


def following(request: Request[Any, Any, Any], query: dict[str, object], cursor: str) -> str:
    """The URL, relative to the server, of the query `query` continued after `cursor`."""
    pairs = [(name, str(value)) for name, value in query.items() if value is not None]
    pairs.append(("cursor", cursor))
    return f"{request.url.path}?{urlencode(pairs, quote_via=quote)}"
