"""Tables of figures, printed aligned on the terminal and written as markdown to RESULTS.md."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["CHANGES_HEADING", "Table", "markdown_document", "terminal_text"]

CHANGES_HEADING = "## What each change bought"
_CHANGES_PLACEHOLDER = f"""{CHANGES_HEADING}

Filled in by hand: one row per change, figures from the `make bench` run after it (weak
organisation, whole assessment, median µs; `POST /v1/assessments` at 64 connections, req/s).

| change | durable weak µs | compiled weak µs | durable endpoint req/s | compiled endpoint req/s |
|---|---|---|---|---|
"""


@dataclass
class Table:
    """One table of the report.

    Attributes:
        title: Its heading.
        headers: Column names.
        rows: Cells, already formatted as text.
        notes: Sentences printed under the table.
    """

    title: str
    headers: list[str]
    rows: list[list[str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add(self, *cells: str) -> None:
        """Append a row."""
        self.rows.append(list(cells))

    def terminal(self) -> str:
        """Return the table aligned for a terminal: text left, figures right."""
        widths = [len(h) for h in self.headers]
        for row in self.rows:
            widths = [max(w, len(c)) for w, c in zip(widths, row, strict=True)]

        def line(cells: list[str]) -> str:
            parts = [
                c.ljust(w) if i == 0 else c.rjust(w)
                for i, (c, w) in enumerate(zip(cells, widths, strict=True))
            ]
            return "  ".join(parts).rstrip()

        out = [self.title, "=" * len(self.title), line(self.headers)]
        out.append("  ".join("-" * w for w in widths))
        out += [line(row) for row in self.rows]
        out += [f"  * {note}" for note in self.notes]
        return "\n".join(out)

    def markdown(self) -> str:
        """Return the table as a markdown section."""
        out = [f"## {self.title}", ""]
        if self.rows:
            out.append("| " + " | ".join(self.headers) + " |")
            out.append(
                "|" + "|".join("---" if i == 0 else "---:" for i in range(len(self.headers))) + "|"
            )
            out += ["| " + " | ".join(row) + " |" for row in self.rows]
        else:
            out.append("_Not measured in this run._")
        if self.notes:
            out.append("")
            out += [f"- {note}" for note in self.notes]
        return "\n".join(out)


def terminal_text(tables: list[Table]) -> str:
    """Return every table, for the terminal."""
    return "\n\n".join(table.terminal() for table in tables)


def _kept_changes_section(previous: Path) -> str:
    """Return the hand-filled 'What each change bought' section of `previous`, or the placeholder."""
    if not previous.exists():
        return _CHANGES_PLACEHOLDER
    lines = previous.read_text(encoding="utf-8").splitlines()
    try:
        start = lines.index(CHANGES_HEADING)
    except ValueError:
        return _CHANGES_PLACEHOLDER
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines))
    return "\n".join(lines[start:end]).rstrip() + "\n"


def markdown_document(
    title: str, intro: list[str], tables: list[Table], appendix: list[str], previous: Path
) -> str:
    """Return RESULTS.md: `intro`, the tables, `appendix`, and the kept changes section."""
    parts = [f"# {title}", *intro, *(table.markdown() for table in tables), *appendix]
    parts.append(_kept_changes_section(previous))
    return "\n\n".join(part.rstrip() for part in parts) + "\n"
