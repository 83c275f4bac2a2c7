"""The assessments the benchmarks use: the shipped examples, the weakest case and a random mix.

Every body is JSON-ready (plain dicts), so the same corpus feeds the in-process timings, the wrk
scripts (one body per line) and the benchmark app's echo endpoint. Item `i` of the random mix
depends only on the seed and `i`, so a larger corpus starts with the smaller one.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from engine.indicators import INDICATORS, nested
from schemas.scales import UNKNOWN, Scale

__all__ = [
    "DEFAULT_SEED",
    "DEFAULT_SIZE",
    "EXAMPLES_DIR",
    "corpus",
    "examples",
    "id_of",
    "random_assessment",
    "read_ndjson",
    "weakest",
    "write_ndjson",
]

DEFAULT_SEED = 20_251_123
"""The seed of the random mix; change it only together with the results it produced."""
DEFAULT_SIZE = 500
"""How many different assessments the random mix holds."""
EXAMPLES_DIR = Path(__file__).resolve().parents[1] / "examples"

_UNKNOWN_SHARE = 0.30
"""Share of scored indicators left unanswered."""
_DECAY = 0.5
"""Each better answer is this much less likely than the one below it: the mix leans weak."""


def weakest() -> dict[str, Any]:
    """Return the weak organisation: every scored indicator at its worst answer."""
    return nested({i.path: i.scale.worst for i in INDICATORS if i.scale.scored})


def examples() -> dict[str, dict[str, Any]]:
    """Return each shipped example (`examples/*.json`), by file stem."""
    return {
        path.stem: json.loads(path.read_text(encoding="utf-8"))
        for path in sorted(EXAMPLES_DIR.glob("*.json"))
    }


def _draw(rng: random.Random, scale: Scale) -> str:
    if not scale.scored:  # categorical: any value, unknown included, equally likely
        return rng.choice(scale.values)
    if rng.random() < _UNKNOWN_SHARE:
        return UNKNOWN
    worst_first = [value for value, _ in sorted(scale.worth, key=lambda pair: pair[1])]
    weights = [_DECAY**rank for rank in range(len(worst_first))]
    return rng.choices(worst_first, weights)[0]


def random_assessment(index: int, seed: int = DEFAULT_SEED) -> dict[str, Any]:
    """Return item `index` of the random mix: `organisation.id` is `bench-<index>`.

    Each indicator is drawn on its own: unknown with probability 0.3, else an answer of its scale
    where each better answer is half as likely as the one below (worst 4/7, middle 2/7, best 1/7
    on a three-answer scale). Unknowns are sent explicitly, as a questionnaire form would.
    """
    rng = random.Random(f"{seed}:{index}")  # noqa: S311 - a reproducible corpus, not a secret
    body = nested({i.path: _draw(rng, i.scale) for i in INDICATORS})
    body.setdefault("organisation", {})["id"] = f"bench-{index}"
    return body


def corpus(size: int = DEFAULT_SIZE, seed: int = DEFAULT_SEED) -> list[dict[str, Any]]:
    """Return the first `size` items of the random mix."""
    return [random_assessment(index, seed) for index in range(size)]


def id_of(body: dict[str, Any]) -> str | None:
    """Return the body's `organisation.id`, the key the echo endpoint answers by."""
    organisation = body.get("organisation")
    return organisation.get("id") if isinstance(organisation, dict) else None


def write_ndjson(path: Path, bodies: Iterable[dict[str, Any]]) -> Path:
    """Write one compact JSON body per line (what `bench/wrk/assess.lua` reads); return `path`."""
    lines = (json.dumps(body, ensure_ascii=False, separators=(",", ":")) for body in bodies)
    path.write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")
    return path


def read_ndjson(path: Path) -> list[dict[str, Any]]:
    """Read the bodies `write_ndjson` wrote."""
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
