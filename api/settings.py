"""Settings of the API, one typed object passed into the app factory."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Settings"]


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything the API can be configured with.

    Attributes:
        rules_dir: The rules folder; None means the one shipped with the project.
    """

    rules_dir: Path | None = None

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Read settings from `env` (default: the process environment), prefix `READINESS_`."""
        env = os.environ if env is None else env
        rules = env.get("READINESS_RULES_DIR")
        return cls(rules_dir=Path(rules) if rules else None)
