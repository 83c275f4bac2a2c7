"""Settings come from READINESS_* variables into one typed object; bad values are named."""

from __future__ import annotations

from pathlib import Path

import pytest

from api.language import negotiate
from api.problems import ProblemError
from api.settings import Settings, SettingsError


def test_defaults() -> None:
    settings = Settings.from_env({})
    assert (settings.host, settings.port, settings.workers) == ("127.0.0.1", 8000, 1)
    assert settings.max_body_bytes == 1024 * 1024
    assert settings.max_batch_items == 1000
    assert settings.rules_dir is None
    assert settings.engine == "durable"


def test_values_from_the_environment() -> None:
    settings = Settings.from_env(
        {
            "READINESS_PORT": "9001",
            "READINESS_WORKERS": "2",
            "READINESS_RULES_DIR": "/srv/rules",
            "READINESS_LOG_LEVEL": "warning",
            "READINESS_MAX_BATCH_ITEMS": "50",
            "READINESS_ENGINE": "compiled",
            "UNRELATED": "x",
        }
    )
    assert (settings.port, settings.workers, settings.max_batch_items) == (9001, 2, 50)
    assert settings.rules_dir == Path("/srv/rules")
    assert settings.log_level == "warning"
    assert settings.engine == "compiled"


@pytest.mark.parametrize(
    ("name", "value", "says"),
    [
        ("READINESS_PORT", "eighty", "READINESS_PORT must be a whole number"),
        ("READINESS_PORT", "70000", "port must be 1-65535"),
        ("READINESS_WORKERS", "0", "workers must be at least 1"),
        ("READINESS_LOG_LEVEL", "loud", "is not a level"),
        ("READINESS_MAX_BODY_BYTES", "0", "max_body_bytes must be at least 1"),
        ("READINESS_ENGINE", "drools", "engine must be one of durable, compiled"),
    ],
)
def test_bad_values_are_named(name: str, value: str, says: str) -> None:
    with pytest.raises(SettingsError, match=says):
        Settings.from_env({name: value})


@pytest.mark.parametrize(
    ("lang", "header", "expected"),
    [
        (None, None, "en"),
        ("da", "sv", "da"),
        (None, "sv-SE,sv;q=0.9,en;q=0.8", "sv"),
        (None, "en;q=0.1, da;q=0.5", "da"),
        (None, "da;q=0, sv;q=0.1", "sv"),
        (None, "*", "en"),
        (None, "garbage;;q=x", "en"),
    ],
)
def test_language_negotiation(lang: str | None, header: str | None, expected: str) -> None:
    assert negotiate(lang, header) == expected


def test_an_unsupported_lang_parameter_is_a_problem() -> None:
    with pytest.raises(ProblemError) as caught:
        negotiate("fr", None)
    assert caught.value.code == "unsupported-language"
