"""The public data contract: assessment requests and results, as pydantic models."""

from schemas.assessment import AssessmentRequest
from schemas.citation import Citation
from schemas.result import (
    AssessmentResult,
    DimensionReadiness,
    Escalation,
    Gap,
    Obstacle,
    Readiness,
    Recommendation,
    RecommendationScore,
    RulesetInfo,
    SuccessFactor,
    TraceEntry,
)

__all__ = [
    "AssessmentRequest",
    "AssessmentResult",
    "Citation",
    "DimensionReadiness",
    "Escalation",
    "Gap",
    "Obstacle",
    "Readiness",
    "Recommendation",
    "RecommendationScore",
    "RulesetInfo",
    "SuccessFactor",
    "TraceEntry",
]
