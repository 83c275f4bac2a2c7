"""A long batch does not stop the server: single requests are answered while it runs.

A batch of 1,000 assessments takes a second or more. It is evaluated in a worker thread, one
batch at a time, so the event loop goes on answering `/health` and single assessments; the test
checks the order of events (those answers arrive before the head of the batch's answer, which
is sent once the batch is evaluated), not durations.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator

import httpx
import pytest

from bench.corpus import corpus
from tests.api.conftest import Server, serving

pytestmark = pytest.mark.server  # the server's event loop and threads, over sockets


@pytest.fixture(scope="module")
def batch_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    yield from serving(tmp_path_factory, "batches")


def test_single_requests_are_answered_while_a_batch_of_1000_runs(batch_server: Server) -> None:
    items = corpus(size=50)
    body = json.dumps({"assessments": [items[n % len(items)] for n in range(1000)]}).encode()
    evaluated: dict[str, float] = {}
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
            # The head is sent once the whole batch is evaluated (its body is built first).
            evaluated[name] = time.monotonic()
            answer.read()
            answers[name] = answer

    batches = [threading.Thread(target=post_batch, args=(f"batch-{n}",)) for n in (1, 2)]
    for batch in batches:
        batch.start()
    singles = []
    with httpx.Client(base_url=batch_server.url, timeout=300) as client:
        time.sleep(0.2)  # both batches have been sent (3 MB on loopback); the first is evaluated
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
    # Every single request was answered before the first batch was evaluated: it did not hold
    # the event loop.
    assert max(singles) < min(evaluated.values())
