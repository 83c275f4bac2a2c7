"""What combining a round costs: form checks, combining, and the combined assessment's evaluation.

Run from the project root: `python bench/rounds.py [--sizes 21 100 500] [--rounds 5]`.
Prints one line per round size. Respondents are drawn with a fixed seed: leaders, a tovholder, a
coordinator and mostly staff, each answering most of their role's form, as a municipality's round
would. Each figure is the CPU time of this process in the best of several rounds.

- form check: `form_answers()` for every respondent (what `POST /v1/respond` does per answer).
- combine: `combine()` over every response (what closing a round and its result do).
- evaluate: the combined assessment's result JSON (`Engine.assess_json()`), for comparison.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from engine import (  # noqa: E402
    INDICATORS,
    Engine,
    Response,
    Role,
    RoundSpec,
    combine,
    form_answers,
    load_round_spec,
    load_ruleset,
)
from engine.indicators import nested  # noqa: E402

__all__ = ["main"]

BASE: dict[str, Any] = {
    "organisation": {"id": "bench-round", "country": "SE", "size": "large"},
    "intervention": {"kind": "method", "model": "family_oriented_work"},
}

_SHARES: tuple[tuple[Role, float], ...] = (
    ("strategic_leader", 0.05),
    ("tactical_leader", 0.08),
    ("operational_leader", 0.12),
    ("tovholder", 0.02),
    ("coordinator", 0.05),
    ("staff", 0.65),
    ("other", 0.03),
)


def _bodies(spec: RoundSpec, size: int, seed: int) -> list[tuple[Role, dict[str, Any]]]:
    """`size` respondents' nested answer bodies, each answering about 80 % of their form."""
    rng = random.Random(seed)  # noqa: S311 - repeatable test data, not secrets  # nosec B311
    roles = [role for role, _ in _SHARES]
    weights = [share for _, share in _SHARES]
    bodies = []
    for _ in range(size):
        role = rng.choices(roles, weights)[0]
        answers = {}
        for path in spec.form(role):
            indicator = INDICATORS.get(path)
            if indicator is None or rng.random() > 0.8:
                continue
            answers[path] = rng.choice(indicator.scale.values)
        bodies.append((role, nested(answers)))
    return bodies


def _check_all(spec: RoundSpec, bodies: list[tuple[Role, dict[str, Any]]]) -> object:
    return [form_answers(spec, role, body) for role, body in bodies]


def _best(call: Callable[[], object], rounds: int) -> float:
    """Seconds per call: the best of `rounds`."""
    call()
    best = float("inf")
    for _ in range(rounds):
        start = time.process_time()
        call()
        best = min(best, time.process_time() - start)
    return best


def main(argv: Sequence[str] | None = None) -> int:
    """Print the cost of each step for each round size."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[21, 100, 500])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=20)
    args = parser.parse_args(argv)
    spec = load_round_spec()
    engine = Engine(load_ruleset(), "compiled")
    for size in args.sizes:
        bodies = _bodies(spec, size, args.seed)
        responses = [Response(role, form_answers(spec, role, body)) for role, body in bodies]
        combined = combine(spec, BASE, responses)
        checking = _best(partial(_check_all, spec, bodies), args.rounds)
        combining = _best(partial(combine, spec, BASE, responses), args.rounds)
        evaluating = _best(partial(engine.assess_json, combined.request), args.rounds)
        print(
            f"round of {size} respondents: form check {checking * 1e3:.2f} ms "
            f"({checking / size * 1e6:.0f} µs each), combine {combining * 1e3:.2f} ms, "
            f"evaluate the combined assessment {evaluating * 1e3:.2f} ms; "
            f"{len(combined.disagreements)} disagreements, {len(combined.groups)} groups"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
