"""Settings: READINESS_* variables into one typed object, bad values named, the README's table."""

from __future__ import annotations

import ast
import os
from collections.abc import Callable
from pathlib import Path
from typing import get_args

import pytest

import engine
from api.settings import (
    PREFIX,
    Backend,
    Settings,
    SettingsError,
    settings_table,
    with_settings_table,
    write_settings_table,
)
from store.database import DEFAULT_URL

ROOT = Path(__file__).resolve().parents[2]
NUMBERS = [
    name for name, field in Settings.model_fields.items() if field.annotation in (int, float)
]

Read = Callable[[dict[str, str]], Settings]


@pytest.fixture
def read(monkeypatch: pytest.MonkeyPatch) -> Read:
    """`Settings.from_env()` with exactly the given READINESS_* variables in the environment."""
    for name in list(os.environ):
        if name.upper().startswith(PREFIX):
            monkeypatch.delenv(name)

    def read(variables: dict[str, str]) -> Settings:
        for name, value in variables.items():
            monkeypatch.setenv(name, value)
        return Settings.from_env()

    return read


def _refusal(read: Read, variables: dict[str, str]) -> str:
    with pytest.raises(SettingsError) as caught:
        read(variables)
    return str(caught.value)


def test_values_from_the_environment(read: Read) -> None:
    settings = read(
        {
            "READINESS_PORT": "9001",
            "READINESS_RULES_DIR": "/srv/rules",
            "READINESS_LOG_LEVEL": "WARNING",
            "READINESS_ENGINE": "compiled",
            "READINESS_ASSESS_WITHOUT_KEY": "yes",
            "READINESS_BODY_TIMEOUT": "2.5",
            "READINESS_RATE_LIMIT": "0",
            "READINESS_CORS_ORIGINS": " https://dashboard.example.org ,, http://localhost:5173",
            # Not settings: another program's variable, and one the test suite itself reads.
            "UNRELATED": "x",
            "READINESS_TEST_DATABASE_URL": "postgresql+psycopg://elsewhere/db",
        }
    )
    assert settings.port == 9001
    assert settings.rules_dir == Path("/srv/rules")
    assert settings.log_level == "warning"
    assert settings.engine == "compiled"
    assert settings.assess_without_key is True
    assert settings.body_timeout == 2.5
    assert settings.rate_limit == 0
    assert settings.cors_origin_list == ["https://dashboard.example.org", "http://localhost:5173"]


def test_an_empty_variable_counts_as_unset(read: Read) -> None:
    assert read({"READINESS_PORT": "", "READINESS_CORS_ORIGINS": ""}) == Settings.model_construct()


@pytest.mark.parametrize(
    ("name", "value", "says"),
    [
        ("READINESS_PORT", "eighty", "must be a whole number, not 'eighty'"),
        ("READINESS_PORT", "70000", "must be at most 65535, not '70000'"),
        ("READINESS_MAX_HEADERS", "1.5", "must be a whole number, not '1.5'"),
        ("READINESS_BODY_TIMEOUT", "soon", "must be a number, not 'soon'"),
        ("READINESS_BODY_TIMEOUT", "0", "must be more than 0, not '0'"),
        ("READINESS_BODY_TIMEOUT", "3601", "must be at most 3600, not '3601'"),
        ("READINESS_HEADER_TIMEOUT", "nan", "must be a finite number, not 'nan'"),
        ("READINESS_HEADER_TIMEOUT", "inf", "must be a finite number, not 'inf'"),
        ("READINESS_RATE_LIMIT", "-1", "must be at least 0, not '-1'"),
        ("READINESS_WORKERS", "0", "must be at least 1, not '0'"),
        (
            "READINESS_LOG_LEVEL",
            "loud",
            "must be 'critical', 'error', 'warning', 'info' or 'debug', not 'loud'",
        ),
        ("READINESS_ENGINE", "drools", "must be 'durable' or 'compiled', not 'drools'"),
        ("READINESS_ASSESS_WITHOUT_KEY", "perhaps", "must be true or false, not 'perhaps'"),
        ("READINESS_CORS_ORIGINS", "*", "'*' is not an origin like https://host[:port]"),
        (
            "READINESS_CORS_ORIGINS",
            "https://a.org, https://example.org/path",
            "'https://example.org/path' is not an origin like https://host[:port]",
        ),
        (
            "READINESS_CORS_ORIGINS",
            "example.org",
            "'example.org' is not an origin like https://host[:port]",
        ),
    ],
)
def test_a_bad_value_is_refused_naming_the_variable(
    read: Read, name: str, value: str, says: str
) -> None:
    assert _refusal(read, {name: value}) == f"{name}: {says}"


@pytest.mark.parametrize("field", NUMBERS)
def test_every_number_refuses_text_and_values_below_its_range(read: Read, field: str) -> None:
    name = f"{PREFIX}{field.upper()}"
    assert _refusal(read, {name: "-1"}).startswith(f"{name}: must be ")
    assert _refusal(read, {name: "lots"}).startswith(f"{name}: must be a ")


def test_every_bad_variable_is_named_at_once(read: Read) -> None:
    said = _refusal(read, {"READINESS_PORT": "0", "READINESS_ENGINE": "drools"})
    assert said.startswith("READINESS_PORT: must be at least 1")
    assert "; READINESS_ENGINE: must be 'durable' or 'compiled'" in said


def test_the_backend_names_are_the_engine_s() -> None:
    assert get_args(Backend) == engine.BACKENDS


def test_the_default_database_is_the_store_s() -> None:
    assert Settings.model_fields["database_url"].default == DEFAULT_URL


def test_reading_settings_imports_neither_the_engine_nor_the_store() -> None:
    tree = ast.parse((ROOT / "api" / "settings.py").read_text(encoding="utf-8"))
    modules = [
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    ]
    modules += [node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)]
    assert [m for m in modules if m.split(".")[0] in ("engine", "store", "api")] == []


def test_every_setting_is_described() -> None:
    assert [name for name, field in Settings.model_fields.items() if not field.description] == []
    assert len(settings_table().splitlines()) == 2 + len(Settings.model_fields)


def test_the_readme_holds_the_table_made_from_the_settings() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    between = readme.split("<!-- settings:start -->\n", 1)[1].split("<!-- settings:end -->", 1)[0]
    assert between == settings_table(), (
        'rewrite it: python -c "import api.settings as s; s.write_settings_table()"'
    )


def test_rewriting_the_table_replaces_only_what_is_between_the_markers(tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    readme.write_text(
        "# Title\n<!-- settings:start -->\n| stale |\n<!-- settings:end -->\nAfter.\n",
        encoding="utf-8",
    )
    write_settings_table(readme)
    assert readme.read_text(encoding="utf-8") == (
        f"# Title\n<!-- settings:start -->\n{settings_table()}<!-- settings:end -->\nAfter.\n"
    )
    with pytest.raises(ValueError, match="settings:start"):
        with_settings_table("# No markers\n")
