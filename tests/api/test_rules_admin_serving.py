"""Rule administration runs off the event loop: the server answers others while it works."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import TestClient

from api.reload import Reloader
from engine import lint
from tests.api.conftest import in_process
from tests.api.test_storage import create_key
from tests.databases import database_url, fresh

_PATIENCE = 10.0
"""Seconds the held work waits for the other request before it gives up."""


@pytest.fixture
def admin(tmp_path: Path) -> Iterator[TestClient[Any]]:
    url = database_url("sqlite", tmp_path)
    fresh(url).close()
    key = create_key(url, "--scopes", "admin")
    with in_process(tmp_path, database_url=url) as client:
        client.headers["Authorization"] = f"Bearer {key}"
        yield client


def _held(work: Callable[..., Any]) -> tuple[Callable[..., Any], threading.Event, list[bool]]:
    """`work`, held until the returned event is set; whether it was set in time is recorded.

    Work held on the event loop keeps the loop from answering the request that would set it, so
    the wait runs out (False); work in a worker thread is released at once (True).
    """
    release = threading.Event()
    released: list[bool] = []
    started = threading.Event()

    def held(*args: Any, **kwargs: Any) -> Any:
        started.set()
        released.append(release.wait(_PATIENCE))
        return work(*args, **kwargs)

    held.started = started  # type: ignore[attr-defined]
    return held, release, released


def _answered_meanwhile(
    client: TestClient[Any],
    slow: Callable[[], Any],
    started: threading.Event,
    release: threading.Event,
) -> tuple[bool, Any]:
    """Whether GET /health was answered while `slow` (a request, in a thread) was held; its answer.

    `slow` is released (`release`) once /health is answered, and its answer awaited.
    """
    done: list[Any] = []
    worker = threading.Thread(target=lambda: done.append(slow()))
    worker.start()
    try:
        assert started.wait(_PATIENCE), "the slow request never reached its work"
        health = client.get("/health")
        answered = health.status_code == 200 and not done
    finally:
        release.set()
        worker.join(_PATIENCE * 2)
    return answered, done[0] if done else None


def test_validating_rule_files_leaves_the_server_answering(
    admin: TestClient[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    held, release, released = _held(lint)
    monkeypatch.setattr("api.rulesadmin.lint", held)
    answered, report = _answered_meanwhile(
        admin,
        lambda: admin.post("/v1/rules/validate", json={"files": {}}),
        held.started,  # type: ignore[attr-defined]
        release,
    )
    assert answered
    assert released == [True]
    # The held lint then ran as usual, on the copy of the rules.
    assert report.status_code == 200
    assert report.json()["errors"] == 0


def test_reloading_the_rules_leaves_the_server_answering(
    admin: TestClient[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    held, release, released = _held(Reloader.reload)
    monkeypatch.setattr(Reloader, "reload", held)
    answered, reloaded = _answered_meanwhile(
        admin,
        lambda: admin.post("/v1/rules/reload"),
        held.started,  # type: ignore[attr-defined]
        release,
    )
    assert answered
    assert released == [True]
    assert reloaded.status_code == 200
    assert reloaded.json()["ok"] is True
