"""A result as a few lines to read in a terminal: `readiness assess FILE --format text`.

The level and how firm it is, the phase, what blocks, and the first recommendations under the
runs of the ranking (`engine.runtime.ranking.due_runs`), each with its priority, who acts, its
step, and what it comes before or after (so that a high one placed above a critical one says
why). Everything is in the language the result was made in (`--lang`), in the words of the
report pages (`schemas.words`), so a Swedish or Danish reader meets no English frame around the
rules' texts. `--format json` gives the whole result.
"""

from __future__ import annotations

from engine.runtime.ranking import due_runs, needed_by
from schemas.result import AssessmentResult
from schemas.words import (
    LEVELS,
    OWNERS,
    PHASE_NAMES,
    PRIORITIES,
    SEVERITIES,
    due_heading,
    firmness,
    number,
    say,
    step_words,
    steps_left_text,
)

__all__ = ["summary_text"]


def _in_brackets(words: str) -> str:
    """`words` after a semicolon or an opening bracket: lower case, as Swedish and Danish write it."""
    return words[:1].lower() + words[1:]


def summary_text(result: AssessmentResult, first: int = 10) -> str:
    """The result in a few lines: readiness, what blocks, the `first` recommendations."""
    language = result.language
    readiness = result.readiness
    lines = [
        f"{say('level', language)}: {LEVELS[readiness.level][language]}; "
        f"{say('score', language)}: {number(readiness.score, language)}",
        *(f"  {line}" for line in firmness(readiness, language)),
        say(
            "stage_text",
            language,
            stage=readiness.stage,
            name=PHASE_NAMES[readiness.stage][language],
        ),
    ]
    left = steps_left_text(readiness, language)
    if left:
        lines.append(f"  {left}")
    titles = {gap.id: gap.title for gap in result.gaps}
    titles.update({escalation.id: escalation.title for escalation in result.escalations})
    if readiness.capped_by:
        lines.append(say("capped", language))
        lines += [f"  - {titles.get(i, i)} ({i})" for i in readiness.capped_by]
    severities = [gap.severity for gap in result.gaps if gap.kind != "unknown"]
    counted = ", ".join(
        f"{_in_brackets(words[language])}: {severities.count(s)}"
        for s, words in SEVERITIES.items()
        if s in severities
    )
    present = sum(f.status == "present" for f in result.success_factors)
    lines.append(
        f"{say('findings', language)}: {len(severities)}{f' ({counted})' if counted else ''}; "
        f"{_in_brackets(say('escalations', language))}: {len(result.escalations)}; "
        f"{_in_brackets(say('strengths', language))}: {present}"
    )
    recommendations = result.recommendations
    if not recommendations:
        lines.append(say("no_recommendations", language))
        return "\n".join(lines) + "\n"
    lines += ["", f"{say('recommendations', language)} ({len(recommendations)}):"]
    shown = None
    # Where each is done: its own place, or the place it is a sub-point of (its own title).
    places = {r.id: f"{r.rank}. {r.title}" for r in recommendations}
    places.update({p.id: f"{r.rank}. {p.title}" for r in recommendations for p in r.sub_points})
    dependents = needed_by(recommendations)
    for recommendation, due in zip(
        recommendations[:first], due_runs(recommendations, readiness.stage), strict=False
    ):
        if due != shown:
            lines.append(f"  {due_heading(*due, language)}:")
            shown = due
        lines.append(
            f"  {recommendation.rank:>3}. [{PRIORITIES[recommendation.priority][language]}] "
            f"{recommendation.title} ({say('owner', language)}: "
            f"{_in_brackets(OWNERS[recommendation.owner][language])}; "
            f"{_in_brackets(step_words(recommendation, language))})"
        )
        for point in recommendation.sub_points:
            label = f"[{PRIORITIES[point.priority][language]}] " if point.priority else ""
            lines.append(f"         {say('sub_points', language)}: {label}{point.title}")
        for key, named in (
            ("after", [places[a] for a in recommendation.after if a in places]),
            ("before", [places[d.id] for d in dependents.get(recommendation.id, [])]),
        ):
            if named:
                lines.append(f"         {say(key, language)}: {'; '.join(named)}")
    if len(recommendations) > first:
        more = len(recommendations) - first
        lines.append(f"  {say('more', language, count=more, command='--format json')}")
    return "\n".join(lines) + "\n"
