"""Rule administration runs off the event loop: the server answers others while it works."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from litestar.di import Provide
from litestar.testing import TestClient

from api.language import negotiate
from api.reload import Reloader
from engine import lint
from tests.api.conftest import ROOT, in_process
from tests.databases import database_url, fresh_with_keys

_PATIENCE = 10.0
"""Seconds the held work waits for the other request before it gives up."""


@pytest.fixture
def admin(tmp_path: Path) -> Iterator[TestClient[Any]]:
    url = database_url("sqlite", tmp_path)
    key = fresh_with_keys(url, admin={"scopes": ["admin"]})["admin"]
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


def test_a_request_that_spans_a_reload_answers_wholly_from_the_rules_it_started_with(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The folder's questionnaire changes and the rules are reloaded after the questionnaire
    # request started and before its handler reads the questionnaire. Its answer must be the old
    # questionnaire, as its X-Ruleset-Digest header (of the old set) says.
    rules = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", rules)
    with in_process(tmp_path, rules_dir=str(rules)) as client:
        provider = client.app.dependencies["runtime"]
        runtime = provider.dependency() if isinstance(provider, Provide) else provider()
        before = client.get("/v1/questionnaire?lang=en")
        assert _partly(before) == "Partly"
        reloads = []

        def reload_first(*args: Any) -> Any:
            path = rules / "questionnaire.yaml"
            text = path.read_text(encoding="utf-8")
            path.write_text(text.replace('en: "Partly"', 'en: "In part"', 1), encoding="utf-8")
            reloads.append(runtime.reloader.reload())
            return negotiate(*args)

        monkeypatch.setattr("api.questionnaire.negotiate", reload_first)
        spanning = client.get("/v1/questionnaire?lang=en")
        monkeypatch.undo()
        assert [status.ok for status in reloads] == [True]
        assert spanning.headers["x-ruleset-digest"] == before.headers["x-ruleset-digest"]
        assert _partly(spanning) == "Partly"
        after = client.get("/v1/questionnaire?lang=en")
        assert after.headers["x-ruleset-digest"] == reloads[0].digest
        assert after.headers["x-ruleset-digest"] != before.headers["x-ruleset-digest"]
        assert _partly(after) == "In part"


def _partly(response: Any) -> str:
    """The English label of `partly` on the first yes/partly/no question of a questionnaire."""
    for question in response.json()["questions"]:
        labels = {a["value"]: a["label"] for a in question["answers"]}
        if set(labels) >= {"yes", "partly", "no"}:
            return str(labels["partly"])
    raise AssertionError("no yes/partly/no question")
