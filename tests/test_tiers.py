"""The tier rule holds: only a test marked `server` may start a server process."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.api.conftest import start


def test_a_test_without_the_server_marker_cannot_start_a_server(tmp_path: Path) -> None:
    with pytest.raises(pytest.fail.Exception, match="mark it `server`"):
        start(tmp_path)
    assert not list(tmp_path.glob("server-*.log"))  # refused before anything was started
