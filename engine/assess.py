"""The engine: evaluate an assessment with the rules and build the cited, ranked result."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic_core import to_json

from engine.backend import Backend, fields_needed
from engine.conditions import Test, tests_in
from engine.indicators import INDICATORS, values_of
from engine.loader import load_ruleset
from engine.ranking import priority_of, score_parts
from engine.ruleset import Rule, Ruleset, phase_of_step
from engine.scoring import Blocker, readiness_data
from schemas.assessment import AssessmentRequest
from schemas.citation import Citation
from schemas.result import AssessmentResult
from schemas.vocabulary import SEVERITIES, Language, Severity

__all__ = ["BACKENDS", "Engine", "make_backend"]

BACKENDS = ("durable", "compiled")
"""The names of the rule-evaluation backends; `durable` is the default."""


def make_backend(name: str, ruleset: Ruleset) -> Backend:
    """Return a new backend called `name` (one of `BACKENDS`) for `ruleset`.

    Raises:
        ValueError: For an unknown name.
    """
    if name == "durable":
        from engine._durable import DurableBackend

        return DurableBackend(ruleset)
    if name == "compiled":
        from engine.compiled import CompiledBackend

        return CompiledBackend(ruleset)
    raise ValueError(f"no engine backend {name!r}; choose one of {', '.join(BACKENDS)}")


class Engine:
    """Assesses readiness with one ruleset on one backend. Safe to share between threads."""

    def __init__(self, ruleset: Ruleset, backend: Backend | str = "durable") -> None:
        self.ruleset = ruleset
        self.backend: Backend = (
            make_backend(backend, ruleset) if isinstance(backend, str) else backend
        )
        needed = fields_needed(ruleset)
        # (fact, [(field, path), ...]) in schema order: only what some rule tests is asserted.
        layout: dict[str, list[tuple[str, str]]] = {}
        for indicator in INDICATORS:
            if indicator.field in needed.get(indicator.fact, ()):
                layout.setdefault(indicator.fact, []).append((indicator.field, indicator.path))
        self._layout = tuple((fact, tuple(fields)) for fact, fields in layout.items())
        self._fields = {rule.id: _fields_tested(rule) for rule in ruleset.rules}
        self._rule_facts = {rule.id: _RuleFacts(rule) for rule in ruleset.rules}
        self._ruleset_info = ruleset.info.model_dump(mode="json")
        self._texts: dict[str, _Texts] = {}

    @classmethod
    def from_folder(cls, root: Path | None = None, backend: str = "durable") -> Engine:
        """Load the rules folder at `root` (default: the shipped one) on `backend`."""
        return cls(load_ruleset(root), backend)

    def assess(
        self, request: AssessmentRequest, *, language: Language = "en", explain: bool = False
    ) -> AssessmentResult:
        """Evaluate `request` and return its result, texts in `language`, as a typed model.

        Raises:
            EvaluationError: When the backend or a rule action fails.
        """
        return AssessmentResult.model_validate(
            self.assess_data(request, language=language, explain=explain)
        )

    def assess_json(
        self, request: AssessmentRequest, *, language: Language = "en", explain: bool = False
    ) -> bytes:
        """Evaluate `request` and return its result as JSON, without building the models.

        The bytes are exactly what `assess(...).model_dump_json()` gives.

        Raises:
            EvaluationError: When the backend or a rule action fails.
        """
        return to_json(self.assess_data(request, language=language, explain=explain))

    def assess_data(
        self, request: AssessmentRequest, *, language: Language = "en", explain: bool = False
    ) -> dict[str, Any]:
        """Evaluate `request` and return the plain data of its `AssessmentResult`.

        The data shares prepared texts and citations with other results: read it, encode it,
        or validate it, but do not change it.

        Raises:
            EvaluationError: When the backend or a rule action fails.
        """
        values = values_of(request)
        evaluation = self.backend.evaluate(self.facts_for(values))
        texts = self._texts.get(language)
        if texts is None:
            texts = self._texts[language] = _Texts(self.ruleset, language)
        result = _build(self, texts, values, evaluation.rules, language)
        if explain:
            result["trace"] = [
                {
                    "order": i + 1,
                    "rule": rule,
                    "matched": self._restrict(rule, evaluation.matched(i)),
                }
                for i, rule in enumerate(evaluation.rules)
            ]
        return result

    def close(self) -> None:
        """Release the backend (after a reload replaced this engine)."""
        self.backend.close()

    def facts_for(self, values: Mapping[str, str]) -> list[dict[str, str]]:
        """Return the facts an evaluation asserts for indicator `values`.

        One fact per model of the assessment that some rule tests, holding only the fields rules
        test, plus `t`, the fact name.
        """
        facts = []
        for fact, fields in self._layout:
            item = {"t": fact}
            for field, path in fields:
                item[field] = values[path]
            facts.append(item)
        return facts

    def _restrict(self, rule: str, matched: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
        fields = self._fields[rule]
        restricted: dict[str, dict[str, str]] = {}
        for fact in matched.values():
            name = f"{fact['t']}:{fact['ref']}" if "ref" in fact else fact["t"]
            tested = fields.get(fact["t"], ())
            restricted[name] = {k: v for k, v in fact.items() if k in tested}
        return restricted


def _fields_tested(rule: Rule) -> dict[str, set[str]]:
    fields: dict[str, set[str]] = defaultdict(set)
    stack: list[object] = [t for alt in rule.alternatives for m in alt.matchers for t in m.tests]
    while stack:
        node = stack.pop()
        if isinstance(node, Test):
            fact, field = node.path.rsplit(".", 1)
            fields[fact].add(field)
        else:
            stack.extend(getattr(node, "parts", ()))
    return dict(fields)


class _RuleFacts:
    """What the result needs of one rule, prepared once: links, evidence tests, severity."""

    __slots__ = (
        "dimension",
        "evidence",
        "gap_kind",
        "id",
        "key",
        "kind",
        "links",
        "obstacle_set",
        "obstacles",
        "present",
        "raises",
        "recommendations",
        "refs",
        "rule",
        "severity",
        "severity_by",
        "success_factor_set",
        "success_factors",
    )

    def __init__(self, rule: Rule) -> None:
        self.rule = rule
        self.id = rule.id
        self.kind = rule.kind
        self.key = f"{rule.kind}:{rule.id}"
        self.dimension = rule.dimension
        self.gap_kind = rule.gap_kind or "missing"
        self.present = rule.present
        self.obstacles = rule.links.obstacles
        self.success_factors = rule.links.success_factors if rule.kind == "gap" else ()
        self.recommendations = rule.links.recommendations
        self.raises = list(rule.links.recommendations)
        self.obstacle_set = frozenset(self.obstacles)
        self.success_factor_set = frozenset(self.success_factors)
        self.severity = rule.severity
        self.severity_by = rule.severity_by_value
        # (`gap:x`, x) for each derived fact the condition needs, ordered by id.
        self.refs = tuple(sorted(((ref, ref.split(":", 1)[1]) for ref in rule.refs), key=_second))
        # Evidence: an indicator is shown when any test of it in the condition holds, i.e. when
        # its value is in the union of the tested values; paths sorted as the result lists them.
        union: dict[str, set[str]] = {}
        for test in tests_in(rule.condition):
            union.setdefault(test.path, set()).update(test.values)
        self.evidence = tuple((path, frozenset(union[path])) for path in sorted(union))

    def severity_of(self, values: Mapping[str, str]) -> Severity:
        """The severity of the gap or escalation for these answers."""
        severity = self.severity
        if self.severity_by is not None:
            path, by_value = self.severity_by
            severity = by_value.get(values[path], severity)
        assert severity is not None  # noqa: S101 - gap and escalation rules have one
        return severity

    def evidence_of(self, values: Mapping[str, str]) -> dict[str, str]:
        """The tested indicators whose values made a test hold, by path."""
        found = {}
        for path, accepted in self.evidence:
            value = values[path]
            if value in accepted:
                found[path] = value
        return found


def _second(pair: tuple[str, str]) -> str:
    return pair[1]


_SEVERITY_ORDER = {severity: n for n, severity in enumerate(SEVERITIES)}


class _Texts:
    """Every text and citation a result may need, in one language, as ready-to-encode data."""

    def __init__(self, ruleset: Ruleset, language: Language) -> None:
        def cites(sources: tuple[Citation, ...] | list[Citation]) -> list[dict[str, Any]]:
            return [c.model_dump(mode="json") for c in sources]

        self.rule_title = {r.id: r.title.in_(language) for r in ruleset.rules}
        self.rule_sources = {r.id: cites(r.sources) for r in ruleset.rules}
        self.obstacles = {
            oid: (e.title.in_(language), e.description.in_(language), cites(e.sources))
            for oid, e in ruleset.obstacles.items()
        }
        self.success_factors = {
            sid: (e.title.in_(language), e.description.in_(language), cites(e.sources))
            for sid, e in ruleset.success_factors.items()
        }
        self.recommendations = {
            rid: (
                e.title.in_(language),
                e.action.in_(language),
                e.rationale.in_(language),
                e.step,
                phase_of_step(e.step),
                e.owner,
                cites(e.sources),
            )
            for rid, e in ruleset.recommendations.items()
        }


def _by_severity(item: dict[str, Any]) -> tuple[int, str]:
    return _SEVERITY_ORDER[item["severity"]], item["id"]


def _build(
    engine: Engine, texts: _Texts, values: Mapping[str, str], fired: list[str], language: Language
) -> dict[str, Any]:
    """Return the plain data of the `AssessmentResult` for rules `fired`, in firing order."""
    facts = engine._rule_facts
    gaps: list[dict[str, Any]] = []
    escalations: list[dict[str, Any]] = []
    derived: set[str] = set()
    blockers: list[Blocker] = []
    obstacle_from: dict[str, set[str]] = {}
    missing_from: dict[str, set[str]] = {}
    present_from: dict[str, set[str]] = {}
    rec_gaps: dict[str, set[str]] = {}
    rec_escalations: dict[str, set[str]] = {}
    rec_severity: dict[str, int] = {}
    linked: dict[str, _RuleFacts] = {}
    for rule_id in fired:
        rule = facts[rule_id]
        # A rule's refs that had fired by then are what it was chained from.
        chained = [ref_id for ref, ref_id in rule.refs if ref in derived]
        derived.add(rule.key)
        if rule.kind == "strength":
            for sf in rule.present:
                present_from.setdefault(sf, set()).add(rule_id)
            continue
        severity = rule.severity_of(values)
        linked[rule_id] = rule
        for obstacle in rule.obstacles:
            obstacle_from.setdefault(obstacle, set()).add(rule_id)
        for sf in rule.success_factors:
            missing_from.setdefault(sf, set()).add(rule_id)
        rank = _SEVERITY_ORDER[severity]
        target = rec_gaps if rule.kind == "gap" else rec_escalations
        for rec in rule.recommendations:
            target.setdefault(rec, set()).add(rule_id)
            if rank < rec_severity.get(rec, 99):
                rec_severity[rec] = rank
        if severity == "blocking" and rule.gap_kind != "unknown":
            blockers.append((rule_id, rule.dimension))
        found = rule.evidence_of(values)
        if rule.kind == "gap":
            gaps.append(
                {
                    "id": rule_id,
                    "title": texts.rule_title[rule_id],
                    "dimension": rule.dimension,
                    "severity": severity,
                    "kind": rule.gap_kind,
                    "evidence": found,
                    "derived_from": chained,
                    "sources": texts.rule_sources[rule_id],
                }
            )
        else:
            escalations.append(
                {
                    "id": rule_id,
                    "title": texts.rule_title[rule_id],
                    "dimension": rule.dimension,
                    "severity": severity,
                    "evidence": found,
                    "derived_from": chained,
                    "raises": rule.raises,
                    "sources": texts.rule_sources[rule_id],
                }
            )
    gaps.sort(key=_by_severity)
    escalations.sort(key=_by_severity)
    return {
        "language": language,
        "ruleset": engine._ruleset_info,
        "readiness": readiness_data(values, blockers, engine.ruleset.scoring),
        "gaps": gaps,
        "escalations": escalations,
        "obstacles": _obstacles(texts, obstacle_from),
        "success_factors": _success_factors(texts, missing_from, present_from),
        "recommendations": _recommendations(texts, linked, rec_gaps, rec_escalations, rec_severity),
        "trace": None,
    }


def _obstacles(texts: _Texts, obstacle_from: dict[str, set[str]]) -> list[dict[str, Any]]:
    obstacles = []
    for oid, from_rules in obstacle_from.items():
        title, description, sources = texts.obstacles[oid]
        obstacles.append(
            {
                "id": oid,
                "title": title,
                "description": description,
                "gaps": sorted(from_rules),
                "sources": sources,
            }
        )
    obstacles.sort(key=lambda o: (-len(o["gaps"]), o["id"]))
    return obstacles


def _success_factors(
    texts: _Texts, missing_from: dict[str, set[str]], present_from: dict[str, set[str]]
) -> list[dict[str, Any]]:
    success_factors = []
    for sid in sorted(missing_from.keys() | present_from.keys()):
        title, description, sources = texts.success_factors[sid]
        missing = sorted(missing_from.get(sid, ()))
        success_factors.append(
            {
                "id": sid,
                "title": title,
                "description": description,
                "status": "missing" if missing else "present",
                "gaps": missing,
                "rules": sorted(present_from.get(sid, ())),
                "sources": sources,
            }
        )
    success_factors.sort(key=lambda f: (f["status"] != "missing", f["id"]))
    return success_factors


def _recommendations(
    texts: _Texts,
    linked: dict[str, _RuleFacts],
    rec_gaps: dict[str, set[str]],
    rec_escalations: dict[str, set[str]],
    rec_severity: dict[str, int],
) -> list[dict[str, Any]]:
    drafts = []
    for rid in rec_gaps.keys() | rec_escalations.keys():
        title, action, rationale, step, phase, owner, sources = texts.recommendations[rid]
        closing = rec_gaps.get(rid)
        raising = rec_escalations.get(rid)
        closes = sorted(closing) if closing else []
        raised_by = sorted(raising) if raising else []
        related = [linked[r] for r in (*closes, *raised_by)]
        if len(related) == 1:
            obstacle_ids = sorted(related[0].obstacle_set)
            factor_ids = sorted(related[0].success_factor_set)
        else:
            obstacle_ids = sorted(frozenset().union(*[r.obstacle_set for r in related]))
            factor_ids = sorted(frozenset().union(*[r.success_factor_set for r in related]))
        severity = SEVERITIES[rec_severity[rid]]
        escalated = bool(raised_by)
        parts = score_parts(severity, step, escalated, len(obstacle_ids))
        drafts.append(
            (
                -parts["total"],
                step,
                rid,
                {
                    "id": rid,
                    "title": title,
                    "action": action,
                    "rationale": rationale,
                    "priority": priority_of(severity, escalated),
                    "rank": 0,
                    "phase": phase,
                    "step": step,
                    "owner": owner,
                    "closes_gaps": closes,
                    "escalations": raised_by,
                    "obstacles": obstacle_ids,
                    "success_factors": factor_ids,
                    "score": parts,
                    "sources": sources,
                },
            )
        )
    # Highest score first; at equal score the earlier step, then the id, so the order is total.
    drafts.sort(key=_draft_order)
    recommendations = []
    for rank, draft in enumerate(drafts, start=1):
        item = draft[3]
        item["rank"] = rank
        recommendations.append(item)
    return recommendations


def _draft_order(draft: tuple[int, int, str, dict[str, Any]]) -> tuple[int, int, str]:
    return draft[0], draft[1], draft[2]
