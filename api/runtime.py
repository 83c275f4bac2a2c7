"""What the handlers share: the engine, the settings, and texts computed once at start-up."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from litestar import Request

from api.settings import Settings
from engine import Engine
from schemas.questionnaire import Questionnaire
from schemas.vocabulary import Language
from store.repository import Repository

__all__ = ["Runtime"]


@dataclass
class Runtime:
    """Created once by `create_app`; handlers receive it as the `runtime` dependency."""

    engine: Engine
    settings: Settings
    repository: Repository
    questionnaires: dict[Language, Questionnaire] = field(default_factory=dict)
    reloader: Any = None
    """The `Reloader` watching the rules folder (set by `create_app`)."""

    def engine_for(self, request: Request[Any, Any, Any]) -> Engine:
        """The engine the request started with (a reload may have switched since)."""
        engine = request.scope.get("state", {}).get("engine")
        return engine if isinstance(engine, Engine) else self.engine
