"""The fault-injecting app (`tests/reliability/faulty_app.py`), served in process."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.api.conftest import in_process
from tests.reliability.faulty_app import create_app


@pytest.fixture(scope="module")
def faulty(tmp_path_factory: pytest.TempPathFactory) -> Iterator[httpx.Client]:
    """A client of the faulty app: keyless assessing, no hot reload."""
    tmp = tmp_path_factory.mktemp("faulty")
    settings = {"assess_without_key": "true", "reload_interval": "0"}
    with in_process(tmp, create_app, **settings) as client:
        yield client
