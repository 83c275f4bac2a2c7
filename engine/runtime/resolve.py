"""From the rules that fired to an `Outcome`: severities, readiness, links and the ranking.

Everything here is the same in every language. What a part of an outcome says is a function of a
few things that assessments share: a gap's entry of the answers its rule tests (and what it was
chained from), an obstacle's of which fired rules link it, a recommendation's of which gaps and
escalations link it and its severity. Each such part is built once, with its JSON, and kept by what
decides it (see `MEMO_ENTRIES`). LinkMasks are bit masks over the rules, so that with the rules that
fired as one mask an entry's linking rules are one `&` away; entries and recommendation drafts
carry their sort keys first, so that sorting compares tuples in C, never calls back into Python.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from operator import itemgetter
from typing import Any

from engine.conditions import tests_in
from engine.ruleset import Rule, Ruleset, phase_of_step
from engine.runtime.outcome import (
    Finding,
    Grade,
    LinkedFactor,
    LinkedObstacle,
    Outcome,
    Placed,
    Step,
)
from engine.runtime.ranking import (
    order,
    priority_of,
    stage_of,
    stage_order,
    step_at,
    things_in,
    urgency_of,
    when_due,
)
from engine.runtime.render import _ids, _json, _safe
from engine.runtime.scoring import Blocker, Scorer
from schemas.vocabulary import SEVERITIES

__all__ = ["MEMO_ENTRIES", "LinkMasks", "Resolver", "RuleFacts"]

MEMO_ENTRIES = 256
"""How many variants of one rule's finding or one catalog entry's part are kept.

A gap's finding is a pure function of a few closed-scale answers (the answers it tests) and a
catalog entry's part of which rules link it (a recommendation: the gaps it closes, the
escalations that raise it, the worst severity), so assessments share them, in every language and
country alike. A variant past this bound is built and not kept: the memory is bounded (at most
this many variants of each entry, each a few hundred bytes to a few kilobytes; most entries have
a handful), and an unusual assessment costs only the building it would cost anyway.
"""

_FactorRow = tuple[
    int,
    int,
    int,
    str,
    tuple[str, ...],
    tuple[str, ...],
    bytes,
    dict[tuple[int, int], LinkedFactor],
]
"""A success factor's row: the mask of the rules that link it (its gaps | the rules that see it
present), its gaps' mask, the seeing rules' mask, its id, their ids, its JSON from `sources` on,
and its kept variants by (missing, seen)."""

_RecommendationRow = tuple[
    int,
    int,
    int,
    str,
    tuple[str, ...],
    tuple[str, ...],
    tuple[str, ...],
    "dict[tuple[int, int], _Draft]",
]
"""A recommendation's row: the mask of the rules that link it (its gaps | the escalations that
raise it), its gaps' mask, the escalations' mask, its id, their ids, its prerequisites (those not
in an outcome are ignored there), and its kept drafts by (closing, raising)."""

_SEVERITY_ORDER = {severity: n for n, severity in enumerate(SEVERITIES)}
_SEVERITY_BYTES = {severity: severity.encode() for severity in SEVERITIES}
_BOOL = {True: b"true", False: b"false"}
_DERIVED = b',"derived_from":'
_BASIS = b',"severity_basis":'


class RuleFacts:
    """What an outcome needs of one rule, prepared once: links, evidence tests, severity, JSON."""

    __slots__ = (
        "answers_of",
        "basis_number_for",
        "blocks",
        "dimension",
        "evidence",
        "families",
        "first_basis",
        "fixed_rank",
        "gap_kind",
        "id",
        "key",
        "kind",
        "middle",
        "obstacle_set",
        "obstacles",
        "present",
        "recommendations",
        "refs",
        "severity_for",
        "success_factor_set",
        "success_factors",
        "tail",
    )

    def __init__(self, rule: Rule, first_basis: int = 0) -> None:
        self.id = _safe(rule.id)
        self.kind = rule.kind
        self.key = f"{rule.kind}:{rule.id}"
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
        # Its bases' place in `Ruleset.severity_bases`: the first, plus `basis_number_for`.
        self.first_basis = first_basis
        self.basis_number_for = rule.basis_number_for
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
        # The answers that decide this rule's finding: its evidence and its severity.
        decisive = sorted({*union, *rule.severity_paths})
        self.answers_of = itemgetter(*decisive) if decisive else _nothing
        # The JSON of a finding around its evidence and chaining, which are the same in every
        # language (the title before it is not, nor the severity basis, a judgement's words).
        sources = _json([c.model_dump(mode="json") for c in rule.sources])
        if rule.kind == "gap":
            self.middle = f'","kind":{_json(self.gap_kind)},"evidence":'.encode()
            self.tail = f',"sources":{sources}}}'.encode()
        else:
            raises = _json(list(rule.links.recommendations))
            self.middle = b'","evidence":'
            self.tail = f',"raises":{raises},"sources":{sources}}}'.encode()

    def evidence_of(self, values: Mapping[str, str]) -> tuple[tuple[str, str], ...]:
        """The tested indicators whose values made a test hold, (path, value) by path."""
        return tuple(
            [(path, values[path]) for path, accepted in self.evidence if values[path] in accepted]
        )


def _nothing(values: Mapping[str, str]) -> tuple[()]:
    return ()


def _second(pair: tuple[str, str]) -> str:
    return pair[1]


def _evidence_json(evidence: Iterable[tuple[str, str]]) -> bytes:
    """Paths and values checked by `_safe` (indicator paths and scale values are)."""
    return ("{" + ",".join([f'"{path}":"{value}"' for path, value in evidence]) + "}").encode()


class LinkMasks:
    """Which rules link each catalog entry, as bit masks over the rules (one bit per rule).

    With the rules that fired as one mask, an entry's linking rules are one `&` away, and that
    mask is also the key of the entry's kept variants.
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

        def two_ways(
            entry: str, first: tuple[Rule, ...], second: tuple[Rule, ...]
        ) -> tuple[str, int, int, tuple[str, ...], tuple[str, ...]]:
            """An entry linked by two kinds of rule: its id, both masks, both id lists."""
            ids = tuple(r.id for r in first), tuple(r.id for r in second)
            return (entry, mask(first), mask(second), *ids)

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
                self.success_factors.append(two_ways(sid, gaps, seen))
        self.recommendations = []
        for rid in ruleset.recommendations:
            gaps = linking(lambda f, rid=rid: f.kind == "gap" and rid in f.recommendations)
            raising = linking(
                lambda f, rid=rid: f.kind == "escalation" and rid in f.recommendations
            )
            if gaps or raising:
                self.recommendations.append(two_ways(rid, gaps, raising))


_GAP, _ESCALATION, _STRENGTH = 0, 1, 2
_KIND_CODE = {"gap": _GAP, "escalation": _ESCALATION, "strength": _STRENGTH}


def _picked(mask: int, ids: tuple[str, ...], bit: Mapping[str, int]) -> tuple[str, ...]:
    """The ids (in id order) whose bits are set in `mask`."""
    return tuple([i for i in ids if mask & bit[i]])


def _sources(entry: Any) -> bytes:
    """A catalog entry's JSON from `sources` to its end."""
    return f',"sources":{_json([c.model_dump(mode="json") for c in entry.sources])}}}'.encode()


class Resolver:
    """Turns the rules that fired for an assessment into its `Outcome`, for one ruleset."""

    def __init__(self, ruleset: Ruleset, memo_entries: int = MEMO_ENTRIES) -> None:
        self.ruleset = ruleset
        self.memo_entries = memo_entries
        self.scorer = Scorer(ruleset.scoring, ruleset.scope)
        first = ruleset.first_basis
        facts = {rule.id: RuleFacts(rule, first.get(rule.id, 0)) for rule in ruleset.rules}
        self.facts = facts
        links = LinkMasks(ruleset, facts)
        self.bit = links.bit
        key_bit = {rule.key: links.bit[rule_id] for rule_id, rule in facts.items()}
        # Per rule: (its bit, (bit, id) of each derived fact it needs, kind code, its kept
        # findings, the answers that decide its finding, its facts).
        self.rules: dict[
            str, tuple[int, tuple[tuple[int, str], ...], int, dict[Any, Any], Any, RuleFacts]
        ] = {
            rule_id: (
                links.bit[rule_id],
                tuple((key_bit[ref], ref_id) for ref, ref_id in rule.refs if ref in key_bit),
                _KIND_CODE[rule.kind],
                {},
                rule.answers_of,
                rule,
            )
            for rule_id, rule in facts.items()
        }
        tails = {oid: _sources(e) for oid, e in ruleset.obstacles.items()}
        self.obstacle_table: list[
            tuple[int, str, tuple[str, ...], bytes, dict[int, LinkedObstacle]]
        ] = [(linking, oid, ids, tails[oid], {}) for oid, linking, ids in links.obstacles]
        self.success_factor_table: list[_FactorRow] = [
            (
                gap_mask | seen_mask,
                gap_mask,
                seen_mask,
                sid,
                gap_ids,
                seen_ids,
                _sources(ruleset.success_factors[sid]),
                {},
            )
            for sid, gap_mask, seen_mask, gap_ids, seen_ids in links.success_factors
        ]
        self.recommendation_table: list[_RecommendationRow] = [
            (
                gaps | raising,
                gaps,
                raising,
                rid,
                gap_ids,
                raise_ids,
                tuple(_safe(a) for a in ruleset.recommendations[rid].after),
                {},
            )
            for rid, gaps, raising, gap_ids, raise_ids in links.recommendations
        ]

    def outcome(
        self,
        values: Mapping[str, str],
        fired: Sequence[str],
        trace: tuple[Step, ...] | None = None,
    ) -> Outcome:
        """Return the outcome of the rules `fired`, in firing order, for the answers `values`."""
        stage = stage_of(values)
        gaps: list[tuple[int, str, Finding]] = []
        escalations: list[tuple[int, str, Finding]] = []
        listed = (gaps, escalations)
        blockers: list[Blocker] = []
        highs: list[Blocker] = []
        rank_of: dict[str, int] = {}  # of the rules whose severity depends on the answers
        fired_mask = 0
        plans = self.rules
        room = self.memo_entries
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
            found = variants.get(key)
            if found is None:
                found = _finding(rule, values, chained)
                if len(variants) < room:
                    variants[key] = found
            entry, weighty = found
            listed[kind].append(entry)
            if weighty is not None:
                (blockers if entry[0] == 0 else highs).append(weighty)
            if rule.fixed_rank is None:
                rank_of[rule_id] = entry[0]
        # By severity, then id (ids are unique, so the findings themselves are never compared).
        gaps.sort()
        escalations.sort()
        return Outcome(
            values["organisation.country"],
            values["intervention.model"],
            values["intervention.kind"],
            tuple(fired),
            tuple([g[2] for g in gaps]),
            tuple([e[2] for e in escalations]),
            self.scorer.figures(values, blockers, highs, stage),
            self._obstacles(fired_mask),
            self._success_factors(fired_mask),
            self._recommendations(fired_mask, rank_of, stage),
            trace,
        )

    def _obstacles(self, fired: int) -> tuple[LinkedObstacle, ...]:
        room = self.memo_entries
        present = []
        # The comprehension picks the few linked entries out of all of them at C speed.
        for linking, oid, ids, tail, variants in [
            row for row in self.obstacle_table if row[0] & fired
        ]:
            mask = linking & fired
            item = variants.get(mask)
            if item is None:
                gap_ids = _picked(mask, ids, self.bit)
                item = LinkedObstacle(oid, gap_ids, _ids(gap_ids) + tail)
                if len(variants) < room:
                    variants[mask] = item
            present.append((-mask.bit_count(), oid, item))
        # Most linking gaps first, then by id (ids are unique: the items are never compared).
        present.sort()
        return tuple([item for _, _, item in present])

    def _success_factors(self, fired: int) -> tuple[LinkedFactor, ...]:
        room = self.memo_entries
        missing_first: list[LinkedFactor] = []
        present_only: list[LinkedFactor] = []
        linked = [row for row in self.success_factor_table if row[0] & fired]
        for _, gap_mask, seen_mask, sid, gap_ids, seen_ids, tail, variants in linked:
            missing = gap_mask & fired
            seen = seen_mask & fired
            key = (missing, seen)
            item = variants.get(key)
            if item is None:
                gaps = _picked(missing, gap_ids, self.bit)
                rules = _picked(seen, seen_ids, self.bit)
                status = b'missing","gaps":' if missing else b'present","gaps":'
                encoded = b"".join((status, _ids(gaps), b',"rules":', _ids(rules), tail))
                item = LinkedFactor(sid, bool(missing), gaps, rules, encoded)
                if len(variants) < room:
                    variants[key] = item
            # Missing ones first, then those only present, each by id (the table is in id order).
            (missing_first if missing else present_only).append(item)
        return tuple(missing_first + present_only)

    def _recommendations(
        self, fired: int, rank_of: Mapping[str, int], stage: int
    ) -> tuple[Placed, ...]:
        """The ranked places (see `engine.runtime.ranking`)."""
        room = self.memo_entries
        graded: dict[str, Grade] = {}
        due: set[str] = set()  # those due now (stage component 0)
        keys = []
        families_of = {}
        after_of = {}
        for _, gap_mask, raise_mask, rid, gap_ids, raise_ids, after, variants in [
            row for row in self.recommendation_table if row[0] & fired
        ]:
            closing = gap_mask & fired
            raising = raise_mask & fired
            key = (closing, raising)
            draft = variants.get(key)
            if draft is None:
                bits = self.bit
                draft = _Draft(
                    self,
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
            graded[rid] = g.grade
            ranking_key, now = g.at_stage[stage]
            keys.append(ranking_key)
            if now:
                due.add(rid)
            if draft.families:
                families_of[rid] = draft.families
            if after:
                after_of[rid] = after
        if not graded:
            return ()
        places, folded, lifted = order(keys, after_of, families_of)
        placed = []
        make = tuple.__new__  # what `Placed(...)` calls, without the keyword handling
        for number, rid in enumerate(places, start=1):
            inside = folded.get(rid)
            needs = after_of.get(rid)
            if inside:
                needs = _needs_of_place(rid, needs, inside, after_of)
            lifting = lifted.get(rid)
            fields = (
                graded[rid],
                number,
                rid in due,
                tuple([a for a in needs if a in graded]) if needs else (),
                tuple([graded[f] for f in inside]) if inside else (),
                tuple(lifting) if lifting else (),
            )
            placed.append(make(Placed, fields))
        return tuple(placed)


def _needs_of_place(
    rid: str,
    own: Sequence[str] | None,
    inside: Sequence[str],
    after_of: Mapping[str, Sequence[str]],
) -> tuple[str, ...]:
    """What a place needs first: its own prerequisites, then its sub-points' from outside it.

    A place is done with its sub-points, so what they need first comes before the place.
    """
    held = {rid, *inside}
    found = dict.fromkeys(own or ())
    for point in inside:
        for before in after_of.get(point, ()):
            if before not in held:
                found[before] = None
    return tuple(found)


def _finding(
    rule: RuleFacts, values: Mapping[str, str], chained: tuple[str, ...]
) -> tuple[tuple[int, str, Finding], Blocker | None]:
    """The finding of a gap or escalation rule, and what it weighs on readiness.

    Returns (severity rank, id, finding); and, when it is blocking or high and not a find-out
    gap, (id, dimension), as it weighs on readiness.
    """
    severity = rule.severity_for(values)
    assert severity is not None  # noqa: S101 - gap and escalation rules have one
    evidence = rule.evidence_of(values)
    encoded = b"".join(
        (
            _SEVERITY_BYTES[severity],
            rule.middle,
            _evidence_json(evidence),
            _DERIVED,
            _ids(chained),
            _BASIS,
        )
    )
    finding = Finding(
        rule.id,
        "gap" if rule.kind == "gap" else "escalation",
        rule.dimension,
        severity,
        rule.gap_kind if rule.kind == "gap" else None,
        evidence,
        chained,
        rule.first_basis + rule.basis_number_for(values),
        encoded,
        rule.tail,
    )
    rank = _SEVERITY_ORDER[severity]
    weighty = (rule.id, rule.dimension) if rank <= 1 and rule.blocks else None
    return (rank, rule.id, finding), weighty


class _Draft:
    """What a recommendation's grade needs of the rules that fired, before its severity is known.

    Kept by which of its gaps and escalations fired (see `MEMO_ENTRIES`).
    """

    __slots__ = (
        "also_steps",
        "by_rank",
        "closes",
        "encoded",
        "escalations",
        "families",
        "finds_out",
        "fixed_rank",
        "gaps",
        "id",
        "obstacles",
        "phase",
        "step",
        "success_factors",
        "things",
        "varying",
    )

    def __init__(
        self, resolver: Resolver, rid: str, closes: tuple[str, ...], raised_by: tuple[str, ...]
    ) -> None:
        plans = resolver.rules
        entry = resolver.ruleset.recommendations[rid]
        related = [plans[r][5] for r in (*closes, *raised_by)]
        self.obstacles = tuple(sorted(frozenset().union(*[r.obstacle_set for r in related])))
        self.success_factors = tuple(
            sorted(frozenset().union(*[r.success_factor_set for r in related]))
        )
        self.encoded = b"".join(
            (
                b',"closes_gaps":',
                _ids(closes),
                b',"escalations":',
                _ids(raised_by),
                b',"obstacles":',
                _ids(self.obstacles),
                b',"success_factors":',
                _ids(self.success_factors),
                b',"sub_points":[',
            )
        )
        self.id = rid
        self.phase = phase_of_step(entry.step)
        self.step = entry.step
        self.also_steps = tuple(entry.also_steps)
        self.closes = closes
        self.escalations = raised_by
        # What decides its severity: the gaps it closes, or, closing none, the escalations;
        # the fixed severities now, the rest (by the answers) per assessment.
        deciding = [plans[r][5] for r in (closes or raised_by)]
        self.fixed_rank = min([r.fixed_rank for r in deciding if r.fixed_rank is not None] or [9])
        self.varying = tuple(r.id for r in deciding if r.fixed_rank is None)
        families = [plans[r][5].families for r in closes]
        self.families = frozenset().union(*families)
        self.things = things_in(families)
        self.gaps = len(closes)
        self.finds_out = int(
            bool(closes) and all(plans[r][5].gap_kind == "unknown" for r in closes)
        )
        self.by_rank: dict[int, _Graded] = {}

    def grade(self, rank: int) -> _Graded:
        """Its grade at severity rank `rank`, kept for the next assessment."""
        found = _Graded(self, SEVERITIES[rank])
        self.by_rank[rank] = found
        return found


class _Graded:
    """A recommendation's grade and its ranking keys, which follow from its severity.

    `at_stage[stage]` is, for an organisation at `stage` (1-4), its ranking key
    (`engine.runtime.ranking.Key`) and whether it is due now (`engine.runtime.ranking.stage_order`
    is 0). The key's `when` is `engine.runtime.ranking.when_due`: 0 when due now, its phase while
    it waits for it, and after every phase ahead for a low one from a finished phase.
    """

    __slots__ = ("at_stage", "grade")

    def __init__(self, draft: _Draft, severity: str) -> None:
        blocking = severity == "blocking"
        urgency = urgency_of(severity, bool(draft.escalations))  # type: ignore[arg-type]
        at_stage = []
        for stage in range(5):  # 0 unused: stages are 1-4
            # The step it ranks by: its own, or at a stage in the phase of one of its
            # `also_steps`, that step (see `engine.runtime.ranking.step_at`).
            step = step_at(draft.step, draft.also_steps, stage)
            key = (
                draft.finds_out,
                when_due(phase_of_step(step), stage, blocking, urgency),
                -urgency,
                -blocking,
                -draft.things,
                -draft.gaps,
                step,
                draft.id,
            )
            at_stage.append((key, not stage_order(draft.phase, stage, blocking)))
        self.at_stage = tuple(at_stage)
        escalated = bool(draft.escalations)
        score_due, score_later = (
            b"".join(
                (
                    b'],"score":{"stage":%d,"severity":"' % stage,
                    severity.encode(),
                    b'","escalated":',
                    _BOOL[escalated],
                    b',"finds_out":',
                    _BOOL[bool(draft.finds_out)],
                    b',"urgency":%d,"things_closed":%d,"gaps_closed":%d,"lifted_by":'
                    % (urgency, draft.things, draft.gaps),
                )
            )
            for stage in (0, draft.phase)
        )
        self.grade = Grade(
            draft.id,
            severity,  # type: ignore[arg-type]
            urgency,
            escalated,
            bool(draft.finds_out),
            draft.things,
            draft.gaps,
            draft.phase,
            draft.step,
            draft.also_steps,
            draft.closes,
            draft.escalations,
            draft.obstacles,
            draft.success_factors,
            draft.encoded,
            score_due,
            score_later,
            _ids(draft.closes) + b',"priority":"%s"}' % priority_of(urgency).encode(),
        )
