"""Exports: CSV (UTF-8 with BOM, for spreadsheets) and NDJSON (one JSON object per line)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from typing import Any

from store.repository import StoredAssessment

__all__ = ["BOM", "assessments_csv", "gaps_csv", "ndjson", "summary_csv"]

BOM = "\ufeff"
"""Excel reads a UTF-8 file as UTF-8 only when it starts with this mark."""

ASSESSMENT_COLUMNS = [
    "id", "created_at", "organisation_id", "organisation_name", "region", "intervention",
    "language", "readiness_level", "readiness_score", "ruleset_version", "ruleset_digest",
    "gaps", "blocking_gaps", "top_recommendation",
]  # fmt: skip
GAP_COLUMNS = [
    "assessment_id", "created_at", "organisation_id", "organisation_name", "region",
    "intervention", "gap_id", "title", "dimension", "severity", "kind",
]  # fmt: skip


def _csv(header: list[str], rows: Iterable[list[Any]]) -> str:
    buffer = io.StringIO()
    buffer.write(BOM)
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def assessments_csv(items: list[StoredAssessment]) -> str:
    """One row per assessment, from the columns kept beside each result (its JSON is not read)."""
    rows = []
    for item in items:
        meta = item.meta()
        rows.append(
            [
                *(meta[c] for c in ASSESSMENT_COLUMNS[:11]),
                item.gap_count,
                item.blocking_gap_count,
                item.top_recommendation or "",
            ]
        )
    return _csv(ASSESSMENT_COLUMNS, rows)


def gaps_csv(items: list[StoredAssessment]) -> str:
    """One row per gap of each assessment."""
    rows = []
    for item in items:
        meta = item.meta()
        # Only the gaps are needed: plain JSON, as stored, without building the whole result.
        for gap in json.loads(item.result_json)["gaps"]:
            rows.append(
                [
                    meta["id"],
                    meta["created_at"],
                    meta["organisation_id"],
                    meta["organisation_name"],
                    meta["region"],
                    meta["intervention"],
                    *(gap[c] for c in ("id", "title", "dimension", "severity", "kind")),
                ]
            )
    return _csv(GAP_COLUMNS, rows)


def summary_csv(summary: dict[str, Any]) -> str:
    """The summary as rows of section, item, value columns."""
    rows: list[list[Any]] = [
        ["region", "", "organisations", summary["organisations"], ""],
        ["region", "", "assessments", summary["assessments"], ""],
        ["region", "", "suppressed", summary["suppressed"], ""],
    ]
    for dim in summary.get("dimensions", []):
        for level, count in dim["levels"].items():
            rows.append(["dimension", dim["dimension"], level, count, ""])
        rows.append(["dimension", dim["dimension"], "mean_score", dim["mean_score"], ""])
    for section in ("gaps", "obstacles", "missing_success_factors"):
        for row in summary.get(section, []):
            rows.append([section, row["id"], "organisations", row["organisations"], row["share"]])
    for quarter in summary.get("trend", []):
        if quarter["suppressed"]:
            rows.append(["trend", quarter["quarter"], "suppressed", True, ""])
        else:
            rows.append(["trend", quarter["quarter"], "mean_score", quarter["mean_score"], ""])
    return _csv(["section", "item", "measure", "value", "share"], rows)


def ndjson(objects: Iterable[dict[str, Any]]) -> str:
    """One compact JSON object per line."""
    return "".join(json.dumps(o, ensure_ascii=False, separators=(",", ":")) + "\n" for o in objects)
