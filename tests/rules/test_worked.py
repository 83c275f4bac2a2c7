"""The README's worked example of the ranking is what the engine gives today (`tests.rules.worked`)."""

from __future__ import annotations

from pathlib import Path

from engine import Engine
from tests.rules.worked import SCENARIO, markdown, result

README = Path(__file__).resolve().parents[2] / "README.md"


def test_the_readme_worked_example_is_what_the_ranking_gives_today(engine: Engine) -> None:
    # The prose under the table reads each place by the README's ranking rules. When a rule change
    # moves the table, `python -m tests.rules.worked` prints the new one: paste it and read the
    # prose against it again.
    table = markdown(result(engine))
    readme = " ".join(README.read_text(encoding="utf-8").split())
    assert " ".join(table.split()) in readme, table
    assert f"`{SCENARIO}`" in readme


def test_the_table_shows_what_the_ranking_reads_of_each_place(engine: Engine) -> None:
    found = result(engine)
    rows = markdown(found, places=3).splitlines()
    assert len(rows) == 2 + 3  # header, rule, three places
    first = found.recommendations[0]
    cells = [c.strip() for c in rows[2].strip("|").split("|")]
    assert cells[:3] == ["1", f"`{first.id}`", first.priority]
    assert cells[3].startswith(f"{first.score.urgency} {first.score.severity}")
    assert cells[4] == f"{first.score.things_closed} / {first.score.gaps_closed}"
