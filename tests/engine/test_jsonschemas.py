"""The JSON Schemas under rules/schemas/: current, named by every YAML file, and met by them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from engine import default_rules_dir, load_ruleset
from engine.authoring import jsonschemas as js
from engine.rulebase.rulefile import FolderIndexFile
from engine.rulebase.yamlfile import fast_load
from tests.conftest import RulesFolder

ROOT = default_rules_dir()
YAML_FILES = sorted(ROOT.rglob("*.yaml"))
IDS = [p.relative_to(ROOT).as_posix() for p in YAML_FILES]


def test_the_committed_schemas_are_current() -> None:
    # If this fails, run `readiness rules schemas --write` and commit rules/schemas/.
    assert js.stale_schemas(ROOT) == []


def test_every_schema_file_is_a_2020_12_schema_of_its_model() -> None:
    folder = ROOT / js.SCHEMAS_FOLDER
    assert sorted(p.name for p in folder.glob("*.schema.json")) == sorted(js.SCHEMAS)
    for name, model in js.SCHEMAS.items():
        text = (folder / name).read_text(encoding="utf-8")
        assert text.endswith("}\n")
        schema = json.loads(text)
        assert list(schema)[:2] == ["$schema", "title"]
        assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
        assert schema["title"] == model.__name__
        assert schema["additionalProperties"] is False
    assert fast_load((folder / "index.yaml").read_text(encoding="utf-8")) == {
        "title": "JSON Schemas of the rule files, generated from the pydantic models"
    }


def test_a_changed_model_makes_its_schema_stale(
    rules_copy: RulesFolder, monkeypatch: pytest.MonkeyPatch
) -> None:
    class Changed(FolderIndexFile):
        """A folder index with one field more."""

        owner: str | None = None
        """Who looks after the folder."""

    root = rules_copy.root
    assert js.stale_schemas(root) == []
    monkeypatch.setitem(js.SCHEMAS, "folder-index.schema.json", Changed)
    assert js.stale_schemas(root) == ["folder-index.schema.json"]
    js.write_schemas(root)
    assert js.stale_schemas(root) == []
    assert (
        "owner"
        in json.loads((root / "schemas" / "folder-index.schema.json").read_text())["properties"]
    )


def test_an_edited_missing_or_orphaned_schema_file_is_stale(rules_copy: RulesFolder) -> None:
    folder = rules_copy.root / "schemas"
    rule = folder / "rule.schema.json"
    rule.write_text(rule.read_text(encoding="utf-8").replace('"RuleFile"', '"Rule"'))
    (folder / "source.schema.json").unlink()
    (folder / "gone.schema.json").write_text("{}\n")
    assert js.stale_schemas(rules_copy.root) == [
        "gone.schema.json",
        "rule.schema.json",
        "source.schema.json",
    ]
    written = js.write_schemas(rules_copy.root)
    assert [p.name for p in written] == [*js.SCHEMAS, "index.yaml"]
    assert js.stale_schemas(rules_copy.root) == []
    assert not (folder / "gone.schema.json").exists()


@pytest.mark.parametrize(
    ("relative", "expected"),
    [
        ("index.yaml", "schemas/manifest.schema.json"),
        ("questionnaire.yaml", "schemas/questionnaire.schema.json"),
        ("logic/index.yaml", "../schemas/folder-index.schema.json"),
        ("logic/culture/index.yaml", "../../schemas/folder-index.schema.json"),
        ("logic/culture/some-rule.yaml", "../../schemas/rule.schema.json"),
        ("logic/a/b/deep.yaml", "../../../schemas/rule.schema.json"),
        ("catalog/index.yaml", "../schemas/folder-index.schema.json"),
        ("catalog/obstacles/x.yaml", "../../schemas/obstacle.schema.json"),
        ("catalog/success-factors/x.yaml", "../../schemas/success-factor.schema.json"),
        ("catalog/recommendations/x.yaml", "../../schemas/recommendation.schema.json"),
        ("sources/index.yaml", "../schemas/folder-index.schema.json"),
        ("sources/x.yaml", "../schemas/source.schema.json"),
        ("schemas/index.yaml", "folder-index.schema.json"),
    ],
)
def test_each_kind_of_file_names_its_schema_relative_to_its_folder(
    relative: str, expected: str
) -> None:
    assert js.comment_for(ROOT, ROOT / relative) == f"# yaml-language-server: $schema={expected}"


@pytest.mark.parametrize(
    "relative",
    ["schemas/rule.schema.json", "schemas/other.yaml", "README.md", "stray.yaml", "catalog/x.yaml"],
)
def test_files_that_are_no_rule_file_have_no_schema(relative: str) -> None:
    assert js.schema_for(ROOT, ROOT / relative) is None


def test_a_file_outside_the_rules_folder_has_no_schema(tmp_path: Path) -> None:
    assert js.schema_for(ROOT, tmp_path / "index.yaml") is None


def test_every_yaml_file_starts_with_its_schema_line() -> None:
    wrong = []
    for path, relative in zip(YAML_FILES, IDS, strict=True):
        name = js.schema_for(ROOT, path)
        first, second, *_ = [*path.read_text(encoding="utf-8").split("\n", 2), ""]
        target = (path.parent / first.removeprefix(js.COMMENT_PREFIX)).resolve()
        if (
            name is None
            or first != js.comment_for(ROOT, path)
            or second.startswith("# yaml-language-server:")
            or target != ROOT / "schemas" / name
            or not target.is_file()
        ):
            wrong.append(f"{relative}: {first!r}")
    assert wrong == []


def test_adding_the_comments_is_idempotent_and_keeps_the_rest(rules_copy: RulesFolder) -> None:
    root = rules_copy.root
    assert js.add_schema_comments(root) == 0
    body = b'title: "A folder"\r\ndescription: >-\n  kept  as is\n\n'
    bare = rules_copy.write("logic/new/index.yaml", "")
    bare.write_bytes(body)
    wrong = root / "logic" / "culture" / "index.yaml"
    original = wrong.read_bytes()
    wrong.write_bytes(b"# yaml-language-server: $schema=nowhere.json\n" * 2 + original)
    assert js.stale_schema_comments(root) == ["logic/culture/index.yaml", "logic/new/index.yaml"]
    assert js.add_schema_comments(root) == 2
    assert js.stale_schema_comments(root) == []
    assert bare.read_bytes() == (
        b"# yaml-language-server: $schema=../../schemas/folder-index.schema.json\n" + body
    )
    assert wrong.read_bytes() == original
    assert js.add_schema_comments(root) == 0
    load_ruleset(root, check_coverage=False)


def test_a_file_without_a_schema_is_left_alone(rules_copy: RulesFolder) -> None:
    stray = rules_copy.write("schemas/notes.yaml", "a: 1\n")
    assert js.add_schema_comments(rules_copy.root) == 0
    assert stray.read_text() == "a: 1\n"


def _load(path: Path) -> Any:
    return fast_load(path.read_text(encoding="utf-8"))


def _schema(name: str) -> dict[str, Any]:
    schema: dict[str, Any] = json.loads((ROOT / "schemas" / name).read_text(encoding="utf-8"))
    return schema


def test_every_yaml_file_validates_against_its_json_schema() -> None:
    validators = {name: jsonschema.Draft202012Validator(_schema(name)) for name in js.SCHEMAS}
    errors = []
    for path, relative in zip(YAML_FILES, IDS, strict=True):
        name = js.schema_for(ROOT, path)
        assert name is not None, relative
        errors += [
            f"{relative}: {list(e.absolute_path)}: {e.message}"
            for e in validators[name].iter_errors(_load(path))
        ]
    assert errors == []


def test_the_schemas_are_valid_2020_12_schemas() -> None:
    for name in js.SCHEMAS:
        jsonschema.Draft202012Validator.check_schema(_schema(name))
