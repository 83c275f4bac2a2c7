"""Keyed against keyless `POST /v1/assessments`, in alternating pairs against one server.

The HTTP section of bench/run.py measures the keyed row beside the others, minutes apart from
the keyless one on a machine whose speed drifts; this runs the two back to back, the order
swapped every pair, and reports keyed requests per second as a share of keyless per pair. One
uvicorn worker as bench/run.py starts it, wrk with one thread, 64 connections, the random-mix
corpus; the key is an `assess` key sent as `Authorization: Bearer <key>`. Prints figures.

    python bench/keys.py [--backend compiled] [--pairs 8] [--seconds 5]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[0] = str(ROOT)  # `python bench/keys.py` puts bench/ first: import `bench.*` from the root

from bench.corpus import DEFAULT_SEED, DEFAULT_SIZE, corpus, write_ndjson  # noqa: E402
from bench.load import ensure_wrk, run_wrk  # noqa: E402
from bench.servers import create_key, start_bench_app, stop, wait_ready  # noqa: E402

CONNECTIONS = 64


def main(argv: list[str] | None = None) -> int:
    """Run the pairs and print each and their medians."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--backend", default="compiled")
    parser.add_argument("--pairs", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=5)
    args = parser.parse_args(argv)
    wrk, how = ensure_wrk()
    if wrk is None:
        print(how, file=sys.stderr)
        return 1
    folder = Path(tempfile.mkdtemp(prefix="readiness-bench-keys-"))
    data = write_ndjson(folder / "corpus.ndjson", corpus(DEFAULT_SIZE, DEFAULT_SEED))
    server = start_bench_app(
        folder, args.backend, data, workers="1", assess_without_key="true",
        reload_interval="0", log_level="warning",
    )  # fmt: skip
    try:
        wait_ready(server)
        key = create_key(folder, "assess")
        url = f"{server.url}/v1/assessments"

        def run(keyed: bool, seconds: float) -> tuple[float, float]:
            result = run_wrk(
                wrk, url, "assess.lua", connections=CONNECTIONS, seconds=seconds, threads=1,
                args=(str(data), key) if keyed else (str(data),),
            )  # fmt: skip
            if result.failed:
                raise RuntimeError(f"errors: {result.errors}")
            return result.per_second, result.latency_ms["p99"]

        run(True, 3)  # warm-up, keyed: the key's verdict is cached from here on
        keyless, keyed, shares = [], [], []
        for pair in range(args.pairs):
            got = {
                flag: run(flag, args.seconds) for flag in ((False, True), (True, False))[pair % 2]
            }
            keyless.append(got[False][0])
            keyed.append(got[True][0])
            shares.append(100 * got[True][0] / got[False][0])
            print(
                f"pair {pair + 1}: keyless {got[False][0]:,.0f} req/s (p99 {got[False][1]:.1f} ms), "
                f"keyed {got[True][0]:,.0f} req/s (p99 {got[True][1]:.1f} ms): {shares[-1]:.0f} %",
                flush=True,
            )
        print(
            f"{args.backend}, {CONNECTIONS} connections, {args.pairs} pairs of {args.seconds:g} s: "
            f"keyless median {statistics.median(keyless):,.0f} req/s, keyed median "
            f"{statistics.median(keyed):,.0f} req/s; keyed as % of keyless per pair: median "
            f"{statistics.median(shares):.0f} % (lowest {min(shares):.0f} %, "
            f"highest {max(shares):.0f} %)"
        )
    finally:
        stop(server)
    return 0


if __name__ == "__main__":
    sys.exit(main())
