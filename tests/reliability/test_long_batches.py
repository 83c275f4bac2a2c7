"""A long batch does not stop the server: single requests are answered while it runs.

A batch of 1,000 assessments takes a second or more. Its items are evaluated in a worker thread,
a chunk at a time, and streamed as they are, so the event loop goes on answering `/health` and
single assessments; the test checks the order of events (those answers arrive before the end of
either batch's answer, which is sent as its last items are evaluated), not durations.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator

import httpx
import pytest

from bench.corpus import corpus
from bench.servers import memory_kib
from tests.api.conftest import Server, serving

pytestmark = pytest.mark.server  # the server's event loop and threads, over sockets


@pytest.fixture(scope="module")
def batch_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    yield from serving(tmp_path_factory, "batches")


def test_single_requests_are_answered_while_a_batch_of_1000_runs(batch_server: Server) -> None:
    items = corpus(size=50)
    body = json.dumps({"assessments": [items[n % len(items)] for n in range(1000)]}).encode()
    finished: dict[str, float] = {}
    answers: dict[str, httpx.Response] = {}

    def post_batch(name: str) -> None:
        with (
            httpx.Client(base_url=batch_server.url, timeout=300) as client,
            client.stream(
                "POST",
                "/v1/assessments/batch",
                content=body,
                headers={"Content-Type": "application/json"},
            ) as answer,
        ):
            answer.read()
            # The last piece is sent once the last items are evaluated.
            finished[name] = time.monotonic()
            answers[name] = answer

    batches = [threading.Thread(target=post_batch, args=(f"batch-{n}",)) for n in (1, 2)]
    for batch in batches:
        batch.start()
    singles = []
    with httpx.Client(base_url=batch_server.url, timeout=300) as client:
        time.sleep(0.2)  # both batches have been sent (3 MB on loopback) and are being evaluated
        for item in items[:5]:
            health = client.get("/health")
            single = client.post("/v1/assessments", json=item)
            assert (health.status_code, single.status_code) == (200, 200), single.text
            singles.append(time.monotonic())
    for batch in batches:
        batch.join()
    for name in ("batch-1", "batch-2"):
        assert answers[name].status_code == 200, answers[name].text[:500]
        assert answers[name].json()["succeeded"] == 1000
    # Every single request was answered before either batch was done: they did not hold the
    # event loop.
    assert max(singles) < min(finished.values())


@pytest.fixture(scope="module")
def quiet_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    # Its own server: the peak resident memory of a process only grows, so nothing else may run
    # on it before the batch whose peak is measured.
    yield from serving(tmp_path_factory, "batch-memory")


def test_a_batch_answer_is_streamed_not_held(quiet_server: Server) -> None:
    items = corpus(size=1000)
    body = json.dumps({"assessments": items}).encode()
    headers = {"Content-Type": "application/json"}
    with httpx.Client(base_url=quiet_server.url, timeout=300) as client:
        small = json.dumps({"assessments": items[:20]})
        warm = client.post("/v1/assessments/batch", content=small, headers=headers)
        assert warm.status_code == 200, warm.text[:500]
        before = memory_kib(quiet_server.process.pid, "VmHWM")
        with client.stream(
            "POST", "/v1/assessments/batch", content=body, headers=headers
        ) as answer:
            assert answer.headers.get("transfer-encoding") == "chunked"
            received = sum(len(piece) for piece in answer.iter_bytes())
        assert answer.status_code == 200
    grown = memory_kib(quiet_server.process.pid, "VmHWM") - before
    # The answer is some 190 MB: a server that built it whole before sending grew by at least
    # that much (by about 700 MB, with the pieces, their join and the copy waiting in the socket's
    # buffer). Streamed, it holds the parsed request and one chunk of the answer at a time.
    assert received > 150 * 2**20
    assert grown < 100 * 2**10, f"peak resident memory grew by {grown // 1024} MiB"
