"""The spelling check: every Swedish, Danish and English text, word by word, against hunspell.

A rule file says everything a municipality reads in Swedish, Danish and English. This check takes
every text written under an `sv:`, `da:` or `en:` key, splits it into words and asks hunspell,
with Debian's Swedish (`hunspell-sv`, sv_SE), Danish (`hunspell-da`, da_DK) and British English
(`hunspell-en-gb`, en_GB) dictionaries, which of them it does not know. What no general
dictionary can know, the names of places and organisations, and the sources' own terms (a
*tovholder*, a *samordner*), is listed in the rules folder's `spelling.yaml`, per language, and
accepted; so are phrases in another language listed there, such as a cited title.

Hyphenated words are checked part by part, abbreviations in capitals not at all; the first part
of a suspended compound ("hälso- och sjukvård", "børne- og ungeområdet") is accepted when the
dictionary knows it as a word or as the start of one. Code in backticks, placeholders in braces,
tags, addresses and anything with a digit in it (ids, years) are not words.
"""

from __future__ import annotations

import re
import shutil
import subprocess  # nosec B404
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from engine.authoring.copies import strings_of
from engine.rulebase.rulefile import SpellingFile
from engine.rulebase.yamlfile import fast_load

__all__ = [
    "DICTIONARIES",
    "WORDS_FILE",
    "Misspelling",
    "accepted",
    "find_misspellings",
    "missing_tools",
    "texts_of",
    "unknown_words",
    "words_of",
]

DICTIONARIES: dict[str, str] = {"sv": "sv_SE", "da": "da_DK", "en": "en_GB"}
"""The hunspell dictionary of each language (British English, as the texts write it)."""

WORDS_FILE = "spelling.yaml"
"""The rules folder's list of words the dictionaries cannot know, per language."""

_DICTIONARY_DIRS = (Path("/usr/share/hunspell"), Path("/usr/share/myspell/dicts"))
# Code, placeholders, tags, addresses, and anything with a digit in it (ids, years, Q1).
_NOT_WORDS = re.compile(r"`[^`]*`|\{[^}]*\}|<[^>]*>|https?://\S+|\b[\w.+-]+@[\w.-]+|[\w-]*\d[\w-]*")
# An ending after an abbreviation and a colon (RSS:ernas, FoU:s) belongs to the abbreviation, as
# does a plural s (RSSs); an English possessive belongs to its word.
_ENDING = re.compile(r"(?<=[A-ZÅÄÖÆØ]):[^\W\d_]+|(?<=[A-ZÅÄÖÆØ]{2})s\b|['’]s\b")
_SUSPENDED = re.compile(r"([^\W\d_]+)-(?=\s|,)")
_WORD = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*")
_PREFIX_PROBE = {"sv": "arbete", "da": "arbejde", "en": "work"}


@dataclass(frozen=True, slots=True)
class Misspelling:
    """A word the dictionary of its language does not know, and where it is written."""

    file: str
    key: str
    language: str
    word: str

    def __str__(self) -> str:
        return f"{self.file}: {self.key}: {self.word!r} ({self.language})"


def missing_tools() -> list[str]:
    """What the check needs and this machine lacks: hunspell and each dictionary."""
    missing = [] if shutil.which("hunspell") else ["hunspell"]
    for language, name in DICTIONARIES.items():
        if not any((folder / f"{name}.dic").is_file() for folder in _DICTIONARY_DIRS):
            package = {"en": "hunspell-en-gb"}.get(language, f"hunspell-{language}")
            missing.append(f"the {name} dictionary (Debian: {package})")
    return missing


def words_of(text: str) -> tuple[list[str], list[str]]:
    """The words of `text` to check whole, and the first parts of its suspended compounds."""
    text = _ENDING.sub("", _NOT_WORDS.sub(" ", text))
    prefixes = _SUSPENDED.findall(text)
    text = _SUSPENDED.sub(" ", text)
    words = [
        part
        for token in _WORD.findall(text)
        for part in token.split("-")
        # An abbreviation in capitals (SKR, PDSA, the ÅÅÅÅ of a date format) is not checked.
        if part and not (len(part) > 1 and part.isupper())
    ]
    return words, prefixes


def texts_of(node: Any, key: str = "") -> Iterator[tuple[str, str, str]]:
    """(key, language, text) for every text of a checked language in a table of texts.

    A text is a string under a key named after a checked language, at any depth; its key is the
    path of the mapping that holds it (`TEXTS.none_text`), as the rule files' keys are.
    """
    if isinstance(node, Mapping):
        for name, value in node.items():
            if name in DICTIONARIES and isinstance(value, str):
                yield key, str(name), value
            else:
                yield from texts_of(value, f"{key}.{name}" if key else str(name))
    elif isinstance(node, (list, tuple)):
        for number, value in enumerate(node):
            yield from texts_of(value, f"{key}[{number}]")


def accepted(rules: Path) -> SpellingFile:
    """What the folder's `spelling.yaml` accepts (nothing when the folder has none)."""
    path = rules / WORDS_FILE
    if not path.is_file():
        return SpellingFile()
    return SpellingFile.model_validate(fast_load(path.read_text(encoding="utf-8")) or {})


def _without(text: str, phrases: Iterable[str]) -> str:
    for phrase in phrases:
        text = text.replace(phrase, " ")
    return text


def unknown_words(words: Iterable[str], language: str) -> set[str]:
    """The `words` that hunspell's dictionary for `language` does not know.

    Raises:
        RuntimeError: When hunspell cannot be run (see `missing_tools`).
    """
    distinct = sorted(set(words))
    if not distinct:
        return set()
    # A fixed command: hunspell with a dictionary's name; the words go to its input.
    found = subprocess.run(  # noqa: S603  # nosec B603
        [shutil.which("hunspell") or "hunspell", "-d", DICTIONARIES[language], "-i", "UTF-8", "-l"],
        input="\n".join(distinct),
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
    )
    if found.returncode != 0:
        raise RuntimeError(f"hunspell failed: {found.stderr.strip()[:300]}")
    return set(found.stdout.split())


def find_misspellings(
    rules: Path, extra: Iterable[tuple[str, str, str, str]] = ()
) -> list[Misspelling]:
    """Every word of a text that neither its language's dictionary nor `spelling.yaml` knows.

    Args:
        rules: The rules folder: its YAML files are read, and its `spelling.yaml`.
        extra: More texts to check, as (file, key, language, text), e.g. the pages' texts.

    Returns:
        The misspellings, in file and key order, each word once per text.
    """
    texts = []
    for file, key, text in strings_of(rules):
        owner, _, language = key.rpartition(".")
        if file != WORDS_FILE and language in DICTIONARIES:
            texts.append((file, owner, language, text))
    texts += list(extra)
    lists = accepted(rules)
    found: list[Misspelling] = []
    for language in DICTIONARIES:
        phrases = getattr(lists.phrases, language)
        split = [
            (f, k, *words_of(_without(t, phrases))) for f, k, lang, t in texts if lang == language
        ]
        listed = frozenset(getattr(lists.words, language))
        # A listed word may begin a sentence: capitalised, it is the same word.
        words = {
            w
            for _, _, whole, _ in split
            for w in whole
            if w not in listed and w[:1].lower() + w[1:] not in listed
        }
        unknown = unknown_words(words, language)
        # A suspended compound's first part is a word when the dictionary knows it on its own,
        # or joined to another word (hälso + arbete).
        probe = _PREFIX_PROBE[language]
        prefixes = {p for _, _, _, parts in split for p in parts} - listed
        alone = unknown_words(prefixes, language)
        joined = unknown_words([p + probe for p in alone], language)
        bad_prefixes = {p for p in alone if p + probe in joined}
        for file, key, whole, parts in split:
            bad = [w for w in whole if w in words and w in unknown]
            bad += [p for p in parts if p in bad_prefixes]
            for word in dict.fromkeys(bad):
                found.append(Misspelling(file, key, language, word))
    return sorted(found, key=lambda m: (m.file, m.key, m.language, m.word))
