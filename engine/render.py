"""The result as JSON, assembled from fragments prepared when the ruleset is loaded.

Most of a result's bytes are catalogue texts and citations that depend only on the ruleset and the
language: the title, action and rationale of a recommendation, its sources, and so on. They are
encoded once per language, the first time a language is asked for, into fragments that end where
a per-assessment value begins (a severity, a rank, a list of gap ids). An assessment then costs the
linking of what fired and one string join: no model objects, no re-encoding of texts.

The output is exactly `AssessmentResult.model_dump_json()` of the same result; the tests hold it to
that (`tests/engine/test_render.py`). Fragments are made with the same encoder (pydantic_core), and
the values joined in by hand are ids, indicator paths and scale values, which `_SAFE` checks need
no escaping in JSON.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from operator import itemgetter
from typing import Any

from pydantic_core import to_json

from engine.conditions import tests_in
from engine.ranking import (
    ESCALATION_POINTS,
    MAX_OBSTACLES_COUNTED,
    OBSTACLE_POINTS,
    PLANNING_POINTS,
    SEVERITY_POINTS,
    priority_of,
)
from engine.ruleset import Rule, Ruleset, phase_of_step
from engine.scoring import Blocker, readiness_data
from schemas.vocabulary import SEVERITIES, Language, Severity

__all__ = ["Fragments", "RuleFacts", "render"]

_SAFE = re.compile(r"[a-z0-9_./-]*")
"""What may be written into JSON between quotes as it is."""
_SEVERITY_ORDER = {severity: n for n, severity in enumerate(SEVERITIES)}
_SEVERITY_BYTES = {severity: severity.encode() for severity in SEVERITIES}
_PRIORITY_BYTES = {p: p.encode() for p in ("critical", "high", "medium", "low")}
_DERIVED = b',"derived_from":'

MEMO_ENTRIES = 64
"""How many rendered variants of one rule or catalogue entry are kept, per language.

An entry's JSON is a pure function of a few closed-scale answers (a gap: the answers it tests) or
of which rules link it (a recommendation: the gaps it closes, the escalations that raise it, the
worst severity), so assessments share them. A variant past this bound is rendered and not kept:
the memory is bounded (at most this many variants of each entry, each a few hundred bytes to a
few kilobytes), and an unusual assessment costs only the rendering it would cost anyway.
"""


def _json(value: Any) -> str:
    return to_json(value).decode()


def _b(text: str) -> bytes:
    return text.encode()


def _safe(value: str) -> str:
    if not _SAFE.fullmatch(value):
        raise ValueError(f"{value!r} would need escaping in JSON")
    return value


def _ids(ids: Iterable[str]) -> bytes:
    """A JSON list of ids already checked by `_safe` (rule and catalogue ids are)."""
    joined = '","'.join(ids)
    return f'["{joined}"]'.encode() if joined else b"[]"


class RuleFacts:
    """What a result needs of one rule, prepared once: links, evidence tests, severity."""

    __slots__ = (
        "answers_of",
        "dimension",
        "evidence",
        "gap_kind",
        "id",
        "key",
        "kind",
        "memo_key",
        "obstacle_set",
        "obstacles",
        "present",
        "recommendations",
        "refs",
        "severity",
        "severity_by",
        "success_factor_set",
        "success_factors",
    )

    def __init__(self, rule: Rule) -> None:
        self.id = _safe(rule.id)
        self.kind = rule.kind
        self.key = f"{rule.kind}:{rule.id}"
        self.memo_key = f"rule:{rule.id}"
        self.dimension = rule.dimension
        self.gap_kind = rule.gap_kind or "missing"
        self.present = tuple(_safe(sf) for sf in rule.present)
        self.obstacles = tuple(_safe(o) for o in rule.links.obstacles)
        self.success_factors = (
            tuple(_safe(sf) for sf in rule.links.success_factors) if rule.kind == "gap" else ()
        )
        self.recommendations = tuple(_safe(r) for r in rule.links.recommendations)
        self.obstacle_set = frozenset(self.obstacles)
        self.success_factor_set = frozenset(self.success_factors)
        self.severity = rule.severity
        self.severity_by = rule.severity_by_value
        # (`gap:x`, x) for each derived fact the condition needs, ordered by id.
        self.refs = tuple(
            sorted(((ref, _safe(ref.split(":", 1)[1])) for ref in rule.refs), key=_second)
        )
        # Evidence: an indicator is shown when any test of it in the condition holds, i.e. when
        # its value is in the union of the tested values; paths sorted as the result lists them.
        union: dict[str, set[str]] = {}
        for test in tests_in(rule.condition):
            union.setdefault(_safe(test.path), set()).update(_safe(v) for v in test.values)
        self.evidence = tuple((path, frozenset(union[path])) for path in sorted(union))
        # The answers that decide this rule's entry in a result: its evidence and its severity.
        decisive = sorted(
            {*union, *([rule.severity_by_value[0]] if rule.severity_by_value else [])}
        )
        self.answers_of = itemgetter(*decisive) if decisive else _nothing

    def severity_of(self, values: Mapping[str, str]) -> Severity:
        """The severity of the gap or escalation for these answers."""
        severity = self.severity
        if self.severity_by is not None:
            path, by_value = self.severity_by
            severity = by_value.get(values[path], severity)
        assert severity is not None  # noqa: S101 - gap and escalation rules have one
        return severity

    def evidence_json(self, values: Mapping[str, str]) -> bytes:
        """The tested indicators whose values made a test hold, as a JSON object by path."""
        found = [
            f'"{path}":"{values[path]}"'
            for path, accepted in self.evidence
            if values[path] in accepted
        ]
        return ("{" + ",".join(found) + "}").encode()


def _nothing(values: Mapping[str, str]) -> tuple[()]:
    return ()


def _second(pair: tuple[str, str]) -> str:
    return pair[1]


class Fragments:
    """The encoded texts and citations of one ruleset in one language."""

    def __init__(
        self, ruleset: Ruleset, language: Language, memo_entries: int = MEMO_ENTRIES
    ) -> None:
        self.language = language
        self.memo_entries = memo_entries
        # Rendered entries by what decides them, per rule and catalogue entry (see MEMO_ENTRIES).
        self.entry_memo: dict[str, dict[Any, Any]] = {
            key: {}
            for key in (
                *(f"rule:{r.id}" for r in ruleset.rules),
                *(f"obstacle:{o}" for o in ruleset.obstacles),
                *(f"success_factor:{sf}" for sf in ruleset.success_factors),
                *(f"recommendation:{r}" for r in ruleset.recommendations),
            )
        }
        info = _json(ruleset.info.model_dump(mode="json"))
        self.head = _b(f'{{"language":{_json(language)},"ruleset":{info}')
        self.gap: dict[str, tuple[bytes, bytes, bytes]] = {}
        self.escalation: dict[str, tuple[bytes, bytes, bytes]] = {}
        for rule in ruleset.rules:
            head = (
                f'{{"id":{_json(rule.id)},"title":{_json(rule.title.in_(language))},'
                f'"dimension":{_json(rule.dimension)},"severity":"'
            )
            sources = _json([c.model_dump(mode="json") for c in rule.sources])
            if rule.kind == "gap":
                kind = _json(rule.gap_kind or "missing")
                self.gap[rule.id] = (
                    _b(head),
                    _b(f'","kind":{kind},"evidence":'),
                    _b(f',"sources":{sources}}}'),
                )
            elif rule.kind == "escalation":
                raises = _json(list(rule.links.recommendations))
                self.escalation[rule.id] = (
                    _b(head),
                    b'","evidence":',
                    _b(f',"raises":{raises},"sources":{sources}}}'),
                )
        self.obstacle = {
            oid: (
                _b(
                    f'{{"id":{_json(oid)},"title":{_json(e.title.in_(language))},'
                    f'"description":{_json(e.description.in_(language))},"gaps":'
                ),
                _b(f',"sources":{_json([c.model_dump(mode="json") for c in e.sources])}}}'),
            )
            for oid, e in ruleset.obstacles.items()
        }
        self.success_factor = {
            sid: (
                _b(
                    f'{{"id":{_json(sid)},"title":{_json(e.title.in_(language))},'
                    f'"description":{_json(e.description.in_(language))},"status":"'
                ),
                _b(f',"sources":{_json([c.model_dump(mode="json") for c in e.sources])}}}'),
            )
            for sid, e in ruleset.success_factors.items()
        }
        self.recommendation = {
            rid: (
                _b(
                    f'{{"id":{_json(rid)},"title":{_json(e.title.in_(language))},'
                    f'"action":{_json(e.action.in_(language))},'
                    f'"rationale":{_json(e.rationale.in_(language))},"priority":"'
                ),
                _b(
                    f',"phase":{phase_of_step(e.step)},"step":{e.step},"owner":{_json(e.owner)},'
                    '"closes_gaps":'
                ),
                _b(f',"sources":{_json([c.model_dump(mode="json") for c in e.sources])}}}'),
                e.step,
            )
            for rid, e in ruleset.recommendations.items()
        }


def _by_severity(item: tuple[int, str, bytes]) -> tuple[int, str]:
    return item[0], item[1]


def render(
    facts: Mapping[str, RuleFacts],
    fragments: Fragments,
    ruleset: Ruleset,
    values: Mapping[str, str],
    fired: Sequence[str],
    trace: list[dict[str, Any]] | None,
) -> bytes:
    """Return the result JSON for the rules `fired`, in firing order, and the answers `values`."""
    gaps: list[tuple[int, str, bytes]] = []
    escalations: list[tuple[int, str, bytes]] = []
    derived: set[str] = set()
    blockers: list[Blocker] = []
    obstacle_from: dict[str, set[str]] = {}
    missing_from: dict[str, set[str]] = {}
    present_from: dict[str, set[str]] = {}
    rec_gaps: dict[str, set[str]] = {}
    rec_escalations: dict[str, set[str]] = {}
    rec_severity: dict[str, int] = {}
    linked: dict[str, RuleFacts] = {}
    memo = fragments.entry_memo
    room = fragments.memo_entries
    for rule_id in fired:
        rule = facts[rule_id]
        # A rule's refs that had fired by then are what it was chained from.
        chained = (
            tuple([ref_id for ref, ref_id in rule.refs if ref in derived]) if rule.refs else ()
        )
        derived.add(rule.key)
        if rule.kind == "strength":
            for sf in rule.present:
                present_from.setdefault(sf, set()).add(rule_id)
            continue
        variants = memo[rule.memo_key]
        key = (rule.answers_of(values), chained)
        rendered = variants.get(key)
        if rendered is None:
            rendered = _render_rule(rule, fragments, values, chained)
            if len(variants) < room:
                variants[key] = rendered
        rank, item = rendered
        linked[rule_id] = rule
        for obstacle in rule.obstacles:
            obstacle_from.setdefault(obstacle, set()).add(rule_id)
        for sf in rule.success_factors:
            missing_from.setdefault(sf, set()).add(rule_id)
        target = rec_gaps if rule.kind == "gap" else rec_escalations
        for rec in rule.recommendations:
            target.setdefault(rec, set()).add(rule_id)
            if rank < rec_severity.get(rec, 99):
                rec_severity[rec] = rank
        if rank == 0 and rule.gap_kind != "unknown":  # blocking
            blockers.append((rule_id, rule.dimension))
        (gaps if rule.kind == "gap" else escalations).append((rank, rule_id, item))
    gaps.sort(key=_by_severity)
    escalations.sort(key=_by_severity)
    readiness = to_json(readiness_data(values, blockers, ruleset.scoring))
    parts: list[bytes] = [
        fragments.head,
        b',"readiness":',
        readiness,
        b',"gaps":[',
        b",".join([g[2] for g in gaps]),
        b'],"escalations":[',
        b",".join([e[2] for e in escalations]),
        b'],"obstacles":[',
        _obstacles(fragments, obstacle_from),
        b'],"success_factors":[',
        _success_factors(fragments, missing_from, present_from),
        b'],"recommendations":[',
        _recommendations(fragments, linked, rec_gaps, rec_escalations, rec_severity),
        b'],"trace":',
        b"null" if trace is None else to_json(trace),
        b"}",
    ]
    return b"".join(parts)


def _render_rule(
    rule: RuleFacts, fragments: Fragments, values: Mapping[str, str], chained: tuple[str, ...]
) -> tuple[int, bytes]:
    severity = rule.severity_of(values)
    if rule.kind == "gap":
        head, middle, tail = fragments.gap[rule.id]
    else:
        head, middle, tail = fragments.escalation[rule.id]
    item = b"".join(
        (
            head,
            _SEVERITY_BYTES[severity],
            middle,
            rule.evidence_json(values),
            _DERIVED,
            _ids(chained),
            tail,
        )
    )
    return _SEVERITY_ORDER[severity], item


def _obstacles(fragments: Fragments, obstacle_from: dict[str, set[str]]) -> bytes:
    ordered = sorted(obstacle_from.items(), key=lambda item: (-len(item[1]), item[0]))
    memo = fragments.entry_memo
    room = fragments.memo_entries
    rendered = []
    for oid, from_rules in ordered:
        variants = memo["obstacle:" + oid]
        key = frozenset(from_rules)
        item = variants.get(key)
        if item is None:
            head, tail = fragments.obstacle[oid]
            item = b"".join((head, _ids(sorted(from_rules)), tail))
            if len(variants) < room:
                variants[key] = item
        rendered.append(item)
    return b",".join(rendered)


def _success_factors(
    fragments: Fragments, missing_from: dict[str, set[str]], present_from: dict[str, set[str]]
) -> bytes:
    memo = fragments.entry_memo
    room = fragments.memo_entries
    rendered = []
    # Missing ones first, then those only present, each by id.
    for sid in (*sorted(missing_from), *sorted(present_from.keys() - missing_from.keys())):
        variants = memo["success_factor:" + sid]
        missing = missing_from.get(sid)
        present = present_from.get(sid)
        key = (frozenset(missing) if missing else None, frozenset(present) if present else None)
        item = variants.get(key)
        if item is None:
            head, tail = fragments.success_factor[sid]
            status = b'missing","gaps":' if missing else b'present","gaps":'
            gaps = _ids(sorted(missing or ()))
            rules = _ids(sorted(present or ()))
            item = b"".join((head, status, gaps, b',"rules":', rules, tail))
            if len(variants) < room:
                variants[key] = item
        rendered.append(item)
    return b",".join(rendered)


def _recommendations(
    fragments: Fragments,
    linked: dict[str, RuleFacts],
    rec_gaps: dict[str, set[str]],
    rec_escalations: dict[str, set[str]],
    rec_severity: dict[str, int],
) -> bytes:
    memo = fragments.entry_memo
    room = fragments.memo_entries
    drafts = []
    for rid in rec_gaps.keys() | rec_escalations.keys():
        variants = memo["recommendation:" + rid]
        closing = rec_gaps.get(rid)
        raising = rec_escalations.get(rid)
        rank = rec_severity[rid]
        key = (
            frozenset(closing) if closing else None,
            frozenset(raising) if raising else None,
            rank,
        )
        draft = variants.get(key)
        if draft is None:
            draft = _render_recommendation(fragments, linked, rid, closing, raising, rank)
            if len(variants) < room:
                variants[key] = draft
        drafts.append(draft)
    # Highest score first; at equal score the earlier step, then the id, so the order is total.
    drafts.sort(key=_draft_order)
    return b",".join(
        [
            b'%s%s","rank":%d%s' % (head, priority, rank, body)
            for rank, (_, _, _, head, priority, body) in enumerate(drafts, start=1)
        ]
    )


def _render_recommendation(
    fragments: Fragments,
    linked: dict[str, RuleFacts],
    rid: str,
    closing: set[str] | None,
    raising: set[str] | None,
    rank: int,
) -> tuple[int, int, str, bytes, bytes, bytes]:
    """Everything of a recommendation's JSON but its rank, with what it is sorted by."""
    head, middle, tail, step = fragments.recommendation[rid]
    closes = sorted(closing) if closing else []
    raised_by = sorted(raising) if raising else []
    related = [linked[r] for r in (*closes, *raised_by)]
    obstacle_ids = sorted(frozenset().union(*[r.obstacle_set for r in related]))
    factor_ids = sorted(frozenset().union(*[r.success_factor_set for r in related]))
    severity = SEVERITIES[rank]
    escalated = bool(raised_by)
    # The score components, as `engine.ranking.score_parts` documents them.
    points = SEVERITY_POINTS[severity]
    phase = PLANNING_POINTS if step <= 10 else 0
    escalation = ESCALATION_POINTS if escalated else 0
    obstacles = OBSTACLE_POINTS * min(len(obstacle_ids), MAX_OBSTACLES_COUNTED)
    total = points + phase + escalation + obstacles
    body = b"".join(
        (
            middle,
            _ids(closes),
            b',"escalations":',
            _ids(raised_by),
            b',"obstacles":',
            _ids(obstacle_ids),
            b',"success_factors":',
            _ids(factor_ids),
            b',"score":{"severity":%d,"phase":%d,"escalation":%d,"obstacles":%d,"total":%d}'
            % (points, phase, escalation, obstacles, total),
            tail,
        )
    )
    return (-total, step, rid, head, _PRIORITY_BYTES[priority_of(severity, escalated)], body)


def _draft_order(draft: tuple[int, int, str, bytes, bytes, bytes]) -> tuple[int, int, str]:
    return draft[0], draft[1], draft[2]
