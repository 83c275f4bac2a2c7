"""What each performance change bought: the engine and the endpoint measured at each commit.

Each listed commit is checked out into a temporary git worktree with `bench/` as of `BENCH_AT`
(the benchmark code that works against every listed commit), so every commit is measured by the
same code, in one run, on the same machine.
Per commit and backend it prints the weak organisation's median µs (rules only, whole assessment)
and the random mix's median µs, then `POST /v1/assessments` at 64 connections from
`bench/run.py --only http` (a short run). Commits before the compiled backend have only durable.

    python bench/changes.py [--seconds 5] [--runs 300] [--rounds 3] [COMMIT ...]

The commits are measured round-robin, each figure the median of its rounds. Other commits may be
named, and `WORKTREE` for the working tree as it is: their engine columns are measured alike, but
`BENCH_AT`'s benchmark app serves only the listed commits' API, so for others the endpoint's rate
is left out (reported as answering errors).

Not a test: it prints figures (and a markdown table to paste into RESULTS.md).
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH_AT = "1d44ee3"
"""The benchmark code used for every commit: later versions use API helpers older commits lack."""

CHANGES: list[tuple[str, str]] = [
    ("9ee95ed", "before: durable_rules through its Python Host; pydantic result objects"),
    (
        "8eee5ba",
        "durable_rules' core driven directly ($mt tests, small facts); compiled backend; "
        "results as plain data encoded once",
    ),
    (
        "3f61de1",
        "results assembled from UTF-8 fragments encoded per language at load time; batch "
        "responses joined from result bytes",
    ),
    (
        "0e991e6",
        "rendered entries kept by what decides them; dimension sums kept; depth walk skipped",
    ),
    ("1023f2d", "catalog links as bit masks over the rules that fired"),
]

_PROBE = r"""
import importlib, json, os, statistics, sys, time
sys.path.insert(0, ".")
from bench.corpus import corpus, weakest
from engine import Engine, load_ruleset
from engine.indicators import values_of
from schemas.assessment import AssessmentRequest

backend, runs = sys.argv[1], int(sys.argv[2])
# The engine's module as the measured tree lays it out (engine/runtime/ since the split in three).
layout = "engine.runtime.assess" if os.path.exists("engine/runtime/assess.py") else "engine.assess"
assess_module = importlib.import_module(layout)
ruleset = load_ruleset()
if hasattr(assess_module, "BACKENDS"):
    engine = Engine(ruleset, backend)
elif backend == "durable":
    engine = Engine(ruleset)
else:
    print(json.dumps(None)); sys.exit(0)
whole = getattr(engine, "assess_json", None) or (lambda r: engine.assess(r).model_dump_json())

def median(call, items):
    for item in items[:50]:
        call(item)
    samples = []
    for item in items:
        start = time.perf_counter_ns(); call(item); samples.append(time.perf_counter_ns() - start)
    return statistics.median(samples) / 1000

weak = AssessmentRequest.model_validate(weakest())
facts = engine.facts_for(values_of(weak))
mix = [AssessmentRequest.model_validate(b) for b in corpus(500)]
print(json.dumps({
    "weak_rules": median(lambda f: engine.backend.evaluate(f), [facts] * runs),
    "weak_whole": median(whole, [weak] * runs),
    "mix_whole": median(whole, mix),
}))
"""

_HTTP = re.compile(r"http: (\w+) POST /v1/assessments c=64: ([\d,]+) req/s")


def _drop_worktree(tree: Path) -> None:
    """Remove a worktree `_worktree` made (the working tree itself stays)."""
    if tree != ROOT:
        subprocess.run(  # noqa: S603
            ["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tree)],  # noqa: S607
            check=False,
            capture_output=True,
        )


def _worktree(commit: str, into: Path) -> Path:
    if commit == "WORKTREE":
        return ROOT
    target = into / commit
    subprocess.run(  # noqa: S603
        ["git", "-C", str(ROOT), "worktree", "add", "--detach", "--force", str(target), commit],  # noqa: S607
        check=True,
        capture_output=True,
    )
    shutil.rmtree(target / "bench", ignore_errors=True)
    subprocess.run(  # noqa: S603
        ["git", "-C", str(target), "checkout", BENCH_AT, "--", "bench"],  # noqa: S607
        check=True,
        capture_output=True,
    )
    return target


def _engine(tree: Path, backend: str, runs: int) -> dict[str, float] | None:
    done = subprocess.run(  # noqa: S603
        [sys.executable, "-c", _PROBE, backend, str(runs)],
        cwd=tree,
        capture_output=True,
        text=True,
        check=True,
    )
    figures: dict[str, float] | None = json.loads(done.stdout.strip().splitlines()[-1])
    return figures


def _http(tree: Path, seconds: float) -> dict[str, int]:
    done = subprocess.run(  # noqa: S603
        [
            sys.executable,
            "bench/run.py",
            "--quick",
            "--only",
            "http",
            "--seconds",
            str(seconds),
            "--no-write",
        ],
        cwd=tree,
        capture_output=True,
        text=True,
        check=False,
    )
    text = done.stdout + done.stderr
    rates = {m.group(1): int(m.group(2).replace(",", "")) for m in _HTTP.finditer(text)}
    # A rate of failed requests (e.g. a body the commit's schema rejects) measures the error
    # path, not the endpoint: such a run is reported and left out.
    for backend in list(rates):
        if f"{backend} POST /v1/assessments c=64: errors" in text:
            print(f"{tree.name}: {backend} answered errors; its rate is left out", file=sys.stderr)
            del rates[backend]
    return rates


def _median_of(runs: list[dict[str, float] | None]) -> dict[str, float] | None:
    measured = [r for r in runs if r is not None]
    if not measured:
        return None
    return {key: statistics.median(r[key] for r in measured) for key in measured[0]}


def main(argv: list[str] | None = None) -> int:
    """Measure each change; print a table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("commits", nargs="*", help="commits to measure (default: the list above)")
    parser.add_argument("--seconds", type=float, default=5.0, help="per wrk run")
    parser.add_argument("--runs", type=int, default=300, help="timed calls for the weak case")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds; medians kept")
    args = parser.parse_args(argv)
    labels = dict(CHANGES)
    commits = args.commits or [c for c, _ in CHANGES]
    rows = []
    with tempfile.TemporaryDirectory(prefix="readiness-changes-") as scratch:
        trees = {commit: _worktree(commit, Path(scratch)) for commit in commits}
        engine: dict[tuple[str, str], list[dict[str, float] | None]] = {}
        http: dict[str, list[dict[str, int]]] = {}
        # Round-robin over the commits, so that a slow minute of a shared machine spreads over
        # all of them instead of landing on one; each figure is the median of its rounds.
        for round_number in range(args.rounds):
            for commit, tree in trees.items():
                for backend in ("durable", "compiled"):
                    figures = _engine(tree, backend, args.runs)
                    engine.setdefault((commit, backend), []).append(figures)
                http.setdefault(commit, []).append(_http(tree, args.seconds))
                print(f"round {round_number + 1}: {commit} done", file=sys.stderr, flush=True)
        for commit in commits:
            served: dict[str, int] = {}
            for backend in ("durable", "compiled"):
                rates = [run[backend] for run in http[commit] if backend in run]
                if rates:
                    served[backend] = round(statistics.median(rates))
            row: dict[str, object] = {
                "commit": commit,
                "change": labels.get(commit, commit),
                "durable": _median_of(engine[(commit, "durable")]),
                "compiled": _median_of(engine[(commit, "compiled")]),
                "http": served,
            }
            print(json.dumps(row), flush=True)
            rows.append(row)
        for tree in trees.values():
            _drop_worktree(tree)
    print()
    print(
        "| change | commit | durable weak µs (rules / whole) | compiled weak µs (rules / whole) "
        "| mix whole µs (durable / compiled) | endpoint req/s at 64 conns (durable / compiled) |"
    )
    print("|---|---|---|---|---|---|")
    for row in rows:
        cells = []
        for backend in ("durable", "compiled"):
            medians = row[backend]
            cells.append(
                f"{medians['weak_rules']:,.0f} / {medians['weak_whole']:,.0f}"
                if isinstance(medians, dict)
                else "—"
            )
        mix = " / ".join(
            f"{f['mix_whole']:,.0f}" if isinstance(f, dict) else "—"
            for f in (row["durable"], row["compiled"])
        )
        served_by = row["http"]
        assert isinstance(served_by, dict)
        endpoint = " / ".join(
            f"{served_by[b]:,}" if b in served_by else "—" for b in ("durable", "compiled")
        )
        print(
            f"| {row['change']} | {row['commit']} | {cells[0]} | {cells[1]} | {mix} | {endpoint} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
