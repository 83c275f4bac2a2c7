"""What the runs of the ranking mean in a result, for the tests that hold `due_runs`.

The report page and `readiness assess --format text` put a heading over each run of
`engine.due_runs`; a run must be one block, in the order of the work, and a recommendation that
no other lifted must be due as its own key says, and a lifted one with what follows it (README, "Recommendation ranking").
"""

from __future__ import annotations

from engine import due_runs
from engine.ruleset import phase_of_step
from engine.runtime.ranking import LOOKING_BACK, step_at, when_due
from schemas.result import AssessmentResult

__all__ = ["runs_problems"]

_ORDER = ("now", "phase", "looking_back", "find_out")


def runs_problems(result: AssessmentResult) -> list[str]:
    """What is wrong with the runs of `result`'s ranking, or nothing."""
    stage = result.readiness.stage
    recommendations = result.recommendations
    dues = due_runs(recommendations, stage)
    problems = []
    if len(dues) != len(recommendations):
        return [f"{len(dues)} dues for {len(recommendations)} recommendations"]
    runs = [due for n, due in enumerate(dues) if n == 0 or dues[n - 1] != due]
    if len(runs) != len(set(runs)):
        problems.append(f"a run comes twice: {runs}")
    if runs != sorted(runs, key=lambda due: (_ORDER.index(due[0]), due[1])):
        problems.append(f"runs out of order: {runs}")
    for n, (rec, due) in enumerate(zip(recommendations, dues, strict=True)):
        if rec.score.lifted_by and n + 1 < len(dues):
            if due != dues[n + 1]:
                problems.append(f"{rec.id} is lifted but not due with what follows it")
            continue
        score = rec.score
        phase = phase_of_step(step_at(rec.step, rec.also_steps, stage))
        when = when_due(phase, stage, score.severity == "blocking", score.urgency)
        if score.finds_out:
            own = ("find_out", 0)
        elif when == LOOKING_BACK:
            own = ("looking_back", 0)
        elif when:
            own = ("phase", when)
        else:
            own = ("now", stage)
        if due != own:
            problems.append(f"{rec.id} (place {n + 1}) is {due}, its key says {own}")
    return problems
