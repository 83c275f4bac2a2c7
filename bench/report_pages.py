"""How long the report pages take for a region with 500 stored assessments, in process.

    python bench/report_pages.py [--assessments 500] [--organisations 100] [--runs 20]

Stores `--assessments` assessments of the random mix (`bench.corpus`) in one region, spread over
`--organisations` organisations and as many quarters as each has assessments, in a fresh SQLite
file; signs a page session in with a read key bound to the region; then times
`GET /assessments/{id}` and `GET /assessments/{id}/compare` in each language for `--runs`
organisations' latest assessments, through litestar's TestClient (the whole app: middleware,
session, database, templates; no socket). Prints the median, 95th percentile and maximum per page
and language, in milliseconds, and whether the slowest stays under the 200 ms the pages aim for.
Not a test: it measures this machine.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from unittest import mock

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from litestar.testing import TestClient  # noqa: E402

from api.app import create_app  # noqa: E402
from api.settings import Settings  # noqa: E402
from bench.corpus import random_assessment  # noqa: E402
from store.database import Database  # noqa: E402
from store.pages import PageSessions  # noqa: E402
from store.repository import Repository  # noqa: E402

REGION = "Bench"
LANGUAGES = ("sv", "da", "en")
TARGET_MS = 200.0


def _settings(database_url: str) -> Settings:
    env = {k: v for k, v in os.environ.items() if not k.startswith("READINESS_")}
    env |= {
        "READINESS_DATABASE_URL": database_url,
        "READINESS_RATE_LIMIT": "0",
        "READINESS_ASSESS_WITHOUT_KEY": "false",
        "READINESS_LOG_LEVEL": "warning",
    }
    with mock.patch.dict(os.environ, env, clear=True):
        return Settings.from_env()


def _store(client: TestClient[Any], admin: str, count: int, organisations: int) -> list[str]:
    """Store the assessments; return each organisation's latest id."""
    rounds = -(-count // organisations)
    first = date.today() - timedelta(days=91 * rounds)  # the latest round a quarter ago
    latest: dict[str, str] = {}
    for index in range(count):
        body = random_assessment(index)
        organisation = f"bench-org-{index % organisations:03d}"
        body["organisation"] = {**body.get("organisation", {}), "id": organisation}
        body["organisation"]["region"] = REGION
        day = first + timedelta(days=91 * (index // organisations))
        answer = client.post(
            "/v1/assessments",
            params={"store": "true", "assessed_on": day.isoformat()},
            headers={"X-API-Key": admin},
            json=body,
        )
        if answer.status_code != 201:
            raise RuntimeError(f"storing {index}: {answer.status_code} {answer.text[:300]}")
        latest[organisation] = answer.headers["X-Assessment-Id"]
    return list(latest.values())


def _time(client: TestClient[Any], path: str, cookie: str) -> float:
    started = time.perf_counter()
    answer = client.get(path, headers={"Cookie": cookie})
    elapsed = (time.perf_counter() - started) * 1000
    if answer.status_code != 200:
        raise RuntimeError(f"{path}: {answer.status_code}")
    return elapsed


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; exit 1 when the slowest page took 200 ms or more."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--assessments", type=int, default=500)
    parser.add_argument("--organisations", type=int, default=100)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'readiness.sqlite3'}"
        database = Database(url)
        database.migrate()
        repository = Repository(database)
        admin = repository.create_key(["admin"], description="bench")
        reader = repository.verify_key(repository.create_key(["read"], region=REGION))
        assert reader is not None
        sessions = PageSessions(database, timedelta(hours=1))
        session = sessions.start()
        sessions.sign_in(session.token, reader.id)
        cookie = f"readiness_session={session.token}"
        with TestClient(create_app(_settings(url))) as client:
            started = time.perf_counter()
            ids = _store(client, admin, args.assessments, args.organisations)
            print(
                f"stored {args.assessments} assessments of {args.organisations} organisations "
                f"in region {REGION} in {time.perf_counter() - started:.1f} s"
            )
            chosen = ids[: args.runs]
            for sample in chosen[:3]:  # warm up: templates compiled, caches filled
                _time(client, f"/assessments/{sample}/compare?lang=sv", cookie)
            slowest = 0.0
            print(
                f"{'page':<10} {'lang':<5} {'median':>8} {'p95':>8} {'max':>8}  (ms, n={len(chosen)})"
            )
            for page, suffix in (("report", ""), ("compare", "/compare")):
                for language in LANGUAGES:
                    times = sorted(
                        _time(client, f"/assessments/{i}{suffix}?lang={language}", cookie)
                        for i in chosen
                    )
                    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
                    slowest = max(slowest, times[-1])
                    print(
                        f"{page:<10} {language:<5} {statistics.median(times):8.1f} "
                        f"{p95:8.1f} {times[-1]:8.1f}"
                    )
        database.close()
    met = slowest < TARGET_MS
    print(f"slowest {slowest:.1f} ms: {'under' if met else 'NOT under'} {TARGET_MS:.0f} ms")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
