"""How long the pages take to render for a region with 500 stored assessments.

Run from the project root: `python bench/pages.py [--assessments 500] [--runs 60]`. About a
minute. Seeds a SQLite database in a temporary folder with `--assessments` stored assessments of
one region (100 organisations, each assessed several times over two years), through the store
code the API writes with (`stored_summary`, `Repository.store`); then serves the app in process
(litestar's `TestClient` on `create_app`, no socket), signs a session in with a key bound to the
region through the sign-in form, and requests each page `--runs` times after a few unmeasured
requests. Prints the median and the 95th percentile of the wall-clock time per request, and
whether each is under the 200 ms target:

- dashboard: `GET /dashboard`, the regional dashboard of the region;
- report: `GET /assessments/{id}`, one stored assessment's report;
- compare: `GET /assessments/{id}/compare`, the same against the organisation's previous one;
- questionnaire: `GET /questionnaire/organisation`, its first part (`/questionnaire` redirects
  to it);
- process: `GET /questionnaire/process`, its longest part (the fourteen steps and seven more);
- review: `GET /questionnaire/review`, its review, with each part's unanswered questions;
- start: `GET /`.

A page this checkout does not serve (404) is listed as such, so the script runs on any commit.
"""

from __future__ import annotations

import argparse
import copy
import random
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from litestar.testing import TestClient  # noqa: E402

from api.app import create_app  # noqa: E402
from api.assessments import stored_summary  # noqa: E402
from api.settings import Settings  # noqa: E402
from bench.corpus import corpus  # noqa: E402
from engine import Engine, load_ruleset  # noqa: E402
from schemas.assessment import AssessmentRequest  # noqa: E402
from schemas.vocabulary import Language  # noqa: E402
from store.database import Database  # noqa: E402
from store.repository import Repository  # noqa: E402

__all__ = ["main"]

REGION = "Västra Götaland"
ORGANISATIONS = 100
INTERVENTION = "Familjeorienterat arbetssätt"
TARGET_MS = 200.0
LANGUAGES: tuple[Language, ...] = ("sv", "da", "en")


def seed(repository: Repository, engine: Engine, count: int) -> list[str]:
    """Store `count` assessments of `ORGANISATIONS` organisations of the region; their ids.

    Each organisation is assessed in turn, its assessments spread over two years, so that the
    dashboard has every organisation's history and eight quarters to count.
    """
    bodies = corpus(min(count, 400))
    chance = random.Random(20260315)  # noqa: S311 - repeatable figures, not secrecy
    start = datetime(2025, 1, 10, tzinfo=UTC)
    ids = []
    for number in range(count):
        organisation = f"vg-{number % ORGANISATIONS:03d}"
        body = copy.deepcopy(bodies[number % len(bodies)])
        body["organisation"] = {
            **body.get("organisation", {}),
            "id": organisation,
            "name": f"Kommun {number % ORGANISATIONS:03d}, IFO",
            "region": REGION,
        }
        body["intervention"] = {**body.get("intervention", {}), "name": INTERVENTION}
        request = AssessmentRequest.model_validate(body)
        language = LANGUAGES[number % len(LANGUAGES)]
        outcome = engine.evaluate(request)
        payload = engine.result_json(outcome, language=language)
        round_of = number // ORGANISATIONS
        made = start + timedelta(days=round_of * 140 + chance.uniform(0, 100))
        stored, _ = repository.store(
            request.model_dump_json(), stored_summary(outcome, engine.ruleset, language),
            payload.decode(), organisation, body["organisation"]["name"], REGION, INTERVENTION,
            key_id=None, assessed_at=made,
        )  # fmt: skip
        ids.append(stored.id)
    return ids


def sign_in(client: TestClient[Any], key: str) -> None:
    """Sign the client's session in with `key`, through the sign-in form as a browser does."""
    form = client.get("/login?lang=sv")
    token = re.search(r'name="csrf" value="([^"]+)"', form.text)
    if token is None:
        raise RuntimeError("the sign-in form carries no token")
    answer = client.post("/login?lang=sv", data={"csrf": token.group(1), "key": key, "next": "/"})
    if answer.status_code != 303:
        raise RuntimeError(f"signing in failed: {answer.status_code} {answer.text[:200]}")


RESPONDENTS = 40
"""Staff who answer the round the round pages show."""


def open_round(client: TestClient[Any], key: str, respondents: int) -> tuple[str, list[str]]:
    """Open a round for one of the organisations and have `respondents` staff answer it."""
    opened = client.post(
        "/v1/rounds",
        headers={"X-API-Key": key},
        json={
            "organisation": {"id": "vg-000", "country": "SE", "region": REGION},
            "intervention": {"name": INTERVENTION, "kind": "method"},
            "codes": {"staff": respondents, "tactical_leader": 2},
        },
    )
    opened.raise_for_status()
    body = opened.json()
    codes = [c["code"] for c in body["codes"]]
    for number, code in enumerate(codes):
        level = ("low", "medium", "high")[number % 3]
        answer = {"risks": {"lack_of_time": level}, "competence": {"staff_motivation": level}}
        client.post("/v1/respond", headers={"X-Round-Code": code}, json=answer).raise_for_status()
    return body["round"]["id"], codes


def enter_code(client: TestClient[Any], code: str) -> None:
    """Type an invitation code on the respondent's page, so that the session holds it."""
    form = client.get("/respond?lang=sv")
    token = re.search(r'name="csrf" value="([^"]+)"', form.text)
    assert token is not None
    answer = client.post("/respond?lang=sv", data={"csrf": token.group(1), "code": code})
    assert answer.status_code == 303, answer.text


def timed(client: TestClient[Any], path: str, runs: int, warm: int) -> list[float] | int:
    """Milliseconds of each of `runs` requests of `path`; the status when it is not 200."""
    for _ in range(warm):
        first = client.get(path)
        if first.status_code != 200:
            return first.status_code
    took = []
    for _ in range(runs):
        began = time.perf_counter()
        answer = client.get(path)
        took.append((time.perf_counter() - began) * 1000)
        if answer.status_code != 200:
            return answer.status_code
    return took


def p95(values: Sequence[float]) -> float:
    """The 95th percentile (inclusive method)."""
    return statistics.quantiles(values, n=20, method="inclusive")[-1]


def main(argv: Sequence[str] | None = None) -> int:
    """Seed, serve, time each page and print the figures; 1 when a page misses the target."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n", 1)[0])
    parser.add_argument("--assessments", type=int, default=500)
    parser.add_argument("--runs", type=int, default=60, help="measured requests per page")
    parser.add_argument("--warm", type=int, default=5, help="unmeasured requests first")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'pages.sqlite3'}"
        database = Database(url)
        database.migrate()
        repository = Repository(database)
        began = time.perf_counter()
        engine = Engine(load_ruleset(check_coverage=False), "compiled")
        ids = seed(repository, engine, args.assessments)
        engine.close()
        key = repository.create_key(["assess", "read"], region=REGION, description="bench")
        database.close()
        print(
            f"seeded {len(ids)} assessments of {ORGANISATIONS} organisations in {REGION} "
            f"(SQLite) in {time.perf_counter() - began:.1f} s"
        )
        settings = Settings(
            database_url=url, secure_cookies=False, rate_limit=0, log_level="warning"
        )
        latest = ids[-1]
        pages = {
            "dashboard": "/dashboard?lang=sv",
            "report": f"/assessments/{latest}?lang=sv",
            "compare": f"/assessments/{latest}/compare?lang=sv",
            "questionnaire": "/questionnaire/organisation?lang=sv",
            "process": "/questionnaire/process?lang=sv",
            "review": "/questionnaire/review?lang=sv",
            "start": "/?lang=sv",
        }
        missed = 0
        with TestClient(create_app(settings)) as client:
            client.follow_redirects = False
            round_id, codes = open_round(client, key, RESPONDENTS)
            pages["rounds"] = "/rounds?lang=sv"
            pages["round"] = f"/rounds/{round_id}?lang=sv"
            pages["respond"] = "/respond/form?lang=sv"
            sign_in(client, key)
            enter_code(client, codes[0])
            print(f"{args.runs} requests per page after {args.warm} unmeasured; wall clock")
            print(f"{'page':<14} {'median ms':>10} {'p95 ms':>10}  target {TARGET_MS:.0f} ms")
            for name, path in pages.items():
                took = timed(client, path, args.runs, args.warm)
                if isinstance(took, int):
                    note = "not served by this checkout" if took == 404 else f"status {took}"
                    print(f"{name:<14} {'-':>10} {'-':>10}  {note} ({path.split('?')[0]})")
                    continue
                median, high = statistics.median(took), p95(took)
                met = high < TARGET_MS
                missed += not met
                print(f"{name:<14} {median:10.1f} {high:10.1f}  {'met' if met else 'MISSED'}")
    return 1 if missed else 0


if __name__ == "__main__":
    raise SystemExit(main())
