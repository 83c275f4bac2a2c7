"""The layout: public names, what is shipped, and the READMEs.

The API uses the engine's public names only, nothing shipped reads `tests/`, and each README
section is there once.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import engine

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("api", "engine", "schemas", "store")


def _imports(path: Path) -> list[tuple[int, str, list[str]]]:
    """(line, module, names) of every `import` and `from … import` in a file."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.append((node.lineno, node.module, [a.name for a in node.names]))
        elif isinstance(node, ast.Import):
            found += [(node.lineno, a.name, []) for a in node.names]
    return found


def test_the_api_imports_only_the_engine_s_public_names() -> None:
    wrong = []
    for path in sorted((ROOT / "api").rglob("*.py")):
        for line, module, names in _imports(path):
            where = f"{path.relative_to(ROOT)}:{line}"
            if module.startswith("engine."):
                wrong.append(f"{where}: imports {module}")
            elif module == "engine":
                wrong += [f"{where}: {n} is not public" for n in names if n not in engine.__all__]
    assert wrong == []


def test_every_public_name_of_the_engine_exists() -> None:
    assert all(hasattr(engine, name) for name in engine.__all__)


def test_the_evaluation_path_does_not_import_the_authoring_tools() -> None:
    wrong = [
        f"{path.relative_to(ROOT)}:{line}: {module}"
        for part in ("runtime", "rulebase")
        for path in sorted((ROOT / "engine" / part).rglob("*.py"))
        for line, module, _ in _imports(path)
        if module.startswith("engine.authoring")
    ]
    assert wrong == []


def _paths_named(path: Path) -> list[str]:
    """String constants (docstrings left out) that name the test tree."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {id(node.value) for node in ast.walk(tree) if isinstance(node, ast.Expr)}
    return [
        f"{path.relative_to(ROOT)}:{node.lineno}: {node.value!r}"
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in docstrings
        and (node.value == "tests" or node.value.startswith("tests/"))
    ]


def test_nothing_shipped_reads_the_test_tree() -> None:
    named = [
        found
        for package in PACKAGES
        for path in sorted((ROOT / package).rglob("*.py"))
        for found in _paths_named(path)
    ]
    assert named == []


def test_reading_the_settings_loads_neither_the_engine_nor_the_store() -> None:
    code = "import sys, api.settings; print(sorted({'engine', 'store'} & set(sys.modules)))"
    loaded = subprocess.run(  # noqa: S603 - a fresh interpreter, so nothing is imported yet
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert loaded.stdout.strip() == "[]"


def test_the_command_line_loads_the_server_and_the_database_only_for_their_commands() -> None:
    code = (
        "import sys, api.cli; "
        "print(sorted({'uvicorn', 'litestar', 'sqlalchemy', 'api.app'} & set(sys.modules)))"
    )
    loaded = subprocess.run(  # noqa: S603 - a fresh interpreter, so nothing is imported yet
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert loaded.stdout.strip() == "[]"


def test_the_readme_s_module_map_names_every_module_once() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("### Module map", 1)[1].split("```text\n", 1)[1].split("```", 1)[0]
    listed = [line.split()[0] for line in block.splitlines() if line.strip()]
    modules = sorted(
        path.relative_to(ROOT).as_posix()
        for package in PACKAGES
        for path in (ROOT / package).rglob("*.py")
        if path.name not in ("__init__.py", "__main__.py") and "migrations" not in path.parts
    )
    assert sorted(listed) == modules


@pytest.mark.parametrize("name", ["README.md", "rules/README.md"])
def test_each_readme_heading_is_there_once(name: str) -> None:
    # A section pasted twice still reads well at either copy and passes every test that looks for
    # one passage; two headings of the same name give it away.
    readme = (ROOT / name).read_text(encoding="utf-8")
    lines = readme.split("\n")
    fenced = False
    headings = []
    for line in lines:
        if line.startswith("```"):
            fenced = not fenced
        elif not fenced and line.startswith("#"):
            headings.append(line)
    repeated = sorted({h for h in headings if headings.count(h) > 1})
    assert not repeated, repeated


def test_the_schemas_import_nothing_of_the_engine_the_api_or_the_store() -> None:
    # The public contract sits below everything that uses it: the engine's command line and the
    # API both read it, so it may not reach back into either.
    wrong = []
    for path in sorted((ROOT / "schemas").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = (
                [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else []
            )
            wrong += [
                f"{path.name}: {n}" for n in names if n.split(".")[0] in ("api", "engine", "store")
            ]
    assert not wrong
