"""The copy check: the rule files paraphrase the sources and never quote eight words in a row."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from engine.authoring.copies import MIN_WORDS, copies_in, find_copies, read_sources
from engine.rulebase.loader import default_rules_dir
from tests.rules.sourcetexts import FOLDER, needs_texts
from tests.rules.test_scenarios import SCENARIOS, _load

ROOT = Path(__file__).resolve().parents[2]

SOURCE = (
    "<p>Ledelsen skal sikre, at medarbejderne får tid til at lære metoden, og at de nye rutiner "
    "bliver en del af det daglige arbejde i hele organisationen.</p>\n"
    "Milepæl: Der er afsat ressourcer til at indsatsen kan køre i projektperioden\n"
)
# The same passage as the OCR of the Danish guide left it: g for ø, ae for æ, a for å.
DAMAGED = SOURCE.replace("ø", "g").replace("æ", "ae").replace("å", "a")


def _rules(tmp_path: Path, text: str) -> Path:
    rules = tmp_path / "rules"
    (rules / "sources").mkdir(parents=True)
    (rules / "sources" / "guide.yaml").write_text(
        "title: En vejledning\n"
        "elements:\n"
        "- locator: 'Milepæl: Der er afsat ressourcer til at indsatsen kan køre i "
        "projektperioden'\n"
        "  what: resources\n",
        encoding="utf-8",
    )
    (rules / "entry.yaml").write_text(
        f"id: ledelsen skal sikre at medarbejderne får tid til at lære metoden\n"
        f"description:\n  da: {text!r}\n",
        encoding="utf-8",
    )
    return rules


def _sources(tmp_path: Path, text: str) -> dict[str, list[str]]:
    folder = tmp_path / "seeds"
    folder.mkdir()
    (folder / "004_guide.txt").write_text(text, encoding="utf-8")
    (folder / "README.md").write_text("| `004_guide.txt` | `the-guide` | da |\n", encoding="utf-8")
    return read_sources(folder)


@pytest.mark.parametrize("source", [SOURCE, DAMAGED], ids=["clean", "ocr-damaged"])
def test_a_run_of_eight_words_from_a_source_is_reported_as_written(
    tmp_path: Path, source: str
) -> None:
    text = "Husk: medarbejderne får tid til at lære metoden, og at de nye rutiner holder."
    found = find_copies(_rules(tmp_path, text), _sources(tmp_path, source))
    assert [str(copy) for copy in found] == [
        "entry.yaml: description.da: 12 words shared with the-guide: "
        '"medarbejderne får tid til at lære metoden og at de nye rutiner"'
    ]


def test_seven_words_a_quoted_locator_and_ids_are_not_copies(tmp_path: Path) -> None:
    text = (
        "Sørg for at medarbejderne får tid til at lære. Se milepælen 'Der er afsat ressourcer "
        "til at indsatsen kan køre i projektperioden'."
    )
    assert find_copies(_rules(tmp_path, text), _sources(tmp_path, SOURCE)) == []
    # The same seven words are reported when the shortest run asked for is seven.
    assert len(find_copies(_rules(tmp_path / "b", text), _sources(tmp_path / "b", SOURCE), 7)) == 1


def test_the_command_reports_copies_and_fails(tmp_path: Path) -> None:
    rules = _rules(tmp_path, "at de nye rutiner bliver en del af det daglige arbejde")
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "guide.txt").write_text(SOURCE, encoding="utf-8")

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(  # noqa: S603 - fixed interpreter and arguments
            [sys.executable, "-m", "engine", "--rules", str(rules), "rules", "copies", *args],
            capture_output=True,
            text=True,
            cwd=ROOT,
            timeout=120,
            check=False,
        )

    done = run("--sources", str(seeds))
    assert done.returncode == 1, done.stderr
    assert "11 words shared with guide.txt" in done.stdout
    missing = run("--sources", str(tmp_path / "absent"))
    assert missing.returncode == 2
    assert "--sources" in missing.stderr


@needs_texts
def test_no_rule_file_copies_eight_words_from_a_source() -> None:
    assert FOLDER is not None
    sources = read_sources(FOLDER)
    assert len(sources) == 5
    found = find_copies(default_rules_dir(), sources)
    assert not found, f"runs of {MIN_WORDS}+ words copied from a source:\n" + "\n".join(
        map(str, found)
    )


@needs_texts
def test_the_scenarios_paraphrase_the_sources_too() -> None:
    # The advisers' prose (description, reasoning, ties, open notes, second readings) is held to
    # the rule files' rule: locators may be named, passages not quoted.
    assert SCENARIOS
    prose: list[tuple[str, str, str]] = []
    for path in SCENARIOS:
        scenario = _load(path)
        prose += [
            (path.name, key, scenario[key])
            for key in ("description", "adviser", "ties", "open")
            if key in scenario
        ]
        if "second_reading" in scenario:
            prose.append((path.name, "second_reading.why", scenario["second_reading"]["why"]))
    assert FOLDER is not None
    copies = copies_in(prose, default_rules_dir(), read_sources(FOLDER))
    assert not copies, "\n".join(map(str, copies))
