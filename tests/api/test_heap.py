"""The collector's settings (`api.heap`), each case in a fresh interpreter.

Freezing is process-wide, so the cases run in a child process rather than in the test runner.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

from api.heap import YOUNG_THRESHOLD

_CYCLE = """
import gc, json, weakref
from api.heap import resettle, settle
class Node: pass
a, b = Node(), Node()
a.other, b.other = b, a
probe = weakref.ref(a)
"""
"""Two objects that refer to each other, and a weak reference to tell whether they were freed."""


def _run(code: str) -> dict[str, object]:
    done = subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def test_settle_freezes_what_is_alive_and_raises_the_young_threshold() -> None:
    result = _run(
        """
        import gc, json
        from api.heap import settle
        before = gc.get_freeze_count()
        kept = [[n] for n in range(10_000)]
        settle()
        print(json.dumps({
            "before": before,
            "frozen": gc.get_freeze_count(),
            "threshold": gc.get_threshold()[0],
        }))
        """
    )
    assert result["before"] == 0
    assert isinstance(result["frozen"], int)
    assert result["frozen"] > 10_000
    assert result["threshold"] == YOUNG_THRESHOLD


def test_garbage_made_before_settling_is_collected_not_frozen() -> None:
    result = _run(
        _CYCLE
        + textwrap.dedent(
            """
        del a, b
        settle()
        print(json.dumps({"alive": probe() is not None}))
        """
        )
    )
    assert result == {"alive": False}


def test_resettle_reclaims_a_frozen_cycle_once_it_is_garbage() -> None:
    # What a retired engine is after a rules reload: alive at start-up, hence frozen, and
    # garbage only later; without `resettle` the collector would never see it again.
    result = _run(
        _CYCLE
        + textwrap.dedent(
            """
        settle()
        del a, b
        gc.collect()
        leaked = probe() is not None
        resettle()
        print(json.dumps({"leaked_while_frozen": leaked, "alive": probe() is not None,
                          "frozen": gc.get_freeze_count() > 0}))
        """
        )
    )
    assert result == {"leaked_while_frozen": True, "alive": False, "frozen": True}


def test_resettle_leaves_the_collector_alone_in_a_process_that_never_settled() -> None:
    # A rules reload in an app built by a test or a script: nothing may be frozen there.
    result = _run(
        """
        import gc, json
        from api.heap import resettle
        kept = [[n] for n in range(1_000)]
        resettle()
        print(json.dumps({"frozen": gc.get_freeze_count()}))
        """
    )
    assert result == {"frozen": 0}
