"""Packaging: the wheel's package list and data globs cover the tree, and shipped data is found."""

from __future__ import annotations

import importlib.util
import shutil
import tomllib
from pathlib import Path
from types import ModuleType
from typing import Any

import engine

ROOT = Path(__file__).resolve().parents[1]
CODE = ("api", "engine", "schemas", "store")
SETUPTOOLS: dict[str, Any] = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))[
    "tool"
]["setuptools"]


def _folder(package: str) -> Path:
    mapped = SETUPTOOLS.get("package-dir", {}).get(package)
    return ROOT / (mapped or package.replace(".", "/"))


def _files(folder: Path) -> set[Path]:
    return {p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts}


def _shipped() -> set[Path]:
    """The files a wheel built from this tree carries, as setuptools selects them."""
    shipped: set[Path] = set()
    for package in SETUPTOOLS["packages"]:
        folder = _folder(package)
        shipped |= set(folder.glob("*.py"))
        for pattern in SETUPTOOLS.get("package-data", {}).get(package, []):
            shipped |= {p for p in folder.glob(pattern) if p.is_file()}
    return shipped


def test_every_package_in_the_tree_is_listed() -> None:
    in_tree = {
        init.parent.relative_to(ROOT).as_posix().replace("/", ".")
        for top in CODE
        for init in (ROOT / top).rglob("__init__.py")
    }
    assert set(SETUPTOOLS["packages"]) == in_tree | set(SETUPTOOLS["package-dir"])


def test_the_wheel_carries_the_code_the_rule_base_the_examples_and_the_migrations() -> None:
    everything = set().union(*(_files(ROOT / part) for part in (*CODE, "rules", "examples")))
    left_out = sorted(p.relative_to(ROOT).as_posix() for p in everything - _shipped())
    assert left_out == []
    assert ROOT / "store" / "migrations" / "script.py.mako" in everything


def _copy_of_shipped(package: Path) -> ModuleType:
    """`engine/shipped.py` loaded from a copy placed in `package`, as in an installed tree."""
    package.mkdir(parents=True)
    shutil.copy(ROOT / "engine" / "shipped.py", package / "shipped.py")
    spec = importlib.util.spec_from_file_location("shipped_copy", package / "shipped.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_an_installed_package_reads_the_data_inside_it(tmp_path: Path) -> None:
    package = tmp_path / "site-packages" / "engine"
    shipped = _copy_of_shipped(package)
    (package / "rules").mkdir()
    (package / "examples").mkdir()
    assert shipped.shipped_dir("rules") == package / "rules"
    assert shipped.default_examples_dir() == package / "examples"


def test_a_checkout_reads_the_folders_at_the_top_of_the_repository() -> None:
    assert engine.default_rules_dir() == ROOT / "rules"
    assert engine.default_examples_dir() == ROOT / "examples"
