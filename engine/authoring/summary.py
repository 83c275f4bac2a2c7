"""A result as a few lines to read in a terminal: `readiness assess FILE --format text`.

The level and how firm it is, the phase, what blocks, and the first recommendations under the
runs of the ranking (`engine.runtime.ranking.due_runs`), each with its priority and who acts.
The headings are English, as the command line is; the texts of the rules are in the language
the result was made in. `--format json` gives the whole result.
"""

from __future__ import annotations

from engine.ruleset import PHASE_NAMES
from engine.runtime.ranking import Due, due_runs
from schemas.result import AssessmentResult

__all__ = ["summary_text"]

_LEVELS = {
    "ready": "ready",
    "partly_ready": "partly ready",
    "not_ready": "not ready",
    "unknown": "unknown (too little answered to tell)",
}


def _heading(due: Due) -> str:
    kind, phase = due
    if kind == "now":
        return f"Now, in phase {phase} ({_phase(phase)}), where the organisation is"
    if kind == "phase":
        return f"When it reaches phase {phase} ({_phase(phase)})"
    if kind == "looking_back":
        return "Smaller gaps from phases it has left"
    return "To find out"


def _phase(number: int) -> str:
    return PHASE_NAMES[number]["en"]


def _figure(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


def summary_text(result: AssessmentResult, first: int = 10) -> str:
    """The result in a few lines: readiness, what blocks, the `first` recommendations."""
    readiness = result.readiness
    span = readiness.score_range
    lines = [
        f"Readiness: {_LEVELS[readiness.level]}; score {_figure(readiness.score)} of 100 "
        f"(between {_figure(span.worst)} and {_figure(span.best)} whatever the unanswered "
        f"questions turn out to be; {round(readiness.completeness * 100)} % answered)",
        f"Phase {readiness.stage} of 4: {_phase(readiness.stage)}",
    ]
    titles = {gap.id: gap.title for gap in result.gaps}
    titles.update({escalation.id: escalation.title for escalation in result.escalations})
    if readiness.capped_by:
        lines.append("Not ready while these remain:")
        lines += [f"  - {titles.get(i, i)} ({i})" for i in readiness.capped_by]
    severities = [gap.severity for gap in result.gaps if gap.kind != "unknown"]
    counted = ", ".join(
        f"{severities.count(s)} {s}"
        for s in ("blocking", "high", "medium", "low")
        if s in severities
    )
    lines.append(
        f"Gaps: {len(severities)}{f' ({counted})' if counted else ''}; "
        f"escalations: {len(result.escalations)}; success factors present: "
        f"{sum(f.status == 'present' for f in result.success_factors)}"
    )
    recommendations = result.recommendations
    if not recommendations:
        lines.append("No recommendations: the answers show no gaps.")
        return "\n".join(lines) + "\n"
    lines += ["", f"Recommendations ({len(recommendations)}), in the order the work is done:"]
    shown = None
    for recommendation, due in zip(
        recommendations[:first], due_runs(recommendations, readiness.stage), strict=False
    ):
        if due != shown:
            lines.append(f"  {_heading(due)}:")
            shown = due
        lines.append(
            f"  {recommendation.rank:>3}. [{recommendation.priority}] {recommendation.title} "
            f"(who acts: {recommendation.owner.replace('_', ' ')}; step {recommendation.step})"
        )
        for point in recommendation.sub_points:
            lines.append(f"         also: {point.title}")
    if len(recommendations) > first:
        lines.append(f"  ... and {len(recommendations) - first} more (--format json shows all)")
    return "\n".join(lines) + "\n"
