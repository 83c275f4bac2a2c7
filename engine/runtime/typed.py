"""The result as a typed `AssessmentResult`, built from an outcome without going through its JSON.

The model is validated from plain data, as any model is; what is the same in every result is
prepared once: the texts per language and country, and the citations, which are frozen models
of plain strings and so are shared between results as they are (pydantic keeps an instance of the
field's own type without copying it).
"""

from __future__ import annotations

from typing import Any

from engine.rulebase.rulefile import ObstacleFile, SuccessFactorFile
from engine.ruleset import Ruleset
from engine.runtime.outcome import Finding, Outcome, Placed
from engine.runtime.ranking import priority_of
from engine.runtime.render import basis_in, variant_text
from schemas.citation import Citation
from schemas.result import AssessmentResult, RulesetInfo
from schemas.vocabulary import Language

__all__ = ["Texts", "build_model"]


class Texts:
    """The texts of one ruleset for one language, country, model and kind; what results share."""

    def __init__(
        self,
        ruleset: Ruleset,
        language: Language,
        country: str,
        model: str = "unknown",
        kind: str = "unknown",
    ) -> None:
        self.language = language
        self.info = RulesetInfo(name=ruleset.name, version=ruleset.version, digest=ruleset.digest)
        self.rule_title = {rule.id: rule.title.in_(language) for rule in ruleset.rules}
        self.rule_sources: dict[str, tuple[Citation, ...]] = {
            rule.id: rule.sources for rule in ruleset.rules
        }
        self.raises = {rule.id: tuple(rule.links.recommendations) for rule in ruleset.rules}
        self.basis = [basis_in(basis, language) for basis in ruleset.severity_bases]
        self.obstacle = {
            oid: _described(e, language, country) for oid, e in ruleset.obstacles.items()
        }
        self.success_factor = {
            sid: _described(e, language, country) for sid, e in ruleset.success_factors.items()
        }
        self.recommendation: dict[str, tuple[str, str, str, str, tuple[Citation, ...]]] = {
            rid: (
                variant_text(e, "title", country, model, kind).in_(language),
                variant_text(e, "action", country, model, kind).in_(language),
                variant_text(e, "rationale", country, model, kind).in_(language),
                e.owner,
                tuple(e.sources),
            )
            for rid, e in ruleset.recommendations.items()
        }


def _described(
    entry: ObstacleFile | SuccessFactorFile, language: Language, country: str
) -> tuple[str, str, tuple[Citation, ...]]:
    """An obstacle's or success factor's title, description and sources."""
    return (
        variant_text(entry, "title", country).in_(language),
        variant_text(entry, "description", country).in_(language),
        tuple(entry.sources),
    )


def build_model(texts: Texts, outcome: Outcome) -> AssessmentResult:
    """Return the result of `outcome` as a model, its texts from `texts`."""
    title = texts.rule_title
    sources = texts.rule_sources
    basis = texts.basis
    obstacle, success_factor = texts.obstacle, texts.success_factor
    readiness = outcome.readiness

    def found(finding: Finding) -> dict[str, Any]:
        """What a gap and an escalation have in common."""
        return {
            "id": finding.id,
            "title": title[finding.id],
            "dimension": finding.dimension,
            "severity": finding.severity,
            "evidence": dict(finding.evidence),
            "derived_from": list(finding.derived_from),
            "severity_basis": basis[finding.basis],
            "sources": list(sources[finding.id]),
        }

    data: dict[str, Any] = {
        "language": texts.language,
        "ruleset": texts.info,
        "readiness": {
            "score": readiness.score,
            "level": readiness.level,
            "completeness": readiness.completeness,
            "score_range": {"worst": readiness.worst, "best": readiness.best},
            "stage": readiness.stage,
            "steps_left": [{"step": s, "answer": a} for s, a in readiness.steps_left],
            "implemented": readiness.implemented,
            "capped_by": list(readiness.capped_by),
            "dimensions": [
                {
                    "dimension": d.dimension,
                    "score": d.score,
                    "level": d.level,
                    "completeness": d.completeness,
                    "answered": d.answered,
                    "total": d.total,
                    "capped_by": list(d.capped_by),
                }
                for d in readiness.dimensions
            ],
        },
        "gaps": [{**found(g), "kind": g.gap_kind} for g in outcome.gaps],
        "escalations": [
            {**found(e), "raises": list(texts.raises[e.id])} for e in outcome.escalations
        ],
        "obstacles": [
            {
                "id": o.id,
                "title": obstacle[o.id][0],
                "description": obstacle[o.id][1],
                "gaps": list(o.gaps),
                "sources": list(obstacle[o.id][2]),
            }
            for o in outcome.obstacles
        ],
        "success_factors": [
            {
                "id": f.id,
                "title": success_factor[f.id][0],
                "description": success_factor[f.id][1],
                "status": "missing" if f.missing else "present",
                "gaps": list(f.gaps),
                "rules": list(f.rules),
                "sources": list(success_factor[f.id][2]),
            }
            for f in outcome.success_factors
        ],
        "recommendations": [_recommendation(texts, place) for place in outcome.recommendations],
        "trace": None
        if outcome.trace is None
        else [
            {"order": number, "rule": step.rule, "matched": step.matched}
            for number, step in enumerate(outcome.trace, start=1)
        ],
    }
    return AssessmentResult.model_validate(data)


def _recommendation(texts: Texts, place: Placed) -> dict[str, Any]:
    grade = place.grade
    title, action, rationale, owner, sources = texts.recommendation[grade.id]
    return {
        "id": grade.id,
        "title": title,
        "action": action,
        "rationale": rationale,
        "priority": priority_of(place.urgency),
        "rank": place.rank,
        "phase": grade.phase,
        "step": grade.step,
        "also_steps": list(grade.also_steps),
        "owner": owner,
        "after": list(place.after),
        "closes_gaps": list(grade.closes_gaps),
        "escalations": list(grade.escalations),
        "obstacles": list(grade.obstacles),
        "success_factors": list(grade.success_factors),
        "sub_points": [
            {
                "id": sub.id,
                "title": texts.recommendation[sub.id][0],
                "action": texts.recommendation[sub.id][1],
                "owner": texts.recommendation[sub.id][3],
                "closes_gaps": list(sub.closes_gaps),
                "priority": priority_of(sub.urgency),
            }
            for sub in place.sub_points
        ],
        "score": {
            "stage": place.stage,
            "severity": grade.severity,
            "escalated": grade.escalated,
            "finds_out": grade.finds_out,
            "urgency": grade.urgency,
            "things_closed": grade.things_closed,
            "gaps_closed": grade.gaps_closed,
            "lifted_by": list(place.lifted_by),
        },
        "sources": list(sources),
    }
