"""Recommendation ranking: the organisation's stage, urgency, prerequisites and one action per family.

The order is a function of what every result shows, so an analyst can recompute it by hand:

1. The organisation's **stage** (1-4) comes from the fourteen steps: 1 + the number of
   consecutive phases, from the first, whose steps are all done.
2. Each recommendation gets a **key**: whether it only finds out (closes only gaps of kind
   unknown: what the answers show to be missing comes before what is still to be found out), its
   place in the work (`when`: 0 when it is due now, that is its phase is the organisation's stage
   or earlier, or it closes a blocking gap; its phase while it waits for that phase; and
   `LOOKING_BACK`, after every phase ahead, for a low one from a phase the organisation has
   finished; at a stage that is the phase of one of its `also_steps`, it is that step's work, in
   that phase, ranked by that step), its **urgency** (the most severe gap it closes, blocking 4
   to low 1, one higher when an escalation raises it), whether it closes a blocking gap (at
   equal urgency a blocker comes first: an escalation lifts a high gap level with a blocker,
   never above it), how many distinct things its gaps are about (`things_in`: an indicator
   family counts once), how many gaps it closes, its step (the one it ranks by) and its id.
   Smaller keys come first.
3. **Prerequisites** (`after` in the catalog): a recommendation that others need first takes the
   best key among them (`lifted_by`), and no recommendation is placed before its prerequisites.
4. **One action per family**: walking that order, a recommendation that closes gaps of an
   indicator family (the room, the tovholder) already answered by one placed before it becomes a
   sub-point of that one. A place is done with its sub-points, so it comes after what they need
   first: when one needs a prerequisite placed after that place, the place takes it on as its
   own, the order is made again (the prerequisite lifted by the one that needs it), and the
   recommendation joins the place. Only where the prerequisite needs that place first does it
   keep a place of its own and wait. A gap on an indicator that spans several families (Steg 5:
   the support of every level) is about each, so its recommendation folds into the first place
   that answers one of them.
"""

from __future__ import annotations

import bisect
import heapq
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from engine.ruleset import phase_of_step
from schemas.result import Recommendation
from schemas.vocabulary import Priority, Severity

__all__ = [
    "LOOKING_BACK",
    "PHASE_STEPS",
    "URGENCY",
    "Due",
    "Key",
    "RankItem",
    "Ranked",
    "due_runs",
    "needed_by",
    "order",
    "priority_of",
    "rank",
    "stage_of",
    "stage_order",
    "step_at",
    "steps_left",
    "things_in",
    "urgency_of",
    "when_due",
]

URGENCY: dict[Severity, int] = {"blocking": 4, "high": 3, "medium": 2, "low": 1}
"""The severity of what a recommendation answers, as a number."""

_PRIORITY: dict[int, Priority] = {4: "critical", 3: "high", 2: "medium", 1: "low"}

PHASE_STEPS: tuple[tuple[int, tuple[str, ...]], ...] = (
    (1, tuple(f"process.step_{n}" for n in range(1, 9))),
    (2, ("process.step_9", "process.step_10")),
    (3, ("process.step_11", "process.step_12", "process.step_13")),
)
"""The phases an organisation passes through before the last, with the steps of each."""


def stage_of(values: Mapping[str, str]) -> int:
    """Return the organisation's stage: 1 + the consecutive phases, from the first, all done."""
    stage = 1
    for phase, paths in PHASE_STEPS:
        if any(values[path] != "done" for path in paths):
            break
        stage = phase + 1
    return stage


_STEPS_OF_STAGE: dict[int, tuple[tuple[int, str], ...]] = {
    phase: tuple((int(path.rsplit("_", 1)[1]), path) for path in paths)
    for phase, paths in (*PHASE_STEPS, (4, ("process.step_14",)))
}
"""(step, path) of the steps of each phase, the last one's included, by the stage it is."""


def steps_left(values: Mapping[str, str], stage: int) -> tuple[tuple[int, str], ...]:
    """Return the steps of the phase the organisation is in that are not done, with the answer.

    Each as (step, answer): `partly`, `not` or `unknown`. What keeps the organisation in its
    phase (`stage_of`); at stage 4, Steg 14 when it is not done.
    """
    return tuple(
        (step, values[path]) for step, path in _STEPS_OF_STAGE[stage] if values[path] != "done"
    )


def stage_order(phase: int, stage: int, blocking: bool) -> int:
    """Return 0 when a recommendation is due now, else its phase.

    It is due now when its phase is the organisation's stage or an earlier one, or when it
    closes a blocking gap: a blocker stops the work of every phase. (An escalation raises the
    urgency, not the phase.)
    """
    return 0 if phase <= stage or blocking else phase


LOOKING_BACK = 5
"""The `when` of a low recommendation from a finished phase: after every phase ahead."""


def when_due(phase: int, stage: int, blocking: bool, urgency: int) -> int:
    """Return a recommendation's place in the work, the `when` of its key.

    0 when it is due now (`stage_order`); its phase while it waits for that phase; and
    `LOOKING_BACK` for a low one (urgency 1) from a phase before the organisation's stage. A small
    finding about a phase the organisation has finished did not stop it there: the work of the
    phase it is in comes first, then the work of the phases ahead (Steg 14 at stage 3), then
    these. A medium or more severe one from a finished phase is due now and keeps its place by
    urgency and step: it is a weakness in what the current work stands on. (`phase` is that of
    the step it ranks by, `step_at`.)
    """
    waiting = stage_order(phase, stage, blocking)
    if waiting:
        return waiting
    return LOOKING_BACK if urgency == 1 and phase < stage else 0


Due = tuple[Literal["now", "phase", "looking_back", "find_out"], int]
"""When a recommendation is due, as a reader is told: now (in the organisation's phase), when the
organisation reaches a phase (that phase), a smaller gap from a phase it has left, or to find
out; with the phase it concerns (the organisation's, or the one waited for; 0 for the others)."""


def due_runs(recommendations: Iterable[Recommendation], stage: int) -> list[Due]:
    """When each ranked recommendation is due, in rank order (see `Due`).

    Each is due as its key places it: now (`score.stage` 0), when the organisation reaches the
    phase it waits for (`score.stage`), among the small findings about a finished phase (due now,
    yet after the work ahead: `LOOKING_BACK`), or last, only finding out (`score.finds_out`). A
    prerequisite lifted by others (`score.lifted_by`) takes the place of what lifted it, so it
    is due with what follows it: a phase-2 step that something due now needs first is due now.
    The ranked list so falls into runs, one per kind of due, in that order, and a reader can be
    told why a high recommendation of a later phase comes after a low one of the phase the
    organisation is in.
    """
    placed = list(recommendations)
    out: list[Due] = [_own_due(recommendation, stage) for recommendation in placed]
    # From the end: a lifted prerequisite sits where what lifted it would have been (that one
    # may since have become its sub-point), so it is due with whatever follows it.
    for n in range(len(placed) - 2, -1, -1):
        if placed[n].score.lifted_by:
            out[n] = out[n + 1]
    return out


def needed_by(recommendations: Iterable[Recommendation]) -> dict[str, list[Recommendation]]:
    """For each place, the places that name it, or one of its sub-points, as a prerequisite.

    The other end of `after`, for a reader told why a recommendation of lower priority may come
    first: it is what another needs done before it. A prerequisite folded into a place is done
    with that place, so the link is that place's; a place never comes before itself. In the order
    given, each dependent once.
    """
    placed = list(recommendations)
    holder = {point.id: r.id for r in placed for point in r.sub_points}
    found: dict[str, list[Recommendation]] = {}
    for recommendation in placed:
        for before in dict.fromkeys(holder.get(a, a) for a in recommendation.after):
            if before != recommendation.id:
                found.setdefault(before, []).append(recommendation)
    return found


def _own_due(recommendation: Recommendation, stage: int) -> Due:
    """When `recommendation` is due by its own key (`when_due`), not lifted by another."""
    score = recommendation.score
    if score.finds_out:
        return ("find_out", 0)
    if score.stage:
        return ("phase", score.stage)
    phase = phase_of_step(step_at(recommendation.step, recommendation.also_steps, stage))
    if when_due(phase, stage, score.severity == "blocking", score.urgency) == LOOKING_BACK:
        return ("looking_back", 0)
    return ("now", stage)


def step_at(step: int, also_steps: Sequence[int], stage: int) -> int:
    """Return the step a recommendation ranks by at `stage`: its own, or one of its `also_steps`.

    At a stage that is the phase of one of its `also_steps`, later than its own step's phase, it
    is that step's work (reporting to management is also Steg 13's feedback): it ranks by that
    step, in the phase the organisation is in, not as a look back at a finished one.
    """
    if phase_of_step(step) < stage:
        for later in also_steps:
            if phase_of_step(later) == stage:
                return later
    return step


def things_in(families: Iterable[frozenset[str]]) -> int:
    """How many distinct things gaps about `families` (one set per gap) are about.

    Gaps whose families meet are about one thing: a family counts once, and a gap on an
    indicator that spans several families (`spans` in `rules/index.yaml`) joins them. A gap
    about no family (it tests several things at once) is a thing of its own.
    """
    groups: list[frozenset[str]] = []
    alone = 0
    for found in families:
        if not found:
            alone += 1
            continue
        merged = found
        kept = []
        for group in groups:
            if group & merged:
                merged |= group
            else:
                kept.append(group)
        groups = [*kept, merged]
    return len(groups) + alone


def urgency_of(severity: Severity, escalated: bool) -> int:
    """Return the urgency: the severity as a number, one higher (at most 4) when escalated."""
    return min(URGENCY[severity] + escalated, 4)


def priority_of(urgency: int) -> Priority:
    """Return the priority label of an urgency: 4 critical, 3 high, 2 medium, 1 low."""
    return _PRIORITY[urgency]


Key = tuple[int, int, int, int, int, int, int, str]
"""A recommendation's key: (finds out, when, -urgency, -blocking, -things closed, -gaps closed,
step, id)."""


@dataclass(slots=True)
class RankItem:
    """What ranking needs of one recommendation in a result.

    Attributes:
        id: Its catalog id.
        key: Its `Key`; smaller comes first.
        after: Its prerequisites (all of them; those not in the result are ignored).
        families: The indicator families of the gaps it closes.
    """

    id: str
    key: Key
    after: Sequence[str]
    families: frozenset[str]


@dataclass(slots=True)
class Ranked:
    """One place of the ranking: a recommendation, what is folded into it, what lifted it."""

    id: str
    folded: list[str] = field(default_factory=list)
    lifted_by: list[str] = field(default_factory=list)


def rank(items: Iterable[RankItem]) -> list[Ranked]:
    """Return the recommendations in rank order, each with its sub-points and `lifted_by`."""
    listed = list(items)
    places, folded, lifted = order(
        [item.key for item in listed],
        {item.id: item.after for item in listed},
        {item.id: item.families for item in listed},
    )
    return [Ranked(rid, folded.get(rid, []), lifted.get(rid, [])) for rid in places]


def order(
    keys: list[Key],
    after_of: Mapping[str, Sequence[str]],
    families_of: Mapping[str, frozenset[str]],
) -> tuple[list[str], dict[str, list[str]], dict[str, list[str]]]:
    """The ranking of `rank`, on plain data.

    Returns the ids of the places in order, the ids folded into each place, and the ids that
    lifted each (the key's last item is the id).

    A place is done with its sub-points, so it comes after their prerequisites too. When a
    recommendation would join a family's place that stands above one of its prerequisites, that
    place takes the prerequisite as its own and the order is made again: the prerequisite is
    lifted to the place (by the recommendation that needs it), and the recommendation joins it.
    Only where that would close a circle (the prerequisite needs the place first) does the
    recommendation keep a place of its own and wait.
    """
    present = {key[-1]: key for key in keys}
    needs, needed_by = _prerequisites(present, after_of)
    joined: dict[tuple[str, str], str] = {}  # (place, prerequisite taken on): who needs it
    while True:
        lifted: dict[str, list[str]] = {}
        if not needs:
            placed = [key[-1] for key in sorted(keys)]
        else:
            placed, lifted = _with_prerequisites(present, needs, needed_by)
        places, folded, apart = _fold(placed, needs, families_of)
        if not _take_on(apart, needs, needed_by, joined):
            break
    # A place lifted a prerequisite it took on for a recommendation that joins it: that
    # recommendation is what needs it (and lists it under `after`).
    for (home, before), rid in joined.items():
        lifting = lifted.get(before)
        if lifting and home in lifting:
            lifting.remove(home)
            if rid not in lifting:
                lifting.append(rid)
                lifting.sort()
    return places, folded, lifted


def _prerequisites(
    present: Mapping[str, Key], after_of: Mapping[str, Sequence[str]]
) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """The prerequisites of each among those present, and the other way round."""
    needs: dict[str, list[str]] = {}
    needed_by: dict[str, list[str]] = {}
    for rid, after in after_of.items():
        if rid in present:
            found = [b for b in after if b in present]
            if found:
                needs[rid] = found
                for before in found:
                    needed_by.setdefault(before, []).append(rid)
    return needs, needed_by


def _take_on(
    apart: list[tuple[str, str, list[str]]],
    needs: dict[str, list[str]],
    needed_by: dict[str, list[str]],
    joined: dict[tuple[str, str], str],
) -> bool:
    """Let each place above one kept apart take on its prerequisites; whether any did.

    Not one that needs the place first: that would close a circle.
    """
    taken = False
    for rid, home, later in apart:
        for before in later:
            if (home, before) not in joined and not _needs(before, home, needs):
                joined[home, before] = rid
                needs.setdefault(home, []).append(before)
                needed_by.setdefault(before, []).append(home)
                taken = True
    return taken


def _needs(rid: str, other: str, needs: Mapping[str, list[str]]) -> bool:
    """Whether `rid` needs `other` first, directly or through its prerequisites."""
    seen: set[str] = set()
    stack = [rid]
    while stack:
        for before in needs.get(stack.pop(), ()):
            if before == other:
                return True
            if before not in seen:
                seen.add(before)
                stack.append(before)
    return False


def _with_prerequisites(
    present: Mapping[str, Key],
    needs: Mapping[str, list[str]],
    needed_by: Mapping[str, list[str]],
) -> tuple[list[str], dict[str, list[str]]]:
    """The order when some need others first, and who lifted whom.

    Each takes its effective key: its own, or for a prerequisite the best among what needs it.
    The order is then the smallest (effective key, key) among those whose prerequisites are all
    placed, repeatedly. It is computed as one sort of the keys, the few lifted prerequisites moved
    up to their effective keys, and one pass: walking that list, one that still waits is passed
    over, and is placed as soon as its last prerequisite is, before anything later in the list
    (whatever was passed over sorts before what is still to come).
    """
    best: dict[str, Key] = {}

    def effective(rid: str) -> Key:
        found = best.get(rid)
        if found is None:
            found = present[rid]
            for dependent in needed_by.get(rid, ()):
                found = min(found, effective(dependent))
            best[rid] = found
        return found

    lifted: dict[str, list[str]] = {}
    early: list[tuple[Key, Key]] = []  # (effective key, key) of the lifted prerequisites
    for rid, dependents in needed_by.items():
        own = present[rid]
        lifting = [d for d in dependents if effective(d) < own]
        if lifting:
            lifting.sort()
            lifted[rid] = lifting
            early.append((effective(rid), own))
    entries = sorted(present.values())
    if early:
        # Every other one's effective key is its key: the lifted ones move up to where their
        # effective key sorts among those (after an equal one: its key is greater).
        early.sort()
        rest = [key for key in entries if key[-1] not in lifted]
        entries = []
        start = 0
        for lifted_key, key in early:
            end = bisect.bisect_right(rest, lifted_key)
            entries += rest[start:end]
            entries.append(key)
            start = end
        entries += rest[start:]
    return _walk(entries, needs, needed_by, effective), lifted


def _walk(
    entries: list[Key],
    needs: Mapping[str, list[str]],
    needed_by: Mapping[str, list[str]],
    effective: Callable[[str], Key],
) -> list[str]:
    """The ids of `entries` (in (effective key, key) order), each after its prerequisites."""
    waiting = {rid: len(found) for rid, found in needs.items()}
    placed: list[str] = []
    passed: dict[str, Key] = {}  # waiting ones the walk has gone by, with their keys
    released: list[tuple[Key, Key]] = []
    for key in entries:
        rid = key[-1]
        if waiting.get(rid):
            passed[rid] = key
            continue
        placed.append(rid)
        if rid not in needed_by:
            continue  # nothing waits for it (and the loop below empties `released`)
        done = rid
        while True:
            for dependent in needed_by.get(done, ()):
                waiting[dependent] -= 1
                if not waiting[dependent] and dependent in passed:
                    heapq.heappush(released, (effective(dependent), passed[dependent]))
            if not released:
                break
            done = heapq.heappop(released)[1][-1]
            placed.append(done)
    return placed


def _fold(
    placed: list[str],
    needs: Mapping[str, list[str]],
    families_of: Mapping[str, frozenset[str]],
) -> tuple[list[str], dict[str, list[str]], list[tuple[str, str, list[str]]]]:
    """The places, what is folded into each (one place per indicator family), and those kept apart.

    Kept apart: (id, the place above that answers one of its families, its prerequisites placed
    after that place), for each recommendation that keeps a place of its own because it waits
    for those.
    """
    places: list[str] = []
    folded: dict[str, list[str]] = {}
    apart: list[tuple[str, str, list[str]]] = []
    places_of: dict[str, list[int]] = {}  # the places that answer each family, in order
    where: dict[str, int] = {}  # the place of each recommendation, or of what it is folded into
    for rid in placed:
        families = families_of.get(rid)
        if not families:
            where[rid] = len(places)
            places.append(rid)
            continue
        # A sub-point is done with its place, so that place must come after its prerequisites.
        wait = needs.get(rid)
        if wait is None and len(families) == 1:
            # The common case, the general one below without its loops: the family's first place.
            (family,) = families
            held = places_of.get(family)
            if held is None:
                places_of[family] = [len(places)]
                where[rid] = len(places)
                places.append(rid)
            else:
                folded.setdefault(places[held[0]], []).append(rid)
                where[rid] = held[0]
            continue
        earliest = max([where[b] for b in wait]) if wait else -1
        home = _first_place(families, earliest, places_of)
        if home >= 0:
            folded.setdefault(places[home], []).append(rid)
        else:
            above = _first_place(families, -1, places_of)
            if above >= 0:
                apart.append((rid, places[above], [b for b in wait or () if where[b] > above]))
            home = len(places)
            places.append(rid)
        where[rid] = home
        for family in families:
            held = places_of.get(family)
            if held is None:
                places_of[family] = [home]
            elif home not in held:
                held.append(home)
                held.sort()
    return places, folded, apart


def _first_place(
    families: frozenset[str], earliest: int, places_of: Mapping[str, list[int]]
) -> int:
    """The first place from `earliest` on that answers one of `families`, or -1."""
    home = -1
    for family in families:
        for n in places_of.get(family, ()):
            if n >= earliest:
                if home < 0 or n < home:
                    home = n
                break  # each list is in order: the first that fits is its earliest
    return home
