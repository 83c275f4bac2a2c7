"""The README's agreement table is what the scenarios give today (see `tests.rules.agreement`)."""

from __future__ import annotations

from pathlib import Path

from engine import Engine
from tests.rules.agreement import (
    Reading,
    contradictions,
    fewest_left_open,
    markdown,
    readings,
    rows,
    unnamed,
)

README = Path(__file__).resolve().parents[2] / "README.md"


def test_the_readme_agreement_table_is_what_the_scenarios_give_today(engine: Engine) -> None:
    # The figures weigh the rules' differences from the first adviser; stale ones mislead. When a
    # rule change moves them, `python -m tests.rules.agreement` prints the table to paste.
    table = markdown(readings(engine))
    readme = " ".join(README.read_text(encoding="utf-8").split())
    assert " ".join(table.split()) in readme, table


def test_the_measures_count_ties_and_levels_as_the_table_says() -> None:
    found = [
        Reading("a", False, [["x", "y"], "z"], ["y", "x", "z", "w"], ["y", "x", "z"], ("r",) * 3),
        Reading("b", True, ["x", "z"], ["z", "x", "v", "w"], ["x", "z"], ("r", "p", "p")),
    ]
    (all_advisers, all_rules, met_advisers, met_rules, open_advisers, open_rules) = rows(found)
    # a: the first places overlap (y is in the tie) and the rules' first (y) is the second
    # adviser's; b: the advisers' first places differ, and the rules' first (x) is not the
    # second adviser's (z). a shares three of the first three, b two; b's levels part.
    assert all_advisers[1:] == (1, "2.50", 1)
    assert all_rules[1:] == (1, "2.50", 2)
    assert met_advisers[1:] == (1, "3.00", 1) and met_rules[1:] == (1, "3.00", 1)
    assert open_advisers[1:] == (0, "2.00", 0) and open_rules[1:] == (0, "2.00", 1)
    # a's second adviser takes the tied places in the other order, which the test allows.
    assert [r.second_passes for r in found] == [True, False]


def test_unnamed_counts_what_neither_adviser_names_in_the_rules_first_three() -> None:
    found = [
        # u is named by neither adviser; v only by the second one in a; w is fourth in a.
        Reading("a", False, ["x"], ["v", "x"], ["u", "v", "x", "w"], ("r",) * 3),
        Reading("b", True, ["x"], ["x"], ["x", "u", "y"], ("r",) * 3),
        Reading("c", True, ["x"], ["x"], ["w", "x", "v"], ("r",) * 3),
    ]
    # u in a and b (b open); v, w and y once each (in c, c and b): only u reaches two scenarios.
    assert unnamed(found) == [("u", 2, 1)]
    assert unnamed(found, at_least=1) == [("u", 2, 1), ("v", 1, 1), ("w", 1, 1), ("y", 1, 1)]


def test_readings_contradict_when_they_order_two_alike_scored_recommendations_both_ways() -> None:
    high, medium = (False, 0, 3, False, 1, 1, 5), (False, 0, 2, False, 1, 1, 9)
    other = (False, 0, 2, False, 1, 1, 4)  # u's score in c, unlike its score in a and b
    found = [
        # a puts x (high) before u (medium); b puts u before x with the same scores: no ranking by
        # the scores meets both. c puts u before x too, but u has another score there.
        Reading("a", True, ["x"], [], ["x", "u"], ("r",) * 3, {"x": high, "u": medium}),
        Reading("b", True, ["u", "x"], [], ["x", "u"], ("r",) * 3, {"x": high, "u": medium}),
        Reading("c", False, ["u"], [], ["u", "x"], ("r",) * 3, {"x": high, "u": other}),
        # d ties x and u: it orders neither before the other, and contradicts nobody.
        Reading("d", True, [["u", "x"]], [], ["x", "u"], ("r",) * 3, {"x": high, "u": medium}),
    ]
    assert contradictions(found) == [("a", "b", "x", "u")]
    assert fewest_left_open(found) == 1
    # A third reading against a: a alone needs to stay open, not two of them.
    found.append(Reading("e", True, ["u"], [], ["x", "u"], ("r",) * 3, {"x": high, "u": medium}))
    assert contradictions(found) == [("a", "b", "x", "u"), ("a", "e", "x", "u")]
    assert fewest_left_open(found) == 1
