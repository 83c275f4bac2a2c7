"""Field errors: a pydantic `ValidationError` as the API and the command line report it.

Each invalid field becomes a `FieldError`: its JSON path, a stable reason (`value-not-allowed`,
`unknown-field`, `wrong-type`, …, listed on `FieldError.type`) and a message for a person, with
the values allowed and a did-you-mean for a near miss. The API sends them in a problem's
`errors`; `readiness assess` prints one line each, and `readiness rules diff` and `readiness
rounds open` name them when a file they read holds an invalid assessment or round.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Sequence
from types import UnionType
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from schemas.problem import FieldError

__all__ = ["field_errors", "json_path", "unwrap"]

_FIELD_TYPES = {
    "extra_forbidden": "unknown-field",
    "literal_error": "value-not-allowed",
    "enum": "value-not-allowed",
    "missing": "missing",
    "string_too_long": "too-long",
    "string_too_short": "too-short",
    "too_long": "too-long",
    "too_short": "too-short",
    "greater_than_equal": "out-of-range",
    "less_than_equal": "out-of-range",
    "greater_than": "out-of-range",
    "less_than": "out-of-range",
    "string_pattern_mismatch": "pattern-mismatch",
}

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_EXPECTED = {
    "model_type": "an object",
    "model_attributes_type": "an object",
    "dict_type": "an object",
    "list_type": "an array",
    "tuple_type": "an array",
    "string_type": "a string",
    "int_type": "an integer",
    "int_parsing": "an integer",
    "int_from_float": "an integer",
    "float_type": "a number",
    "float_parsing": "a number",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
}
"""What a pydantic type error expected, in JSON's words (its own message names Python classes)."""


def json_path(loc: Sequence[int | str]) -> str:
    """The JSON path (from `$`, the body) of the value at `loc`."""
    path = "$"
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        elif _NAME.fullmatch(part):
            path += f".{part}"
        else:  # a key such as "leadership.support.tactical" is one key, not a path
            path += "[" + json.dumps(part, ensure_ascii=False) + "]"
    return path


def _json_kind(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "an object"


def unwrap(annotation: Any) -> Any:
    """The model or list type inside `annotation` (through `Annotated` and `| None`), else it."""
    while True:
        origin = get_origin(annotation)
        if origin is Annotated:
            annotation = get_args(annotation)[0]
        elif origin in (Union, UnionType):
            inner = [arg for arg in get_args(annotation) if arg is not type(None)]
            if len(inner) != 1:
                return annotation
            annotation = inner[0]
        else:
            return annotation


def _model_at(model: type[BaseModel] | None, loc: Sequence[int | str]) -> type[BaseModel] | None:
    """The model that validates the value at `loc` under `model`, when it is one."""
    current: Any = model
    for part in loc:
        current = unwrap(current)
        if isinstance(part, int) and get_origin(current) is list:
            current = get_args(current)[0]
        elif isinstance(current, type) and issubclass(current, BaseModel):
            field = current.model_fields.get(str(part))
            if field is None:
                return None
            current = field.annotation
        else:
            return None
    current = unwrap(current)
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def _where(model: type[BaseModel], name: str, depth: int = 3) -> list[str]:
    """Dotted paths below `model` to a field called `name`, nearest first."""
    found: list[str] = []
    level: list[tuple[str, type[BaseModel]]] = [("", model)]
    for _ in range(depth):
        below: list[tuple[str, type[BaseModel]]] = []
        for prefix, current in level:
            for field_name in current.model_fields:
                nested = _model_at(current, [field_name])
                if field_name == name and prefix:
                    found.append(prefix + field_name)
                if nested is not None:
                    below.append((f"{prefix}{field_name}.", nested))
        level = below
    return found


def _unknown_field(
    name: str, value: object, parent: type[BaseModel] | None
) -> tuple[str, list[str] | None]:
    """The message for the unknown field `name` (holding `value`) in `parent`, and its names."""
    message = f"unknown field {name!r}"
    if parent is None:
        return message, None
    names = list(parent.model_fields)
    head = name.split(".", 1)[0]
    if "." in name and head in names and _model_at(parent, [head]) is not None:
        shown = json.dumps(value, ensure_ascii=False, default=str)
        nested: object = json.loads(shown) if len(shown) <= 40 else "..."
        for part in reversed(name.split(".")):
            nested = {part: nested}
        example = json.dumps(nested, ensure_ascii=False)
        return f"{message}: a dotted key is one name; nest objects instead: {example}", names
    near = difflib.get_close_matches(name, names, n=1, cutoff=0.6)
    deeper = _where(parent, name)
    if near:
        message += f" (did you mean {near[0]!r}?)"
    elif deeper:
        message += (
            f" (did you mean {deeper[0]!r}? it belongs inside {deeper[0].rsplit('.', 1)[0]!r})"
        )
    return message, names


def _field_error(
    err: ErrorDetails, prefix: Sequence[int | str], model: type[BaseModel] | None
) -> FieldError:
    kind = err["type"]
    loc = err["loc"]
    if loc and loc[-1] == "[key]":  # pydantic's mark for a mapping's key that is not allowed
        loc = loc[:-1]
    mapped = _FIELD_TYPES.get(kind)
    if mapped is None:
        # A value of another JSON kind, `2.5` for an integer among them, is the wrong type.
        wrong = kind in _EXPECTED or kind.endswith(("_type", "_parsing"))
        mapped = "wrong-type" if wrong else "invalid"
    allowed = None
    message = err["msg"]
    if mapped == "value-not-allowed":
        expected = (err.get("ctx") or {}).get("expected", "")
        allowed = [part.strip(" '") for part in expected.replace(" or ", ", ").split(",") if part]
        sent = json.dumps(err.get("input"), ensure_ascii=False, default=str)
        sent = sent if len(sent) <= 40 else sent[:37] + "..."
        message = f"{sent} is not allowed; use one of {', '.join(allowed)}"
    elif mapped == "unknown-field":
        message, allowed = _unknown_field(
            str(loc[-1]), err.get("input"), _model_at(model, loc[:-1])
        )
    elif kind in _EXPECTED:
        message = f"expected {_EXPECTED[kind]}, got {_json_kind(err.get('input'))}"
    return FieldError(
        path=json_path([*prefix, *loc]), type=mapped, message=message, allowed=allowed
    )


def field_errors(
    exc: ValidationError,
    prefix: Sequence[int | str] = (),
    *,
    model: type[BaseModel] | None = None,
) -> list[FieldError]:
    """Turn a pydantic `ValidationError` into field errors with JSON paths under `prefix`.

    With `model`, the model that failed, an unknown field gets a did-you-mean and the names
    its object takes (`allowed`).
    """
    return [_field_error(err, prefix, model) for err in exc.errors(include_url=False)]
