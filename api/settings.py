"""Settings of the API, one typed object passed into the app factory."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path

from engine import BACKENDS
from store.database import DEFAULT_URL

__all__ = ["Settings", "SettingsError"]

_PREFIX = "READINESS_"
# An origin as browsers send it: scheme, host, optional port; no path, no wildcard.
_ORIGIN = re.compile(r"^https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?$")


class SettingsError(ValueError):
    """An environment variable holds a value the setting cannot take."""


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything the API can be configured with; `from_env` reads `READINESS_<NAME>`.

    Attributes:
        host: Interface to listen on.
        port: TCP port.
        workers: Uvicorn worker processes.
        log_level: Level of the application and access logs.
        rules_dir: The rules folder; None means the one shipped with the project.
        max_body_bytes: Largest accepted request body; larger ones get 413.
        max_batch_body_bytes: Largest accepted body of `POST /v1/assessments/batch`, which holds
            up to `max_batch_items` assessments of a few kilobytes each.
        max_batch_items: Most assessments in one batch request.
        max_json_depth: Deepest nesting of a JSON body.
        database_url: SQLAlchemy URL of the database (SQLite file by default; PostgreSQL as
            `postgresql+psycopg://user:password@host/db`).
        assess_without_key: Whether assessing without storing is open to callers without a key.
        min_group_size: Aggregates over fewer organisations than this are suppressed.
        reload_interval: Seconds between checks of the rules folder for changes; 0 turns hot
            reload off (`POST /v1/rules/reload` still works).
        engine: The rule-evaluation backend: `durable` (durable_rules, the default) or
            `compiled` (the same rules compiled to Python, proven to give identical results).
        rate_limit: Requests a minute per API key (per client address for callers without a
            valid key), counted in memory by each worker process; 0 turns the limit off.
            `/health` and `/ready` are never limited.
        cors_origins: Comma-separated origins (`https://dashboard.example.org`) that browsers
            may call the API from; empty (the default) sends no CORS headers at all.
        body_timeout: Seconds a request body may take to arrive in full; a slower one gets 408
            and the connection is closed.
        header_timeout: Seconds a connection may take to send a request's line and headers
            (counted from the connection or from the request's first byte); then it is closed.
        max_header_bytes: Largest request line plus headers; larger ones get 431.
        max_headers: Most header lines in one request; more get 431.
        max_url_bytes: Longest request target (path and query); longer ones get 414.
    """

    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 1
    log_level: str = "info"
    rules_dir: Path | None = None
    max_body_bytes: int = 1024 * 1024
    max_batch_body_bytes: int = 8 * 1024 * 1024
    max_batch_items: int = 1000
    max_json_depth: int = 32
    database_url: str = DEFAULT_URL
    assess_without_key: bool = False
    min_group_size: int = 5
    reload_interval: float = 2.0
    engine: str = "durable"
    # Security
    rate_limit: int = 600
    cors_origins: str = ""
    # Limits on hostile input
    body_timeout: float = 30.0
    header_timeout: float = 10.0
    max_header_bytes: int = 64 * 1024
    max_headers: int = 100
    max_url_bytes: int = 8 * 1024

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Read settings from `env` (default: the process environment); unset ones keep defaults.

        Raises:
            SettingsError: Naming the variable whose value is not valid.
        """
        env = os.environ if env is None else env
        values: dict[str, object] = {}
        for spec in fields(cls):
            name = f"{_PREFIX}{spec.name.upper()}"
            raw = env.get(name)
            if raw is None or raw == "":
                continue
            if spec.name == "rules_dir":
                values[spec.name] = Path(raw)
            elif spec.type in ("bool", bool):
                if raw.lower() not in ("true", "false", "1", "0", "yes", "no"):
                    raise SettingsError(f"{name} must be true or false, not {raw!r}")
                values[spec.name] = raw.lower() in ("true", "1", "yes")
            elif spec.type in ("float", float):
                try:
                    values[spec.name] = float(raw)
                except ValueError:
                    raise SettingsError(f"{name} must be a number, not {raw!r}") from None
            elif spec.type in ("int", int):
                try:
                    values[spec.name] = int(raw)
                except ValueError:
                    raise SettingsError(f"{name} must be a whole number, not {raw!r}") from None
            else:
                values[spec.name] = raw
        settings = cls(**values)  # type: ignore[arg-type]  # types checked per field above
        settings.check()
        return settings

    def check(self) -> None:
        """Raise `SettingsError` when a value is out of its range."""
        if not 0 < self.port < 65536:
            raise SettingsError(f"port must be 1-65535, not {self.port}")
        if self.workers < 1:
            raise SettingsError(f"workers must be at least 1, not {self.workers}")
        if self.log_level.lower() not in ("critical", "error", "warning", "info", "debug"):
            raise SettingsError(f"log_level {self.log_level!r} is not a level")
        if self.engine not in BACKENDS:
            raise SettingsError(f"engine must be one of {', '.join(BACKENDS)}, not {self.engine!r}")
        for name in (
            "max_body_bytes",
            "max_batch_body_bytes",
            "max_batch_items",
            "max_json_depth",
            "min_group_size",
        ):
            if getattr(self, name) < 1:
                raise SettingsError(f"{name} must be at least 1")
        if self.rate_limit < 0:
            raise SettingsError(f"rate_limit must be 0 (off) or more, not {self.rate_limit}")
        for origin in self.cors_origin_list:
            if not _ORIGIN.match(origin):
                raise SettingsError(
                    f"cors_origins: {origin!r} is not an origin like https://host[:port]"
                )
        self._check_hostile_input_limits()

    @property
    def cors_origin_list(self) -> list[str]:
        """The origins of `cors_origins`, without blanks."""
        return [part.strip() for part in self.cors_origins.split(",") if part.strip()]

    # Limits on hostile input
    def _check_hostile_input_limits(self) -> None:
        """Raise `SettingsError` when a timeout or a limit on request heads is out of range."""
        for name in ("body_timeout", "header_timeout"):
            if not 0 < getattr(self, name) <= 3600:
                raise SettingsError(f"{name} must be more than 0 and at most 3600 seconds")
        for name in ("max_header_bytes", "max_headers", "max_url_bytes"):
            if getattr(self, name) < 1:
                raise SettingsError(f"{name} must be at least 1")
