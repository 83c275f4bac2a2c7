"""Where the data the distribution ships lies: the rule base and the example assessments.

A wheel carries them as package data of `engine` (`engine/rules/`, `engine/examples/`;
`pyproject.toml` maps the repository's top-level folders there). In a checkout, and in an editable
install of one, they stay at the repository's top level where rule authors edit them, so an edit
shows without reinstalling.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["default_examples_dir", "shipped_dir"]

_PACKAGE = Path(__file__).resolve().parent


def shipped_dir(name: str) -> Path:
    """Return the shipped folder `name`: inside the installed package, else the checkout's."""
    inside = _PACKAGE / name
    return inside if inside.is_dir() else _PACKAGE.parent / name


def default_examples_dir() -> Path:
    """Return the example assessments: the default corpus and the API documentation's example."""
    return shipped_dir("examples")
