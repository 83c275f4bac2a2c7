"""Settings of the API, one typed object passed into the app factory."""

from __future__ import annotations

import re
import types
from pathlib import Path
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BeforeValidator, Field, ValidationError, field_validator
from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

__all__ = [
    "PREFIX",
    "Backend",
    "LogLevel",
    "Settings",
    "SettingsError",
    "settings_table",
    "with_settings_table",
    "write_settings_table",
]

PREFIX = "READINESS_"
"""What every variable's name starts with; the rest is the field's name in capitals."""

# Written out rather than imported so that reading the configuration does not import the engine;
# tests/api/test_settings.py checks that it equals `engine.BACKENDS`.
Backend = Literal["durable", "compiled"]
"""The rule-evaluation backends."""

LogLevel = Literal["critical", "error", "warning", "info", "debug"]
"""The levels of the application and access logs, in the spelling uvicorn takes."""

# An origin as browsers send it: scheme, host, optional port; no path, no wildcard.
_ORIGIN = re.compile(r"https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?")

_START = "<!-- settings:start -->"
_END = "<!-- settings:end -->"


class SettingsError(ValueError):
    """An environment variable holds a value the setting cannot take."""


def _lower(value: object) -> object:
    return value.lower() if isinstance(value, str) else value


class Settings(BaseSettings):
    """Everything the API can be configured with, read from `READINESS_<NAME>` variables.

    An empty variable counts as unset. Each field's docstring is its description in the README.
    """

    model_config = SettingsConfigDict(
        env_prefix=PREFIX,
        env_ignore_empty=True,
        frozen=True,
        use_attribute_docstrings=True,
    )

    host: str = "127.0.0.1"
    """Interface to listen on."""
    port: Annotated[int, Field(ge=1, le=65535)] = 8000
    """TCP port."""
    workers: Annotated[int, Field(ge=1)] = 1
    """Uvicorn worker processes."""
    log_level: Annotated[LogLevel, BeforeValidator(_lower)] = "info"
    """Level of the server's JSON logs on stderr (any case); uvicorn's own lines (start-up, and
    a request it cannot parse) are plain text."""
    rules_dir: Path | None = None
    """Another rules folder; unset, the `rules/` shipped with the project."""
    max_body_bytes: Annotated[int, Field(ge=1)] = 1024 * 1024
    """Largest accepted request body; larger ones get 413 `body-too-large`."""
    max_batch_body_bytes: Annotated[int, Field(ge=1)] = 8 * 1024 * 1024
    """Largest accepted body of `POST /v1/assessments/batch` (1,000 assessments are about 3 MB)."""
    max_batch_items: Annotated[int, Field(ge=1)] = 1000
    """Most assessments in one batch; more get 422 `too-many-items`."""
    max_json_depth: Annotated[int, Field(ge=1)] = 32
    """Deepest nesting of a JSON body; deeper gets 400 `too-deep`."""
    database_url: str = "sqlite:///data/readiness.sqlite3"
    """SQLAlchemy URL of the database where assessments and keys are kept: a SQLite file by
    default, PostgreSQL as `postgresql+psycopg://user:password@host/db`."""
    assess_without_key: bool = False
    """Let callers without a key assess (never store)."""
    min_group_size: Annotated[int, Field(ge=1)] = 5
    """Aggregates over fewer organisations than this are suppressed."""
    reload_interval: Annotated[float, Field(ge=0, allow_inf_nan=False)] = 2.0
    """Seconds between checks of the rules folder for changes; `0` turns watching off
    (`POST /v1/rules/reload` still works)."""
    engine: Backend = "durable"
    """Rule evaluation: `durable` (durable_rules) or `compiled` (the same rules compiled to
    Python; identical results, see "How a result is derived")."""
    rate_limit: Annotated[int, Field(ge=0)] = 600
    """Requests a minute per API key, or per client address without a valid key; `0` turns it
    off. Over it: 429 `rate-limited` with `Retry-After`; `/health` and `/ready` are exempt.
    Counted in each worker, so with N workers a caller gets up to N times the limit. Behind a
    proxy, set `FORWARDED_ALLOW_IPS` to the proxy's address."""
    cors_origins: Annotated[tuple[str, ...], NoDecode] = ()
    """Exact origins (`https://dashboard.example.org`) that browsers may call the API from, without
    credentials; unset, no CORS headers are sent."""
    body_timeout: Annotated[float, Field(gt=0, le=3600, allow_inf_nan=False)] = 30.0
    """Seconds a request body may take to arrive in full; slower gets 408 `request-timeout`."""
    header_timeout: Annotated[float, Field(gt=0, le=3600, allow_inf_nan=False)] = 10.0
    """Seconds a connection may take to send a request line and headers (counted from the
    connection or from the request's first byte); then 408 and closed."""
    shutdown_timeout: Annotated[int, Field(ge=1, le=3600)] = 10
    """Whole seconds a stopping server (SIGTERM, or Ctrl-C) lets the requests it is answering
    finish; then it cuts them off and exits, so a client still sending a body does not hold it
    up for the body timeout. A second Ctrl-C stops it at once. Give a process manager a longer
    grace period than this before it kills the server."""
    max_header_bytes: Annotated[int, Field(ge=1)] = 64 * 1024
    """Largest request line plus headers; larger get 431 `headers-too-large`."""
    max_headers: Annotated[int, Field(ge=1)] = 100
    """Most header lines in one request; more get 431 `headers-too-large`."""
    max_url_bytes: Annotated[int, Field(ge=1)] = 8 * 1024
    """Longest request target (path and query); longer get 414 `url-too-long`."""
    export_max_rows: Annotated[int, Field(ge=1, le=1_000_000)] = 100_000
    """Most assessments one export (`GET /v1/assessments?format=csv|xlsx|ndjson`) holds; one cut
    short says so (`X-Export-Truncated: true`, a `Link` to the rest, and its last line). At most
    a million, so that an XLSX of assessments fits on one worksheet."""
    page_session_hours: Annotated[float, Field(gt=0, le=24 * 90, allow_inf_nan=False)] = 12.0
    """Hours a session of the pages (`/`, the questionnaire, reports, the dashboard) lasts from
    its start; its questionnaire draft goes with it."""
    secure_cookies: bool = True
    """Mark the pages' session cookie `Secure` (sent over HTTPS only; browsers also send it to
    `localhost` over HTTP). Turn off only to try the pages over plain HTTP on another host."""
    round_retention_days: Annotated[int, Field(ge=0, le=36_500)] = 90
    """Days the respondents' own answers of a closed assessment round are kept; then they are
    deleted (checked at start-up and whenever rounds are listed or closed), and the round and
    its stored combined assessment stay. `0` deletes them as soon as the round is closed. A
    round nobody closes counts from its closing date (`closes_at`)."""

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        """Split the variable's text at commas, dropping blanks."""
        if isinstance(value, str):
            return tuple(part.strip() for part in value.split(",") if part.strip())
        return value

    @field_validator("cors_origins")
    @classmethod
    def _check_origins(cls, origins: tuple[str, ...]) -> tuple[str, ...]:
        for origin in origins:
            if not _ORIGIN.fullmatch(origin):
                raise ValueError(f"{origin!r} is not an origin like https://host[:port]")
        return origins

    @classmethod
    def from_env(cls) -> Settings:
        """Read settings from the process environment; unset ones keep their defaults.

        Raises:
            SettingsError: Naming each variable whose value is not valid, and why.
        """
        try:
            return cls()
        except ValidationError as exc:
            raise SettingsError("; ".join(_say(error) for error in exc.errors())) from None

    @property
    def cors_origin_list(self) -> list[str]:
        """The origins of `cors_origins`."""
        return list(self.cors_origins)


def _number(value: object) -> str:
    """`0` rather than `0.0` for a bound given as a float."""
    return f"{value:g}" if isinstance(value, float) else str(value)


_SAYS = {
    "greater_than_equal": "must be at least {ge}",
    "greater_than": "must be more than {gt}",
    "less_than_equal": "must be at most {le}",
    "int_parsing": "must be a whole number",
    "int_from_float": "must be a whole number",
    "float_parsing": "must be a number",
    "finite_number": "must be a finite number",
    "bool_parsing": "must be true or false",
    "literal_error": "must be {expected}",
}


def _say(error: Any) -> str:
    """One of pydantic's errors as `READINESS_<NAME>: must be …, not '<value>'`."""
    name = f"{PREFIX}{str(error['loc'][0]).upper()}"
    if error["type"] == "value_error":
        return f"{name}: {error['ctx']['error']}"
    template = _SAYS.get(error["type"])
    if template is None:
        return f"{name}: {error['msg']}, not {error['input']!r}"
    context = {key: _number(value) for key, value in error.get("ctx", {}).items()}
    return f"{name}: {template.format(**context)}, not {error['input']!r}"


def _bounds(field: FieldInfo) -> str:
    """The range a number must fall in, in the words of the error messages."""
    words = {"ge": "at least", "gt": "more than", "le": "at most"}
    return ", ".join(
        f"{said} {_number(getattr(rule, bound))}"
        for rule in field.metadata
        for bound, said in words.items()
        if hasattr(rule, bound)
    )


def _kind(field: FieldInfo) -> str:
    """What a variable may hold: the allowed values, or a type and its range."""
    annotation = field.annotation
    if get_origin(annotation) is Literal:
        choices = [f"`{choice}`" for choice in get_args(annotation)]
        return ", ".join(choices[:-1]) + " or " + choices[-1]
    if get_origin(annotation) in (Union, types.UnionType):
        annotation = next(arg for arg in get_args(annotation) if arg is not type(None))
    if get_origin(annotation) is tuple:
        return "comma-separated list"
    names: dict[object, str] = {
        bool: "`true` or `false`",
        int: "whole number",
        float: "number",
        Path: "path",
    }
    kind = names.get(annotation, "text")
    bounds = _bounds(field)
    return f"{kind}, {bounds}" if bounds else kind


def _default(value: object) -> str:
    if value is None or value == ():
        return "unset"
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    return f"`{_number(value)}`"


def settings_table() -> str:
    """The README's table of variables, made from the fields of `Settings`."""
    lines = ["| variable | value | default | meaning |", "|---|---|---|---|"]
    for name, field in Settings.model_fields.items():
        meaning = " ".join((field.description or "").split()).replace("|", "\\|")
        lines.append(
            f"| `{PREFIX}{name.upper()}` | {_kind(field)} | {_default(field.default)} | {meaning} |"
        )
    return "\n".join(lines) + "\n"


def with_settings_table(text: str) -> str:
    """`text` (the README) with the table between its settings markers made anew.

    Raises:
        ValueError: When the markers are not there once each, in order.
    """
    if text.count(_START) != 1 or text.count(_END) != 1 or text.index(_START) > text.index(_END):
        raise ValueError(f"expected one {_START} followed by one {_END}")
    head, rest = text.split(_START)
    _, tail = rest.split(_END)
    return f"{head}{_START}\n{settings_table()}{_END}{tail}"


def write_settings_table(readme: Path | str = "README.md") -> None:
    """Rewrite the settings table in `readme` (the README in the current folder by default)."""
    path = Path(readme)
    path.write_text(with_settings_table(path.read_text(encoding="utf-8")), encoding="utf-8")
