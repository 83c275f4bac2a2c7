"""Shared fixtures: the shipped ruleset, an engine on it, and scratch copies of the rules folder."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from engine import Engine, Ruleset, default_rules_dir, load_ruleset
from engine.indicators import INDICATORS, nested
from schemas.assessment import AssessmentRequest


@pytest.fixture(scope="session")
def ruleset() -> Ruleset:
    # Coverage of the source documents is asserted on its own in tests/rules/test_coverage.py.
    return load_ruleset(check_coverage=False)


@pytest.fixture(scope="session")
def engine(ruleset: Ruleset) -> Engine:
    return Engine(ruleset)


class RulesFolder:
    """A writable copy of the shipped rules folder."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._yaml = YAML()

    def write(self, relative: str, content: str) -> Path:
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")
        return path

    def read(self, relative: str) -> Any:
        return self._yaml.load((self.root / relative).read_text(encoding="utf-8"))

    def dump(self, relative: str, data: Any) -> Path:
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("w", encoding="utf-8") as stream:
            self._yaml.dump(data, stream)
        return path


@pytest.fixture
def rules_copy(tmp_path: Path) -> RulesFolder:
    root = tmp_path / "rules"
    shutil.copytree(default_rules_dir(), root)
    return RulesFolder(root)


def request(**sections: Any) -> AssessmentRequest:
    """Build a request from section keyword arguments."""
    return AssessmentRequest.model_validate(sections)


def worst_request() -> AssessmentRequest:
    """Every scored indicator at its worst answer: the weakest organisation there is."""
    worst = {i.path: i.scale.worst for i in INDICATORS if i.scale.scored}
    return AssessmentRequest.model_validate(nested(worst))


PROJECT_ROOT = Path(__file__).resolve().parents[1]


def run_process(
    argv: list[str], *, stdin: str | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run a command of ours from the project root, its output captured as text, never raising."""
    return subprocess.run(  # noqa: S603 - our own interpreter and arguments
        argv,
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
        input=stdin,
        env=env,
        timeout=120,
        check=False,
    )
