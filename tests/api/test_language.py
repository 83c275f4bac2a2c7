"""Choosing the language of a response: `?lang=` first, then `Accept-Language`, then English."""

from __future__ import annotations

import pytest

from api.language import negotiate
from schemas.vocabulary import Language


@pytest.mark.parametrize(
    ("lang", "header", "expected"),
    [
        (None, None, "en"),
        ("da", "sv", "da"),
        (None, "sv-SE,sv;q=0.9,en;q=0.8", "sv"),
        (None, "en;q=0.1, da;q=0.5", "da"),
        (None, "da;q=0, sv;q=0.1", "sv"),
        (None, "*", "en"),
        (None, "fr, da;q=0.2", "da"),
        (None, "garbage;;q=x", "en"),
    ],
)
def test_language_negotiation(lang: Language | None, header: str | None, expected: str) -> None:
    assert negotiate(lang, header) == expected
