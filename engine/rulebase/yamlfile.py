"""Reading rule files: a fast YAML 1.2-style parse, and the line of any node when an error needs it."""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml
from ruamel.yaml import YAML

__all__ = ["Located", "Position", "fast_load"]

_Base: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _FastLoader(_Base):  # type: ignore[misc]  # PyYAML's loaders are untyped
    """libyaml's parser with YAML 1.2 booleans (only true/false) and duplicate keys rejected.

    PyYAML follows YAML 1.1, where a bare `no` is false; rule files mean the answer "no".
    """


_BOOL = "tag:yaml.org,2002:bool"
_FastLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != _BOOL]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_FastLoader.add_implicit_resolver(
    _BOOL, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def _mapping(loader: Any, node: yaml.MappingNode) -> dict[Any, Any]:
    seen = set()
    for key_node, _value in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"found duplicate key {key!r}", key_node.start_mark
            )
        seen.add(key)
    return dict(loader.construct_mapping(node, deep=True))


_FastLoader.add_constructor("tag:yaml.org,2002:map", _mapping)


def fast_load(text: str) -> Any:
    """Parse YAML text into plain data.

    Raises:
        yaml.YAMLError: On any syntax error or duplicate key; callers re-read the file with the
            round-trip parser for a precise message.
    """
    return yaml.load(text, Loader=_FastLoader)  # noqa: S506 - a safe loader with fewer resolvers  # nosec B506


class Located:
    """The round-trip tree of one file, parsed only when a line number is asked for."""

    _yaml = YAML(typ="rt")

    def __init__(self, path: Path) -> None:
        self.path = path
        self._tree: Any = None
        self._parsed = False

    def line(self, loc: Iterable[str | int]) -> Position:
        """Return the 1-based line and column of `loc`, or of its nearest existing ancestor."""
        if not self._parsed:
            self._parsed = True
            try:
                self._tree = self._yaml.load(self.path.read_text(encoding="utf-8"))
            except Exception:
                self._tree = None
        node, line, column = self._tree, 0, 0
        for part in loc:
            lc = getattr(node, "lc", None)
            if lc is None:
                break
            try:
                line, column = lc.item(part) if isinstance(part, int) else lc.key(part)
                node = node[part]
            except (KeyError, IndexError, TypeError):
                break
        return Position(line + 1, column + 1)


class Position(int):
    """A 1-based line number that also knows its column."""

    column: int

    def __new__(cls, line: int, column: int = 1) -> Position:
        """Make a line number carrying `column`."""
        position = super().__new__(cls, line)
        position.column = column
        return position
