"""The indicator registry: every typed answer of an assessment, its scale, dimension and fact."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from schemas.assessment import AssessmentRequest
from schemas.scales import Scale
from schemas.vocabulary import DIMENSIONS, Dimension

__all__ = [
    "INDICATORS",
    "Indicator",
    "IndicatorRegistry",
    "field_paths",
    "nested",
    "units_of",
    "values_of",
]


@dataclass(frozen=True, slots=True)
class Indicator:
    """One typed answer of the assessment.

    Attributes:
        path: Dotted path in the request, e.g. `leadership.support.tactical`.
        scale: The closed scale of its answers.
        dimension: The dimension it is scored in, or None for a section that is not scored.
        fact: Name of the engine fact that carries it: the path of the model that holds it.
        field: Its name inside that fact.
        description: What it asks, from the schema.
    """

    path: str
    scale: Scale
    dimension: Dimension | None
    fact: str
    field: str
    description: str


class IndicatorRegistry:
    """All indicators of `AssessmentRequest`, found by walking the model once."""

    def __init__(self, model: type[BaseModel]) -> None:
        self._by_path: dict[str, Indicator] = {}
        self._walk(model, ())

    def _walk(self, model: type[BaseModel], prefix: tuple[str, ...]) -> None:
        for name, info in model.model_fields.items():
            path = (*prefix, name)
            annotation = info.annotation
            if isinstance(annotation, type) and issubclass(annotation, BaseModel):
                self._walk(annotation, path)
                continue
            scale = next((m for m in info.metadata if isinstance(m, Scale)), None)
            if scale is None:
                continue  # descriptive fields (ids, names, counts) are not indicators
            section = path[0]
            dimension = section if section in DIMENSIONS else None
            self._by_path[".".join(path)] = Indicator(
                path=".".join(path),
                scale=scale,
                dimension=dimension,
                fact=".".join(path[:-1]),
                field=name,
                description=info.description or "",
            )

    def __iter__(self) -> Iterator[Indicator]:
        return iter(self._by_path.values())

    def __len__(self) -> int:
        return len(self._by_path)

    def get(self, path: str) -> Indicator | None:
        """Return the indicator at `path`, or None."""
        return self._by_path.get(path)


INDICATORS = IndicatorRegistry(AssessmentRequest)
"""The registry of the current assessment schema."""


def _groups() -> tuple[tuple[tuple[str, ...], tuple[tuple[str, str], ...]], ...]:
    groups: dict[str, list[tuple[str, str]]] = {}
    for indicator in INDICATORS:
        groups.setdefault(indicator.fact, []).append((indicator.field, indicator.path))
    return tuple((tuple(fact.split(".")), tuple(fields)) for fact, fields in groups.items())


_GROUPS = _groups()
"""Per model of the request that holds indicators: its attribute path and (field, path) pairs."""


def values_of(request: AssessmentRequest) -> dict[str, str]:
    """Return every indicator's value in `request`, by path (grouped by the model holding it)."""
    values: dict[str, str] = {}
    for parts, fields in _GROUPS:
        node: Any = request
        for part in parts:
            node = getattr(node, part)
        held = node.__dict__
        for field, path in fields:
            values[path] = held[field]
    # The indicators the request may leave null (they are descriptive too): unknown then.
    organisation = request.organisation
    values["organisation.country"] = organisation.country or "unknown"
    values["organisation.units_involved"] = units_of(organisation.units_involved)
    return values


def units_of(count: int | None) -> str:
    """How rules read a number of units: `one`, `several`, or `unknown` (none given, or 0)."""
    if not count:
        return "unknown"
    return "one" if count == 1 else "several"


_COUNT_OF_UNITS = {"one": 1, "several": 2, "unknown": None}
"""A number of units for each value rules read (`nested` builds requests from values)."""


def nested(values: Mapping[str, Any]) -> dict[str, Any]:
    """Turn `{"leadership.support.tactical": "no"}` into the request's nested shape.

    The number of units, which rules read as `one` or `several`, becomes a count (1 or 2).
    """
    data: dict[str, Any] = {}
    for path, value in values.items():
        if path == "organisation.units_involved" and isinstance(value, str):
            value = _COUNT_OF_UNITS[value]
            if value is None:
                continue
        node = data
        *parents, leaf = path.split(".")
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = value
    return data


def field_paths(model: type[BaseModel] = AssessmentRequest) -> tuple[list[str], list[str]]:
    """Return the paths of every leaf field and of every section or sub-group, in schema order."""
    leaves: list[str] = []
    groups: list[str] = []

    def walk(current: type[BaseModel], prefix: tuple[str, ...]) -> None:
        for name, info in current.model_fields.items():
            path = (*prefix, name)
            annotation = info.annotation
            if isinstance(annotation, type) and issubclass(annotation, BaseModel):
                groups.append(".".join(path))
                walk(annotation, path)
            else:
                leaves.append(".".join(path))

    walk(model, ())
    return leaves, groups
