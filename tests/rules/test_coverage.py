"""The coverage map: every element of every source document is encoded, and cited exactly."""

from __future__ import annotations

import re

import pytest

from engine import Ruleset, load_ruleset
from engine.rulebase.coverage import citers_of, encoders_by_element
from tests.rules.sourcetexts import MARKED, marked_elements, needs_texts, text_of

# What in a coverage map stands for an element the source marks (see `marked_elements`).
MAP_PATTERNS = {
    "kunskapsguiden-implementering": (
        r"^Fas \d\. [^–]+$|– Steg \d+$|Lokal inventering: |^Framgångsfaktorer: |^Hinder: "
    ),
    "partnerskapet-tidigt-stod": r"Exempel på förändringar: |Tips till dig som chef: \d\.",
    "socialstyrelsen-dk-ramme-2019": r"^3\. ",
    "skr-socialtjanst-i-forandring": r"^(Framgångsfaktorer –|Utvecklingsarbete \d) [^–]+$",
    "socialstyrelsen-dk-familieradslagning": (
        r"– Milepæl: [^–]+$|– spørgsmål: |– samordnerens opgaver: |– de fem hjørnesten: "
        r"|– de tre trin: "
    ),
}


@pytest.fixture(scope="module")
def full() -> Ruleset:
    # The default load checks coverage and fails on any element nothing encodes.
    return load_ruleset()


def elements(ruleset: Ruleset, source: str, pattern: str) -> list[str]:
    return [e.locator for e in ruleset.sources[source].elements if re.search(pattern, e.locator)]


def test_every_element_of_every_source_is_encoded(full: Ruleset) -> None:
    encoders = encoders_by_element(full.sources, citers_of(full))
    for source_id, found in encoders.items():
        for element, keys in zip(full.sources[source_id].elements, found, strict=True):
            assert keys, f"{source_id}: {element.locator}"
            assert sorted(element.encoded_by) == keys


FRAMEWORK_ELEMENTS = [
    ("kunskapsguiden-implementering", r"^Fas \d\. [^–]+$", 4),
    ("kunskapsguiden-implementering", r"– Steg \d+$", 14),
    ("kunskapsguiden-implementering", r"^Framgångsfaktorer: ", 8),
    ("kunskapsguiden-implementering", r"^Hinder: ", 8),
    ("socialstyrelsen-dk-ramme-2019", r"^2\.1 ", 3),
    ("socialstyrelsen-dk-ramme-2019", r"^2\.2 ", 3),
    ("socialstyrelsen-dk-ramme-2019", r"ledelsesniveau$", 3),
    ("socialstyrelsen-dk-ramme-2019", r"^3\. Processpørgsmål – [^:]+$", 10),
    ("socialstyrelsen-dk-ramme-2019", r"^3\. Implementeringsspørgsmål – Infrastrukturelt ", 7),
    ("socialstyrelsen-dk-ramme-2019", r"^3\. Implementeringsspørgsmål – Institutionelt ", 12),
    ("socialstyrelsen-dk-ramme-2019", r"^3\. Implementeringsspørgsmål – Interpersonelt ", 9),
    ("socialstyrelsen-dk-ramme-2019", r"^3\. Implementeringsspørgsmål – Individuelt ", 8),
    ("socialstyrelsen-dk-familieradslagning", r"^Ledelse – Milepæl: [^–]+$", 5),
    ("socialstyrelsen-dk-familieradslagning", r"^Kompetencer – Milepæl: [^–]+$", 3),
    ("socialstyrelsen-dk-familieradslagning", r"^Organisering – Milepæl: [^–]+$", 9),
    ("socialstyrelsen-dk-familieradslagning", r"– Milepæl: [^–]+ – spørgsmål: ", 59),
    ("socialstyrelsen-dk-familieradslagning", r" – samordnerens opgaver: ", 6),
    ("socialstyrelsen-dk-familieradslagning", r" – de fem hjørnesten: ", 5),
    ("socialstyrelsen-dk-familieradslagning", r" – de tre trin: ", 3),
    ("skr-socialtjanst-i-forandring", r"^Framgångsfaktorer – [^–]+$", 7),
    ("skr-socialtjanst-i-forandring", r"^Utvecklingsarbete \d [^–]+$", 7),
]
"""(source, pattern over its map's locators, how many elements of that kind the source names)."""


@pytest.mark.parametrize(("source", "pattern", "count"), FRAMEWORK_ELEMENTS)
def test_the_maps_list_every_framework_element(
    full: Ruleset, source: str, pattern: str, count: int
) -> None:
    assert len(elements(full, source, pattern)) == count


def test_every_citation_names_a_locator_of_its_map(full: Ruleset) -> None:
    known = {(sid, e.locator) for sid, doc in full.sources.items() for e in doc.elements}
    for citer in citers_of(full):
        for cite in citer.sources:
            assert (cite.source, cite.locator) in known, citer.key


@needs_texts
@pytest.mark.parametrize("source", sorted(MARKED))
def test_the_recorded_counts_are_what_the_source_texts_mark(source: str) -> None:
    assert marked_elements(source, text_of(source)) == MARKED[source]


@pytest.mark.parametrize("source", sorted(MARKED))
def test_no_map_has_fewer_elements_than_its_source_marks(full: Ruleset, source: str) -> None:
    assert len(elements(full, source, MAP_PATTERNS[source])) >= MARKED[source]
