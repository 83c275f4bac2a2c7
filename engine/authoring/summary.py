"""A result as a few lines to read in a terminal: `readiness assess FILE --format text`.

The level and how firm it is, the phase, what blocks, and the first recommendations under the
runs of the ranking (`engine.runtime.ranking.due_runs`), each with its priority, who acts and its
step. Everything is in the language the result was made in (`--lang`), in the words of the
report pages (`schemas.words`), so a Swedish or Danish reader meets no English frame around the
rules' texts. `--format json` gives the whole result.
"""

from __future__ import annotations

from engine.runtime.ranking import Due, due_runs
from schemas.result import AssessmentResult
from schemas.vocabulary import Language, Severity
from schemas.words import (
    LEVELS,
    OWNERS,
    PHASE_NAMES,
    PRIORITIES,
    SEVERITIES,
    TEXTS,
    number,
    percent,
)

__all__ = ["summary_text"]

_ORDER: tuple[Severity, ...] = ("blocking", "high", "medium", "low")


def _text(key: str, language: Language, /, **values: object) -> str:
    return TEXTS[key][language].format(**values)


def _heading(due: Due, language: Language) -> str:
    kind, phase = due
    name = PHASE_NAMES[phase][language] if phase else ""
    return _text(f"due_{kind}", language, phase=phase, name=name)


def summary_text(result: AssessmentResult, first: int = 10) -> str:
    """The result in a few lines: readiness, what blocks, the `first` recommendations."""
    language = result.language
    readiness = result.readiness
    span = readiness.score_range
    firmness = (
        _text("range_firm", language)
        if span.worst == span.best
        else _text(
            "range", language, worst=number(span.worst, language), best=number(span.best, language)
        )
    )
    lines = [
        f"{_text('level', language)}: {LEVELS[readiness.level][language]}; "
        f"{_text('score', language)}: {number(readiness.score, language)}",
        f"  {firmness} {_text('answered_share', language, share=percent(readiness.completeness, language))}",
    ]
    if readiness.level == "unknown":
        lines.append(f"  {_text('unknown_level', language)}")
    lines.append(
        _text(
            "stage_text",
            language,
            stage=readiness.stage,
            name=PHASE_NAMES[readiness.stage][language],
        )
    )
    titles = {gap.id: gap.title for gap in result.gaps}
    titles.update({escalation.id: escalation.title for escalation in result.escalations})
    if readiness.capped_by:
        lines.append(_text("capped", language))
        lines += [f"  - {titles.get(i, i)} ({i})" for i in readiness.capped_by]
    severities = [gap.severity for gap in result.gaps if gap.kind != "unknown"]
    counted = ", ".join(
        f"{SEVERITIES[s][language]} {severities.count(s)}" for s in _ORDER if s in severities
    )
    present = sum(f.status == "present" for f in result.success_factors)
    lines.append(
        f"{_text('findings', language)}: {len(severities)}{f' ({counted})' if counted else ''}; "
        f"{_text('escalations', language)}: {len(result.escalations)}; "
        f"{_text('strengths', language)}: {present}"
    )
    recommendations = result.recommendations
    if not recommendations:
        lines.append(_text("no_recommendations", language))
        return "\n".join(lines) + "\n"
    lines += ["", f"{_text('recommendations', language)} ({len(recommendations)}):"]
    shown = None
    for recommendation, due in zip(
        recommendations[:first], due_runs(recommendations, readiness.stage), strict=False
    ):
        if due != shown:
            lines.append(f"  {_heading(due, language)}:")
            shown = due
        step = _text("step", language, step=recommendation.step, phase=recommendation.phase)
        lines.append(
            f"  {recommendation.rank:>3}. [{PRIORITIES[recommendation.priority][language]}] "
            f"{recommendation.title} ({_text('owner', language)}: "
            f"{OWNERS[recommendation.owner][language]}; {step})"
        )
        for point in recommendation.sub_points:
            lines.append(f"         {_text('sub_points', language)}: {point.title}")
    if len(recommendations) > first:
        # The command that shows them all, the same in every language.
        more = _text("more", language, count=len(recommendations) - first)
        lines.append(f"  {more}: --format json")
    return "\n".join(lines) + "\n"
