"""Run every benchmark, print the figures side by side per backend, write bench/RESULTS.md.

Sections: engine (in process), http (wrk against one uvicorn worker), batch, memory, start-up.
`make bench` runs it all (about ten minutes); `make bench BENCH_ARGS=--quick` is a smoke run of a
minute or two. Not a test: it prints figures.

    python bench/run.py [--quick] [--only engine,http,batch,memory,startup]
                        [--backends durable,compiled] [--no-write]
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[0] = str(ROOT)  # `python bench/run.py` puts bench/ first: import `bench.*` from the root

import httpx  # noqa: E402

from bench.backends import ALL_BACKENDS  # noqa: E402
from bench.corpus import DEFAULT_SEED, DEFAULT_SIZE, corpus, write_ndjson  # noqa: E402
from bench.load import WrkResult, ensure_wrk, run_wrk, wrk_version  # noqa: E402
from bench.machine import describe  # noqa: E402
from bench.report import Table, markdown_document, terminal_text  # noqa: E402
from bench.servers import (  # noqa: E402
    NATIVE,
    Server,
    create_key,
    loaded_libraries,
    memory_kib,
    served_as_api,
    server_env,
    sqlite_url,
    start_api,
    start_bench_app,
    stop,
    wait_ready,
)

SECTIONS = ("engine", "http", "batch", "memory", "startup")
RESULTS = ROOT / "bench" / "RESULTS.md"
CONNECTIONS = (16, 64)
WRK_THREADS = 1
"""One wrk thread: the server's one worker takes one core and wrk the other. With two wrk threads
three busy threads share two cores, and the scheduler's pauses of a wrk thread showed up as
hundreds of milliseconds of p99 even on `GET /health` (measured: 241 ms with two threads, 28 ms
with one, at 64 connections); one thread drives 64 connections at under 10 % of a core."""
BATCH_ITEMS = 1000
ENDPOINTS = (
    ("GET /health", "/health", "get.lua"),
    ("POST /bench/echo (no engine, encoded bytes)", "/bench/echo", "assess.lua"),
    ("POST /bench/echo-model (no engine, pydantic response)", "/bench/echo-model", "assess.lua"),
    ("POST /v1/assessments", "/v1/assessments", "assess.lua"),
    ("POST /v1/assessments, keyed (Authorization: Bearer)", "/v1/assessments", "assess.lua"),
)
ASSESS = ENDPOINTS[3][0]
KEYED = ENDPOINTS[4][0]
"""The assessments again, each request presenting an `assess` key as real callers send it."""
KEYED_WITHIN = 10.0
"""Keyed requests per second may be at most this many per cent below the keyless ones."""
FLOORS = (
    (ENDPOINTS[2][0], "the echo floor (pydantic response, as the targets define it)", "model"),
    (ENDPOINTS[1][0], "the stricter echo floor (encoded bytes, no response built)", "bytes"),
)
"""The two echo floors: (endpoint label, how the targets name it, short name)."""
UNAVAILABLE = 3
DEFAULT_BACKEND = "durable"
"""The backend a server runs when READINESS_ENGINE is not set."""


@dataclass
class Plan:
    """How much to run, from the command line."""

    sections: tuple[str, ...]
    backends: tuple[str, ...]
    quick: bool
    runs: int
    seconds: float
    warmup: float
    memory_evaluations: int
    repeats: int
    size: int
    seed: int
    write: bool


@dataclass
class Results:
    """Everything measured, by section and backend."""

    engine: dict[str, dict[str, Any]] = field(default_factory=dict)
    http: dict[str, dict[tuple[str, int], WrkResult]] = field(default_factory=dict)
    http_info: dict[str, dict[str, Any]] = field(default_factory=dict)
    batch: dict[str, dict[str, Any]] = field(default_factory=dict)
    memory: dict[str, dict[str, Any]] = field(default_factory=dict)
    startup: dict[str, dict[str, Any]] = field(default_factory=dict)
    unavailable: dict[str, str] = field(default_factory=dict)
    """Backends the engine cannot build, with the reason: skipped everywhere."""
    not_served: dict[str, str] = field(default_factory=dict)
    """Backends the server does not run (yet), with the reason: skipped in server sections."""
    notes: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    wrk: str | None = None


def _say(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def _parse(argv: list[str] | None) -> Plan:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="a short smoke run")
    parser.add_argument("--only", default=",".join(SECTIONS), help="sections, comma-separated")
    parser.add_argument("--backends", default=",".join(ALL_BACKENDS), help="comma-separated")
    parser.add_argument("--runs", type=int, help="timed calls per engine case (2000; quick 200)")
    parser.add_argument("--seconds", type=float, help="per wrk run (10; quick 3)")
    parser.add_argument("--memory-evaluations", type=int, help="(100000; quick 10000)")
    parser.add_argument(
        "--repeats", type=int, help="rounds of HTTP runs, batch and start-up runs (3; quick 1)"
    )
    parser.add_argument("--size", type=int, default=DEFAULT_SIZE, help="random mix size")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--no-write", action="store_true", help="do not write bench/RESULTS.md")
    args = parser.parse_args(argv)
    sections = tuple(s.strip() for s in args.only.split(",") if s.strip())
    backends = tuple(b.strip() for b in args.backends.split(",") if b.strip())
    unknown = [s for s in sections if s not in SECTIONS]
    if unknown:
        parser.error(f"unknown sections {unknown}; choose from {', '.join(SECTIONS)}")
    quick = args.quick
    plan = Plan(
        sections=sections,
        backends=backends,
        quick=quick,
        runs=args.runs or (200 if quick else 2000),
        seconds=args.seconds or (3 if quick else 10),
        warmup=1 if quick else 3,
        memory_evaluations=args.memory_evaluations or (10_000 if quick else 100_000),
        repeats=args.repeats or (1 if quick else 3),
        size=args.size,
        seed=args.seed,
        write=not args.no_write,
    )
    return plan


# --- section 1: engine only, in process ------------------------------------------------------


NEW_CASE = "random, each call new"
"""`bench.inprocess.NEW_CASE`, named here too: this module does not import the engine."""


def _inprocess(section: str, backend: str, *options: str) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "bench.inprocess", section, "--backend", backend, *options]
    return subprocess.Popen(  # noqa: S603
        command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def _collect(
    process: subprocess.Popen[str], backend: str, results: Results
) -> dict[str, Any] | None:
    out, err = process.communicate()
    if process.returncode == UNAVAILABLE:
        results.unavailable[backend] = json.loads(out)["unavailable"]
        return None
    if process.returncode != 0:
        results.notes.append(
            f"{backend}: in-process run failed ({process.returncode}): {err[-500:]}"
        )
        return None
    figures: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    return figures


def run_engine(plan: Plan, results: Results) -> None:
    """Section 1: median and p99 µs per case, rules only and whole assessment, per backend."""
    for backend in _available(plan, results):
        _say(f"engine: {backend}, {plan.runs} timed calls per case")
        options = ("--runs", str(plan.runs), "--size", str(plan.size), "--seed", str(plan.seed))
        figures = _collect(_inprocess("engine", backend, *options), backend, results)
        if figures is not None:
            results.engine[backend] = figures


def run_memory(plan: Plan, results: Results) -> None:
    """Section 4: RSS after 1,000 and after N evaluations; the backends run at the same time."""
    backends = _available(plan, results)
    _say(
        f"memory: {', '.join(backends)} side by side, {plan.memory_evaluations:,} evaluations each"
    )
    options = (
        "--evaluations", str(plan.memory_evaluations), "--size", str(plan.size),
        "--seed", str(plan.seed),
    )  # fmt: skip
    running = {backend: _inprocess("memory", backend, *options) for backend in backends}
    for backend, process in running.items():
        figures = _collect(process, backend, results)
        if figures is not None:
            results.memory[backend] = figures


def _available(plan: Plan, results: Results, served: bool = False) -> list[str]:
    skipped = {**results.unavailable, **(results.not_served if served else {})}
    return [b for b in plan.backends if b not in skipped]


# --- sections 2 and 3: HTTP and batch, against one uvicorn worker ----------------------------


def _ensure_server_libraries(results: Results) -> None:
    missing = [name for name in NATIVE if importlib.util.find_spec(name) is None]
    if not missing:
        results.notes.append(
            f"{', '.join(NATIVE)} already installed in the venv (pyproject depends on "
            "`uvicorn[standard]`, which brings it)."
        )
        return
    _say(f"installing {', '.join(missing)} into the venv")
    command = [sys.executable, "-m", "pip", "install", "--quiet", *missing]
    subprocess.run(command, check=True)  # noqa: S603
    results.notes.append(
        f"{' and '.join(missing)} were MISSING and were installed into the venv by this run; "
        "pyproject should depend on `uvicorn[standard]`."
    )


def _curl(url: str, body: Path, out: Path) -> tuple[int, int, int, float]:
    """POST `body` with curl; return status, body bytes, header bytes and seconds to the end."""
    command = [
        "curl", "-s", "-o", str(out),
        "-w", "%{http_code} %{size_download} %{size_header} %{time_total}",
        "-H", "Content-Type: application/json", "--data-binary", f"@{body}", url,
    ]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, check=True)  # noqa: S603
    status, size, header, seconds = done.stdout.split()
    return int(status), int(size), int(header), float(seconds)


def _check_echo(server: Server, folder: Path, bodies: list[dict[str, Any]]) -> str:
    """Compare both echoes' responses with the real ones for a few corpus items, with curl."""
    if shutil.which("curl") is None:
        return "curl is missing: echo and real response sizes not compared"
    same, sizes = True, []
    for index in (0, 1, len(bodies) - 1):
        body = folder / f"body-{index}.json"
        body.write_text(json.dumps(bodies[index]), encoding="utf-8")
        real = _curl(f"{server.url}/v1/assessments", body, folder / "real.out")
        echo = _curl(f"{server.url}/bench/echo", body, folder / "echo.out")
        model = _curl(f"{server.url}/bench/echo-model", body, folder / "model.out")
        digests = {
            hashlib.sha256((folder / name).read_bytes()).hexdigest()
            for name in ("real.out", "echo.out", "model.out")
        }
        same = same and real[:3] == echo[:3] == model[:3] and real[0] == 200 and len(digests) == 1
        sizes.append(f"item {index}: {real[1]:,} + {real[2]} header bytes")
    verdict = "identical bodies and equal header sizes" if same else "DIFFERENT responses"
    return f"curl, both echoes vs /v1/assessments: {verdict} ({'; '.join(sizes)})"


def _batch(server: Server, payload: bytes, repeats: int, folder: Path) -> dict[str, Any]:
    """Time the batch with curl (`repeats` runs), then once with httpx, a Python client.

    curl's time to the last byte is the server's figure; httpx, reading the 90 MB answer into
    Python, adds its own decoding and shows what a Python caller waits.
    """
    url = f"{server.url}/v1/assessments/batch"
    body, answer = folder / "batch.json", folder / "batch.out"
    body.write_bytes(payload)
    seconds, answer_bytes = [], 0
    peak_before = memory_kib(server.process.pid, "VmHWM")
    for _ in range(repeats):
        status, answer_bytes, _, took = _curl(url, body, answer)
        if status != 200:
            raise RuntimeError(f"batch answered {status}: {answer.read_bytes()[:300]!r}")
        seconds.append(took)
    succeeded = json.loads(answer.read_bytes()).get("succeeded")
    if succeeded != BATCH_ITEMS:
        raise RuntimeError(f"batch: {succeeded} of {BATCH_ITEMS} succeeded")
    with httpx.Client(timeout=900) as client:
        started = time.perf_counter()
        reply = client.post(url, content=payload, headers={"Content-Type": "application/json"})
        python_client = time.perf_counter() - started
    if reply.status_code != 200 or len(reply.content) != answer_bytes:
        raise RuntimeError(f"batch with httpx: {reply.status_code}, {len(reply.content)} bytes")
    return {
        "median_s": statistics.median(seconds),
        "runs_s": seconds,
        "httpx_s": python_client,
        "request_bytes": len(payload),
        "response_bytes": answer_bytes,
        "peak_growth_kib": memory_kib(server.process.pid, "VmHWM") - peak_before,
    }


def _measure_http(
    plan: Plan, results: Results, backend: str, server: Server, data: Path, api_key: str
) -> None:
    assert results.wrk is not None
    warm = run_wrk(
        results.wrk, f"{server.url}/v1/assessments", "assess.lua",
        connections=CONNECTIONS[0], seconds=plan.warmup, args=(str(data),),
    )  # fmt: skip
    _say(f"http: {backend} warmed up ({warm.requests} requests)")
    rounds: dict[tuple[str, int], list[WrkResult]] = {}
    # Rounds, and within a round each connection count's endpoints back to back, so that the
    # floors and the assessments are measured minutes apart at most on a machine whose speed
    # drifts; each figure is the round with the median requests per second.
    for round_number in range(plan.repeats):
        for connections in CONNECTIONS:
            for label, path, script in ENDPOINTS:
                args: tuple[str, ...] = (str(data),) if script == "assess.lua" else ()
                if label == KEYED:
                    args = (str(data), api_key)
                result = run_wrk(
                    results.wrk, f"{server.url}{path}", script,
                    connections=connections, seconds=plan.seconds, threads=WRK_THREADS, args=args,
                )  # fmt: skip
                rounds.setdefault((label, connections), []).append(result)
                _say(
                    f"http: {backend} round {round_number + 1} {label} c={connections}: "
                    f"{result.per_second:,.0f} req/s, p50 {result.latency_ms['p50']:.1f} ms, "
                    f"p99 {result.latency_ms['p99']:.1f} ms"
                )
                if result.failed:
                    results.notes.append(
                        f"{backend} {label} c={connections}: errors {result.errors}"
                    )
    figures: dict[tuple[str, int], WrkResult] = {}
    for key, runs in rounds.items():
        ordered = sorted(runs, key=lambda r: r.per_second)
        figures[key] = ordered[len(ordered) // 2]
        if len(runs) > 1:
            label, connections = key
            rates = ", ".join(f"{r.per_second:,.0f}" for r in runs)
            tails = ", ".join(f"{r.latency_ms['p99']:,.1f}" for r in runs)
            results.notes.append(
                f"{backend} {label} c={connections}: req/s per round {rates}; "
                f"p99 ms per round {tails}"
            )
    results.http[backend] = figures


def run_server_sections(plan: Plan, results: Results, tmp: Path) -> None:
    """Sections 2 and 3: wrk runs and the batch, per backend, against the benchmark app."""
    bodies = corpus(max(plan.size, BATCH_ITEMS), plan.seed)
    data = write_ndjson(tmp / "corpus.ndjson", bodies[: plan.size])
    batch_payload = json.dumps({"assessments": bodies[:BATCH_ITEMS]}).encode()
    for backend in _available(plan, results, served=True):
        folder = tmp / f"server-{backend}"
        folder.mkdir()
        _say(f"server: starting the benchmark app on {backend}")
        try:
            server = start_bench_app(
                folder, backend, data, workers="1", assess_without_key="true",
                reload_interval="0", log_level="warning",
            )  # fmt: skip
        except subprocess.CalledProcessError as exc:
            results.not_served[backend] = f"its database could not be migrated: {exc}"
            continue
        try:
            try:
                wait_ready(server)
            except RuntimeError as exc:
                results.not_served[backend] = f"the benchmark server did not start: {exc}"
                continue
            info: dict[str, Any] = httpx.get(f"{server.url}/bench/info", timeout=10).json()
            if info.get("engine") != backend:
                results.not_served[backend] = (
                    f"READINESS_ENGINE={backend}, but the server runs {info.get('engine')!r}"
                )
                continue
            api_key = create_key(folder, "assess")
            info["mapped"] = loaded_libraries(server)
            info["echo_check"] = _check_echo(server, folder, bodies[: plan.size])
            results.http_info[backend] = info
            if "http" in plan.sections and results.wrk:
                _measure_http(plan, results, backend, server, data, api_key)
            if "batch" in plan.sections:
                _say(f"batch: {backend}, {BATCH_ITEMS} assessments x {plan.repeats}")
                results.batch[backend] = _batch(server, batch_payload, plan.repeats, folder)
        finally:
            stop(server)


# --- section 5: start-up ---------------------------------------------------------------------


def _served_engine(reported: Any, backend: str) -> str | None:
    """Why a server that reports `reported` (None: not at all) is not running `backend`, or None."""
    if reported is None and backend != DEFAULT_BACKEND:
        return (
            f"/ready does not report the engine, so a server asked for {backend} may be running "
            f"the default ({DEFAULT_BACKEND}); not measured"
        )
    if reported is not None and reported != backend:
        return f"READINESS_ENGINE={backend}, but /ready reports {reported!r}"
    return None


def run_startup(plan: Plan, results: Results, tmp: Path) -> None:
    """Section 5: seconds from spawning `python -m api` until /ready shows the full rule base."""
    from engine import load_ruleset  # here: the other sections run without the engine loaded

    rules = len(load_ruleset().rules)
    for backend in _available(plan, results, served=True):
        folder = tmp / f"startup-{backend}"
        folder.mkdir()
        env = server_env(database_url=sqlite_url(folder))
        migrate = [sys.executable, "-m", "api", "migrate"]
        subprocess.run(migrate, cwd=ROOT, env=env, check=True)  # noqa: S603
        seconds: list[float] = []
        reported: Any = None
        mapped: dict[str, bool] = {}
        for attempt in range(plan.repeats):
            started = time.perf_counter()
            server = start_api(folder, backend)
            try:
                try:
                    ready = wait_ready(server, rules=rules)
                except RuntimeError as exc:
                    results.not_served.setdefault(backend, f"`python -m api` did not start: {exc}")
                    break
                seconds.append(time.perf_counter() - started)
                if attempt == 0:
                    mapped = loaded_libraries(server)
                    reported = ready.get("engine")
            finally:
                stop(server)
            why = _served_engine(reported, backend)
            if why:
                results.not_served.setdefault(backend, why)
                break
        if backend in results.not_served:
            continue
        results.startup[backend] = {
            "median_s": statistics.median(seconds),
            "runs_s": seconds,
            "rules": rules,
            "engine_reported": reported,
            "mapped": mapped,
        }
        _say(f"startup: {backend} {statistics.median(seconds):.2f} s (median of {len(seconds)})")


# --- the report ------------------------------------------------------------------------------


def _backends_in(plan: Plan, *sections: dict[str, Any]) -> list[str]:
    return [b for b in plan.backends if any(b in s for s in sections)]


def _us(figures: dict[str, float]) -> str:
    return f"{figures['p50_us']:,.0f} / {figures['p99_us']:,.0f}"


def engine_table(plan: Plan, results: Results) -> Table:
    """Section 1 as a table: one row per case, backends side by side."""
    backends = _backends_in(plan, results.engine)
    headers = ["case", "fired", "KB"]
    headers += [f"{b} rules µs" for b in backends]
    headers += [f"{b} assess µs" for b in backends]
    headers += [f"{b} assess/s (rules/s)" for b in backends]
    table = Table("1. Engine only, in process", headers)
    if not backends:
        return table
    first = results.engine[backends[0]]
    for index, case in enumerate(first["cases"]):
        row = [case["case"], f"{case['fired']:.1f}", f"{case['bytes'] / 1024:.1f}"]
        per = [results.engine[b]["cases"][index] for b in backends]
        row += [_us(c["rules"]) for c in per]
        row += [_us(c["assess"]) for c in per]
        row += [f"{c['assess']['per_s']:,.0f} ({c['rules']['per_s']:,.0f})" for c in per]
        table.add(*row)
    for backend in backends:
        figures = results.engine[backend]
        fired = [c["fired"] for c in figures["cases"]]
        if fired != [c["fired"] for c in first["cases"]]:
            table.notes.append(f"{backend} fires a different number of rules: {fired}")
        how = "`assess_json`" if figures["assess_json"] else "`assess().model_dump_json()`"
        table.notes.append(
            f"{backend}: {figures['runs']:,} timed calls per column and case after a warm-up, "
            f"pinned to CPU {figures['cpu']}; whole assess = {how}; GC {figures['gc']}."
        )
    table.notes.append(
        "fired: rules fired per assessment; KB: response size; rules µs: `backend.evaluate` "
        "(rules only), assess µs: the whole assessment, each as median / p99; assess/s and "
        "rules/s: per second on one core (1 / mean time)."
    )
    table.notes.append(
        f"random mix: {plan.size} different assessments (seed {plan.seed}; bench/corpus.py), "
        "cycled, as wrk sends them in section 2, so an entry kept by the engine in one round "
        f"is found again in the next; {NEW_CASE}: every call, warm-up included, a random "
        f"assessment not assessed before (seed {plan.seed + 1}), i.e. what kept entries give "
        "real traffic that does not repeat itself."
    )
    return table


def http_table(plan: Plan, results: Results) -> Table:
    """Section 2 as a table: one row per endpoint and connection count, backends side by side."""
    backends = _backends_in(plan, results.http)
    headers = ["endpoint", "connections", "KB per response"]
    for backend in backends:
        headers += [f"{backend} req/s", f"{backend} p50 / p99 ms"]
    table = Table(
        f"2. HTTP: one uvicorn worker, wrk {WRK_THREADS} thread, {plan.seconds:g} s per run, "
        f"median of {plan.repeats} round(s)",
        headers,
    )
    if not backends:
        return table
    for label, _, _ in ENDPOINTS:
        for connections in CONNECTIONS:
            runs = [results.http[b][(label, connections)] for b in backends]
            size = runs[0].bytes / max(1, runs[0].requests) / 1024
            row = [label, str(connections), f"{size:.1f}"]
            for run in runs:
                latency = run.latency_ms
                row += [f"{run.per_second:,.0f}", f"{latency['p50']:.1f} / {latency['p99']:.1f}"]
            table.add(*row)
    for connections in CONNECTIONS:
        row = ["keyed assessments as % of keyless", str(connections), ""]
        for backend in backends:
            share = _keyed_share(results, backend, connections)
            row += [f"{share:.0f} %" if share is not None else "", ""]
        table.add(*row)
    for _, _, floor in FLOORS:
        for connections in CONNECTIONS:
            row = [f"assessments as % of the echo floor ({floor})", str(connections), ""]
            for backend in backends:
                share = _share(results, backend, connections, floor)
                row += [f"{share:.0f} %" if share is not None else "", ""]
            table.add(*row)
    table.notes.append(
        "Echo and /health floors come from the same server run as each backend's assessments."
    )
    return table


def batch_table(plan: Plan, results: Results) -> Table:
    """Section 3 as a table."""
    table = Table(
        f"3. Batch: {BATCH_ITEMS:,} different assessments in one POST /v1/assessments/batch",
        [
            "backend", "median s", "runs s", "ms per item", "httpx s", "request MB",
            "response MB", "peak RSS growth MiB",
        ],
    )  # fmt: skip
    for backend in _backends_in(plan, results.batch):
        figures = results.batch[backend]
        table.add(
            backend,
            f"{figures['median_s']:.2f}",
            ", ".join(f"{s:.2f}" for s in figures["runs_s"]),
            f"{1000 * figures['median_s'] / BATCH_ITEMS:.2f}",
            f"{figures['httpx_s']:.2f}",
            f"{figures['request_bytes'] / 1e6:.1f}",
            f"{figures['response_bytes'] / 1e6:.1f}",
            f"{figures['peak_growth_kib'] / 1024:.0f}" if "peak_growth_kib" in figures else "",
        )
    if results.batch:
        table.notes.append(
            "Over HTTP against the server of section 2, default body limits (a batch may be up to "
            "READINESS_MAX_BATCH_BODY_BYTES, 8 MiB). median and runs: curl's time to the last "
            "byte of the answer (`%{time_total}`), the server's figure; httpx s: one run with "
            "httpx, a Python client reading the whole answer, which adds its own decoding. "
            "peak RSS growth: how far the server's peak resident memory (VmHWM) rose over the "
            "curl runs, above the peak of everything before them."
        )
    return table


def memory_table(plan: Plan, results: Results) -> Table:
    """Section 4 as a table."""
    table = Table(
        "4. Memory: RSS in process (VmRSS), random mix, whole assess",
        ["backend", "loaded MiB", "after 1,000 MiB", "after all MiB", "evaluations", "change"],
    )
    for backend in _backends_in(plan, results.memory):
        figures = results.memory[backend]
        table.add(
            backend,
            f"{figures['rss_loaded_kib'] / 1024:.1f}",
            f"{figures['rss_first_kib'] / 1024:.1f}",
            f"{figures['rss_all_kib'] / 1024:.1f}",
            f"{figures['evaluations']:,}",
            f"{figures['change_pct']:+.2f} %",
        )
    if results.memory:
        table.notes.append(
            "Each backend in its own fresh process, the backends at the same time (RSS does not "
            "depend on it); gc.collect() before each reading."
        )
    return table


def startup_table(plan: Plan, results: Results) -> Table:
    """Section 5 as a table."""
    table = Table(
        "5. Start-up: spawning `python -m api` until GET /ready answers with every rule",
        [
            "backend",
            "median s",
            "runs s",
            "rules",
            "/ready reports engine",
            f"{', '.join(NATIVE)} mapped",
        ],
    )
    for backend in _backends_in(plan, results.startup):
        figures = results.startup[backend]
        mapped = figures["mapped"]
        table.add(
            backend,
            f"{figures['median_s']:.2f}",
            ", ".join(f"{s:.2f}" for s in figures["runs_s"]),
            str(figures["rules"]),
            str(figures["engine_reported"] or "not reported"),
            ", ".join("yes" if mapped.get(n) else "NO" for n in NATIVE),
        )
    if results.startup:
        table.notes.append(
            "Default settings apart from port, database (SQLite, migrated beforehand) and "
            "READINESS_ENGINE; includes interpreter start, imports, migration check, rule "
            "loading and the example results computed at start-up."
        )
    return table


def _server_notes(results: Results) -> list[str]:
    notes = []
    for backend, info in results.http_info.items():
        mapped = info.get("mapped", {})
        loggers = info.get("loggers", {})
        on = [name for name, state in loggers.items() if state.get("info_enabled")]
        notes.append(
            f"{backend} benchmark server: loop {info.get('loop')}, HTTP parser "
            f"{'/'.join(info.get('http', [])) or '?'} (native modules mapped: "
            f"{', '.join(f'{k} ' + ('yes' if v else 'NO') for k, v in mapped.items())}); "
            f"uvicorn access log off (--no-access-log); loggers at INFO or below: "
            f"{', '.join(on) or 'none'}; app access log 'readiness.access' at "
            f"{loggers.get('readiness.access', {}).get('level', '?')} (off)."
        )
        notes.append(f"{backend}: {info.get('echo_check')}")
    return notes


def _preamble(plan: Plan, results: Results, machine: dict[str, str]) -> list[str]:
    mode = (
        "a quick smoke run (`--quick`): short runs, figures indicative only"
        if plan.quick
        else "a full run"
    )
    lines = [
        f"Produced by `make bench` (`.venv/bin/python bench/run.py`), {mode}; "
        f"sections: {', '.join(plan.sections)}. Do not edit by hand, except the last section, "
        "which the next run keeps.",
        "## Machine\n\n" + "\n".join(f"- {k}: {v}" for k, v in machine.items()),
    ]
    settings = [
        "One uvicorn worker: `uvicorn --factory bench.app:create_bench_app "
        f"{' '.join(served_as_api())} --no-access-log --no-server-header --log-level warning`, "
        "the loop and protocol of `python -m api` (the real app "
        "plus `POST /bench/echo` and `POST /bench/echo-model`), with READINESS_WORKERS=1, "
        "READINESS_ENGINE=<backend>, READINESS_ASSESS_WITHOUT_KEY=true, READINESS_RELOAD_INTERVAL=0, "
        "READINESS_LOG_LEVEL=warning, a temporary SQLite database; the keyed row presents an "
        "`assess` key made in that database as `Authorization: Bearer <key>`, the other rows "
        "no key.",
        f"wrk: {WRK_THREADS} thread on the same machine as the server (the server's worker on one "
        "core, wrk on the other; two wrk threads made the scheduler, not the server, the p99); "
        "`bench/wrk/assess.lua` sends the random-mix corpus round-robin.",
        *_server_notes(results),
        *results.notes,
        *(f"backend {b} not measured: {why}" for b, why in results.unavailable.items()),
        *(
            f"backend {b} not measured over HTTP or at start-up: {why}"
            for b, why in results.not_served.items()
        ),
        "Section durations: " + ", ".join(f"{k} {v:.0f} s" for k, v in results.timings.items()),
    ]
    lines.append("## How it was measured\n\n" + "\n".join(f"- {s}" for s in settings))
    return lines


def _case(results: Results, backend: str, prefix: str) -> dict[str, Any] | None:
    cases = results.engine.get(backend, {}).get("cases", [])
    return next((c for c in cases if str(c["case"]).startswith(prefix)), None)


def _share(results: Results, backend: str, connections: int, floor: str) -> float | None:
    """The assessments' requests per second as a share of echo `floor` (a `FLOORS` short name)."""
    runs = results.http.get(backend, {})
    assess = runs.get((ASSESS, connections))
    label = next(label for label, _, short in FLOORS if short == floor)
    echo = runs.get((label, connections))
    if assess is None or echo is None or not echo.per_second:
        return None
    return 100 * assess.per_second / echo.per_second


def _keyed_share(results: Results, backend: str, connections: int) -> float | None:
    """The keyed assessments' requests per second as a share of the keyless ones."""
    runs = results.http.get(backend, {})
    keyless, keyed = runs.get((ASSESS, connections)), runs.get((KEYED, connections))
    if keyless is None or keyed is None or not keyless.per_second:
        return None
    return 100 * keyed.per_second / keyless.per_second


def _below(limit: float) -> Callable[[float], bool]:
    """A target met by a figure below `limit`."""
    return lambda v: v < limit


def _at_least(floor: float) -> Callable[[float], bool]:
    """A target met by a figure of at least `floor`."""
    return lambda v: v >= floor


def targets_table(plan: Plan, results: Results) -> Table:
    """Each target of the performance issue, the figure of this run and whether it is met."""
    table = Table("0. Against the targets", ["backend", "target", "this run", "met"])
    rows: list[tuple[str, str, float | None, str, Callable[[float], bool]]] = []
    for backend, share_min, weak_max, mix_max, batch_max in (
        ("compiled", 80.0, 50.0, None, 1.0),
        ("durable", 40.0, 1500.0, 600.0, 2.0),
    ):
        weak = _case(results, backend, "weak organisation")
        mix = _case(results, backend, "random mix")
        weak_us = weak["rules"]["p50_us"] if weak else None
        rows.append((backend, f"engine median, weak organisation < {weak_max:,.0f} µs",
                     weak_us, f"{weak_us:,.0f} µs" if weak_us else "", _below(weak_max)))  # fmt: skip
        if mix_max is not None:
            mix_us = mix["rules"]["p50_us"] if mix else None
            rows.append((backend, f"engine median, random mix < {mix_max:,.0f} µs",
                         mix_us, f"{mix_us:,.0f} µs" if mix_us else "", _below(mix_max)))  # fmt: skip
        for _, named, floor in FLOORS:
            for connections in CONNECTIONS:
                share = _share(results, backend, connections, floor)
                rows.append((backend, f"endpoint ≥ {share_min:.0f} % of {named}, {connections} connections",
                             share, f"{share:.0f} %" if share is not None else "", _at_least(share_min)))  # fmt: skip
        keyed = _keyed_share(results, backend, 64)
        rows.append((backend, f"keyed endpoint within {KEYED_WITHIN:.0f} % of keyless, 64 connections",
                     keyed, f"{keyed:.0f} %" if keyed is not None else "", _at_least(100 - KEYED_WITHIN)))  # fmt: skip
        if backend == "compiled":
            run = results.http.get(backend, {}).get((ASSESS, 64))
            p99 = run.latency_ms["p99"] if run else None
            rows.append((backend, "endpoint p99 < 50 ms at 64 connections",
                         p99, f"{p99:,.1f} ms" if p99 is not None else "", _below(50)))  # fmt: skip
        batch = results.batch.get(backend, {}).get("median_s")
        rows.append((backend, f"batch of {BATCH_ITEMS:,} < {batch_max:g} s",
                     batch, f"{batch:.2f} s" if batch is not None else "", _below(batch_max)))  # fmt: skip
        change = results.memory.get(backend, {}).get("change_pct")
        rows.append((backend, "RSS after all evaluations within 10 % of after 1,000",
                     change, f"{change:+.2f} %" if change is not None else "", lambda v: abs(v) <= 10))  # fmt: skip
        start = results.startup.get(backend, {}).get("median_s")
        rows.append((backend, "start-up < 3 s", start,
                     f"{start:.2f} s" if start is not None else "", _below(3)))  # fmt: skip
    for backend, target, value, shown, met in rows:
        if value is None:
            table.add(backend, target, "not measured", "")
        else:
            table.add(backend, target, shown, "yes" if met(value) else "**no**")
    table.notes.append(
        "Engine medians are rules only (`backend.evaluate`), as section 1 shows them beside the "
        "whole assessment. The echo floors are section 2's validation-only endpoints: each "
        "validates the body as the real endpoint does and returns the real result for the posted "
        "assessment without an engine, byte for byte. The targets define the floor as an "
        "endpoint returning a pydantic response of the same size (the framework serialises the "
        "result model: `/bench/echo-model`); the stricter floor returns the result's bytes "
        "encoded at start-up (`/bench/echo`), so nothing of the response is built at all."
    )
    return table


def _report(plan: Plan, results: Results) -> tuple[str, str]:
    tables = [
        engine_table(plan, results),
        http_table(plan, results),
        batch_table(plan, results),
        memory_table(plan, results),
        startup_table(plan, results),
    ]
    wanted = {"engine": 0, "http": 1, "batch": 2, "memory": 3, "startup": 4}
    tables = [tables[wanted[s]] for s in SECTIONS if s in plan.sections]
    tables.insert(0, targets_table(plan, results))
    machine = describe(results.wrk and wrk_version(results.wrk))
    preamble = _preamble(plan, results, machine)
    text = terminal_text(tables) + "\n\n" + "\n\n".join(preamble[1:]).replace("## ", "")
    document = markdown_document("Benchmark results", preamble[:1], tables, preamble[1:], RESULTS)
    return text, document


def main(argv: list[str] | None = None) -> int:
    """Run the chosen sections and report."""
    plan = _parse(argv)
    results = Results()
    tmp = Path(tempfile.mkdtemp(prefix="readiness-bench-"))
    started = time.perf_counter()
    try:
        if {"http", "batch", "startup"} & set(plan.sections):
            _ensure_server_libraries(results)
        if "http" in plan.sections:
            results.wrk, how = ensure_wrk()
            _say(f"wrk: {how}")
            if results.wrk is None:
                results.notes.append(f"HTTP section skipped: {how}")
            elif how != "already installed":
                results.notes.append(f"wrk was {how}.")
        steps: list[tuple[str, Callable[[], None]]] = [
            ("engine", lambda: run_engine(plan, results)),
            ("startup", lambda: run_startup(plan, results, tmp)),
            ("http+batch", lambda: run_server_sections(plan, results, tmp)),
            ("memory", lambda: run_memory(plan, results)),
        ]
        for name, step in steps:
            if not set(name.split("+")) & set(plan.sections):
                continue
            began = time.perf_counter()
            step()
            results.timings[name] = time.perf_counter() - began
        results.timings["total"] = time.perf_counter() - started
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    text, document = _report(plan, results)
    print(text)
    if plan.write:
        RESULTS.write_text(document, encoding="utf-8")
        _say(f"wrote {RESULTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
