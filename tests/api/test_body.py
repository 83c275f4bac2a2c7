"""The depth check of `api.body` against a plain recursive definition of JSON depth."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from api.body import _deeper_than

_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=3),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=2), inner, max_size=3)
    ),
    max_leaves=40,
)


def _depth(value: Any) -> int:
    """The top level is 1; each value inside a list or object is one deeper, scalars included."""
    children = (
        value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
    )
    return 1 + max((_depth(child) for child in children), default=0)


@given(_JSON, st.integers(min_value=1, max_value=8))
def test_deeper_than_agrees_with_the_recursive_depth(value: Any, max_depth: int) -> None:
    assert _deeper_than(value, max_depth) == (_depth(value) > max_depth)


def test_the_bound_itself_is_allowed() -> None:
    nested: Any = "leaf"  # depth 1
    for _ in range(31):
        nested = [nested]
    assert _depth(nested) == 32
    assert not _deeper_than(nested, 32)
    assert _deeper_than([nested], 32)
    assert _deeper_than({"a": [[]], "b": nested}, 32)
