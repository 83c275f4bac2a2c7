"""Median microseconds per assessment on the shipped rules: examples, empty, and the weakest case.

Not a test: it prints figures. Run with `make bench` (or `python bench/bench_engine.py -n 3000`).
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from engine import Engine, load_ruleset  # noqa: E402
from engine.indicators import INDICATORS, nested, values_of  # noqa: E402
from schemas.assessment import AssessmentRequest  # noqa: E402


def weakest() -> AssessmentRequest:
    worst = {i.path: i.scale.worst for i in INDICATORS if i.scale.scored}
    return AssessmentRequest.model_validate(nested(worst))


def median_us(call: Callable[[], object], runs: int) -> tuple[float, float]:
    for _ in range(min(200, runs)):
        call()
    samples = []
    for _ in range(runs):
        start = time.perf_counter_ns()
        call()
        samples.append(time.perf_counter_ns() - start)
    samples.sort()
    return statistics.median(samples) / 1000, samples[int(len(samples) * 0.99) - 1] / 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-n", "--runs", type=int, default=2000)
    args = parser.parse_args()
    started = time.perf_counter()
    ruleset = load_ruleset()
    loaded = time.perf_counter()
    engine = Engine(ruleset)
    compiled = time.perf_counter()
    print(f"python {platform.python_version()} on {platform.machine()}, {args.runs} runs each")
    print(
        f"ruleset {ruleset.version} ({len(ruleset.rules)} rules): load {1000 * (loaded - started):.0f} ms, "
        f"compile {1000 * (compiled - loaded):.0f} ms"
    )
    cases: dict[str, AssessmentRequest] = {
        path.stem: AssessmentRequest.model_validate(json.loads(path.read_text(encoding="utf-8")))
        for path in sorted((ROOT / "examples").glob("*.json"))
    }
    cases["empty (all unknown)"] = AssessmentRequest()
    cases["weakest (every indicator at its worst)"] = weakest()
    print(f"{'assessment':42} {'fired':>5} {'assess µs p50':>14} {'p99':>8} {'engine µs p50':>14}")
    for name, request in cases.items():
        fired = len(engine.assess(request, explain=True).trace or [])
        p50, p99 = median_us(lambda r=request: engine.assess(r), args.runs)
        facts = engine.facts_for(values_of(request))
        backend_p50, _ = median_us(lambda f=facts: engine.backend.evaluate(f), args.runs)
        print(f"{name:42} {fired:5d} {p50:14.1f} {p99:8.1f} {backend_p50:14.1f}")


if __name__ == "__main__":
    main()
