"""Domain texts: present in Swedish, Danish and English, translated, and free of OCR damage."""

from __future__ import annotations

import re

import pytest

from engine import Ruleset
from engine.rulefile import LocalizedText

# Letter sequences the OCR of the Danish guide produced in place of æ, ø and å.
OCR_DAMAGE = re.compile(
    r"milep(e|a|z)el|sp[gq]rgsm[aå]l|radslagning|\bm[gq]de|\bkgre|\bstgtte", re.I
)


def texts(ruleset: Ruleset) -> list[tuple[str, str, LocalizedText]]:
    found: list[tuple[str, str, LocalizedText]] = []
    for rule in ruleset.rules:
        found.append((f"rule {rule.id}", "title", rule.title))
    for kind, entries in (
        ("obstacle", ruleset.obstacles),
        ("success factor", ruleset.success_factors),
        ("recommendation", ruleset.recommendations),
    ):
        for entry_id, entry in entries.items():
            for field in ("title", "description", "action", "rationale"):
                value = getattr(entry, field, None)
                if isinstance(value, LocalizedText):
                    found.append((f"{kind} {entry_id}", field, value))
    questionnaire = ruleset.questionnaire
    for scale, labels in questionnaire.scales.items():
        for value, label in labels.items():
            found.append((f"answer label {scale}.{value}", "title", label))
    for path, heading in questionnaire.groups.items():
        found.append((f"heading {path}", "title", heading))
    for path, question in questionnaire.questions.items():
        found.append((f"question {path}", "title", question.text))
    return found


def test_every_text_exists_in_all_three_languages(ruleset: Ruleset) -> None:
    for owner, field, text in texts(ruleset):
        for language in ("sv", "da", "en"):
            value = text.in_(language).strip()
            assert value, f"{owner}: {field}.{language} is empty"
            assert "TODO" not in value, f"{owner}: {field}.{language} is unwritten"


def test_longer_texts_are_translated_not_copied(ruleset: Ruleset) -> None:
    for owner, field, text in texts(ruleset):
        if field == "title":
            continue
        assert len({text.sv, text.da, text.en}) == 3, f"{owner}: {field} repeats a language"


def test_danish_texts_carry_no_ocr_damage(ruleset: Ruleset) -> None:
    for owner, field, text in texts(ruleset):
        assert not OCR_DAMAGE.search(text.da), f"{owner}: {field}.da"


@pytest.mark.parametrize("language", ["sv", "da"])
def test_nordic_texts_use_their_own_letters(ruleset: Ruleset, language: str) -> None:
    letters = "åäö" if language == "sv" else "æøå"
    paragraphs = [t.in_(language) for _, f, t in texts(ruleset) if f != "title"]
    with_letters = [p for p in paragraphs if any(c in p.lower() for c in letters)]
    # Nearly every paragraph of Swedish or Danish has one of its own letters; a set without is
    # a sign of text typed without them ("medarbetare" survives, "forandring" does not).
    assert len(with_letters) >= 0.9 * len(paragraphs)
