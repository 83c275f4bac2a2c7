"""The copy check: runs of words that a rule file shares with a source document.

The rule files paraphrase the sources; they never quote them beyond a heading. This check reads
every string in the rules folder (except ids, source ids and locators, which name a heading on
purpose) and reports each run of `MIN_WORDS` or more consecutive words that also occurs in one of
the source texts.

Words are compared case-folded, without punctuation, and with the letters that the OCR of the
Danish guide damaged folded together (æ/ae, ø/g, å/a), so that a copy from a damaged passage is
still found. A locator's words are removed from a text before it is compared: citing a heading by
its name is not copying.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from engine.rulebase.yamlfile import fast_load

__all__ = [
    "MIN_WORDS",
    "Copy",
    "copies_in",
    "find_copies",
    "read_sources",
    "seeds_dir",
    "source_files",
    "strings_of",
]

MIN_WORDS = 8

# Keys whose values name something rather than say something.
_NAMING_KEYS = frozenset({"id", "source", "locator", "$schema", "schema_version"})
_WORD = re.compile(r"\w+")
_TAG = re.compile(r"<[^>]{0,200}>")
# The OCR of the Danish guide wrote g for ø, ae for æ and a for å; fold both sides alike.
_FOLD = str.maketrans({"æ": "ae", "ø": "g", "å": "a", "ö": "o", "ä": "a"})
_PARTS = re.compile(r"\s[–-]\s|:\s")
_SEED_ROW = re.compile(r"^\|\s*`([^`]+\.txt)`\s*\|\s*`([a-z0-9-]+)`", re.M)


@dataclass(frozen=True, slots=True)
class Copy:
    """A run of words a rule file shares with a source."""

    file: str
    key: str
    source: str
    words: tuple[str, ...]

    def __str__(self) -> str:
        return (
            f"{self.file}: {self.key}: {len(self.words)} words shared with {self.source}: "
            f'"{" ".join(self.words)}"'
        )


def seeds_dir(project: Path) -> Path | None:
    """The source texts beside the project (`../shared/seeds`), if they are there."""
    candidate = project.resolve().parent / "shared" / "seeds"
    return candidate if candidate.is_dir() else None


def _fold(word: str) -> str:
    return word.casefold().translate(_FOLD)


def _words(text: str) -> list[str]:
    return [_fold(word) for word in _WORD.findall(unicodedata.normalize("NFKC", text))]


def source_files(folder: Path) -> dict[str, Path]:
    """Every `*.txt` in `folder`, by source id (from its README table) or else by file name."""
    names: dict[str, str] = {}
    readme = folder / "README.md"
    if readme.is_file():
        names = dict(_SEED_ROW.findall(readme.read_text(encoding="utf-8")))
    return {names.get(path.name, path.name): path for path in sorted(folder.glob("*.txt"))}


def read_sources(folder: Path) -> dict[str, list[str]]:
    """The words of every source text in `folder`, by source id (see `source_files`)."""
    return {
        source: _words(_TAG.sub(" ", path.read_text(encoding="utf-8")))
        for source, path in source_files(folder).items()
    }


def strings_of(rules: Path) -> Iterator[tuple[str, str, str]]:
    """(file, key path, text) for every string a rule file says, in file order."""
    for path in sorted(rules.rglob("*.yaml")):
        relative = path.relative_to(rules).as_posix()
        yield from (
            (relative, key, text) for key, text in _walk(fast_load(path.read_text("utf-8")))
        )


def _walk(node: Any, key: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(node, str):
        yield key, node
    elif isinstance(node, Mapping):
        for name, value in node.items():
            if str(name) not in _NAMING_KEYS:
                yield from _walk(value, f"{key}.{name}" if key else str(name))
    elif isinstance(node, list):
        for number, value in enumerate(node):
            yield from _walk(value, f"{key}[{number}]")


def _locators(rules: Path) -> list[list[str]]:
    """The words of every locator in the coverage maps and of its parts, longest first."""
    found: set[tuple[str, ...]] = set()
    for path in sorted((rules / "sources").glob("*.yaml")):
        data = fast_load(path.read_text("utf-8")) or {}
        texts = [data.get("title", ""), *(e.get("locator", "") for e in data.get("elements", []))]
        # A text may name a whole locator or one part of it ("Milepæl: <the milestone>").
        parts = [
            part for text in texts if isinstance(text, str) for part in [text, *_PARTS.split(text)]
        ]
        found.update(tuple(_words(part)) for part in parts)
    return sorted((list(words) for words in found if words), key=len, reverse=True)


def _without(words: list[str], runs: Iterable[list[str]]) -> list[tuple[int, int]]:
    """The (start, end) pieces of `words` left around every occurrence of one of `runs`."""
    pieces = [(0, len(words))]
    for run in runs:
        size = len(run)
        split: list[tuple[int, int]] = []
        for first, last in pieces:
            start = first
            for at in range(first, last - size + 1):
                if at >= start and words[at : at + size] == run:
                    split.append((start, at))
                    start = at + size
            split.append((start, last))
        pieces = [(first, last) for first, last in split if first < last]
    return pieces


def find_copies(
    rules: Path, sources: Mapping[str, list[str]], min_words: int = MIN_WORDS
) -> list[Copy]:
    """Every longest run of `min_words` or more words a string in `rules` shares with a source."""
    return copies_in(strings_of(rules), rules, sources, min_words)


def copies_in(
    strings: Iterable[tuple[str, str, str]],
    rules: Path,
    sources: Mapping[str, list[str]],
    min_words: int = MIN_WORDS,
) -> list[Copy]:
    """Every longest run of `min_words` or more words one of `strings` shares with a source.

    `strings` are (file, key, text), as `strings_of` gives them; the locators of `rules` may be
    named in them.
    """
    grams: dict[tuple[str, ...], str] = {}
    for source, words in sources.items():
        for at in range(len(words) - min_words + 1):
            grams.setdefault(tuple(words[at : at + min_words]), source)
    locators = [run for run in _locators(rules) if len(run) >= 2]
    copies: list[Copy] = []
    for file, key, text in strings:
        written = _WORD.findall(unicodedata.normalize("NFKC", text))
        words = [_fold(word) for word in written]
        if next(_runs(words, 0, len(words), grams, min_words), None) is None:
            continue
        for first, last in _without(words, locators):
            for start, end, source in _runs(words, first, last, grams, min_words):
                copies.append(Copy(file, key, source, tuple(written[start:end])))
    return copies


def _runs(
    words: list[str],
    first: int,
    last: int,
    grams: Mapping[tuple[str, ...], str],
    size: int,
) -> Iterator[tuple[int, int, str]]:
    """The maximal runs (start, end, source) of `words[first:last]` made of shared `size`-grams."""
    at = first
    while at + size <= last:
        source = grams.get(tuple(words[at : at + size]))
        if source is None:
            at += 1
            continue
        end = at + size
        while end < last and grams.get(tuple(words[end - size + 1 : end + 1])) == source:
            end += 1
        yield at, end, source
        at = end
