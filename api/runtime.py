"""What the handlers share: the engine, the settings, the store, and texts computed at start-up."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from litestar import Request

from api.settings import Settings
from engine import Engine, RoundSpec
from store.repository import Repository
from store.rounds import Rounds

if TYPE_CHECKING:  # its handlers take the runtime: importing it here would be a cycle
    from api.questionnaire import Questionnaires

__all__ = ["Runtime"]


@dataclass
class Runtime:
    """Created once by `create_app`; handlers receive it as the `runtime` dependency."""

    engine: Engine
    settings: Settings
    repository: Repository
    rounds: Rounds
    round_spec: RoundSpec
    """`rules/rounds.yaml` of the rules folder served (a reload replaces it with the engine)."""
    questionnaires: Questionnaires
    reloader: Any = None
    """The `Reloader` watching the rules folder (set by `create_app`)."""

    def engine_for(self, request: Request[Any, Any, Any]) -> Engine:
        """The engine the request started with (a reload may have switched since)."""
        engine = request.scope.get("state", {}).get("engine")
        return engine if isinstance(engine, Engine) else self.engine
