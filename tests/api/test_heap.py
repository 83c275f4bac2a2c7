"""What `api.heap` adds to CPython's `gc.freeze`: collect before freezing, unfreeze to reclaim.

Freezing is process-wide: each test restores the collector as it found it, and turns automatic
collection off meanwhile so that only `settle` and `resettle` collect.
"""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator

import pytest

from api import heap
from api.heap import YOUNG_THRESHOLD, resettle, settle


class _Node:
    """One half of a reference cycle."""

    other: _Node


def _cycle() -> weakref.ref[_Node]:
    """Make two objects that refer to each other; return a weak reference to tell if they live."""
    a, b = _Node(), _Node()
    a.other, b.other = b, a
    return weakref.ref(a)


@pytest.fixture(autouse=True)
def _collector() -> Iterator[None]:
    """No automatic collection during a test (only `settle` and `resettle` collect); restored."""
    threshold = gc.get_threshold()
    gc.disable()
    yield
    gc.enable()
    gc.unfreeze()
    gc.set_threshold(*threshold)


def test_settle_raises_the_young_threshold() -> None:
    settle()
    assert gc.get_threshold()[0] == YOUNG_THRESHOLD


def test_garbage_made_before_settling_is_collected_not_frozen() -> None:
    probe = _cycle()
    assert probe() is not None  # a cycle: reference counting alone does not free it
    settle()
    assert probe() is None


def test_resettle_reclaims_a_frozen_cycle_once_it_is_garbage() -> None:
    # What a retired engine is after a rules reload: alive at start-up, hence frozen, and
    # garbage only later; without `resettle` the collector would never see it again.
    a, b = _Node(), _Node()
    a.other, b.other = b, a
    probe = weakref.ref(a)
    settle()
    del a, b
    resettle()
    assert probe() is None


def test_resettle_leaves_the_collector_alone_in_a_process_that_never_settled(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A rules reload in an app built by a test or a script: nothing may be frozen there.
    monkeypatch.setattr(heap, "_settled", False)
    kept = [[n] for n in range(1_000)]
    resettle()
    assert gc.get_freeze_count() == 0
    assert len(kept) == 1_000
