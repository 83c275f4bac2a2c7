"""Read-only endpoints over the rule base: rules, catalog entries, sources."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from litestar import Request, Response, get
from litestar.di import NamedDependency
from litestar.handlers import HTTPRouteHandler
from litestar.params import QueryParameter

from api.language import AcceptLanguage, LangQuery, negotiate
from api.openapi import problem_responses
from api.problems import ProblemError
from api.runtime import Runtime
from engine import (
    CatalogEntryFile,
    ObstacleFile,
    RecommendationFile,
    Rule,
    SuccessFactorFile,
    condition_text,
    phase_of_step,
    tests_in,
)
from schemas.catalog import CatalogEntry, RuleCase, RuleDetail, RuleLinks, RuleSummary, SourceView
from schemas.vocabulary import Dimension, Language

__all__ = ["catalog_handlers"]


def _summary(rule: Rule, language: Language) -> dict[str, Any]:
    return {
        "id": rule.id,
        "kind": rule.kind,
        "title": rule.title.in_(language),
        "dimension": rule.dimension,
        "severity": rule.severity,
        "gap_kind": rule.gap_kind,
        "matches": condition_text(rule.condition),
        "indicators": sorted({t.path for t in tests_in(rule.condition)}),
        "requires": sorted(rule.refs),
        "links": RuleLinks(
            obstacles=list(rule.links.obstacles),
            success_factors=list(rule.links.success_factors or rule.present),
            recommendations=list(rule.links.recommendations),
        ),
        "sources": list(rule.sources),
    }


def _entry(
    kind: Literal["obstacle", "success_factor", "recommendation"],
    entry_id: str,
    entry: CatalogEntryFile,
    language: Language,
) -> CatalogEntry:
    fields: dict[str, Any] = {}
    if isinstance(entry, RecommendationFile):
        fields = {
            "action": entry.action.in_(language),
            "rationale": entry.rationale.in_(language),
            "step": entry.step,
            "phase": phase_of_step(entry.step),
            "owner": entry.owner,
        }
    elif isinstance(entry, ObstacleFile | SuccessFactorFile):
        fields = {"description": entry.description.in_(language)}
    return CatalogEntry(
        id=entry_id,
        kind=kind,
        language=language,
        title=entry.title.in_(language),
        sources=list(entry.sources),
        **fields,
    )


def _localized(payload: Any, language: Language) -> Response[Any]:
    return Response(content=payload, headers={"Content-Language": language})


def catalog_handlers() -> list[HTTPRouteHandler]:
    """Build the handlers."""

    @get(
        "/v1/rules",
        tags=["rule base"],
        summary="List rules",
        description="Every rule: what it matches, what it derives and links, and its citations.",
        operation_id="listRules",
        sync_to_thread=False,
        responses=problem_responses(400),
    )
    def list_rules(
        request: Request[Any, Any, Any],
        runtime: NamedDependency[Runtime],
        lang: LangQuery = None,
        accept_language: AcceptLanguage = None,
        kind: Annotated[
            Literal["gap", "escalation", "strength"] | None,
            QueryParameter(description="Only rules of this kind"),
        ] = None,
        dimension: Annotated[
            Dimension | None, QueryParameter(description="Only rules of this dimension")
        ] = None,
    ) -> Response[list[RuleSummary]]:
        language = negotiate(lang, accept_language)
        rules = [
            RuleSummary(**_summary(rule, language))
            for rule in runtime.engine_for(request).ruleset.rules
            if (kind is None or rule.kind == kind) and (dimension in (None, rule.dimension))
        ]
        return _localized(rules, language)

    @get(
        "/v1/rules/{rule_id:path}",
        tags=["rule base"],
        summary="Get a rule",
        description="One rule by id (its path under rules/logic/), with its named cases.",
        operation_id="getRule",
        sync_to_thread=False,
        responses=problem_responses(400, 404),
    )
    def get_rule(
        rule_id: str,
        request: Request[Any, Any, Any],
        runtime: NamedDependency[Runtime],
        lang: LangQuery = None,
        accept_language: AcceptLanguage = None,
    ) -> Response[RuleDetail]:
        language = negotiate(lang, accept_language)
        rule = runtime.engine_for(request).ruleset.by_id.get(rule_id.strip("/"))
        if rule is None:
            raise ProblemError(404, "rule-not-found", f"no rule {rule_id.strip('/')!r}")
        cases = [RuleCase(name=c.name, input=c.input, fires=c.fires) for c in rule.cases]
        return _localized(RuleDetail(**_summary(rule, language), cases=cases), language)

    def entries(kind: Literal["obstacle", "success_factor", "recommendation"], path: str) -> Any:
        @get(
            f"/v1/catalog/{path}",
            tags=["rule base"],
            summary=f"List {path.replace('-', ' ')}",
            description=f"Every {kind.replace('_', ' ')} in the catalog, with its citations.",
            operation_id=f"list_{kind}s",
            sync_to_thread=False,
            responses=problem_responses(400),
        )
        def handler(
            request: Request[Any, Any, Any],
            runtime: NamedDependency[Runtime],
            lang: LangQuery = None,
            accept_language: AcceptLanguage = None,
        ) -> Response[list[CatalogEntry]]:
            language = negotiate(lang, accept_language)
            ruleset = runtime.engine_for(request).ruleset
            catalog = {
                "obstacle": ruleset.obstacles,
                "success_factor": ruleset.success_factors,
                "recommendation": ruleset.recommendations,
            }[kind]
            items = [_entry(kind, eid, e, language) for eid, e in catalog.items()]
            return _localized(items, language)

        return handler

    @get(
        "/v1/sources",
        tags=["rule base"],
        summary="List source documents",
        description="The documents every citation points into.",
        operation_id="listSources",
        sync_to_thread=False,
    )
    def list_sources(
        request: Request[Any, Any, Any], runtime: NamedDependency[Runtime]
    ) -> list[SourceView]:
        return [
            SourceView(
                id=sid,
                title=doc.title,
                publisher=doc.publisher,
                year=doc.year,
                language=doc.language,
                elements=len(doc.elements),
            )
            for sid, doc in runtime.engine_for(request).ruleset.sources.items()
        ]

    return [
        list_rules,
        get_rule,
        entries("obstacle", "obstacles"),
        entries("success_factor", "success-factors"),
        entries("recommendation", "recommendations"),
        list_sources,
    ]
