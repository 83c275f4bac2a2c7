"""The tier rule holds: only a test marked `server` may start a server process."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.api.conftest import start


def test_a_test_without_the_server_marker_cannot_start_a_server(tmp_path: Path) -> None:
    with pytest.raises(pytest.fail.Exception, match="mark it `server`"):
        start(tmp_path)
    assert not list(tmp_path.glob("server-*.log"))  # refused before anything was started


class _Item:
    """What the collection hook reads of a test: its id and markers."""

    def __init__(self, nodeid: str, *markers: str) -> None:
        self.nodeid = nodeid
        self.markers = markers

    def get_closest_marker(self, name: str) -> object | None:
        return name if name in self.markers else None


def test_shared_is_refused_on_a_test_of_the_fast_tier() -> None:
    from tests.conftest import pytest_collection_modifyitems

    fine = [_Item("a", "server", "shared"), _Item("b", "slow", "shared"), _Item("c", "server")]
    pytest_collection_modifyitems(fine)  # type: ignore[arg-type]
    with pytest.raises(pytest.UsageError, match=r"neither `server` nor `slow`: \['d'\]"):
        pytest_collection_modifyitems([*fine, _Item("d", "shared")])  # type: ignore[list-item]
