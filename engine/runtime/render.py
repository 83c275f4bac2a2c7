"""The result as JSON, assembled from fragments prepared when the ruleset is loaded.

Most of a result's bytes are catalogue texts and citations that depend only on the ruleset and the
language: the title, action and rationale of a recommendation, its sources, and so on. They are
encoded for every language when the ruleset is loaded, into fragments that end where a
per-assessment value begins (a severity, a rank, a list of gap ids). An assessment then costs the
linking of what fired and one string join: no model objects, no re-encoding of texts. The render
loop reads per-language tables (`Fragments.rules` and the catalogue tables) with one lookup per
entry; entries and recommendation drafts carry their sort keys first, so that sorting compares
tuples in C, never calls back into Python.

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
from engine.rulebase.rulefile import (
    LocalizedText,
    ObstacleFile,
    RecommendationFile,
    SuccessFactorFile,
)
from engine.ruleset import Rule, Ruleset, phase_of_step
from engine.runtime.ranking import order, priority_of, stage_of, stage_order, urgency_of
from engine.runtime.scoring import Blocker
from schemas.vocabulary import SEVERITIES, Language

__all__ = ["Fragments", "Links", "RuleFacts", "render"]

_SAFE = re.compile(r"[a-z0-9_./-]*")
"""What may be written into JSON between quotes as it is."""
_SEVERITY_ORDER = {severity: n for n, severity in enumerate(SEVERITIES)}
_SEVERITY_BYTES = {severity: severity.encode() for severity in SEVERITIES}
_PRIORITY_BYTES = {u: priority_of(u).encode() for u in (1, 2, 3, 4)}
_BOOL = {True: b"true", False: b"false"}
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
        "basis_for",
        "blocks",
        "dimension",
        "evidence",
        "families",
        "fixed_rank",
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
        "severity_for",
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
        self.severity_for = rule.severity_for
        self.basis_for = rule.basis_for
        self.families = rule.families if rule.kind == "gap" else frozenset()
        # The severity rank when it does not depend on the answers (None when it does, or for a
        # strength rule), and whether a blocking entry of this rule caps readiness.
        self.fixed_rank = (
            _SEVERITY_ORDER[rule.severity]
            if rule.severity is not None and not rule.varies
            else None
        )
        self.blocks = rule.kind != "strength" and self.gap_kind != "unknown"
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
        decisive = sorted({*union, *rule.severity_paths})
        self.answers_of = itemgetter(*decisive) if decisive else _nothing

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


_GAP, _ESCALATION, _STRENGTH = 0, 1, 2
_KIND_CODE = {"gap": _GAP, "escalation": _ESCALATION, "strength": _STRENGTH}


class Fragments:
    """The encoded texts and citations of one ruleset in one language, and its rendering tables.

    The tables hold, per rule and per linked catalogue entry, everything an assessment needs of
    it in the order the render loop reads it, the entry's kept variants included (see
    `MEMO_ENTRIES`), so that the loop does one lookup per entry and no string building.
    """

    def __init__(
        self,
        ruleset: Ruleset,
        language: Language,
        facts: Mapping[str, RuleFacts],
        links: Links,
        memo_entries: int = MEMO_ENTRIES,
        country: str = "unknown",
    ) -> None:
        self.language = language
        self.country = country
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
        self.gap: dict[str, tuple[bytes, bytes, bytes, bytes]] = {}
        self.escalation: dict[str, tuple[bytes, bytes, bytes, bytes]] = {}
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
                    b',"severity_basis":',
                    _b(f',"sources":{sources}}}'),
                )
            elif rule.kind == "escalation":
                raises = _json(list(rule.links.recommendations))
                self.escalation[rule.id] = (
                    _b(head),
                    b'","evidence":',
                    b',"severity_basis":',
                    _b(f',"raises":{raises},"sources":{sources}}}'),
                )
        self.obstacle = {
            oid: _described(oid, e, language, '"gaps":', country)
            for oid, e in ruleset.obstacles.items()
        }
        self.success_factor = {
            sid: _described(sid, e, language, '"status":"', country)
            for sid, e in ruleset.success_factors.items()
        }
        self.recommendation = {
            rid: RecommendationFragments(rid, e, language, country)
            for rid, e in ruleset.recommendations.items()
        }
        # The recommendations with prerequisites, and these (ignored when not in a result).
        self.recommendation_after = [
            (rid, frag.after) for rid, frag in self.recommendation.items() if frag.after
        ]
        memo = self.entry_memo
        self.bit = links.bit
        key_bit = {rule.key: links.bit[rule_id] for rule_id, rule in facts.items()}
        # Per rule: (its bit, (bit, id) of each derived fact it needs, kind code, its variants,
        # the answers that decide its entry, its facts).
        self.rules: dict[
            str, tuple[int, tuple[tuple[int, str], ...], int, dict[Any, Any], Any, RuleFacts]
        ] = {
            rule_id: (
                links.bit[rule_id],
                tuple((key_bit[ref], ref_id) for ref, ref_id in rule.refs if ref in key_bit),
                _KIND_CODE[rule.kind],
                memo[rule.memo_key],
                rule.answers_of,
                rule,
            )
            for rule_id, rule in facts.items()
        }
        self.obstacle_table = [
            (linking, oid, ids, memo["obstacle:" + oid]) for oid, linking, ids in links.obstacles
        ]
        self.success_factor_table = [
            (
                gap_mask | seen_mask,
                gap_mask,
                seen_mask,
                sid,
                gap_ids,
                seen_ids,
                memo["success_factor:" + sid],
            )
            for sid, gap_mask, seen_mask, gap_ids, seen_ids in links.success_factors
        ]
        self.recommendation_table = [
            (
                gaps | raising,
                gaps,
                raising,
                rid,
                gap_ids,
                raise_ids,
                memo["recommendation:" + rid],
            )
            for rid, gaps, raising, gap_ids, raise_ids in links.recommendations
        ]


def _in_country(
    entry: ObstacleFile | SuccessFactorFile | RecommendationFile, name: str, country: str
) -> LocalizedText:
    """The entry's text `name`, in the country's variant where it has one."""
    variant = entry.by_country.get(country)  # type: ignore[call-overload]  # "unknown" has none
    text = getattr(variant, name, None) if variant is not None else None
    return text if text is not None else getattr(entry, name)  # type: ignore[no-any-return]


class RecommendationFragments:
    """The encoded parts of one recommendation in one language and country."""

    __slots__ = ("after", "head", "middle", "phase", "step", "sub_head", "tail")

    def __init__(self, rid: str, e: RecommendationFile, language: Language, country: str) -> None:
        title = _json(_in_country(e, "title", country).in_(language))
        action = _json(_in_country(e, "action", country).in_(language))
        rationale = _json(_in_country(e, "rationale", country).in_(language))
        self.head = _b(
            f'{{"id":{_json(rid)},"title":{title},"action":{action},'
            f'"rationale":{rationale},"priority":"'
        )
        self.phase = phase_of_step(e.step)
        self.step = e.step
        self.middle = _b(f',"phase":{self.phase},"step":{e.step},"owner":{_json(e.owner)},"after":')
        self.tail = _b(f',"sources":{_json([c.model_dump(mode="json") for c in e.sources])}}}')
        self.after = tuple(_safe(a) for a in e.after)
        self.sub_head = _b(
            f'{{"id":{_json(rid)},"title":{title},"action":{action},"owner":{_json(e.owner)},'
            '"closes_gaps":'
        )


def _described(
    entry_id: str,
    entry: ObstacleFile | SuccessFactorFile,
    language: Language,
    then: str,
    country: str = "unknown",
) -> tuple[bytes, bytes]:
    """The fragments of an obstacle or success factor: up to the key `then`, and its sources."""
    title = _in_country(entry, "title", country).in_(language)
    description = _in_country(entry, "description", country).in_(language)
    head = (
        f'{{"id":{_json(entry_id)},"title":{_json(title)},"description":{_json(description)},{then}'
    )
    sources = _json([c.model_dump(mode="json") for c in entry.sources])
    return _b(head), _b(f',"sources":{sources}}}')


class Links:
    """Which rules link each catalogue entry, as bit masks over the rules (one bit per rule).

    With the rules that fired as one mask, an entry's linking rules are one `&` away, and that
    mask is also the key of the entry's rendered variants.
    """

    def __init__(self, ruleset: Ruleset, facts: Mapping[str, RuleFacts]) -> None:
        self.bit = {rule.id: 1 << number for number, rule in enumerate(ruleset.rules)}
        by_id = sorted(ruleset.rules, key=lambda r: r.id)

        def mask(rules: Iterable[Rule]) -> int:
            total = 0
            for rule in rules:
                total |= self.bit[rule.id]
            return total

        def linking(pick: Any) -> tuple[Rule, ...]:
            return tuple(r for r in by_id if pick(facts[r.id]))

        self.obstacles = []
        for oid in ruleset.obstacles:
            rules = linking(lambda f, oid=oid: f.kind != "strength" and oid in f.obstacle_set)
            if rules:
                self.obstacles.append((oid, mask(rules), tuple(r.id for r in rules)))
        self.success_factors = []
        for sid in sorted(ruleset.success_factors):
            gaps = linking(lambda f, sid=sid: f.kind == "gap" and sid in f.success_factor_set)
            seen = linking(lambda f, sid=sid: f.kind == "strength" and sid in f.present)
            if gaps or seen:
                self.success_factors.append(
                    (
                        sid,
                        mask(gaps),
                        mask(seen),
                        tuple(r.id for r in gaps),
                        tuple(r.id for r in seen),
                    )
                )
        self.recommendations = []
        for rid in ruleset.recommendations:
            gaps = linking(lambda f, rid=rid: f.kind == "gap" and rid in f.recommendations)
            raising = linking(
                lambda f, rid=rid: f.kind == "escalation" and rid in f.recommendations
            )
            if not gaps and not raising:
                continue
            self.recommendations.append(
                (
                    rid,
                    mask(gaps),
                    mask(raising),
                    tuple(r.id for r in gaps),
                    tuple(r.id for r in raising),
                )
            )


def render(
    fragments: Fragments,
    readiness_json: Any,
    values: Mapping[str, str],
    fired: Sequence[str],
    trace: list[dict[str, Any]] | None,
) -> bytes:
    """Return the result JSON for the rules `fired`, in firing order, and the answers `values`.

    `readiness_json(values, blockers, highs, stage)` gives the readiness as JSON.
    """
    stage = stage_of(values)
    gaps: list[tuple[int, str, bytes]] = []
    escalations: list[tuple[int, str, bytes]] = []
    listed = (gaps, escalations)
    blockers: list[Blocker] = []
    highs: list[Blocker] = []
    rank_of: dict[str, int] = {}  # of the rules whose severity depends on the answers
    fired_mask = 0
    plans = fragments.rules
    room = fragments.memo_entries
    for rule_id in fired:
        bit, refs, kind, variants, answers_of, rule = plans[rule_id]
        if kind == _STRENGTH:
            fired_mask |= bit
            continue
        if refs:
            # A rule's refs that had fired by then are what it was chained from.
            chained = tuple([ref_id for ref_bit, ref_id in refs if fired_mask & ref_bit])
            key = (answers_of(values), chained) if chained else answers_of(values)
        else:
            chained = ()
            key = answers_of(values)
        fired_mask |= bit
        rendered = variants.get(key)
        if rendered is None:
            rendered = _render_rule(rule, fragments, values, chained)
            if len(variants) < room:
                variants[key] = rendered
        entry, weighty = rendered
        listed[kind].append(entry)
        if weighty is not None:
            (blockers if entry[0] == 0 else highs).append(weighty)
        if rule.fixed_rank is None:
            rank_of[rule_id] = entry[0]
    # By severity, then id (ids are unique, so the entries themselves are never compared).
    gaps.sort()
    escalations.sort()
    parts: list[bytes] = [
        fragments.head,
        b',"readiness":',
        readiness_json(values, blockers, highs, stage),
        b',"gaps":[',
        b",".join([g[2] for g in gaps]),
        b'],"escalations":[',
        b",".join([e[2] for e in escalations]),
        b'],"obstacles":[',
        _obstacles(fragments, fired_mask),
        b'],"success_factors":[',
        _success_factors(fragments, fired_mask),
        b'],"recommendations":[',
    ]
    _recommendations(parts, fragments, fired_mask, rank_of, stage)
    parts += (b'],"trace":', b"null" if trace is None else to_json(trace), b"}")
    return b"".join(parts)


def _render_rule(
    rule: RuleFacts, fragments: Fragments, values: Mapping[str, str], chained: tuple[str, ...]
) -> tuple[tuple[int, str, bytes], Blocker | None]:
    """The entry of a gap or escalation, and what it weighs on readiness.

    The entry is (severity rank, id, JSON); when it is blocking or high and not a find-out gap,
    it weighs on readiness as (id, dimension).
    """
    severity = rule.severity_for(values)
    assert severity is not None  # noqa: S101 - gap and escalation rules have one
    if rule.kind == "gap":
        head, middle, basis_key, tail = fragments.gap[rule.id]
    else:
        head, middle, basis_key, tail = fragments.escalation[rule.id]
    basis = rule.basis_for(values)
    item = b"".join(
        (
            head,
            _SEVERITY_BYTES[severity],
            middle,
            rule.evidence_json(values),
            _DERIVED,
            _ids(chained),
            basis_key,
            to_json(basis.model_dump() if basis is not None else None),
            tail,
        )
    )
    rank = _SEVERITY_ORDER[severity]
    weighty = (rule.id, rule.dimension) if rank <= 1 and rule.blocks else None
    return (rank, rule.id, item), weighty


def _picked(mask: int, ids: tuple[str, ...], bit: Mapping[str, int]) -> list[str]:
    """The ids (in id order) whose bits are set in `mask`."""
    return [i for i in ids if mask & bit[i]]


def _obstacles(fragments: Fragments, fired: int) -> bytes:
    room = fragments.memo_entries
    present = []
    # The comprehension picks the few linked entries out of all of them at C speed.
    for linking, oid, ids, variants in [row for row in fragments.obstacle_table if row[0] & fired]:
        mask = linking & fired
        item = variants.get(mask)
        if item is None:
            head, tail = fragments.obstacle[oid]
            item = b"".join((head, _ids(_picked(mask, ids, fragments.bit)), tail))
            if len(variants) < room:
                variants[mask] = item
        present.append((-mask.bit_count(), oid, item))
    # Most linking gaps first, then by id (ids are unique: the items are never compared).
    present.sort()
    return b",".join([item for _, _, item in present])


def _success_factors(fragments: Fragments, fired: int) -> bytes:
    room = fragments.memo_entries
    missing_first: list[bytes] = []
    present_only: list[bytes] = []
    linked = [row for row in fragments.success_factor_table if row[0] & fired]
    for _, gap_mask, seen_mask, sid, gap_ids, seen_ids, variants in linked:
        missing = gap_mask & fired
        seen = seen_mask & fired
        key = (missing, seen)
        item = variants.get(key)
        if item is None:
            head, tail = fragments.success_factor[sid]
            status = b'missing","gaps":' if missing else b'present","gaps":'
            bits = fragments.bit
            gaps = _ids(_picked(missing, gap_ids, bits))
            rules = _ids(_picked(seen, seen_ids, bits))
            item = b"".join((head, status, gaps, b',"rules":', rules, tail))
            if len(variants) < room:
                variants[key] = item
        # Missing ones first, then those only present, each by id (the table is in id order).
        (missing_first if missing else present_only).append(item)
    return b",".join(missing_first + present_only)


def _recommendations(
    parts: list[bytes],
    fragments: Fragments,
    fired: int,
    rank_of: Mapping[str, int],
    stage: int,
) -> None:
    """Add the ranked recommendations' JSON, comma-separated, to `parts` (see engine.runtime.ranking)."""
    room = fragments.memo_entries
    graded: dict[str, _Graded] = {}
    due: set[str] = set()  # those due now (stage component 0)
    keys = []
    families_of = {}
    for _, gap_mask, raise_mask, rid, gap_ids, raise_ids, variants in [
        row for row in fragments.recommendation_table if row[0] & fired
    ]:
        closing = gap_mask & fired
        raising = raise_mask & fired
        key = (closing, raising)
        draft = variants.get(key)
        if draft is None:
            bits = fragments.bit
            draft = _Draft(
                fragments,
                rid,
                _picked(closing, gap_ids, bits),
                _picked(raising, raise_ids, bits),
            )
            if len(variants) < room:
                variants[key] = draft
        # The most severe of the gaps it closes (or, closing none, of the escalations).
        rank = draft.fixed_rank
        for rule_id in draft.varying:
            found = rank_of[rule_id]
            if found < rank:
                rank = found
        g = draft.by_rank.get(rank) or draft.grade(rank)
        graded[rid] = g
        if stage_order(draft.phase, stage, g.blocking):
            keys.append(g.later)
        else:
            due.add(rid)
            keys.append(g.due)
        if draft.families:
            families_of[rid] = draft.families
    if not graded:
        return
    after_of = {rid: after for rid, after in fragments.recommendation_after if rid in graded}
    places, folded, lifted = order(keys, after_of, families_of)
    comma = b""
    for number, rid in enumerate(places, start=1):
        g = graded[rid]
        d = g.draft
        inside = folded.get(rid)
        after = after_of.get(rid)
        parts += (
            comma,
            g.head,
            b"%d" % number,
            d.middle,
            _ids([a for a in after if a in graded]) if after else b"[]",
            d.body,
            b",".join([graded[f].draft.sub_point for f in inside]) if inside else b"",
            g.score_due if rid in due else g.score_later,
            _ids(lifted[rid]) if rid in lifted else b"[]",
            d.tail,
        )
        comma = b","


class _Draft:
    """What a recommendation's entry needs of the rules that fired, before it is graded.

    Kept by which of its gaps and escalations fired (see `MEMO_ENTRIES`).
    """

    __slots__ = (
        "body",
        "by_rank",
        "closes",
        "escalated",
        "families",
        "finds_out",
        "fixed_rank",
        "gaps",
        "head",
        "id",
        "middle",
        "phase",
        "step",
        "sub_point",
        "tail",
        "things",
        "varying",
    )

    def __init__(
        self, fragments: Fragments, rid: str, closes: list[str], raised_by: list[str]
    ) -> None:
        plans = fragments.rules
        frag = fragments.recommendation[rid]
        related = [plans[r][5] for r in (*closes, *raised_by)]
        obstacle_ids = sorted(frozenset().union(*[r.obstacle_set for r in related]))
        factor_ids = sorted(frozenset().union(*[r.success_factor_set for r in related]))
        self.body = b"".join(
            (
                b',"closes_gaps":',
                _ids(closes),
                b',"escalations":',
                _ids(raised_by),
                b',"obstacles":',
                _ids(obstacle_ids),
                b',"success_factors":',
                _ids(factor_ids),
                b',"sub_points":[',
            )
        )
        self.id = rid
        self.head = frag.head
        self.middle = frag.middle
        self.tail = b"}" + frag.tail
        self.phase = frag.phase
        self.step = frag.step
        self.sub_point = frag.sub_head + _ids(closes) + b"}"
        self.closes = closes
        self.escalated = bool(raised_by)
        # What decides its severity: the gaps it closes, or, closing none, the escalations;
        # the fixed severities now, the rest (by the answers) per assessment.
        deciding = [plans[r][5] for r in (closes or raised_by)]
        self.fixed_rank = min([r.fixed_rank for r in deciding if r.fixed_rank is not None] or [9])
        self.varying = tuple(r.id for r in deciding if r.fixed_rank is None)
        families = [plans[r][5].families for r in closes]
        self.families = frozenset().union(*families)
        # The distinct things its gaps are about: a family counts once, a gap over several
        # things counts on its own.
        self.things = len(self.families) + sum(1 for f in families if not f)
        self.gaps = len(closes)
        self.finds_out = int(
            bool(closes) and all(plans[r][5].gap_kind == "unknown" for r in closes)
        )
        self.by_rank: dict[int, _Graded] = {}

    def grade(self, rank: int) -> _Graded:
        """Its parts that follow from its severity rank, kept for the next assessment."""
        found = _Graded(self, SEVERITIES[rank])
        self.by_rank[rank] = found
        return found


class _Graded:
    """A recommendation's parts that follow from its severity: urgency, priority, keys, score.

    `due` and `later` are its ranking keys (`engine.runtime.ranking.Key`) with the stage component 0 (due
    now) and its phase (waiting for it); `score_due` and `score_later` the score's JSON for each,
    up to the value of `lifted_by`.
    """

    __slots__ = (
        "blocking",
        "draft",
        "due",
        "head",
        "later",
        "score_due",
        "score_later",
        "urgency",
    )

    def __init__(self, draft: _Draft, severity: str) -> None:
        self.draft = draft
        self.blocking = severity == "blocking"
        self.urgency = urgency_of(severity, draft.escalated)  # type: ignore[arg-type]
        self.head = draft.head + _PRIORITY_BYTES[self.urgency] + b'","rank":'
        tail = (-self.urgency, -self.blocking, -draft.things, -draft.gaps, draft.step, draft.id)
        self.due = (draft.finds_out, 0, *tail)
        self.later = (draft.finds_out, draft.phase, *tail)
        self.score_due, self.score_later = (
            b"".join(
                (
                    b'],"score":{"stage":%d,"severity":"' % stage,
                    severity.encode(),
                    b'","escalated":',
                    _BOOL[draft.escalated],
                    b',"finds_out":',
                    _BOOL[bool(draft.finds_out)],
                    b',"urgency":%d,"things_closed":%d,"gaps_closed":%d,"lifted_by":'
                    % (self.urgency, draft.things, draft.gaps),
                )
            )
            for stage in (0, draft.phase)
        )
