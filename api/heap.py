"""The garbage collector's settings for a server whose heap is mostly built once, at start-up.

After start-up the process holds a large heap that lives as long as it does: the ruleset, its
rendered fragments, the framework's routes and schemas. CPython's collector walks all of it in each
full collection, and every request in flight waits for that walk (the figures are in
`bench/RESULTS.md`).

`settle()` collects once and moves everything alive into the permanent generation
(`gc.freeze()`), so that later collections walk only what requests create. Frozen objects are
still freed by reference counting; what can no longer be reclaimed is a cycle among them, which is
why `resettle()` unfreezes, collects and freezes again after a rules reload has retired an engine.
Only a serving process settles (`api.server`); in any other, `resettle()` leaves the collector alone.

The youngest generation's threshold is raised from 700 to `YOUNG_THRESHOLD` allocations: most of a
request's objects are gone before it is reached, so the collector rarely has anything to walk.
"""

from __future__ import annotations

import gc
import threading

__all__ = ["YOUNG_THRESHOLD", "resettle", "settle"]

YOUNG_THRESHOLD = 5_000
"""Net container allocations between collections of the youngest generation (CPython: 700)."""

_LOCK = threading.Lock()
_settled = False


def settle() -> None:
    """Collect, then freeze what is alive, and raise the youngest generation's threshold."""
    global _settled  # one collector per process, so one flag
    with _LOCK:
        gc.collect()
        gc.freeze()
        _, middle, oldest = gc.get_threshold()
        gc.set_threshold(YOUNG_THRESHOLD, middle, oldest)
        _settled = True


def resettle() -> None:
    """Unfreeze, collect what has become garbage (a retired engine), and freeze again.

    Does nothing in a process that has not settled: freezing is for serving processes only.
    """
    with _LOCK:
        if not _settled:
            return
        gc.unfreeze()
        gc.collect()
        gc.freeze()
