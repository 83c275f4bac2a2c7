"""Reading one rule file: its YAML with line numbers, validated into its model; errors kept.

`Reader` records every error it finds as a `FieldError` (file, line, code, message) and goes on,
so that a rules folder is checked in one pass; a file read before is not parsed again (`_Parsed`).
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError

from engine.errors import RuleFileError
from engine.rulebase.yamlfile import Located, Position, fast_load
from schemas.codes import RuleFileCode

__all__ = ["FieldError", "Reader", "line_of"]

_M = TypeVar("_M", bound=BaseModel)


_PYDANTIC_CODES: dict[str, RuleFileCode] = {
    "missing": "missing-field",
    "extra_forbidden": "unknown-field",
    "too_short": "too-short",
    "too_long": "too-long",
    "string_too_short": "too-short",
    "string_too_long": "too-long",
}


@dataclass(frozen=True, slots=True)
class FieldError(RuleFileError):
    """A `RuleFileError` that also says where in the file and by which check it was found.

    `rules lint` picks its hint by them: a code such as `missing-field` is reported for any
    field, and the fix for a missing translation is not the fix for a missing `basis`.

    Attributes:
        field: The path of the offending node inside the file, e.g. `("cases", 0, "name")`;
            empty when the error is about the file as a whole.
        check: What found it: pydantic's error type for a validation error (`string_too_short`,
            `value_error`), or the loader's name for a check that shares its code with others
            (`encoding`, `extension`, `manifest`, `family-twice`, ...); empty otherwise.
    """

    field: tuple[str | int, ...] = ()
    check: str = ""


def line_of(located: Located, loc: Iterable[str | int]) -> Position:
    """The line (and column) of the node at `loc` in a file read as `located`."""
    return located.line(loc)


class _Parsed:
    """Rule files already parsed and validated, by their model and the digest of their text.

    A file's model is a function of its text alone, and the models are frozen, so a file whose
    text was read before is not parsed again: a reload after one file changed parses that file,
    and a copy of a folder (`rules diff`, a test's folder) costs the reading of its files. Only
    valid files are kept; at most `ENTRIES` (the shipped folder is some 370 files and 6 MB of
    models), the least recently used dropped first.
    """

    ENTRIES = 1024

    def __init__(self) -> None:
        self._models: OrderedDict[tuple[type[BaseModel], bytes], BaseModel] = OrderedDict()
        self._lock = threading.Lock()

    @staticmethod
    def key(model: type[BaseModel], text: str) -> tuple[type[BaseModel], bytes]:
        """What a file is kept by: its model and the digest of its text."""
        return model, hashlib.sha256(text.encode()).digest()

    def get(self, key: tuple[type[BaseModel], bytes]) -> BaseModel | None:
        with self._lock:
            found = self._models.get(key)
            if found is not None:
                self._models.move_to_end(key)
        return found

    def put(self, key: tuple[type[BaseModel], bytes], parsed: BaseModel) -> None:
        with self._lock:
            self._models[key] = parsed
            while len(self._models) > self.ENTRIES:
                self._models.popitem(last=False)


_PARSED = _Parsed()


class Reader:
    """Reads the files of the rules folder at `root`, keeping every error it meets in `errors`."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.errors: list[RuleFileError] = []
        self._yaml = YAML(typ="rt")

    def rel(self, path: Path) -> str:
        """`path` as error messages name it: from the rules folder's parent when inside it."""
        try:
            return path.relative_to(self.root.parent).as_posix()
        except ValueError:
            return path.as_posix()

    def error(
        self,
        path: Path,
        line: int,
        code: RuleFileCode,
        message: str,
        *,
        field: tuple[str | int, ...] = (),
        check: str = "",
    ) -> None:
        """Record an error at `line` (a `Position` carries its column) of `path`.

        `field` and `check` say what the error is about where its code alone does not (see
        `FieldError`); `rules lint` fits its hint to them.
        """
        column = getattr(line, "column", 1)
        rel = self.rel(path)
        self.errors.append(FieldError(rel, int(line), code, message, column, field, check))

    def text(self, path: Path) -> str | None:
        """The file's text, or None (reported) when it is not UTF-8."""
        try:
            return path.read_text(encoding="utf-8")
        except UnicodeDecodeError as exc:
            self.error(path, 1, "yaml-syntax", f"not UTF-8: {exc.reason}", check="encoding")
            return None

    def read(self, path: Path, text: str) -> Any:
        """Parse the text of `path`; None (reported) on a syntax error."""
        try:
            return fast_load(text)
        except yaml.YAMLError:
            pass  # parsed again below for the round-trip parser's precise message
        try:
            return self._yaml.load(text)
        except MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            line = mark.line + 1 if mark is not None else 1
            problem = exc.problem or exc.context or "invalid YAML"
            self.error(path, line, "yaml-syntax", problem)
        return None

    def model(self, path: Path, model: type[_M], what: str) -> tuple[_M | None, Located]:
        """The file at `path` validated as `model`, and the file's nodes with their lines.

        The model is None (reported) when the file is not valid; `what` names it in messages.
        """
        raw = Located(path)
        text = self.text(path)
        if text is None:
            return None, raw
        key = _PARSED.key(model, text)
        known = _PARSED.get(key)
        if known is not None:
            return known, raw  # type: ignore[return-value]  # kept under its own model
        data = self.read(path, text)
        if data is None:
            if not any(e.file == self.rel(path) for e in self.errors):
                self.error(path, 1, "empty-file", f"{what}: the file is empty")
            return None, raw
        try:
            parsed = model.model_validate(data)
        except ValidationError as exc:
            reported: set[tuple[tuple[str | int, ...], str]] = set()
            for err in exc.errors():
                # A union reports once per member, labelled like `literal[...]`: one is enough.
                loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and "[" in p))
                code = _PYDANTIC_CODES.get(err["type"], "invalid-value")
                if (loc, code) in reported:
                    continue
                reported.add((loc, code))
                where = ".".join(str(p) for p in loc) or "(file)"
                message = f"{what}: {where}: {err['msg']}"
                self.error(path, line_of(raw, loc), code, message, field=loc, check=err["type"])
            return None, raw
        _PARSED.put(key, parsed)
        return parsed, raw
