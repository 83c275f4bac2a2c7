"""The texts of the pages: every text table of `api.pages`, the API's labels, the vocabulary and its words."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterator

import api.pages
from engine.authoring.spelling import texts_of


def page_texts() -> Iterator[tuple[str, str, str, str]]:
    """(module, key, language, text) for every text table of the pages and the API's labels."""
    names = [m.name for m in pkgutil.walk_packages(api.pages.__path__, "api.pages.")]
    for name in [*names, "api.history", "schemas.vocabulary", "schemas.words"]:
        module = importlib.import_module(name)
        for variable, value in vars(module).items():
            if isinstance(value, dict) and not variable.startswith("__"):
                for key, language, text in texts_of(value, variable):
                    yield name, key, language, text
