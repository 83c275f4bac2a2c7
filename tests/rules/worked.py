"""The README's worked example of the ranking: one scenario's first places with their scores.

The scenario is the small Danish municipality starting family group conferences that the domain
review of ruleset 0.2.0 read first (no coordinators, no tovholder, no room, no plan). The table
shows, for each of its first places, what the ranking reads (`score`, `after`, `sub_points`), all
taken from the result, so a reader can recompute the order with the README's rules.

    python -m tests.rules.worked        # prints the table as the README has it
"""

from __future__ import annotations

from collections.abc import Iterable

from engine import Engine
from engine.runtime.ranking import step_at
from schemas.result import AssessmentResult, Recommendation
from tests.rules.test_scenarios import SCENARIOS, _assess, _load

SCENARIO = "dk-small-fgc-no-room-no-coordinators-no-tovholder"
PLACES = 8
"""How many places the table shows."""


def result(engine: Engine) -> AssessmentResult:
    """The scenario's result, texts in English."""
    (path,) = [p for p in SCENARIOS if p.stem == SCENARIO]
    return _assess(engine, _load(path))


def _ids(ids: Iterable[str]) -> str:
    """`ids` as code, comma-separated; a dash for none."""
    return ", ".join(f"`{i}`" for i in ids) or "–"


def _sub_points(rec: Recommendation) -> str:
    """The sub-points of `rec`, each with its own priority; a dash for none."""
    return ", ".join(f"`{s.id}` ({s.priority})" for s in rec.sub_points) or "–"


def _urgency(rec: Recommendation) -> str:
    """The urgency the ranking reads, with the severity it comes from and whether it was raised."""
    score = rec.score
    raised = " (raised)" if score.escalated else ""
    return f"{score.urgency} {score.severity}{raised}"


def _step(rec: Recommendation, stage: int) -> str:
    """Its step, and the step it ranks by at `stage` where that is one of its `also_steps`."""
    ranked = step_at(rec.step, rec.also_steps, stage)
    return str(rec.step) if ranked == rec.step else f"{rec.step} (as {ranked})"


def markdown(found: AssessmentResult, places: int = PLACES) -> str:
    """The first `places` places of `found` as the README's table."""
    lines = [
        "| place | recommendation | priority | urgency | things / gaps | step | after | lifted by "
        "| sub-points |",
        "|---:|---|---|---|---:|---:|---|---|---|",
    ]
    stage = found.readiness.stage
    for rec in found.recommendations[:places]:
        score = rec.score
        lines.append(
            f"| {rec.rank} | `{rec.id}` | {rec.priority} | {_urgency(rec)} | "
            f"{score.things_closed} / {score.gaps_closed} | {_step(rec, stage)} | {_ids(rec.after)} | "
            f"{_ids(score.lifted_by)} | {_sub_points(rec)} |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    print(markdown(result(Engine.from_folder(backend="compiled"))))
