"""The closed answer scales of an assessment and how each one is scored."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Literal

__all__ = [
    "AGREEMENT",
    "ANSWER",
    "CAPACITY",
    "RISK",
    "RISK_FLAG",
    "STEP",
    "UNKNOWN",
    "Agreement",
    "Answer",
    "Capacity",
    "Category",
    "Risk",
    "RiskFlag",
    "Scale",
    "StepStatus",
]

UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class Scale:
    """A closed answer scale: its values and the readiness each value is worth.

    Attributes:
        name: Stable name of the scale, used in rule validation messages and the questionnaire.
        values: Every allowed value, `unknown` last.
        worth: Readiness worth of each answered value, 0.0 (worst) to 1.0 (best). Empty for
            categorical scales, which describe the case but are not scored.
    """

    name: str
    values: tuple[str, ...]
    worth: tuple[tuple[str, float], ...] = ()
    _worth_by_value: dict[str, float] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_worth_by_value", dict(self.worth))

    def __hash__(self) -> int:
        return hash((self.name, self.values, self.worth))

    @property
    def scored(self) -> bool:
        """Whether answers on this scale count towards readiness."""
        return bool(self.worth)

    def worth_of(self, value: str) -> float | None:
        """Return the readiness worth of `value`, or None when it is unknown or unscored."""
        return self._worth_by_value.get(value)

    @property
    def best(self) -> str:
        """The answered value worth most (scored scales only)."""
        return max(self.worth, key=lambda pair: pair[1])[0]

    @property
    def worst(self) -> str:
        """The answered value worth least (scored scales only)."""
        return min(self.worth, key=lambda pair: pair[1])[0]

    def better_than(self, value: str) -> tuple[str, ...]:
        """Return the values strictly better than `value` (empty for unknown or unscored)."""
        own = self.worth_of(value)
        if own is None:
            return ()
        return tuple(v for v, w in self.worth if w > own)


ANSWER = Scale(
    "answer", ("yes", "partly", "no", UNKNOWN), (("yes", 1.0), ("partly", 0.5), ("no", 0.0))
)
"""A fact about the organisation where `yes` is what readiness needs."""

RISK_FLAG = Scale(
    "risk_flag", ("yes", "partly", "no", UNKNOWN), (("no", 1.0), ("partly", 0.5), ("yes", 0.0))
)
"""A fact that, when true, puts the implementation at risk (a reorganisation under way)."""

CAPACITY = Scale(
    "capacity", ("low", "medium", "high", UNKNOWN), (("high", 1.0), ("medium", 0.5), ("low", 0.0))
)
"""A level where more is better (staff motivation)."""

RISK = Scale(
    "risk", ("low", "medium", "high", UNKNOWN), (("low", 1.0), ("medium", 0.5), ("high", 0.0))
)
"""A level where more is worse (staff turnover)."""

STEP = Scale(
    "step", ("done", "partly", "not", UNKNOWN), (("done", 1.0), ("partly", 0.5), ("not", 0.0))
)
"""The state of one of the fourteen implementation steps."""

AGREEMENT = Scale("agreement", ("agree", "differ", UNKNOWN))
"""Whether the roles of an assessment round see one matter alike: `differ` when two roles are two
or more steps apart on it, `agree` when no two are, `unknown` when fewer than two roles answered.
Not scored: a disagreement is a finding of its own, not a lower readiness."""

Answer = Annotated[Literal["yes", "partly", "no", "unknown"], ANSWER]
Agreement = Annotated[Literal["agree", "differ", "unknown"], AGREEMENT]
RiskFlag = Annotated[Literal["yes", "partly", "no", "unknown"], RISK_FLAG]
Capacity = Annotated[Literal["low", "medium", "high", "unknown"], CAPACITY]
Risk = Annotated[Literal["low", "medium", "high", "unknown"], RISK]
StepStatus = Annotated[Literal["done", "partly", "not", "unknown"], STEP]


def Category(name: str, values: tuple[str, ...]) -> Scale:  # noqa: N802 - reads as a type
    """Return an unscored categorical scale named `name` with `values` plus `unknown`."""
    return Scale(name, (*values, UNKNOWN))
