"""Choosing the language of a response: `?lang=` first, then `Accept-Language`, then English."""

from __future__ import annotations

from typing import get_args

from schemas.vocabulary import Language

__all__ = ["LANGUAGES", "negotiate"]

LANGUAGES: tuple[Language, ...] = get_args(Language)


def negotiate(lang: Language | None, accept_language: str | None) -> Language:
    """Return the language to answer in.

    `lang` is already one of `LANGUAGES`: the handlers' `Literal`-typed query parameter makes
    litestar answer 400 `invalid-parameter` to any other.
    """
    if lang is not None:
        return lang
    best: tuple[float, int, Language] | None = None
    for position, part in enumerate((accept_language or "").split(",")):
        tag, _, params = part.strip().partition(";")
        primary = tag.strip().lower().split("-", 1)[0]
        if primary == "*":
            primary = "en"
        if primary not in LANGUAGES:
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
