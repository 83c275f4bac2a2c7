"""In-process sections, one backend per process: engine timings (section 1) and memory (section 4).

`bench/run.py` starts `python -m bench.inprocess engine|memory --backend NAME ...` once per backend
and section, so each backend is timed and measured in a fresh interpreter, and a crash in one
backend's native code cannot take the run down. Prints one JSON object on stdout; exit code 3 when
the backend does not exist.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.backends import BackendUnavailableError, json_assessor, make_engine  # noqa: E402
from bench.corpus import DEFAULT_SEED, DEFAULT_SIZE, corpus, examples, weakest  # noqa: E402
from bench.servers import memory_kib  # noqa: E402
from engine import Engine, load_ruleset  # noqa: E402
from engine.indicators import values_of  # noqa: E402
from schemas.assessment import AssessmentRequest  # noqa: E402

__all__ = ["main", "rss_kib"]

UNAVAILABLE = 3
"""Exit code when the backend does not exist."""

T = TypeVar("T")


def rss_kib() -> int:
    """Return this process's resident set size in KiB (`VmRSS` in /proc/self/status)."""
    return memory_kib("self")


def _pin_to_one_core() -> int | None:
    """Run on one CPU only, so 'per second on one core' means that; return the CPU, or None."""
    if not hasattr(os, "sched_setaffinity"):
        return None
    cpu = max(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {cpu})
    return cpu


def _warm_up(runs: int) -> int:
    return min(200, max(20, runs // 10))


def _time_ns(call: Callable[[int], object], runs: int) -> list[int]:
    """Call `call(i)` for i in 0..runs-1 after a warm-up; return each call's nanoseconds."""
    for i in range(_warm_up(runs)):
        call(i)
    samples = []
    clock = time.perf_counter_ns
    for i in range(runs):
        start = clock()
        call(i)
        samples.append(clock() - start)
    return samples


def _cycling(call: Callable[[T], object], items: Sequence[T]) -> Callable[[int], object]:
    """Return `i -> call(items[i % len(items)])`: call number i takes the next item."""
    count = len(items)

    def one(i: int) -> object:
        return call(items[i % count])

    return one


def _each_new(call: Callable[[T], object], items: Sequence[T]) -> Callable[[int], object]:
    """Return a callable whose every call, warm-up included, takes an item not taken before."""
    taken = iter(items)

    def one(i: int) -> object:
        return call(next(taken))

    return one


def _summary(samples: list[int]) -> dict[str, float]:
    ordered = sorted(samples)
    p99_index = max(0, min(len(ordered) - 1, round(0.99 * len(ordered)) - 1))
    return {
        "p50_us": statistics.median(ordered) / 1000,
        "p99_us": ordered[p99_index] / 1000,
        "mean_us": statistics.fmean(ordered) / 1000,
        "per_s": 1e9 * len(ordered) / sum(ordered),
    }


NEW_CASE = "random, each call new"
"""The case whose every call assesses an assessment not seen before (nothing kept helps it)."""


def _cases(size: int, seed: int, runs: int) -> list[tuple[str, list[AssessmentRequest]]]:
    cases = [
        (f"example {stem}", [AssessmentRequest.model_validate(body)])
        for stem, body in examples().items()
    ]
    cases.append(("weak organisation", [AssessmentRequest.model_validate(weakest())]))
    mix = [AssessmentRequest.model_validate(body) for body in corpus(size, seed)]
    cases.append((f"random mix ({size})", mix))
    # The random mix cycles, so an entry kept from one round is found in the next; this case
    # draws as many more assessments from another seed as there are calls, warm-up included.
    fresh = corpus(size + runs + _warm_up(runs), seed + 1)[size:]
    cases.append((NEW_CASE, [AssessmentRequest.model_validate(body) for body in fresh]))
    return cases


def engine_section(engine: Engine, runs: int, size: int, seed: int) -> dict[str, Any]:
    """Time rules only (`backend.evaluate`) and the whole assessment (`assess_json`) per case."""
    cpu = _pin_to_one_core()
    evaluate = engine.backend.evaluate
    assess = json_assessor(engine)
    results = []
    for name, requests in _cases(size, seed, runs):
        facts = [engine.facts_for(values_of(request)) for request in requests]
        count = len(requests)
        pick = _each_new if name == NEW_CASE else _cycling
        rules = _time_ns(pick(evaluate, facts), runs)
        whole = _time_ns(pick(assess, requests), runs)
        # Counted after timing, so that counting does not assess the new ones beforehand.
        fired = statistics.fmean(len(evaluate(f)) for f in facts)
        size_bytes = statistics.fmean(len(assess(r)) for r in requests)
        results.append(
            {
                "case": name,
                "items": count,
                "fired": fired,
                "bytes": size_bytes,
                "rules": _summary(rules),
                "assess": _summary(whole),
            }
        )
    return {
        "runs": runs,
        "cpu": cpu,
        "gc": "enabled (GC pauses count in p99, as in the server)",
        "assess_json": callable(getattr(engine, "assess_json", None)),
        "cases": results,
    }


def memory_section(engine: Engine, evaluations: int, size: int, seed: int) -> dict[str, Any]:
    """RSS after the first 1,000 evaluations of the random mix and after `evaluations` in all."""
    assess = json_assessor(engine)
    requests = [AssessmentRequest.model_validate(body) for body in corpus(size, seed)]
    count = len(requests)
    first = min(1000, evaluations)
    gc.collect()
    loaded = rss_kib()
    started = time.perf_counter()
    for i in range(first):
        assess(requests[i % count])
    gc.collect()
    after_first = rss_kib()
    for i in range(first, evaluations):
        assess(requests[i % count])
    elapsed = time.perf_counter() - started
    gc.collect()
    after_all = rss_kib()
    return {
        "evaluations": evaluations,
        "first": first,
        "rss_loaded_kib": loaded,
        "rss_first_kib": after_first,
        "rss_all_kib": after_all,
        "change_pct": 100 * (after_all - after_first) / after_first,
        "seconds": elapsed,
        "per_s": evaluations / elapsed,
    }


def main(argv: Sequence[str] | None = None) -> int:
    """Run one section for one backend and print its figures as JSON."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("section", choices=("engine", "memory"))
    parser.add_argument("--backend", required=True)
    parser.add_argument("--runs", type=int, default=2000, help="timed calls per case (engine)")
    parser.add_argument("--evaluations", type=int, default=100_000, help="in all (memory)")
    parser.add_argument("--size", type=int, default=DEFAULT_SIZE, help="random mix size")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    ruleset = load_ruleset()
    try:
        engine = make_engine(ruleset, args.backend)
    except BackendUnavailableError as exc:
        print(json.dumps({"backend": args.backend, "unavailable": str(exc)}))
        return UNAVAILABLE
    built = time.perf_counter() - started
    if args.section == "engine":
        figures = engine_section(engine, args.runs, args.size, args.seed)
    else:
        figures = memory_section(engine, args.evaluations, args.size, args.seed)
    figures.update(backend=args.backend, rules=len(ruleset.rules), load_seconds=built)
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
