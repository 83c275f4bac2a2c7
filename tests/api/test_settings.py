"""Settings come from READINESS_* variables into one typed object; bad values are named."""

from __future__ import annotations

from pathlib import Path

import pytest

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
