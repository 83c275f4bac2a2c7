"""Schemathesis hooks of the contract tests (`SCHEMATHESIS_HOOKS=tests.contract.hooks`).

Leaves out the query strings that ask an export format for what it cannot do (`rows=gap`
without `format=csv` or `xlsx`, `dialect` without `format=csv`): the API refuses them
with 400 `invalid-parameter`, a dependency between parameters no OpenAPI schema can state, so
to the fuzzer they would look like valid data refused. `tests/api/test_strict.py` holds those
refusals. Leaves out, too, the `gap` and `obstacle` filters the fuzzer makes up: an id that
neither the served rules nor a stored assessment has is refused the same way, which depends on
the rules and the database (`tests/api/test_refusals.py` holds it). Every other 400 for valid
data stays a failure of the contract.
"""

from __future__ import annotations

from typing import Any

import schemathesis

__all__ = ["filter_query"]

_SHAPING: dict[str, tuple[tuple[str, ...], str | None]] = {
    "rows": (("csv", "xlsx"), "assessment"),
    "dialect": (("csv",), None),
}
"""As `api.history.misplaced_export_parameters` has it (tests/contract/test_hooks.py holds the two
to the same answers). Not imported from there: importing the API into the fuzzer's process made
Schemathesis filter out most examples of other operations (a failed health check on
`GET /v1/assessments/{assessment_id}`)."""


_NAMING_FINDINGS = ("gap", "obstacle")
"""Filters whose values must name a finding the rules or the stored assessments have."""


@schemathesis.hook
def filter_query(ctx: Any, query: dict[str, Any] | None) -> bool:
    """Keep a query unless it asks an export format for what it cannot do, or names a finding."""
    if not query:
        return True
    if any(name in query for name in _NAMING_FINDINGS):
        return False
    chosen = query.get("format", "json")
    return all(
        query.get(name, default) == default or chosen in formats
        for name, (formats, default) in _SHAPING.items()
    )
