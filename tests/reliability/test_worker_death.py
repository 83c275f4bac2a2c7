"""A worker killed with SIGKILL is replaced, and the service keeps answering meanwhile.

`python -m api` with READINESS_WORKERS=2 runs uvicorn's supervisor, which checks its workers
every half second and starts a new one for each that died. The test kills one worker process
(the supervisor's children are read from /proc) and prints how long it took until a replacement
process existed and until 20 requests in a row succeeded; it asserts only a generous bound.
"""

from __future__ import annotations

import json
import os
import signal
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from tests.api.conftest import ROOT, Server, serving

pytestmark = pytest.mark.server  # uvicorn's supervisor and its worker processes

EXAMPLE = json.loads((ROOT / "examples" / "design-examples.json").read_text(encoding="utf-8"))
IN_A_ROW = 20
BOUND = 30.0
"""Seconds: a correctness bound, not a speed figure (bench/ holds those)."""


def workers(supervisor: int) -> set[int]:
    """Process ids of the supervisor's uvicorn workers (not multiprocessing's helpers)."""
    found: set[int] = set()
    for task in Path(f"/proc/{supervisor}/task").iterdir():
        try:
            children = (task / "children").read_text().split()
        except FileNotFoundError:  # the thread ended meanwhile
            continue
        for child in map(int, children):
            try:
                command = Path(f"/proc/{child}/cmdline").read_bytes().replace(b"\0", b" ")
                state = Path(f"/proc/{child}/stat").read_text().rsplit(")", 1)[1].split()[0]
            except FileNotFoundError:
                continue
            if b"resource_tracker" not in command and state != "Z":
                found.add(child)
    return found


def wait_for(condition: Callable[[], bool], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


@pytest.fixture(scope="module")
def two_workers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    yield from serving(tmp_path_factory, "workers", workers="2", reload_interval="0")


def assess(url: str) -> bool:
    """One assessment on a new connection (so that the workers share them), True if 200."""
    try:
        response = httpx.post(f"{url}/v1/assessments", json=EXAMPLE, timeout=10)
    except httpx.TransportError:
        return False
    return response.status_code == 200 and bool(response.json()["gaps"])


def test_a_killed_worker_is_replaced_and_the_service_keeps_answering(
    two_workers: Server,
) -> None:
    supervisor = two_workers.process.pid
    assert wait_for(lambda: len(workers(supervisor)) == 2, BOUND), workers(supervisor)
    before = workers(supervisor)
    assert all(assess(two_workers.url) for _ in range(10))

    victim = min(before)
    killed = time.monotonic()
    os.kill(victim, signal.SIGKILL)

    replaced_after = None
    served_after = None
    in_a_row = 0
    failed = 0
    while time.monotonic() - killed < BOUND and (replaced_after is None or served_after is None):
        now = workers(supervisor)
        if replaced_after is None and victim not in now and len(now - before) == 1:
            replaced_after = time.monotonic() - killed
        if served_after is None:
            if assess(two_workers.url):
                in_a_row += 1
                if in_a_row == IN_A_ROW:
                    served_after = time.monotonic() - killed
            else:
                in_a_row = 0
                failed += 1
        else:
            time.sleep(0.02)
    assert replaced_after is not None, f"no new worker within {BOUND} s: {workers(supervisor)}"
    assert served_after is not None, f"not {IN_A_ROW} answers in a row within {BOUND} s"
    print(
        f"worker {victim} killed: replacement process after {replaced_after:.2f} s; "
        f"{IN_A_ROW} requests in a row answered after {served_after:.2f} s; "
        f"{failed} requests failed meanwhile"
    )
    assert two_workers.process.poll() is None
    # The replacement serves too: with both workers up, every request on a new connection
    # succeeds.
    assert wait_for(lambda: len(workers(supervisor)) == 2, BOUND)
    assert all(assess(two_workers.url) for _ in range(IN_A_ROW))
