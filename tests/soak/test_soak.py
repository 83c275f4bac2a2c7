"""The soak in the suite: 60 seconds of mixed traffic at a fixed rate, judged as the long one is.

`python -m tests.soak.soak` (or `make soak`) runs the ten-minute version; both print the figures.
"""

from __future__ import annotations

import pytest

from tests.soak.soak import run_soak

pytestmark = [pytest.mark.server, pytest.mark.slow]  # a server under load for a minute


def test_a_minute_of_mixed_traffic_keeps_latency_memory_and_errors_flat() -> None:
    soak = run_soak(seconds=60, window=30, warmup=10)
    print(soak.text())  # the figures, shown with `pytest -s` and in the report of a failure
    assert soak.ok, soak.text()
