"""JSON Schemas of the rule files, generated from their pydantic models, for editors and checks."""

from __future__ import annotations

import json
import os
from pathlib import Path

from pydantic import BaseModel

from engine.rounds.spec import RoundFile
from engine.rulebase.rulefile import (
    FolderIndexFile,
    ManifestFile,
    ObstacleFile,
    QuestionnaireFile,
    RecommendationFile,
    RuleFile,
    SourceDocument,
    SpellingFile,
    SuccessFactorFile,
)

__all__ = [
    "COMMENT_PREFIX",
    "DIALECT",
    "SCHEMAS",
    "SCHEMAS_FOLDER",
    "add_schema_comments",
    "comment_for",
    "render",
    "schema_for",
    "stale_schema_comments",
    "stale_schemas",
    "write_schemas",
]

DIALECT = "https://json-schema.org/draft/2020-12/schema"
"""The `$schema` of every generated schema."""

SCHEMAS_FOLDER = "schemas"
"""The folder under the rules root that holds the generated schemas."""

COMMENT_PREFIX = "# yaml-language-server: $schema="
"""How the first line of every YAML file under the rules root starts."""

SCHEMAS: dict[str, type[BaseModel]] = {
    "rule.schema.json": RuleFile,
    "obstacle.schema.json": ObstacleFile,
    "success-factor.schema.json": SuccessFactorFile,
    "recommendation.schema.json": RecommendationFile,
    "folder-index.schema.json": FolderIndexFile,
    "manifest.schema.json": ManifestFile,
    "source.schema.json": SourceDocument,
    "questionnaire.schema.json": QuestionnaireFile,
    "rounds.schema.json": RoundFile,
    "spelling.schema.json": SpellingFile,
}
"""The schema file name of each kind of rule file, and the model it is generated from."""

_CATALOG = {
    "obstacles": "obstacle.schema.json",
    "success-factors": "success-factor.schema.json",
    "recommendations": "recommendation.schema.json",
}

_INDEX_TITLE = "JSON Schemas of the rule files, generated from the pydantic models"


def render(model: type[BaseModel]) -> str:
    """Return the JSON Schema of `model` as the text of its schema file.

    Args:
        model: The pydantic model of one kind of rule file.

    Returns:
        The model's JSON Schema with `$schema` (draft 2020-12) and `title` first, indented by two
        spaces, keys in the model's order, non-ASCII kept, ending in a newline.
    """
    generated = model.model_json_schema()
    schema = {
        "$schema": DIALECT,
        "title": generated.pop("title", model.__name__),
        **generated,
    }
    return json.dumps(schema, indent=2, sort_keys=False, ensure_ascii=False) + "\n"


def _index_text() -> str:
    comment = f"{COMMENT_PREFIX}folder-index.schema.json"
    return f'{comment}\ntitle: "{_INDEX_TITLE}"\n'


def write_schemas(root: Path) -> list[Path]:
    """Write every schema file, and the folder's `index.yaml`, into `root / "schemas"`.

    Schema files (`*.schema.json`) there that no model generates any more are removed.

    Args:
        root: The rules folder.

    Returns:
        The paths written, schema files first, then `index.yaml`.
    """
    folder = root / SCHEMAS_FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    for stray in sorted(folder.glob("*.schema.json")):
        if stray.name not in SCHEMAS:
            stray.unlink()
    written: list[Path] = []
    for name, model in SCHEMAS.items():
        path = folder / name
        path.write_text(render(model), encoding="utf-8", newline="\n")
        written.append(path)
    index = folder / "index.yaml"
    index.write_text(_index_text(), encoding="utf-8", newline="\n")
    written.append(index)
    return written


def stale_schemas(root: Path) -> list[str]:
    """Return the schema files under `root / "schemas"` that do not match their models.

    Args:
        root: The rules folder.

    Returns:
        Sorted names of the schema files that are missing, differ from `render()` of their model,
        or belong to no model; empty when the committed schemas are current.
    """
    folder = root / SCHEMAS_FOLDER
    stale = {
        name
        for name, model in SCHEMAS.items()
        if not (folder / name).is_file()
        or (folder / name).read_text(encoding="utf-8") != render(model)
    }
    if folder.is_dir():
        stale.update(p.name for p in folder.glob("*.schema.json") if p.name not in SCHEMAS)
    return sorted(stale)


def schema_for(root: Path, path: Path) -> str | None:
    """Return the name of the schema file a YAML file under `root` is written against.

    Args:
        root: The rules folder.
        path: A file, absolute or relative to the working directory.

    Returns:
        A key of `SCHEMAS`; `None` for a file that is not YAML, lies outside `root`, is one of the
        generated files under `schemas/` (whose `index.yaml` is a folder index like any other),
        or is not one of the kinds of rule file.
    """
    try:
        parts = path.resolve().relative_to(root.resolve()).parts
    except ValueError:
        return None
    if not parts or not parts[-1].endswith(".yaml"):
        return None
    if parts == ("index.yaml",):
        return "manifest.schema.json"
    if parts == ("questionnaire.yaml",):
        return "questionnaire.schema.json"
    if parts == ("rounds.yaml",):
        return "rounds.schema.json"
    if parts == ("spelling.yaml",):
        return "spelling.schema.json"
    if len(parts) > 1 and parts[-1] == "index.yaml":
        return "folder-index.schema.json"
    top = parts[0]
    if top == "logic" and len(parts) > 1:
        return "rule.schema.json"
    if top == "sources" and len(parts) > 1:
        return "source.schema.json"
    if top == "catalog" and len(parts) > 2 and parts[1] in _CATALOG:
        return _CATALOG[parts[1]]
    return None


def comment_for(root: Path, path: Path) -> str | None:
    """Return the `# yaml-language-server: $schema=...` line a YAML file under `root` starts with.

    Args:
        root: The rules folder.
        path: A YAML file under `root`.

    Returns:
        The line, without its newline, pointing from the file's folder to its schema file; `None`
        when `schema_for` names no schema.
    """
    name = schema_for(root, path)
    if name is None:
        return None
    target = root.resolve() / SCHEMAS_FOLDER / name
    relative = Path(os.path.relpath(target, path.resolve().parent)).as_posix()
    return f"{COMMENT_PREFIX}{relative}"


def _with_comment(content: bytes, comment: str) -> bytes:
    prefix = COMMENT_PREFIX.encode()
    rest = content
    while rest.startswith(prefix):
        end = rest.find(b"\n")
        rest = b"" if end < 0 else rest[end + 1 :]
    return comment.encode() + b"\n" + rest


def add_schema_comments(root: Path) -> int:
    """Make every YAML file under `root` start with one line naming its JSON Schema.

    An existing `# yaml-language-server: $schema=` first line (or run of them) is replaced;
    otherwise the line is inserted. The rest of each file is kept byte for byte. Files for which
    `schema_for` names no schema are left alone.

    Args:
        root: The rules folder.

    Returns:
        How many files changed.
    """
    changed = 0
    for path in sorted(root.rglob("*.yaml")):
        comment = comment_for(root, path)
        if comment is None:
            continue
        content = path.read_bytes()
        updated = _with_comment(content, comment)
        if updated != content:
            path.write_bytes(updated)
            changed += 1
    return changed


def stale_schema_comments(root: Path) -> list[str]:
    """Return the YAML files under `root` that `add_schema_comments` would change.

    Args:
        root: The rules folder.

    Returns:
        Their paths relative to `root`, sorted; empty when every file starts with its line.
    """
    return [
        path.relative_to(root).as_posix()
        for path in sorted(root.rglob("*.yaml"))
        if (comment := comment_for(root, path)) is not None
        and _with_comment(content := path.read_bytes(), comment) != content
    ]
