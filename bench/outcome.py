"""What the paths that need more than a result's bytes cost: writes, typed results, cases, deltas.

Run from the project root: `python bench/outcome.py [--backend compiled] [--history 10 100]`.
Prints one line per figure. The script also runs on a checkout from before `Engine.evaluate`
existed: there it times what that checkout does on each path (render the JSON, then parse it back),
so running it on two commits gives before and after figures. Each figure is the CPU time of this
process in the best of several rounds: on a shared machine, time spent waiting for a core is not
counted, and the best round is the one least disturbed by other work.

- bytes: `Engine.assess_json()`, what `POST /v1/assessments` sends, for comparison.
- stored write: the engine's part of `POST /v1/assessments?store=true`: evaluate, the result's
  JSON, and the columns stored beside it; no database.
- typed result: `Engine.assess()`.
- rule case: one case of a rule checked, as `rules test` does for each (mean over every case).
- rules test: every case of every rule, with coverage (`run_cases`, what `rules test` runs).
- delta: `GET /v1/assessments/{id}/delta` against the previous assessment, for an organisation
  with N stored assessments on SQLite, without the HTTP layer.
"""

from __future__ import annotations

import argparse
import inspect
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.corpus import corpus  # noqa: E402
from engine import Engine, load_ruleset  # noqa: E402
from engine.authoring import ruletests  # noqa: E402
from schemas.assessment import AssessmentRequest  # noqa: E402
from schemas.result import AssessmentResult  # noqa: E402
from store import delta as deltas  # noqa: E402
from store.database import Database  # noqa: E402
from store.keys import Binding  # noqa: E402
from store.repository import Repository  # noqa: E402

__all__ = ["main"]

ORGANISATION = "bench-delta"
INTERVENTION = "family_oriented_work"


def _best(call: Callable[[], object], rounds: int, per_round: int) -> float:
    """Seconds per call: the best round's mean."""
    call()
    best = float("inf")
    for _ in range(rounds):
        start = time.process_time()
        for _ in range(per_round):
            call()
        best = min(best, (time.process_time() - start) / per_round)
    return best


def _each(call: Callable[[Any], object], items: Sequence[Any], rounds: int) -> float:
    """Seconds per item: the best round's mean over all `items`."""
    for item in items[:20]:
        call(item)
    best = float("inf")
    for _ in range(rounds):
        start = time.process_time()
        for item in items:
            call(item)
        best = min(best, (time.process_time() - start) / len(items))
    return best


def _columns_of(result: AssessmentResult) -> dict[str, Any]:
    """The columns stored beside a result, read off the typed result (what writes once did)."""
    return {
        "language": result.language,
        "readiness_level": result.readiness.level,
        "readiness_score": result.readiness.score,
        "ruleset_version": result.ruleset.version,
        "ruleset_digest": result.ruleset.digest,
        "gap_count": len(result.gaps),
        "blocking_gap_count": sum(1 for g in result.gaps if g.severity == "blocking"),
        "top_recommendation": result.recommendations[0].id if result.recommendations else None,
        "dimensions": [(d.dimension, d.level, d.score) for d in result.readiness.dimensions],
        "findings": [
            *(("gap", g.id) for g in result.gaps),
            *(("escalation", e.id) for e in result.escalations),
            *(("obstacle", o.id) for o in result.obstacles),
            *(("missing_factor", f.id) for f in result.success_factors if f.status == "missing"),
        ],
    }


def _stored_write(engine: Engine) -> Callable[[AssessmentRequest], object]:
    if hasattr(engine, "evaluate"):
        from api.assessments import stored_summary

        def write(request: AssessmentRequest) -> object:
            outcome = engine.evaluate(request)
            payload = engine.result_json(outcome, language="sv")
            return payload.decode(), stored_summary(outcome, engine.ruleset, "sv")

        return write

    def parse_back(request: AssessmentRequest) -> object:
        payload = engine.assess_json(request, language="sv")
        return payload.decode(), _columns_of(AssessmentResult.model_validate_json(payload))

    return parse_back


def _case_check(engine: Engine) -> Callable[[tuple[Any, Any]], object]:
    if hasattr(ruletests, "check_case"):

        def check(pair: tuple[Any, Any]) -> object:
            rule, case = pair
            outcome = engine.evaluate(AssessmentRequest.model_validate(case.input))
            return ruletests.check_case(rule, case, outcome)

        return check

    def check_parsed(pair: tuple[Any, Any]) -> object:
        rule, case = pair
        result = engine.assess(AssessmentRequest.model_validate(case.input), explain=True)
        fired = tuple(entry.rule for entry in result.trace or [])
        return ruletests._check(rule, case.name, case, result, fired)  # type: ignore[attr-defined]

    return check_parsed


def _store(repository: Repository, engine: Engine, request: AssessmentRequest) -> str:
    """Store one assessment of the organisation, as the API does, on either checkout."""
    if "summary" in inspect.signature(repository.store).parameters:
        from api.assessments import stored_summary

        outcome = engine.evaluate(request)
        payload = engine.result_json(outcome, language="sv")
        kept: Any = stored_summary(outcome, engine.ruleset, "sv")
    else:
        payload = engine.assess_json(request, language="sv")
        kept = AssessmentResult.model_validate_json(payload)
    stored, _ = repository.store(
        request.model_dump_json(), kept, payload.decode(), ORGANISATION, None, "Stockholm",
        INTERVENTION, key_id=None,
    )  # fmt: skip
    return stored.id


def _delta(repository: Repository, current_id: str) -> Callable[[], object]:
    """The body of the delta handler: the current one, the history, the earlier one, the delta."""
    binding = Binding()
    if hasattr(repository, "gap_history"):

        def from_columns() -> object:
            current = repository.get(current_id, binding)
            assert current is not None
            history = repository.gap_history(
                current.organisation_id, current.intervention, binding, upto=current.id
            )
            earlier = repository.get(history[-2].id, binding)
            assert earlier is not None
            return deltas.delta(current, earlier, history)

        return from_columns

    def from_results() -> object:
        current = repository.get(current_id, binding)
        assert current is not None
        chain = repository.history(  # type: ignore[attr-defined]
            current.organisation_id, current.intervention, binding
        )
        earlier = [s for s in chain if s.id < current.id][-1]
        return deltas.delta(current, earlier, chain)

    return from_results


def _commit() -> str:
    done = subprocess.run(  # noqa: S603
        ["git", "-C", str(ROOT), "log", "-1", "--format=%h %s"],  # noqa: S607
        capture_output=True,
        text=True,
        check=False,
    )
    return done.stdout.strip()[:72] or "(not a git checkout)"


def _engine_figures(
    label: str,
    engine: Engine,
    requests: list[AssessmentRequest],
    cases: list[tuple[Any, Any]],
    rounds: int,
) -> None:
    size = statistics.mean(len(engine.assess_json(r, language="sv")) for r in requests)
    print(f"{label} results average {size / 1024:.0f} KiB")
    plain = _each(lambda r: engine.assess_json(r, language="sv"), requests, rounds)
    print(f"{label} Engine.assess_json(), bytes: {plain * 1e6:7.0f} µs")
    write = _each(_stored_write(engine), requests, rounds)
    print(f"{label} stored write, engine side: {write * 1e6:8.0f} µs")
    typed = _each(lambda r: engine.assess(r, language="sv"), requests, rounds)
    print(f"{label} Engine.assess(), typed:     {typed * 1e6:8.0f} µs")
    check = _each(_case_check(engine), cases, rounds)
    print(f"{label} one rule case checked:      {check * 1e6:8.0f} µs")
    whole = _best(lambda: ruletests.run_cases(engine), max(2, rounds // 2), 1)
    print(f"{label} rules test, every case:     {whole * 1e3:8.0f} ms")


def main(argv: Sequence[str] | None = None) -> int:
    """Print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--backend", action="append", choices=("durable", "compiled"))
    parser.add_argument("--history", type=int, nargs="+", default=[10, 100])
    parser.add_argument("--size", type=int, default=200, help="assessments of the random mix")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)
    backends = args.backend or ["compiled", "durable"]
    ruleset = load_ruleset(check_coverage=False)
    requests = [AssessmentRequest.model_validate(body) for body in corpus(args.size)]
    cases = [(rule, case) for rule in ruleset.rules for case in rule.cases]
    print(f"commit: {_commit()}")
    print(f"ruleset {ruleset.version}; {len(requests)} assessments of the random mix; ", end="")
    print(f"{len(cases)} rule cases; CPU time, best of {args.rounds} rounds")
    for backend in backends:
        engine = Engine(ruleset, backend)
        _engine_figures(f"[{backend}]", engine, requests, cases, args.rounds)
        engine.close()
    engine = Engine(ruleset, "compiled")
    for count in args.history:
        with tempfile.TemporaryDirectory() as tmp:
            database = Database(f"sqlite:///{Path(tmp) / 'bench.sqlite3'}")
            database.migrate()
            repository = Repository(database)
            ids = [_store(repository, engine, requests[n % len(requests)]) for n in range(count)]
            took = _best(_delta(repository, ids[-1]), args.rounds, 5)
            database.close()
        print(f"delta, {count:4d} stored assessments (SQLite): {took * 1e3:8.2f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
