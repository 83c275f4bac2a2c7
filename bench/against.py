"""The endpoint now against an earlier commit, back to back on this machine.

This machine's speed drifts by up to a factor of two between runs, so figures from different days
cannot be compared. This checks out `REF` (by default adf8664, ruleset 0.2.0) into a temporary git
worktree and runs `POST /v1/assessments` in rounds, alternating the earlier commit and the working
tree. Each tree is measured by its own `bench/run.py --only http` (one uvicorn worker, wrk,
16 and 64 connections, the random mix), so each serves its own API and results. Per round and
connection count it prints requests per second and the response size; then the medians, and now
as a share of `REF`. Prints figures; not a test.

    python bench/against.py [REF] [--rounds 2] [--seconds 6] [--backend compiled]
"""

from __future__ import annotations

import argparse
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BASE = "adf8664"
"""Ruleset 0.2.0, the figures the advice model is measured against."""

_RATE = re.compile(r"^POST /v1/assessments\s+(\d+)\s+([\d.]+)\s+([\d,]+)\s", re.MULTILINE)
"""A keyless row of the HTTP table: connections, KB per response, requests per second."""


def measure(tree: Path, backend: str, seconds: float) -> dict[int, tuple[float, float]]:
    """One round of `tree`'s own HTTP benchmark: (req/s, KB per response) per connection count."""
    run = subprocess.run(  # noqa: S603
        [sys.executable, "bench/run.py", "--only", "http", "--backends", backend,
         "--seconds", str(seconds), "--repeats", "1", "--no-write"],
        cwd=tree, capture_output=True, text=True, check=False,
    )  # fmt: skip
    rows = {
        int(c): (float(r.replace(",", "")), float(kb)) for c, kb, r in _RATE.findall(run.stdout)
    }
    if run.returncode or not rows:
        raise RuntimeError(f"{tree}: bench/run.py failed\n{run.stdout[-2000:]}{run.stderr[-2000:]}")
    return rows


def main(argv: list[str] | None = None) -> int:
    """Measure `REF` and the working tree in alternating rounds; print each round and the medians."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("ref", nargs="?", default=BASE, help=f"the earlier commit ({BASE})")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--seconds", type=float, default=6)
    parser.add_argument("--backend", default="compiled")
    args = parser.parse_args(argv)
    earlier = Path(tempfile.mkdtemp(prefix="readiness-bench-against-")) / "tree"
    subprocess.run(  # noqa: S603
        ["git", "-C", str(ROOT), "worktree", "add", "--detach", str(earlier), args.ref],  # noqa: S607
        check=True, capture_output=True,
    )  # fmt: skip
    trees = {args.ref: earlier, "now": ROOT}
    found: dict[str, dict[int, list[tuple[float, float]]]] = {name: {} for name in trees}
    try:
        for number in range(1, args.rounds + 1):
            for name, tree in trees.items():
                for connections, row in measure(tree, args.backend, args.seconds).items():
                    found[name].setdefault(connections, []).append(row)
                    print(
                        f"round {number} {name:>8} c={connections}: {row[0]:,.0f} req/s, "
                        f"{row[1]:.1f} KB per response",
                        flush=True,
                    )
    finally:
        subprocess.run(  # noqa: S603
            ["git", "-C", str(ROOT), "worktree", "remove", "--force", str(earlier)],  # noqa: S607
            check=False,
        )
        shutil.rmtree(earlier.parent, ignore_errors=True)
    print(
        f"\n| connections | {args.ref} req/s | now req/s | now as a share | KB: {args.ref} / now |"
    )
    print("|---:|---:|---:|---:|---:|")
    for connections in sorted(found["now"]):
        before = statistics.median(r for r, _ in found[args.ref][connections])
        after = statistics.median(r for r, _ in found["now"][connections])
        kb = (found[args.ref][connections][0][1], found["now"][connections][0][1])
        print(
            f"| {connections} | {before:,.0f} | {after:,.0f} | {100 * after / before:.0f} % "
            f"| {kb[0]:.1f} / {kb[1]:.1f} |"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
