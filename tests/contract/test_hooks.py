"""The contract tests' Schemathesis hook leaves out exactly the queries the API refuses."""

from __future__ import annotations

import itertools

from api.history import misplaced_export_parameters
from tests.contract.hooks import filter_query


def test_the_hook_keeps_a_query_exactly_when_the_api_takes_its_export_parameters() -> None:
    choices = {
        "format": [None, "json", "csv", "xlsx", "ndjson"],
        "rows": [None, "assessment", "gap"],
        "dialect": [None, "rfc4180", "excel-nordic"],
    }
    for values in itertools.product(*choices.values()):
        query = {k: v for k, v in zip(choices, values, strict=True) if v is not None}
        refused = misplaced_export_parameters(str(query.get("format", "json")), query)
        assert filter_query(None, query) is not bool(refused), query
    assert filter_query(None, None) and filter_query(None, {})


def test_the_hook_leaves_out_the_findings_the_fuzzer_makes_up() -> None:
    assert not filter_query(None, {"gap": "made-up"})
    assert not filter_query(None, {"obstacle": "made-up", "format": "csv"})
    assert filter_query(None, {"level": "ready", "format": "csv", "rows": "gap"})
