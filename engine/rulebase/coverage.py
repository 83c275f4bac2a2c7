"""The coverage map: which rules and catalog entries encode each element of each source."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from engine.rulebase.rulefile import SourceDocument
from engine.ruleset import Ruleset
from schemas.citation import Citation

__all__ = ["Citer", "citers_of", "covers", "encoders_by_element"]


@dataclass(frozen=True, slots=True)
class Citer:
    """Something that cites sources: `kind:id` plus its citations."""

    key: str
    sources: tuple[Citation, ...]


def covers(element: str, locator: str) -> bool:
    """Whether a citation of `locator` counts for `element`: equal, or a detail under it."""
    return locator == element or locator.startswith((f"{element} – ", f"{element}: "))


def encoders_by_element(
    sources: Mapping[str, SourceDocument], citers: list[Citer]
) -> dict[str, list[list[str]]]:
    """Return, per source id, per element (in file order), the sorted keys of what encodes it."""
    cited: dict[str, dict[str, set[str]]] = {}
    for citer in citers:
        for cite in citer.sources:
            cited.setdefault(cite.source, {}).setdefault(cite.locator, set()).add(citer.key)
    result: dict[str, list[list[str]]] = {}
    for source_id, document in sources.items():
        locators = cited.get(source_id, {})
        result[source_id] = [
            sorted({key for locator, keys in locators.items() if covers(e.locator, locator)
                    for key in keys})
            for e in document.elements
        ]  # fmt: skip
    return result


def citers_of(ruleset: Ruleset) -> list[Citer]:
    """Return every rule and catalog entry of `ruleset` as a citer."""
    citers = [Citer(f"rule:{rule.id}", rule.sources) for rule in ruleset.rules]
    for kind, entries in (
        ("obstacle", ruleset.obstacles),
        ("success-factor", ruleset.success_factors),
        ("recommendation", ruleset.recommendations),
    ):
        citers.extend(Citer(f"{kind}:{eid}", tuple(e.sources)) for eid, e in entries.items())
    return citers
