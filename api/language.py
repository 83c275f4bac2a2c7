"""Choosing the language of a response: `?lang=` first, then `Accept-Language`, then English.

Both are read as language tags are meant to be read (RFC 5646): case-insensitively, and a
region subtag narrows the language without changing it, so `SV`, `Da` and `sv-SE` all count.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, cast, get_args

from litestar.params import HeaderParameter, QueryParameter

from api.problems import ProblemError
from schemas.problem import FieldError
from schemas.vocabulary import Language

__all__ = ["LANGUAGES", "AcceptLanguage", "LangQuery", "lang_parameter", "language_of", "negotiate"]

LANGUAGES: tuple[Language, ...] = get_args(Language)


def lang_parameter(what: str) -> Any:
    """The `lang` query parameter's definition, saying `what` the language chooses.

    The parameter is a string, not the `Language` literal, so that `negotiate` reads it as a
    language tag; the document lists the three languages.
    """
    return QueryParameter(
        description=(
            f"{what}: sv, da or en, in any case, a region subtag allowed (`SV`, `sv-SE`); "
            "default: Accept-Language"
        ),
        max_length=35,
        schema_extra={"enum": list(LANGUAGES)},
    )


LangQuery = Annotated[str | None, lang_parameter("Language of the texts")]
AcceptLanguage = Annotated[
    str | None,
    HeaderParameter(name="Accept-Language", description="Used when `lang` is not given"),
]


def language_of(tag: str) -> Language | None:
    """The language of the tag `tag` (`SV`, `sv-SE`, `da_DK`, `*` as English), or None."""
    primary = re.split(r"[-_]", tag.strip().lower(), maxsplit=1)[0]
    if primary == "*":
        return "en"
    return cast(Language, primary) if primary in LANGUAGES else None


def negotiate(lang: str | None, accept_language: str | None) -> Language:
    """Return the language to answer in.

    Raises:
        ProblemError: 400 `invalid-parameter` when `lang` names no language the API speaks.
    """
    if lang is not None:
        chosen = language_of(lang)
        if chosen is None:
            allowed: list[str] = list(LANGUAGES)
            message = f"lang {lang[:40]!r} is not one of {', '.join(allowed)} (any case)"
            raise ProblemError(
                400,
                "invalid-parameter",
                f"invalid parameter: {message}",
                [
                    FieldError(
                        path="lang", type="value-not-allowed", message=message, allowed=allowed
                    )
                ],
            )
        return chosen
    best: tuple[float, int, Language] | None = None
    for position, part in enumerate((accept_language or "").split(",")):
        tag, _, params = part.strip().partition(";")
        primary = language_of(tag)
        if primary is None:
            continue
        quality = 1.0
        for param in params.split(";"):
            key, _, value = param.strip().partition("=")
            if key == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if quality <= 0:
            continue
        candidate = (-quality, position, primary)
        if best is None or candidate < best:
            best = candidate
    return best[2] if best else "en"
