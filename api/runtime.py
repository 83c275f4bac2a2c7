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

__all__ = ["Questionnaires", "Runtime", "Served"]


@dataclass(frozen=True, slots=True)
class Questionnaires:
    """The questionnaire in every language, whole and as each round role's form."""

    full: dict[Language, Questionnaire]
    forms: dict[tuple[Language, RoundRole], Questionnaire]

    def of(self, language: Language, role: RoundRole | None = None) -> Questionnaire:
        """The questionnaire in `language`: whole, or the form of `role`."""
        return self.full[language] if role is None else self.forms[language, role]


@dataclass(frozen=True, slots=True)
class Served:
    """What one rules folder serves: its engine, its questionnaires and its round spec.

    A reload replaces all three in one assignment, and a request keeps the `Served` it started
    with, so no request reads one folder's questionnaire beside another's rules.
    """

    engine: Engine
    questionnaires: Questionnaires
    round_spec: RoundSpec
    """`rules/rounds.yaml` of the folder."""


@dataclass
class Runtime:
    """Created once by `create_app`; handlers receive it as the `runtime` dependency.

    Handlers read what is served through `served_for(request)` (or `engine_for`): what the request
    started with. `engine`, `questionnaires` and `round_spec` are what is served now.
    """

    served: Served
    settings: Settings
    repository: Repository
    rounds: Rounds
    reloader: Any = None
    """The `Reloader` watching the rules folder (set by `create_app`)."""
    pages: Any = None
    """The `PageSessions` of the product's own pages (set by `create_app`)."""

    @property
    def engine(self) -> Engine:
        """The engine served now."""
        return self.served.engine

    @property
    def questionnaires(self) -> Questionnaires:
        """The questionnaires served now."""
        return self.served.questionnaires

    @property
    def round_spec(self) -> RoundSpec:
        """The round spec served now."""
        return self.served.round_spec

    def served_for(self, request: Request[Any, Any, Any]) -> Served:
        """What the request started with (a reload may have switched since)."""
        served = request.scope.get("state", {}).get("served")
        return served if isinstance(served, Served) else self.served

    def engine_for(self, request: Request[Any, Any, Any]) -> Engine:
        """The engine the request started with (a reload may have switched since)."""
        return self.served_for(request).engine
