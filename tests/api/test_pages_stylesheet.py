"""The pages' stylesheet: its blocks are closed, so no section ends up inside another's print rules.

An `@media print {` left open makes every rule after it print-only, which the browser accepts
without a word: the pages then lose their screen styles and only a person looking sees it.
"""

from __future__ import annotations

import re

from api.pages import PAGES_ASSETS


def _depths() -> list[tuple[int, int, str]]:
    """(line, depth at its start, text) of every line of pages.css, comments kept."""
    text = (PAGES_ASSETS / "pages.css").read_text(encoding="utf-8")
    depth = 0
    found = []
    for number, line in enumerate(text.splitlines(), 1):
        found.append((number, depth, line))
        code = re.sub(r"/\*.*?\*/", "", line)
        depth += code.count("{") - code.count("}")
        assert depth >= 0, f"pages.css:{number}: a block is closed that was not opened"
    assert depth == 0, f"pages.css ends with {depth} block(s) open"
    return found


def test_every_block_is_closed() -> None:
    _depths()


def test_every_section_starts_outside_any_block() -> None:
    inside = [
        f"pages.css:{number}: {line.strip()}"
        for number, depth, line in _depths()
        if depth and line.startswith("/*")
    ]
    assert inside == []
