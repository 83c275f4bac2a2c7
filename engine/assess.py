"""The engine: evaluate an assessment with the rules and build the cited, ranked result."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from pathlib import Path

from engine._durable import DurableBackend
from engine.backend import Backend, Firing, facts_needed
from engine.conditions import Test, evidence
from engine.indicators import facts_of, values_of
from engine.loader import load_ruleset
from engine.ranking import priority_of, score
from engine.ruleset import Rule, Ruleset, phase_of_step
from engine.scoring import Blocker, readiness
from schemas.assessment import AssessmentRequest
from schemas.result import (
    AssessmentResult,
    Escalation,
    Gap,
    Obstacle,
    Recommendation,
    SuccessFactor,
    TraceEntry,
)
from schemas.vocabulary import SEVERITIES, Language, Severity

__all__ = ["Engine"]


class Engine:
    """Assesses readiness with one ruleset on one backend. Safe to share between threads."""

    def __init__(self, ruleset: Ruleset, backend: Backend | None = None) -> None:
        self.ruleset = ruleset
        self.backend: Backend = backend or DurableBackend(ruleset)
        self._facts = facts_needed(ruleset)
        self._fields = {rule.id: _fields_tested(rule) for rule in ruleset.rules}

    @classmethod
    def from_folder(cls, root: Path | None = None) -> Engine:
        """Load the rules folder at `root` (default: the shipped one) on the durable backend."""
        return cls(load_ruleset(root))

    def assess(
        self, request: AssessmentRequest, *, language: Language = "en", explain: bool = False
    ) -> AssessmentResult:
        """Evaluate `request` and return its result, texts in `language`.

        Raises:
            EvaluationError: When the backend or a rule action fails.
        """
        values = values_of(request)
        firings = self.backend.evaluate(self.facts_for(values))
        result = _Builder(self.ruleset, values, language).build(firings)
        if explain:
            trace = [
                TraceEntry(order=i, rule=f.rule, matched=self._restrict(f))
                for i, f in enumerate(firings, start=1)
            ]
            result = result.model_copy(update={"trace": trace})
        return result

    def close(self) -> None:
        """Release the backend (after a reload replaced this engine)."""
        self.backend.close()

    def facts_for(self, values: Mapping[str, str]) -> list[dict[str, str]]:
        """Return the facts an evaluation asserts for indicator `values`: those a rule tests."""
        return facts_of(values, self._facts)

    def _restrict(self, firing: Firing) -> dict[str, dict[str, str]]:
        fields = self._fields[firing.rule]
        restricted: dict[str, dict[str, str]] = {}
        for fact in firing.matched.values():
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


def _worst(severities: list[Severity]) -> Severity:
    return min(severities, key=SEVERITIES.index)


class _Builder:
    """Collects what the fired rules derived and links it to the catalogue."""

    def __init__(self, ruleset: Ruleset, values: Mapping[str, str], language: Language) -> None:
        self.rs = ruleset
        self.values = values
        self.lang = language
        self.obstacle_from: dict[str, list[str]] = defaultdict(list)
        self.missing_from: dict[str, list[str]] = defaultdict(list)
        self.present_from: dict[str, list[str]] = defaultdict(list)
        self.rec_gaps: dict[str, list[str]] = defaultdict(list)
        self.rec_escalations: dict[str, list[str]] = defaultdict(list)
        self.rec_severities: dict[str, list[Severity]] = defaultdict(list)
        self.links_of: dict[str, Rule] = {}

    def build(self, firings: list[Firing]) -> AssessmentResult:
        gaps: list[Gap] = []
        escalations: list[Escalation] = []
        derived: set[str] = set()
        blockers: list[Blocker] = []
        for firing in firings:
            rule = self.rs.by_id[firing.rule]
            # A rule's refs that had fired by then are what it was chained from.
            chained = sorted(ref.split(":", 1)[1] for ref in rule.refs if ref in derived)
            derived.add(f"{rule.kind}:{rule.id}")
            if rule.kind == "strength":
                for sf in rule.present:
                    self.present_from[sf].append(rule.id)
                continue
            severity = rule.severity_for(self.values)
            assert severity is not None  # noqa: S101 - gap and escalation rules have one
            self._link(rule, severity)
            if severity == "blocking" and rule.gap_kind != "unknown":
                blockers.append((rule.id, rule.dimension))
            title = rule.title.in_(self.lang)
            found = evidence(rule.condition, self.values)
            sources = list(rule.sources)
            if rule.kind == "gap":
                gap = Gap(
                    id=rule.id, title=title, dimension=rule.dimension, severity=severity,
                    kind=rule.gap_kind or "missing", evidence=found, derived_from=chained,
                    sources=sources,
                )  # fmt: skip
                gaps.append(gap)
            else:
                escalation = Escalation(
                    id=rule.id, title=title, dimension=rule.dimension, severity=severity,
                    evidence=found, derived_from=chained, sources=sources,
                    raises=list(rule.links.recommendations),
                )  # fmt: skip
                escalations.append(escalation)
        by_severity = lambda item: (SEVERITIES.index(item.severity), item.id)  # noqa: E731
        return AssessmentResult(
            language=self.lang,
            ruleset=self.rs.info,
            readiness=readiness(self.values, blockers, self.rs.scoring),
            gaps=sorted(gaps, key=by_severity),
            escalations=sorted(escalations, key=by_severity),
            obstacles=self._obstacles(),
            success_factors=self._success_factors(),
            recommendations=self._recommendations(),
        )

    def _link(self, rule: Rule, severity: Severity) -> None:
        self.links_of[rule.id] = rule
        for obstacle in rule.links.obstacles:
            self.obstacle_from[obstacle].append(rule.id)
        if rule.kind == "gap":
            for sf in rule.links.success_factors:
                self.missing_from[sf].append(rule.id)
        target = self.rec_gaps if rule.kind == "gap" else self.rec_escalations
        for rec in rule.links.recommendations:
            target[rec].append(rule.id)
            self.rec_severities[rec].append(severity)

    def _obstacles(self) -> list[Obstacle]:
        items = [
            Obstacle(
                id=oid,
                title=entry.title.in_(self.lang),
                description=entry.description.in_(self.lang),
                gaps=sorted(set(self.obstacle_from[oid])),
                sources=list(entry.sources),
            )
            for oid, entry in ((o, self.rs.obstacles[o]) for o in self.obstacle_from)
        ]
        return sorted(items, key=lambda o: (-len(o.gaps), o.id))

    def _success_factors(self) -> list[SuccessFactor]:
        items = []
        for sid in sorted(set(self.missing_from) | set(self.present_from)):
            entry = self.rs.success_factors[sid]
            missing = sorted(set(self.missing_from.get(sid, [])))
            items.append(
                SuccessFactor(
                    id=sid,
                    title=entry.title.in_(self.lang),
                    description=entry.description.in_(self.lang),
                    status="missing" if missing else "present",
                    gaps=missing,
                    rules=sorted(set(self.present_from.get(sid, []))),
                    sources=list(entry.sources),
                )
            )
        return sorted(items, key=lambda s: (s.status != "missing", s.id))

    def _recommendations(self) -> list[Recommendation]:
        drafts = []
        for rid in set(self.rec_gaps) | set(self.rec_escalations):
            entry = self.rs.recommendations[rid]
            closes = sorted(set(self.rec_gaps.get(rid, [])))
            raised_by = sorted(set(self.rec_escalations.get(rid, [])))
            related = [self.links_of[r] for r in (*closes, *raised_by)]
            obstacles = sorted({o for r in related for o in r.links.obstacles})
            factors = sorted(
                {sf for r in related if r.kind == "gap" for sf in r.links.success_factors}
            )
            severity = _worst(self.rec_severities[rid])
            parts = score(severity, entry.step, bool(raised_by), len(obstacles))
            drafts.append((rid, entry, closes, raised_by, obstacles, factors, severity, parts))
        # Highest score first; at equal score the earlier step, then the id, so the order is total.
        drafts.sort(key=lambda d: (-d[7].total, d[1].step, d[0]))
        return [
            Recommendation(
                id=rid,
                title=entry.title.in_(self.lang),
                action=entry.action.in_(self.lang),
                rationale=entry.rationale.in_(self.lang),
                priority=priority_of(severity, bool(raised_by)),
                rank=rank,
                phase=phase_of_step(entry.step),
                step=entry.step,
                owner=entry.owner,
                closes_gaps=closes,
                escalations=raised_by,
                obstacles=obstacles,
                success_factors=factors,
                score=parts,
                sources=list(entry.sources),
            )
            for rank, (
                rid,
                entry,
                closes,
                raised_by,
                obstacles,
                factors,
                severity,
                parts,
            ) in enumerate(drafts, start=1)
        ]
