"""Where the five source texts are, and what they mark as elements.

The texts are not distributed with the project: they are read from `../shared/seeds` beside it, or
from the folder named in READINESS_SOURCE_TEXTS. Tests that need them skip without them; the
counts below were taken from them and are what the coverage maps are held to either way.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from engine.authoring.copies import seeds_dir, source_files

ROOT = Path(__file__).resolve().parents[2]
_NAMED = os.environ.get("READINESS_SOURCE_TEXTS")
FOLDER = Path(_NAMED) if _NAMED else seeds_dir(ROOT)
needs_texts = pytest.mark.skipif(
    FOLDER is None or not FOLDER.is_dir(),
    reason="the five source texts are not distributed with the project; put them in "
    "../shared/seeds beside it or name their folder in READINESS_SOURCE_TEXTS",
)


def text_of(source: str) -> str:
    """The text of `source`, found by its id in the seeds' README table."""
    assert FOLDER is not None
    return source_files(FOLDER)[source].read_text(encoding="utf-8")


_SKR_HEADINGS = (
    r"^\s*(?:UTVECKLINGSARBETE \d+|(?:Ökad samverkan mellan|Ta vara på|Sträva efter|"
    r"Skapa en närmare|Ha större fokus på|Lägg grunden genom|Anamma en) [^\n.]*)\s*$"
)


def marked_elements(source: str, text: str) -> int:
    """How many elements `text` marks, in the way this source marks them.

    - Kunskapsguiden: its bulleted lines: the four phases, the four questions of the local
      inventory, the fourteen steps, the eight success factors and the eight obstacles.
    - The Danish frame: every listed question of section 3, process questions and their sub-points
      as well as the implementation questions of each level; the two bold group labels of the
      institutional level ("Ledelse:", "Organisationsstrukturer"), which ask nothing, do not count.
    - Partnerskapet's pilot report: the bulleted changes the pilots tried (from Del 1 on) and the
      numbered steps of its tips for managers.
    - SKR's publication: the headings of its seven development cases and of its seven success
      factors (the lessons inside the cases are prose the text does not mark).
    - The family group conference guide: the lines opening a milestone (OCR: "Milepeel:"), its
      guiding questions (dashed, or a line starting "Hv…" and ending in "?"), the coordinator's
      tasks (bulleted with OCR-damaged glyphs "+ % « <"), the five numbered cornerstones and the
      three stages ("Trin 1:").
    """
    if source == "kunskapsguiden-implementering":
        return len(re.findall(r"^\s*•", text, re.M))
    if source == "partnerskapet-tidigt-stod":
        tips = text[text.index("Tips till dig som chef") :]
        changes = len(re.findall(r"^\s*•", text[text.index("DEL 1") :], re.M))
        return changes + len(re.findall(r"^\d\. ", tips[:3000], re.M))
    if source == "socialstyrelsen-dk-ramme-2019":
        section = text[text.index("## 3. Refleksionsspørgsmål") :]
        items = re.findall(r"<li>(.*?)(?=<li>|</ul>)", section, re.S)
        labels = [item for item in items if re.fullmatch(r"•\s*<b>[^<]*</b>\s*<ul[^>]*>\s*", item)]
        return len(items) - len(labels)
    if source == "skr-socialtjanst-i-forandring":
        return len(re.findall(_SKR_HEADINGS, text, re.M))
    if source == "socialstyrelsen-dk-familieradslagning":
        marks = r"Milep(?:æ|ae|ee)l:|^- |^Hv[^\n]*\?$|^[+%«<] |^\d\. |Trin \d:"
        return len(re.findall(marks, text, re.M))
    raise KeyError(source)


# Counted from the texts (test_coverage checks these counts against them when they are present).
MARKED = {
    "kunskapsguiden-implementering": 38,
    "partnerskapet-tidigt-stod": 13,
    "socialstyrelsen-dk-ramme-2019": 54,
    "skr-socialtjanst-i-forandring": 14,
    "socialstyrelsen-dk-familieradslagning": 90,
}
