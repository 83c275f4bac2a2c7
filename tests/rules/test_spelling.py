"""Every text a municipality reads, in Swedish, Danish and English, is spelled as hunspell spells it.

The rule files and the pages' texts are checked with Debian's hunspell-sv, -da and -en-gb (see
`engine.authoring.spelling`). Without hunspell these tests are skipped; in CI
(`READINESS_REQUIRE_HUNSPELL=1`, set by `.ci/run`, which installs it) they fail instead.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from engine.authoring.cli import command_line
from engine.authoring.spelling import (
    WORDS_FILE,
    accepted,
    find_misspellings,
    missing_tools,
    unknown_words,
    words_of,
)
from engine.rulebase.loader import default_rules_dir
from tests.rules.pagetexts import page_texts

MISSING = missing_tools()
if MISSING and os.environ.get("READINESS_REQUIRE_HUNSPELL") != "1":
    pytest.skip(
        f"the spelling check needs {', '.join(MISSING)} (Debian: hunspell, hunspell-sv, "
        "hunspell-da, hunspell-en-gb; .ci/run installs them)",
        allow_module_level=True,
    )

RULES = default_rules_dir()


def test_every_rule_text_is_spelled_correctly() -> None:
    found = find_misspellings(RULES)
    assert not found, "\n".join(str(m) for m in found)


def test_every_page_text_is_spelled_correctly() -> None:
    texts = list(page_texts())
    # The page tables are found: the frame, the questionnaire, the report, the dashboard, rounds.
    assert len({module for module, *_ in texts}) >= 6, sorted({m for m, *_ in texts})
    found = [m for m in find_misspellings(RULES, texts) if m.file.startswith(("api.", "schemas."))]
    assert not found, "\n".join(str(m) for m in found)


def test_the_check_finds_a_danish_word_in_a_swedish_text_and_a_misspelled_danish_one(
    tmp_path: Path,
) -> None:
    (tmp_path / "entry.yaml").write_text(
        "title:\n"
        "  sv: Chefernas engagemang har stor betydning för arbetet\n"
        "  da: Gennemgå trinene i den indledende vurdering\n"
        "  en: Anything at all, checked too\n",
        encoding="utf-8",
    )
    found = [(m.file, m.key, m.language, m.word) for m in find_misspellings(tmp_path)]
    assert found == [
        ("entry.yaml", "title", "da", "trinene"),
        ("entry.yaml", "title", "sv", "betydning"),
    ]


def test_listed_words_and_phrases_are_accepted_also_at_the_start_of_a_sentence(
    tmp_path: Path,
) -> None:
    (tmp_path / WORDS_FILE).write_text(
        "words:\n  da: [samordneren]\nphrases:\n  da: [Stuprör, hängrännor och rännkrokar]\n",
        encoding="utf-8",
    )
    (tmp_path / "entry.yaml").write_text(
        "action:\n  da: Samordneren læser Stuprör, hängrännor och rännkrokar. Så samordneren.\n"
        "rationale:\n  da: En svensk bog, och en samordnerske\n",
        encoding="utf-8",
    )
    found = [(m.key, m.word) for m in find_misspellings(tmp_path)]
    # Outside the listed phrase, the Swedish "och" is a mistake in a Danish text.
    assert found == [("rationale", "och"), ("rationale", "samordnerske")]


def test_suspended_compounds_abbreviations_ids_and_code_are_not_misspellings() -> None:
    assert words_of("hälso- och sjukvården, RSS:ernas stöd och `step_1` och {count}") == (
        ["och", "sjukvården", "stöd", "och", "och"],
        ["hälso"],
    )
    assert words_of("t.ex. 0780-ifo, ÅÅÅÅ-MM-DD, kv. 2") == (["t", "ex", "kv"], [])
    assert words_of("børne- og ungeområdet") == (["og", "ungeområdet"], ["børne"])


def test_a_suspended_compound_whose_first_part_is_no_word_is_found(tmp_path: Path) -> None:
    (tmp_path / "entry.yaml").write_text(
        "title:\n  sv: hälso- och sjukvård\n  da: børne- og ungeområdet, børnne- og voksen\n",
        encoding="utf-8",
    )
    assert [(m.language, m.word) for m in find_misspellings(tmp_path)] == [("da", "børnne")]


def test_every_listed_word_is_one_the_dictionary_does_not_know() -> None:
    # A word the dictionary knows needs no entry: the list holds only what must be there.
    lists = accepted(RULES)
    for language in ("sv", "da", "en"):
        words = getattr(lists.words, language)
        assert words, language
        assert len(set(words)) == len(words), language  # each word once
        assert unknown_words(words, language) == set(words), language


def test_the_rules_spell_command_reports_and_fails_on_a_misspelling(tmp_path: Path) -> None:
    shutil.copytree(RULES, tmp_path / "rules")
    runner = CliRunner()
    clean = runner.invoke(command_line(), ["--rules", str(tmp_path / "rules"), "rules", "spell"])
    assert clean.exit_code == 0, clean.output
    entry = tmp_path / "rules" / "catalog" / "recommendations" / "agree-management-reporting.yaml"
    entry.write_text(
        entry.read_text("utf-8").replace("stor betydelse för", "stor betydning för"), "utf-8"
    )
    found = runner.invoke(command_line(), ["--rules", str(tmp_path / "rules"), "rules", "spell"])
    assert found.exit_code == 1
    assert "agree-management-reporting.yaml: rationale: 'betydning' (sv)" in found.output
    assert "1 word(s)" in found.output
