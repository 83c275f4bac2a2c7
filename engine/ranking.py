"""Recommendation ranking: a documented score whose components are part of every result."""

from __future__ import annotations

from schemas.result import RecommendationScore
from schemas.vocabulary import Priority, Severity

__all__ = [
    "ESCALATION_POINTS",
    "MAX_OBSTACLES_COUNTED",
    "OBSTACLE_POINTS",
    "PLANNING_POINTS",
    "SEVERITY_POINTS",
    "priority_of",
    "score",
    "score_parts",
]

SEVERITY_POINTS: dict[Severity, int] = {"blocking": 400, "high": 300, "medium": 200, "low": 100}
"""Points for the most severe gap (or escalation) a recommendation answers."""
PLANNING_POINTS = 50
"""Points for a recommendation in a planning step (1-10): more than all obstacle points, so an
execution-phase action never outranks a planning action of the same severity."""
OBSTACLE_POINTS = 5
"""Points per obstacle a recommendation addresses."""
MAX_OBSTACLES_COUNTED = 9
"""Obstacles counted at most, so obstacle points (<= 45) stay below the planning points."""
ESCALATION_POINTS = 1000
"""Points when an escalation raises the recommendation: above any unescalated score."""

_PRIORITY: dict[Severity, Priority] = {
    "blocking": "critical",
    "high": "high",
    "medium": "medium",
    "low": "low",
}


def score(severity: Severity, step: int, escalated: bool, obstacles: int) -> RecommendationScore:
    """Return the score components of a recommendation; see `score_parts`."""
    return RecommendationScore(**score_parts(severity, step, escalated, obstacles))


def score_parts(severity: Severity, step: int, escalated: bool, obstacles: int) -> dict[str, int]:
    """Return the score components of a recommendation, and their `total`, as plain data.

    Args:
        severity: The most severe of the gaps it closes and escalations that raise it.
        step: Its implementation step, 1-14.
        escalated: Whether an escalation raises it.
        obstacles: How many obstacles it addresses.
    """
    parts = {
        "severity": SEVERITY_POINTS[severity],
        "phase": PLANNING_POINTS if step <= 10 else 0,
        "escalation": ESCALATION_POINTS if escalated else 0,
        "obstacles": OBSTACLE_POINTS * min(obstacles, MAX_OBSTACLES_COUNTED),
    }
    parts["total"] = sum(parts.values())
    return parts


def priority_of(severity: Severity, escalated: bool) -> Priority:
    """Return the priority label: from the severity, `critical` when escalated."""
    return "critical" if escalated else _PRIORITY[severity]
