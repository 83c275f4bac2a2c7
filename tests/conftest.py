"""Shared fixtures, the test tiers and the hypothesis profiles.

Tiers: `make test` runs every test not marked `server` or `slow` (the fast tier, the API in process);
`make test-all` runs them all. A test is marked (per module with `pytestmark`, else per test):

- `server` when it starts a real server process (`python -m api` under uvicorn, see
  tests/api/conftest.py); `spawn` fails a test that starts one without the marker;
- `slow` when it runs for long by design: the soak, contract fuzzing, trickles of a minute;
- `shared`, besides `server` or `slow`, when it holds no time or memory bound (browsers, contract
  fuzzing, generated clients): CI runs it beside the fast tier, on a busy machine. The other server
  and slow tests have the machine to themselves; a test without `shared` is one of them.

Hypothesis profiles: `dev` (the default, 100 examples), `ci` (300, as `.ci/run` uses) and `thorough`
(1,000, for a long run now and then), chosen by `HYPOTHESIS_PROFILE=ci` or
`pytest --hypothesis-profile=ci`.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings
from ruamel.yaml import YAML

from api.observability import JsonFormatter
from engine import Engine, Ruleset, default_rules_dir, load_ruleset
from engine.indicators import INDICATORS, nested
from schemas.assessment import AssessmentRequest
from schemas.result import AssessmentResult

settings.register_profile("dev", max_examples=100, deadline=None)
settings.register_profile("ci", max_examples=300, deadline=None, print_blob=True)
settings.register_profile("thorough", max_examples=1000, deadline=None, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))

_running: pytest.Item | None = None
"""The test being set up or run (None outside pytest, e.g. `python -m tests.soak.soak`)."""


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Refuse `shared` on a test of the fast tier: it says where a server test runs in CI."""
    wrong = [
        item.nodeid
        for item in items
        if item.get_closest_marker("shared") is not None
        and item.get_closest_marker("server") is None
        and item.get_closest_marker("slow") is None
    ]
    if wrong:
        raise pytest.UsageError(f"marked `shared` but neither `server` nor `slow`: {wrong}")


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """Remember the test whose fixtures are set up now, for `require_marker`."""
    global _running
    _running = item


def require_marker(name: str, what: str) -> None:
    """Fail the running test unless it is marked `name`: it is about to do `what`."""
    if _running is not None and _running.get_closest_marker(name) is None:
        pytest.fail(f"{_running.nodeid} {what}: mark it `{name}` (see tests/conftest.py)")


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


class AppLog(logging.Handler):
    """The lines the app logs (its `readiness` loggers) while a test runs, as JSON like the server's."""

    def __init__(self) -> None:
        super().__init__()
        self.setFormatter(JsonFormatter())
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        """Keep the record as the JSON line the server would write."""
        self.lines.append(self.format(record))

    def entries(self) -> list[dict[str, Any]]:
        """The lines, parsed."""
        return [json.loads(line) for line in self.lines]

    def text(self) -> str:
        """The lines as one text, as in the server's log file."""
        return "\n".join(self.lines)


@pytest.fixture
def app_log() -> Iterator[AppLog]:
    """What apps served in process log during the test.

    The `readiness` loggers do not propagate to the root logger, so `caplog` does not see them.
    """
    logger = logging.getLogger("readiness")
    handler = AppLog()
    logger.addHandler(handler)
    yield handler
    logger.removeHandler(handler)


@pytest.fixture
def no_parsing_back(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail the test where a result is parsed back from its own JSON."""

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("a result was parsed back from its JSON")

    monkeypatch.setattr(AssessmentResult, "model_validate_json", refuse)
