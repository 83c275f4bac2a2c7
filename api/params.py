"""Strict query parameters: one a handler does not declare, or repeats, is a 400 saying what it takes.

Litestar ignores a query parameter no handler declares, so `?stroe=true` stored nothing and
`?regoin=Sk` listed every record, each with a 200. `refuse_unknown_parameters` runs before every
handler (the app's `before_request` hook) and compares the query with the parameters the handler
and its dependencies declare, as litestar's own parameter model lists them, so that no route keeps
a list of its own. A single-valued parameter sent twice is refused too: litestar would take the
last value and drop the first without a word.

The probes (`/health`, `/ready`) are exempt: a load balancer or monitor may add a query of its
own, and a refused probe would take a healthy server out of service. So is OPTIONS: a browser's
CORS preflight carries the query of the request it asks about, which its handler does not take.
"""

from __future__ import annotations

import difflib
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from litestar import Litestar, Request
from litestar.handlers import HTTPRouteHandler
from litestar.routes import HTTPRoute

from api.problems import ProblemError
from schemas.problem import FieldError

__all__ = ["PROBES", "REFUSED", "Declared", "declared_parameters", "refuse_unknown_parameters"]

PROBES = frozenset({"/health", "/ready"})
"""Paths whose query is never checked."""

REFUSED = "refused_parameters"
"""Key of a handler's `opt`: a mapping of parameter names it refuses to the reason, for a
parameter a caller may expect there (e.g. `store` on the batch endpoint)."""

_STATE_KEY = "declared_query_parameters"


@dataclass(frozen=True)
class Declared:
    """The query parameters one handler takes."""

    names: frozenset[str]
    """Their names as sent (`from`, not the Python name `created_from`)."""
    sequences: frozenset[str]
    """Those that may be repeated (list-typed)."""
    open: bool
    """The handler reads the whole query itself, so any name may be meaningful."""


def declared_parameters(app: Litestar) -> dict[HTTPRouteHandler, Declared]:
    """The query parameters of every HTTP handler of `app`, from litestar's parameter models."""
    table: dict[HTTPRouteHandler, Declared] = {}
    for route in app.routes:
        if not isinstance(route, HTTPRoute):
            continue
        for handler, model in route.route_handler_map.values():
            params = model.expected_query_params
            table[handler] = Declared(
                names=frozenset(p.field_alias for p in params),
                sequences=frozenset(p.field_alias for p in params if p.is_sequence),
                open="query" in model.expected_reserved_kwargs,
            )
    return table


def _declared(request: Request[Any, Any, Any]) -> Declared | None:
    state = request.app.state
    table = state.get(_STATE_KEY)
    if table is None:  # built once per app, at its first request (routes are fixed by then)
        table = declared_parameters(request.app)
        state[_STATE_KEY] = table
    found: Declared | None = table.get(request.route_handler)
    return found


def _takes(declared: Declared) -> str:
    if not declared.names:
        return "this endpoint takes no query parameters"
    return "this endpoint takes " + ", ".join(sorted(declared.names))


def _unknown(name: str, declared: Declared, reasons: Mapping[str, str]) -> FieldError:
    if name in reasons:
        message = f"query parameter {name!r} is not taken here: {reasons[name]}"
    else:
        message = f"unknown query parameter {name!r}"
        near = difflib.get_close_matches(name, sorted(declared.names), n=1, cutoff=0.6)
        if near:
            message += f" (did you mean {near[0]!r}?)"
        elif name == "lang":
            message += " (this endpoint's answer is not translated)"
    return FieldError(
        path=name, type="unknown-parameter", message=message, allowed=sorted(declared.names)
    )


async def refuse_unknown_parameters(request: Request[Any, Any, Any]) -> None:
    """Refuse a query with a parameter the handler does not declare, or a repeated single one.

    Raises:
        ProblemError: 400 `unknown-parameter`, each unknown name in `errors` (with a did-you-mean
            for a near miss and the accepted names in `allowed`); 400 `repeated-parameter`,
            each single-valued parameter sent more than once.
    """
    scope = request.scope
    if not scope.get("query_string") or scope["path"] in PROBES or scope["method"] == "OPTIONS":
        return
    declared = _declared(request)
    if declared is None or declared.open:
        return
    sent = [name for name, _ in request.query_params.multi_items()]
    unknown = [name for name in dict.fromkeys(sent) if name not in declared.names]
    if unknown:
        reasons: Mapping[str, str] = request.route_handler.opt.get(REFUSED, {})
        errors = [_unknown(name, declared, reasons) for name in unknown]
        detail = "; ".join([*(error.message for error in errors), _takes(declared)])
        raise ProblemError(400, "unknown-parameter", detail, errors)
    repeated = [
        name
        for name, count in Counter(sent).items()
        if count > 1 and name not in declared.sequences
    ]
    if repeated:
        errors = [
            FieldError(
                path=name,
                type="repeated-parameter",
                message=f"{name!r} was sent {sent.count(name)} times; send it once",
            )
            for name in repeated
        ]
        names = ", ".join(repr(name) for name in repeated)
        raise ProblemError(
            400, "repeated-parameter", f"send each query parameter once: {names} repeated", errors
        )
