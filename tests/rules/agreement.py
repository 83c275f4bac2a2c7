"""How far the rules and the two advisers of the scenario corpus agree: the README's table.

Every scenario in `scenarios/` holds the first adviser's expectation (`expect`) and a second
adviser's blind reading (`second_reading`). This module measures, over the whole corpus and over
the scenarios the rules meet and those still open:

- first place, same: the first advisers' first places overlap (a tie counts each of its ids), or
  the rules' first recommendation is among the second adviser's first place;
- of the first three places, shared: how many of the first three ids two lists have in common,
  as a mean over the scenarios (a tie is read in the order written);
- level, same: the overall level.

It also holds the second adviser's first four to the first adviser's order, as
`test_scenarios.test_scenario` holds the rules: how many scenarios another careful adviser would
pass; what the rules put in their first three places that neither adviser names at all, where
that happens in two scenarios or more (the differences that are the rules' to answer); and where
the first adviser's readings contradict each other: two scenarios whose readings order the same
two recommendations both ways, while each of the two stands in both results with the same score
(`Facts`). No ranking that orders recommendations by their scores can meet both readings, so
however the score's parts are weighed, at least `fewest_left_open` scenarios stay open.

    python -m tests.rules.agreement        # prints the table as the README has it
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path
from typing import Any

from engine import Engine
from tests.rules.test_scenarios import SCENARIOS, _assess, _flat, _in_order, _load

Order = list[str | list[str]]
Facts = tuple[bool, int, int, bool, int, int, int]
"""What the ranking reads of a recommendation: finds out, stage, urgency, blocking, things
closed, gaps closed, step (see `engine.runtime.ranking.Key`; the id is its last part)."""


def _first(order: Order) -> set[str]:
    entry = order[0]
    return {entry} if isinstance(entry, str) else set(entry)


def _shared(one: list[str], other: list[str], n: int = 3) -> int:
    return len(set(one[:n]) & set(other[:n]))


@dataclass(frozen=True)
class Reading:
    """One scenario as the two advisers and the rules read it."""

    name: str
    open: bool
    first: Order  # the first adviser's
    second: Order  # the second adviser's
    ranked: list[str]  # the rules'
    levels: tuple[str, str, str]  # first adviser, second adviser, rules
    facts: dict[str, Facts] = field(default_factory=dict)
    """Of each place that neither needs a prerequisite in the result nor was lifted by one:
    its order among them follows from its own key alone."""

    @property
    def second_passes(self) -> bool:
        """Whether the second adviser's first places meet the first adviser's, as the rules must."""
        return _in_order(_flat(self.second), self.first)


def readings(engine: Engine, paths: list[Path] = SCENARIOS) -> list[Reading]:
    """Each scenario's two readings and the rules' result."""
    found = []
    for path in paths:
        scenario: dict[str, Any] = _load(path)
        result = _assess(engine, scenario)
        found.append(
            Reading(
                path.stem,
                "open" in scenario,
                scenario["expect"]["first"],
                scenario["second_reading"]["first"],
                [r.id for r in result.recommendations],
                (
                    scenario["expect"]["level"],
                    scenario["second_reading"]["level"],
                    result.readiness.level,
                ),
                {
                    r.id: (
                        r.score.finds_out,
                        r.score.stage,
                        r.score.urgency,
                        r.score.severity == "blocking",
                        r.score.things_closed,
                        r.score.gaps_closed,
                        r.step,
                    )
                    for r in result.recommendations
                    if not r.after and not r.score.lifted_by
                },
            )
        )
    return found


def _before(reading: Reading) -> set[tuple[tuple[str, Facts], tuple[str, Facts]]]:
    """What the first adviser's reading puts before what, of the places `facts` holds.

    Each entry of `first` comes before the later entries and before every place it does not
    name (a tie's members before what follows the tie, in no order among themselves).
    """
    entries = [[e] if isinstance(e, str) else e for e in reading.first]
    named = set(_flat(reading.first))
    rest = [rid for rid in reading.ranked if rid not in named]
    facts = reading.facts
    found = set()
    for n, entry in enumerate(entries):
        for earlier in entry:
            for later in [*(i for e in entries[n + 1 :] for i in e), *rest]:
                if earlier in facts and later in facts:
                    found.add(((earlier, facts[earlier]), (later, facts[later])))
    return found


def contradictions(found: list[Reading]) -> list[tuple[str, str, str, str]]:
    """Pairs of readings that no ranking by the recommendations' scores can both meet.

    Returns (scenario, other scenario, recommendation, other recommendation), one pair of
    recommendations for each pair of scenarios, sorted: the first scenario's reading puts the
    recommendation first, the other's the other one, and each recommendation has the same score
    in both results.
    """
    orders = {r.name: _before(r) for r in found}
    pairs: dict[tuple[str, str], tuple[str, str]] = {}
    for name, before in orders.items():
        for other, theirs in orders.items():
            if other <= name:
                continue
            for earlier, later in sorted(before):
                if (later, earlier) in theirs:
                    pairs.setdefault((name, other), (earlier[0], later[0]))
                    break
    return sorted((a, b, p, q) for (a, b), (p, q) in pairs.items())


def fewest_left_open(found: list[Reading]) -> int:
    """How many scenarios at least stay open under any ranking by the scores.

    The fewest scenarios that leave no pair of `contradictions` with both met: each such pair
    needs one of its two open.
    """
    pairs = {(a, b) for a, b, _, _ in contradictions(found)}
    names = sorted({n for pair in pairs for n in pair})
    for k in range(len(names) + 1):
        for chosen in combinations(names, k):
            left = set(chosen)
            if all(a in left or b in left for a, b in pairs):
                return k
    return len(names)


def rows(found: list[Reading]) -> list[tuple[str, int, str, int]]:
    """The table's rows: (label, first place same, first three shared (mean), level same)."""
    met = [r for r in found if not r.open]
    still_open = [r for r in found if r.open]
    table = []
    for group, label in (
        (found, f"all {len(found)}"),
        (met, f"the {len(met)} the rules meet"),
        (still_open, f"the {len(still_open)} open"),
    ):
        advisers = (
            sum(bool(_first(r.first) & _first(r.second)) for r in group),
            sum(_shared(_flat(r.first), _flat(r.second)) for r in group) / len(group),
            sum(r.levels[0] == r.levels[1] for r in group),
        )
        rules = (
            sum(r.ranked[0] in _first(r.second) for r in group),
            sum(_shared(_flat(r.second), r.ranked) for r in group) / len(group),
            sum(r.levels[2] == r.levels[1] for r in group),
        )
        table.append((f"the two advisers, {label}", advisers[0], f"{advisers[1]:.2f}", advisers[2]))
        table.append(
            (f"the rules and the second adviser, {label}", rules[0], f"{rules[1]:.2f}", rules[2])
        )
    return table


def unnamed(found: list[Reading], n: int = 3, at_least: int = 2) -> list[tuple[str, int, int]]:
    """What the rules put in their first `n` places and neither adviser names at all.

    Returns, for each recommendation that does so in at least `at_least` scenarios, (its id, in how
    many scenarios, how many of them open), the most frequent first, then by id.
    """
    counts: dict[str, list[bool]] = {}
    for r in found:
        named = set(_flat(r.first)) | set(_flat(r.second))
        for rid in r.ranked[:n]:
            if rid not in named:
                counts.setdefault(rid, []).append(r.open)
    listed = [(rid, len(opens), sum(opens)) for rid, opens in counts.items()]
    return sorted([x for x in listed if x[1] >= at_least], key=lambda x: (-x[1], x[0]))


def markdown(found: list[Reading]) -> str:
    """The table and the line under it, as the README has them."""
    lines = [
        "| | first place, same | of the first three places, shared (mean) | level, same |",
        "|---|---:|---:|---:|",
        *(
            f"| {label} | {first} | {three} | {level} |"
            for label, first, three, level in rows(found)
        ),
    ]
    passes = sum(r.second_passes for r in found)
    with_level = sum(r.second_passes and r.levels[1] == r.levels[0] for r in found)
    met = sum(not r.open for r in found)
    lines += [
        "",
        f"Held to the first adviser's order as the scenario test holds the rules, the second "
        f"adviser's first places would meet {passes} of the {len(found)} scenarios ({with_level} "
        f"with the level too); the rules meet {met}.",
        "",
        "Among the rules' first three places, named by neither adviser, in two scenarios or more: "
        + "; ".join(f"`{rid}` {times} ({opened} open)" for rid, times, opened in unnamed(found))
        + ".",
        "",
        f"The first adviser's readings contradict each other in {len(contradictions(found))} "
        "pairs of scenarios: the two order the same two recommendations both ways, while each "
        "stands in both results with the same score (stage, urgency, things and gaps closed, "
        "step). No ranking by the scores can meet both, so however their parts are weighed, at "
        f"least {fewest_left_open(found)} of the {len(found)} scenarios stay open.",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    print(markdown(readings(Engine.from_folder(backend="compiled"))))
