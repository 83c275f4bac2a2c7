"""What the handlers share: the engine, the settings, the store, and texts computed at start-up."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from litestar import Request

from api.settings import Settings
from engine import Engine, RoundSpec
from schemas.questionnaire import Questionnaire
from schemas.vocabulary import Language, RoundRole
from store.repository import Repository
from store.rounds import Rounds

__all__ = ["Questionnaires", "Runtime"]


@dataclass(frozen=True, slots=True)
class Questionnaires:
    """The questionnaire in every language, whole and as each round role's form."""

    full: dict[Language, Questionnaire]
    forms: dict[tuple[Language, RoundRole], Questionnaire]

    def of(self, language: Language, role: RoundRole | None = None) -> Questionnaire:
        """The questionnaire in `language`: whole, or the form of `role`."""
        return self.full[language] if role is None else self.forms[language, role]


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
    pages: Any = None
    """The `PageSessions` of the product's own pages (set by `create_app`)."""

    def engine_for(self, request: Request[Any, Any, Any]) -> Engine:
        """The engine the request started with (a reload may have switched since)."""
        engine = request.scope.get("state", {}).get("engine")
        return engine if isinstance(engine, Engine) else self.engine
