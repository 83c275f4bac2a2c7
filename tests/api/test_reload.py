"""Hot reload under load: the switch is atomic, a broken set never replaces a good one.

Each test runs the app in process on its own copy of the rules folder.
"""

from __future__ import annotations

import json
import logging
import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from litestar import Litestar

from api.app import create_app
from api.observability import JsonFormatter
from api.settings import Settings
from engine import default_rules_dir
from tests.api.conftest import in_process

TITLE = "Tactical leadership does not support the implementation"
RETITLED = "Tactical leadership does not back the intervention"


def rules_copy(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """A copy of the rules folder, and the settings of an app that checks it twice a second."""
    rules = tmp_path / "rules"
    shutil.copytree(default_rules_dir(), rules)
    return rules, {"rules_dir": str(rules), "reload_interval": "0.5", "assess_without_key": "true"}


def retitle(rules: Path) -> None:
    """Change the title of one gap: a valid new set."""
    rule = rules / "logic" / "leadership" / "tactical-support.yaml"
    rule.write_text(rule.read_text(encoding="utf-8").replace(TITLE, RETITLED, 1), encoding="utf-8")


@pytest.fixture
def reloading(tmp_path: Path) -> Iterator[tuple[httpx.Client, Path]]:
    """A client of the app on a copy of the rules."""
    rules, settings = rules_copy(tmp_path)
    with in_process(tmp_path, **settings) as client:
        yield client, rules


def wait_for(client: httpx.Client, check: Any, seconds: float = 90) -> dict[str, Any]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        ready: dict[str, Any] = client.get("/ready").json()
        if check(ready):
            return ready
        time.sleep(0.2)
    raise AssertionError(f"not reached: {ready}")


@pytest.mark.slow  # a stress run of many reloads under load
def test_rewriting_rules_while_16_clients_assess(reloading: tuple[httpx.Client, Path]) -> None:
    client, rules = reloading
    records: list[tuple[float, int, str, str]] = []
    failures: list[str] = []
    lock = threading.Lock()
    running = threading.Event()
    running.set()
    body = {"leadership": {"support": {"tactical": "no"}}}

    def client_loop() -> None:
        while running.is_set():
            try:
                response = client.post("/v1/assessments", json=body)
                payload = response.json()
                with lock:
                    records.append(
                        (
                            time.monotonic(),
                            response.status_code,
                            response.headers.get("x-ruleset-digest", ""),
                            payload.get("ruleset", {}).get("digest", ""),
                        )
                    )
            except (httpx.HTTPError, ValueError) as exc:
                with lock:
                    failures.append(repr(exc))

    threads = [threading.Thread(target=client_loop) for _ in range(16)]
    for thread in threads:
        thread.start()
    try:
        old = client.get("/ready").json()["ruleset"]["digest"]
        time.sleep(1.5)
        retitle(rules)
        switched = wait_for(client, lambda r: r["ruleset"]["digest"] != old)
        new = switched["ruleset"]["digest"]
        time.sleep(1.5)
        broken_at = time.monotonic()
        (rules / "logic" / "leadership" / "broken.yaml").write_text(
            "id: leadership/broken\nwhen: {leadership.support.tactical: maybe}\n", encoding="utf-8"
        )
        failed = wait_for(client, lambda r: r["reload"] and r["reload"]["ok"] is False)
        time.sleep(1.5)
    finally:
        running.clear()
        for thread in threads:
            thread.join()
    assert failures == []
    assert records
    assert {status for _, status, _, _ in records} == {200}
    assert all(header == body_digest for _, _, header, body_digest in records)
    assert {digest for _, _, digest, _ in records} == {old, new}
    assert {digest for at, _, digest, _ in records if at > broken_at} == {new}
    assert failed["ruleset"]["digest"] == new
    assert any("broken.yaml" in error for error in failed["reload"]["errors"])
    assert new_title_served(client)


def new_title_served(client: httpx.Client) -> bool:
    result = client.post(
        "/v1/assessments", json={"leadership": {"support": {"tactical": "no"}}}
    ).json()
    return any(g["title"].startswith(RETITLED) for g in result["gaps"])


def test_a_reload_whose_cases_fail_keeps_the_old_set(
    reloading: tuple[httpx.Client, Path],
) -> None:
    client, rules = reloading
    rule = rules / "logic" / "leadership" / "tactical-support.yaml"
    # Valid YAML and a valid rule, but its own case now expects the wrong outcome.
    rule.write_text(
        rule.read_text(encoding="utf-8").replace(
            "\ncases:\n",
            "\ncases:\n"
            "  - name: a clear no is wrongly expected to stay silent here\n"
            '    input: {leadership: {support: {tactical: "no"}}}\n'
            "    fires: false\n",
            1,
        ),
        encoding="utf-8",
    )
    old = client.get("/ready").json()["ruleset"]["digest"]
    ready = wait_for(client, lambda r: r["reload"] and r["reload"]["ok"] is False)
    assert ready["ruleset"]["digest"] == old
    assert any("wrongly expected to stay silent" in e for e in ready["reload"]["errors"])
    assert client.post("/v1/assessments", json={}).status_code == 200


def test_a_change_made_before_the_watcher_first_looks_is_reloaded(tmp_path: Path) -> None:
    # The app loads the set it serves when it is built and starts watching when it starts; a
    # file changed in between must count as a change.
    rules, settings = rules_copy(tmp_path)

    def changed_once_built(config: Settings) -> Litestar:
        app = create_app(config)
        retitle(rules)
        return app

    with in_process(tmp_path, changed_once_built, **settings) as client:
        assert not new_title_served(client)
        wait_for(client, lambda r: r["reload"]["attempted_at"] is not None, seconds=30)
        assert new_title_served(client)


def test_a_reload_logs_the_version_it_switched_to_and_every_reason_it_failed(
    reloading: tuple[httpx.Client, Path],
) -> None:
    client, rules = reloading
    lines: list[dict[str, Any]] = []

    class Kept(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append(json.loads(JsonFormatter().format(record)))

    kept = Kept()
    logger = logging.getLogger("readiness.reload")
    logger.addHandler(kept)
    try:
        old = client.get("/ready").json()["ruleset"]["digest"]
        retitle(rules)
        switched = wait_for(client, lambda r: r["ruleset"]["digest"] != old)
        (line,) = [e for e in lines if e["message"] == "ruleset switched"]
        assert line["ruleset_version"] == switched["ruleset"]["version"]
        assert line["ruleset_digest"] == switched["ruleset"]["digest"]
        assert "rule" not in line and "error_code" not in line
        broken = rules / "logic" / "leadership" / "tactical-support.yaml"
        broken.write_text("id: leadership/tactical-support\nwhen: [\n", encoding="utf-8")
        failed = wait_for(client, lambda r: r["reload"] and r["reload"]["ok"] is False)
        (line,) = [e for e in lines if e["message"].startswith("ruleset reload failed")]
        assert line["errors"] == failed["reload"]["errors"]
        assert line["errors"] and all(isinstance(e, str) for e in line["errors"])
        assert "error_code" not in line
    finally:
        logger.removeHandler(kept)


def test_a_rule_saved_as_yml_while_serving_is_reported_not_ignored(
    reloading: tuple[httpx.Client, Path],
) -> None:
    # The loader refuses `.yml` files; the watcher must notice one, so that /ready says why the
    # new rule is not served instead of the server going on as if nothing was there.
    client, rules = reloading
    old = client.get("/ready").json()["ruleset"]["digest"]
    source = rules / "logic" / "leadership" / "tactical-support.yaml"
    (rules / "logic" / "leadership" / "copied.yml").write_bytes(source.read_bytes())
    ready = wait_for(client, lambda r: r["reload"] and r["reload"]["ok"] is False)
    assert ready["ruleset"]["digest"] == old
    assert any("copied.yml" in e and "unexpected-file" in e for e in ready["reload"]["errors"])
