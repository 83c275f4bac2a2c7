"""Charts drawn on the server as SVG: no script, no inline style, every one also given as a table.

Each chart is an `<svg role="img">` named by its `<title>` and described by its `<desc>`
(`aria-labelledby`), so a screen reader announces it as one image with its summary; the figures
themselves are in the table the page puts beside it. Colours come from classes in `pages.css`
(the pages' Content-Security-Policy allows no inline style).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

__all__ = ["Bar", "bar_chart", "column_chart"]

_COUNTS_WIDTH = 640
"""Every chart's width in SVG units; it scales to the width of its column."""


@dataclass(frozen=True, slots=True)
class Bar:
    """One bar (or column) of a chart."""

    label: str
    """What it measures; `bar_chart` and `column_chart` cut a long one short (the table beside
    the chart has it whole)."""
    value: float | None
    """Its length in the chart's units; None: `bar_chart` and `column_chart` draw an empty,
    dashed placeholder."""
    shown: str
    """The value as the page writes it (`3`, `66,6`, `hidden`)."""
    tone: str
    """A class suffix for its colour, e.g. a readiness level: `bar-ready` (empty: the accent)."""


def _shortened(label: str, most: int) -> str:
    return label if len(label) <= most else label[: most - 1].rstrip() + "…"


def _counts_svg(ident: str, title: str, description: str, height: int, body: list[str]) -> Markup:
    """The chart's `<svg>`, named by `title` and described by `description`."""
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" id="{escape(ident)}" role="img" '
        f'aria-labelledby="{escape(ident)}-title {escape(ident)}-desc" '
        f'viewBox="0 0 {_COUNTS_WIDTH} {height}" width="{_COUNTS_WIDTH}" height="{height}" '
        'preserveAspectRatio="xMinYMin meet" focusable="false">'
        f'<title id="{escape(ident)}-title">{escape(title)}</title>'
        f'<desc id="{escape(ident)}-desc">{escape(description)}</desc>'
    )
    return Markup(head + "".join(body) + "</svg>")  # noqa: S704 - every text above is escaped


def bar_chart(
    ident: str, title: str, description: str, bars: Sequence[Bar], maximum: float
) -> Markup:
    """Horizontal bars, one per row: its label above it, its value after it.

    `maximum` is the value of a full-length bar (the organisations counted, or 100 for a score).
    """
    row, top, label_room = 46, 8, 56
    span = _COUNTS_WIDTH - label_room
    body: list[str] = []
    for number, bar in enumerate(bars):
        y = top + number * row
        body.append(
            f'<text class="label" x="0" y="{y + 14}">{escape(_shortened(bar.label, 84))}</text>'
        )
        if bar.value is None:
            body.append(
                f'<rect class="placeholder" x="0.5" y="{y + 20.5}" width="{span / 4:.1f}" '
                'height="17" rx="2"/>'
            )
            end = span / 4
        else:
            share = max(0.0, min(1.0, bar.value / maximum)) if maximum > 0 else 0.0
            end = span * share
            body.append(
                f'<rect class="bar {escape(bar.tone)}" x="0" y="{y + 20}" '
                f'width="{end:.1f}" height="18" rx="2"/>'
            )
        body.append(
            f'<text class="value" x="{end + 6:.1f}" y="{y + 34}">{escape(bar.shown)}</text>'
        )
    return _counts_svg(ident, title, description, top + len(bars) * row + 4, body)


def column_chart(
    ident: str,
    title: str,
    description: str,
    columns: Sequence[Bar],
    maximum: float,
    ticks: Sequence[float] = (),
) -> Markup:
    """Vertical columns along a time axis (oldest left), with gridlines at `ticks`.

    A label of two lines (year, then quarter) is split at its line break.
    """
    height, top, bottom, left = 260, 24, 216, 40
    plot = bottom - top
    count = max(len(columns), 1)
    slot = (_COUNTS_WIDTH - left - 8) / count
    width = min(56.0, slot * 0.6)
    body: list[str] = []
    for tick in ticks:
        y = bottom - plot * (tick / maximum if maximum > 0 else 0)
        body.append(
            f'<line class="grid" x1="{left}" x2="{_COUNTS_WIDTH}" y1="{y:.1f}" y2="{y:.1f}"/>'
        )
        body.append(f'<text class="tick" x="{left - 6}" y="{y + 4:.1f}">{tick:g}</text>')
    body.append(
        f'<line class="axis" x1="{left}" x2="{_COUNTS_WIDTH}" y1="{bottom}" y2="{bottom}"/>'
    )
    for number, column in enumerate(columns):
        middle = left + slot * number + slot / 2
        x = middle - width / 2
        if column.value is None:
            body.append(
                f'<rect class="placeholder" x="{x:.1f}" y="{bottom - 40}" width="{width:.1f}" '
                'height="40" rx="2"/>'
            )
            value_y: float = bottom - 46
        else:
            share = max(0.0, min(1.0, column.value / maximum)) if maximum > 0 else 0.0
            tall = plot * share
            body.append(
                f'<rect class="bar {escape(column.tone)}" x="{x:.1f}" '
                f'y="{bottom - tall:.1f}" width="{width:.1f}" height="{tall:.1f}" rx="2"/>'
            )
            value_y = bottom - tall - 6
        body.append(
            f'<text class="value middle" x="{middle:.1f}" y="{value_y:.1f}">'
            f"{escape(column.shown)}</text>"
        )
        lines = "".join(
            f'<tspan x="{middle:.1f}" dy="{0 if n == 0 else 15}">{escape(_shortened(line, 12))}'
            "</tspan>"
            for n, line in enumerate(column.label.split("\n")[:2])
        )
        body.append(f'<text class="label middle" x="{middle:.1f}" y="{bottom + 18}">{lines}</text>')
    return _counts_svg(ident, title, description, height, body)
