"""Engine faults are contained: a 500 problem with a request id and no internals, a log line.

The log line names the rule, and the next request is served as usual, by the same app.
"""

from __future__ import annotations

from typing import Any

import httpx

from engine import load_ruleset
from engine.runtime.assess import Engine
from engine.runtime.backend import actions_of
from tests.conftest import AppLog, worst_request
from tests.reliability.faulty_app import LEAK

WORST: dict[str, Any] = worst_request().model_dump(mode="json", exclude_none=True)
INTERNALS = (
    "Traceback", "File \"", ".py", "/srv/", "/work/", "site-packages", "SELECT", "secret",
    "RuntimeError", "EvaluationError", "durable", "302",
)  # fmt: skip


def first_deriving_rule() -> str:
    """The rule whose action the `rule-action` fault breaks for `WORST`.

    That is the first rule to fire that asserts a derived fact.
    """
    ruleset = load_ruleset(check_coverage=False)
    deriving = {a.rule for a in actions_of(ruleset) if a.derives is not None}
    engine = Engine(ruleset)
    try:
        trace = engine.assess(worst_request(), explain=True).trace or []
    finally:
        engine.close()
    return next(entry.rule for entry in trace if entry.rule in deriving)


def log_entries(log: AppLog, request_id: str) -> list[dict[str, Any]]:
    """The app's JSON log lines about one request."""
    return [
        entry for line, entry in zip(log.lines, log.entries(), strict=True) if request_id in line
    ]


def assert_contained(response: httpx.Response) -> dict[str, Any]:
    """A 500 problem+json with a stable code and the request id, and nothing internal."""
    assert response.status_code == 500, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    request_id = response.headers["x-request-id"]
    assert body["request_id"] == request_id
    assert body["code"] == "internal-error"
    assert body["type"].endswith("/internal-error")
    assert body["status"] == 500
    assert set(body) == {"type", "title", "status", "code", "detail", "request_id"}
    # The request id is random hex and may contain "302" by chance: look past it.
    text = response.text.replace(request_id, "<request-id>")
    assert LEAK not in text
    for internal in INTERNALS:
        assert internal not in text, internal
    return body


def assessed(client: httpx.Client) -> None:
    """A normal request right after: the same process answers it in full."""
    response = client.post("/v1/assessments", json=WORST)
    assert response.status_code == 200, response.text
    assert response.json()["gaps"]


def test_a_failing_rule_action_is_a_500_problem_logged_with_the_rule(
    faulty: httpx.Client, app_log: AppLog
) -> None:
    rule = first_deriving_rule()
    assessed(faulty)
    response = faulty.post(
        "/v1/assessments",
        json=WORST,
        headers={"X-Test-Fault": "rule-action", "X-Request-Id": "fault-rule-action-1"},
    )
    assert_contained(response)
    assert response.headers["x-request-id"] == "fault-rule-action-1"
    entries = log_entries(app_log, "fault-rule-action-1")
    (failure,) = [e for e in entries if e["level"] == "error"]
    assert failure["rule"] == rule
    assert failure["error_code"] == "rule-action-failed"
    assert LEAK in failure["exception"]  # the operator sees what the client does not
    (access,) = [e for e in entries if e["logger"] == "readiness.access"]
    assert access["status"] == 500
    for _ in range(3):
        assessed(faulty)


def test_a_durable_rules_core_error_is_a_500_problem_and_the_next_request_works(
    faulty: httpx.Client, app_log: AppLog
) -> None:
    response = faulty.post("/v1/assessments", json=WORST, headers={"X-Test-Fault": "engine"})
    assert_contained(response)
    entries = log_entries(app_log, response.headers["x-request-id"])
    (failure,) = [e for e in entries if e["level"] == "error"]
    assert failure["error_code"] == "engine-failure"
    assert failure["rule"] is None
    for _ in range(3):
        assessed(faulty)


def test_a_failing_item_of_a_batch_is_its_own_500_problem(faulty: httpx.Client) -> None:
    response = faulty.post(
        "/v1/assessments/batch",
        json={"assessments": [WORST, {"risks": {"staff_turnover": "huge"}}]},
        headers={"X-Test-Fault": "rule-action"},
    )
    assert response.status_code == 200, response.text
    assert LEAK not in response.text and "Traceback" not in response.text
    body = response.json()
    assert (body["succeeded"], body["failed"]) == (0, 2)
    failed, invalid = body["items"]
    assert failed["error"]["status"] == 500
    assert failed["error"]["code"] == "evaluation-failed"
    assert failed["error"]["request_id"] == response.headers["x-request-id"]
    assert invalid["error"]["status"] == 422
    assessed(faulty)


def test_a_failing_item_of_a_batch_is_logged_with_the_rule(
    faulty: httpx.Client, app_log: AppLog
) -> None:
    rule = first_deriving_rule()
    response = faulty.post(
        "/v1/assessments/batch",
        json={"assessments": [WORST]},
        headers={"X-Test-Fault": "rule-action"},
    )
    assert response.status_code == 200, response.text
    entries = log_entries(app_log, response.headers["x-request-id"])
    assert [e.get("rule") for e in entries if e["level"] == "error"] == [rule]
