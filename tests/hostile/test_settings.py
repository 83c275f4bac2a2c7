"""The settings that bound hostile input: defaults, reading them, and refusing bad values."""

from __future__ import annotations

import pytest

from api.settings import Settings, SettingsError


def test_defaults() -> None:
    settings = Settings.from_env({})
    assert settings.body_timeout == 30.0
    assert settings.header_timeout == 10.0
    assert settings.max_header_bytes == 64 * 1024
    assert settings.max_headers == 100
    assert settings.max_url_bytes == 8 * 1024


def test_read_from_the_environment() -> None:
    settings = Settings.from_env(
        {
            "READINESS_BODY_TIMEOUT": "2.5",
            "READINESS_HEADER_TIMEOUT": "3",
            "READINESS_MAX_HEADER_BYTES": "16384",
            "READINESS_MAX_HEADERS": "50",
            "READINESS_MAX_URL_BYTES": "2048",
        }
    )
    assert (settings.body_timeout, settings.header_timeout) == (2.5, 3.0)
    assert (settings.max_header_bytes, settings.max_headers, settings.max_url_bytes) == (
        16384,
        50,
        2048,
    )


@pytest.mark.parametrize("name", ["BODY_TIMEOUT", "HEADER_TIMEOUT"])
@pytest.mark.parametrize("value", ["0", "-1", "nan", "inf", "3601", "soon"])
def test_timeouts_must_be_positive_and_finite(name: str, value: str) -> None:
    with pytest.raises(SettingsError, match=name.lower() if value != "soon" else name):
        Settings.from_env({f"READINESS_{name}": value})


@pytest.mark.parametrize("name", ["MAX_HEADER_BYTES", "MAX_HEADERS", "MAX_URL_BYTES"])
@pytest.mark.parametrize("value", ["0", "-5", "1.5", "lots"])
def test_head_limits_must_be_whole_and_positive(name: str, value: str) -> None:
    with pytest.raises(SettingsError, match=name if value in ("1.5", "lots") else name.lower()):
        Settings.from_env({f"READINESS_{name}": value})
