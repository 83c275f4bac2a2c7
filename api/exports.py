"""Exports: CSV in two dialects, NDJSON and XLSX, written a chunk of rows at a time.

Every text cell is neutralised against formula injection (`neutralise`): the names and ids come
from whoever stored an assessment, and the files are opened by someone else in a spreadsheet.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

import xlsxwriter

from store.repository import StoredAssessment

__all__ = [
    "ASSESSMENT_COLUMNS",
    "BOM",
    "GAP_COLUMNS",
    "SHEET_ROWS",
    "Cell",
    "Dialect",
    "Table",
    "assessment_rows",
    "csv_export",
    "gap_rows",
    "ndjson_export",
    "neutralise",
    "summary_csv",
    "xlsx_export",
]

BOM = "\ufeff"
"""Excel reads a UTF-8 file as UTF-8 only when it starts with this mark."""

Dialect = Literal["rfc4180", "excel-nordic"]
"""`rfc4180`: `,` between fields, `.` in numbers. `excel-nordic`: `;` and `,`, what Excel under
Swedish and Danish regional settings reads when a file is opened with a double click. Both are
UTF-8 with a byte order mark and CRLF line ends."""

Cell = str | int | float | datetime | None
"""A cell as the exports write it: text, a number we computed, a time (UTC) or nothing."""

_SEPARATORS: dict[Dialect, tuple[str, str]] = {"rfc4180": (",", "."), "excel-nordic": (";", ",")}
"""Field separator and decimal mark of each dialect."""

SHEET_ROWS = 1_048_576
"""Rows of an XLSX worksheet, its header included."""

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")
"""What makes a spreadsheet read a cell as a formula when the cell starts with it (OWASP)."""

_QUOTED_IF_HELD = (",", ";", '"', "\r", "\n")
"""A field holding one of these is quoted, in either dialect: a file opened with the other
separator still keeps it in one cell, so no part of it starts a cell of its own."""

ASSESSMENT_COLUMNS = [
    "id", "created_at", "organisation_id", "organisation_name", "region", "intervention",
    "language", "readiness_level", "readiness_score", "ruleset_version", "ruleset_digest",
    "gaps", "blocking_gaps", "top_recommendation", "assessed_at", "top_recommendation_title",
    "stage",
]  # fmt: skip
GAP_COLUMNS = [
    "assessment_id", "created_at", "organisation_id", "organisation_name", "region",
    "intervention", "gap_id", "title", "dimension", "severity", "kind", "assessed_at",
]  # fmt: skip
"""Columns are only ever added at the end, so that a reader of the columns by position finds the
others where they always were: `assessed_at` (when the assessment was made, which summaries count
by), then `top_recommendation_title` (the first recommendation's title, as the result gave it, in
the assessment's language; empty when nothing is recommended), then `stage` (the organisation's
stage, 1-4; empty for a result stored before results had one)."""


def neutralise(text: str) -> str:
    """`text`, with a `'` in front when a spreadsheet would take it for a formula.

    OWASP's CSV injection guidance lists the first characters that start a formula: `=`, `+`,
    `-`, `@`, tab, carriage return and line feed. Text that has one after leading blanks gets the
    `'` too: a spreadsheet that trims blanks on import would see it first.
    """
    if text.startswith(_FORMULA_STARTS) or text.lstrip().startswith(_FORMULA_STARTS):
        return "'" + text
    return text


def _iso(moment: datetime) -> str:
    """The time as the JSON answers give it (`…Z`)."""
    return moment.isoformat().replace("+00:00", "Z")


@dataclass(frozen=True, slots=True)
class Table:
    """Rows to export: column names, the rows in chunks, and a last line when it is cut short."""

    columns: list[str]
    chunks: Iterable[Iterable[Sequence[Cell]]]
    note: str | None = None
    """Said after the last row (a CSV line, a spreadsheet row) when the export stops before
    the last matching row."""


def _field(value: Cell, dialect: Dialect) -> str:
    if value is None:
        return ""
    if isinstance(value, bool | int):
        return str(value)
    if isinstance(value, float):
        return repr(value).replace(".", _SEPARATORS[dialect][1])
    if isinstance(value, datetime):
        return _iso(value)
    text = neutralise(value)
    if any(c in text for c in _QUOTED_IF_HELD):
        return '"' + text.replace('"', '""') + '"'
    return text


def _line(row: Sequence[Cell], dialect: Dialect) -> str:
    return _SEPARATORS[dialect][0].join(_field(value, dialect) for value in row) + "\r\n"


def csv_export(table: Table, dialect: Dialect) -> Iterator[bytes]:
    """The table as CSV in `dialect`, one piece per chunk of rows."""
    yield (BOM + _line(table.columns, dialect)).encode()
    for rows in table.chunks:
        yield "".join(_line(row, dialect) for row in rows).encode()
    if table.note is not None:
        yield _line([table.note], dialect).encode()


def xlsx_export(table: Table, sheet_name: str) -> Iterator[bytes]:
    """The table as an XLSX workbook: numbers as numbers, times as times, text never a formula.

    XlsxWriter's constant-memory mode writes each row to a temporary file as it comes, so the
    rows are read chunk by chunk; the workbook is a zip archive, complete only once the last
    row is in, and is then sent in pieces. Rows beyond a worksheet's last continue on another
    (`gaps 2`, ...): gap rows can outnumber the assessments the export is limited to.
    """
    with tempfile.TemporaryFile() as out:
        workbook = xlsxwriter.Workbook(out, {"constant_memory": True, "remove_timezone": True})
        bold = workbook.add_format({"bold": True})
        when = workbook.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
        sheets = 0

        def next_sheet() -> Any:
            nonlocal sheets
            sheets += 1
            sheet = workbook.add_worksheet(sheet_name if sheets == 1 else f"{sheet_name} {sheets}")
            sheet.freeze_panes(1, 0)
            for column, name in enumerate(table.columns):
                sheet.write_string(0, column, name, bold)
            return sheet

        sheet, row_number = next_sheet(), 0
        for rows in table.chunks:
            for row in rows:
                if row_number == SHEET_ROWS - 1:
                    sheet, row_number = next_sheet(), 0
                row_number += 1
                for column, value in enumerate(row):
                    _write(sheet, row_number, column, value, when)
        if table.note is not None:
            if row_number == SHEET_ROWS - 1:
                sheet, row_number = next_sheet(), 0
            sheet.write_string(row_number + 1, 0, table.note, bold)
        workbook.close()
        out.seek(0)
        while piece := out.read(64 * 1024):
            yield piece


def _write(sheet: Any, row: int, column: int, value: Cell, when: Any) -> None:
    """One cell, as the type it is; text always as a string, neutralised."""
    if value is None:
        return
    if isinstance(value, bool):
        sheet.write_boolean(row, column, value)
    elif isinstance(value, int | float):
        sheet.write_number(row, column, value)
    elif isinstance(value, datetime):
        sheet.write_datetime(row, column, value, when)
    else:
        sheet.write_string(row, column, neutralise(value))


def ndjson_export(
    chunks: Iterable[list[StoredAssessment]], note: dict[str, Any] | None
) -> Iterator[bytes]:
    """One compact JSON object per assessment (metadata and result), then `note` if given."""
    for items in chunks:
        yield "".join(
            _json({**item.meta(), "result": json.loads(item.result_json)}) for item in items
        ).encode()
    if note is not None:
        yield _json(note).encode()


def _json(value: dict[str, Any]) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")) + "\n"


def _whose(item: StoredAssessment) -> list[Cell]:
    """The columns every row of an assessment begins with: which one, when, whose, what."""
    return [
        item.id,
        item.created_at,
        item.organisation_id,
        item.organisation_name,
        item.region,
        item.intervention,
    ]


def assessment_rows(items: list[StoredAssessment]) -> Iterator[list[Cell]]:
    """One row per assessment, from the columns kept beside each result (its JSON is not read)."""
    for item in items:
        yield [
            *_whose(item),
            item.language,
            item.readiness_level,
            item.readiness_score,
            item.ruleset_version,
            item.ruleset_digest,
            item.gap_count,
            item.blocking_gap_count,
            item.top_recommendation,
            item.made_at,
            item.top_recommendation_title,
            item.stage,
        ]


def gap_rows(items: list[StoredAssessment]) -> Iterator[list[Cell]]:
    """One row per gap of each assessment."""
    for item in items:
        # Only the gaps are needed: plain JSON, as stored, without building the whole result.
        for gap in json.loads(item.result_json)["gaps"]:
            yield [
                *_whose(item),
                *(gap[c] for c in ("id", "title", "dimension", "severity", "kind")),
                item.made_at,
            ]


def summary_csv(summary: dict[str, Any], dialect: Dialect) -> str:
    """The summary as rows of section, item, title, measure, value and share columns.

    The title is the item's in the summary's language (gaps, obstacles, missing success factors
    and first actions); a suppressed flag is 1, so that the value column holds numbers only.
    """
    rows: list[list[Cell]] = [
        ["region", "", "", "organisations", summary["organisations"], ""],
        ["region", "", "", "assessments", summary["assessments"], ""],
        ["region", "", "", "suppressed", int(summary["suppressed"]), ""],
    ]
    for dim in summary.get("dimensions", []):
        for level, count in dim["levels"].items():
            rows.append(["dimension", dim["dimension"], "", level, count, ""])
        rows.append(["dimension", dim["dimension"], "", "mean_score", dim["mean_score"], ""])
    for stage, count in summary.get("stages", {}).items():
        rows.append(["stage", stage, "", "organisations", count, ""])
    for section in ("gaps", "obstacles", "missing_success_factors", "first_actions"):
        for row in summary.get(section, []):
            rows.append(
                [
                    section,
                    row["id"],
                    row.get("title", ""),
                    "organisations",
                    row["organisations"],
                    row["share"],
                ]
            )
    for quarter in summary.get("trend", []):
        if quarter["suppressed"]:
            rows.append(["trend", quarter["quarter"], "", "suppressed", 1, ""])
        else:
            rows.append(["trend", quarter["quarter"], "", "mean_score", quarter["mean_score"], ""])
    table = Table(["section", "item", "title", "measure", "value", "share"], [rows])
    return b"".join(csv_export(table, dialect)).decode()
