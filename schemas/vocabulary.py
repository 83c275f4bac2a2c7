"""Closed vocabularies shared by rule files and results: severity, owner, level, language, role."""

from __future__ import annotations

from typing import Literal, get_args

__all__ = [
    "DIMENSIONS",
    "READINESS_LEVELS",
    "SEVERITIES",
    "Dimension",
    "GapKind",
    "Language",
    "Owner",
    "Priority",
    "ReadinessLevel",
    "RoundRole",
    "Severity",
]

Language = Literal["sv", "da", "en"]
"""A language every domain text exists in."""

Severity = Literal["blocking", "high", "medium", "low"]
"""How much a gap or escalation endangers the implementation; `blocking` caps readiness."""

SEVERITIES: tuple[Severity, ...] = get_args(Severity)
"""The severities, most severe first."""

GapKind = Literal["missing", "at_risk", "unknown", "disagreement"]
"""`missing`: something needed is absent; `at_risk`: a risk is present; `unknown`: find out;
`disagreement`: the roles who answered a round see the same matter two or more steps apart."""

Owner = Literal[
    "strategic_leadership",
    "tactical_leadership",
    "operational_leadership",
    "implementation_team",
    "tovholder",
]
"""Who acts on a recommendation."""

RoundRole = Literal[
    "strategic_leader",
    "tactical_leader",
    "operational_leader",
    "tovholder",
    "coordinator",
    "staff",
    "other",
]
"""A respondent's role in an assessment round (the roles of `rules/rounds.yaml`)."""

Priority = Literal["critical", "high", "medium", "low"]
"""A recommendation's priority label, derived from its score (see the README)."""

ReadinessLevel = Literal["not_ready", "partly_ready", "ready", "unknown"]
"""A readiness level; `unknown` when nothing in scope was answered."""

READINESS_LEVELS: tuple[ReadinessLevel, ...] = ("ready", "partly_ready", "not_ready", "unknown")
"""The readiness levels in the order summaries and dashboards list them, best first."""

Dimension = Literal[
    "intervention",
    "leadership",
    "competence",
    "organisation_setup",
    "culture",
    "context",
    "process",
    "risks",
    "strengths",
]
"""A group of indicators scored together: one per scored section of the assessment."""

DIMENSIONS: tuple[Dimension, ...] = get_args(Dimension)
