"""Charts for the pages: SVG made on the server, each one named and described for screen readers.

A chart is an `<svg role="img">` labelled by its own `<title>` and `<desc>`; the page shows the
same figures as a table beside it, so nothing is only in the picture. Colours come from classes
in `pages.css` (the pages' policy allows no inline style); bars also carry their value as text,
so that no figure is told by colour alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

__all__ = ["Bar", "PairedBar", "bar_chart", "column_chart", "paired_bars", "score_bars"]

_WIDTH = 720
_LABEL = 210
"""Room for the labels left of the bars."""
_VALUE = 70
"""Room for the value right of a bar."""
_PLOT = _WIDTH - _LABEL - _VALUE
_TOP = 26
"""Room for the scale above the bars."""


@dataclass(frozen=True, slots=True)
class Bar:
    """One row of a bar chart of scores 0-100."""

    label: str
    value: float | None
    """The score; None draws no bar and writes `missing`."""
    shown: str
    """The value as the page writes it (in the page's number format)."""
    tone: str
    """A class suffix for its colour, e.g. a readiness level: `bar-ready`."""


@dataclass(frozen=True, slots=True)
class PairedBar:
    """One row of a before/after chart of scores 0-100."""

    label: str
    before: float | None
    after: float | None
    before_shown: str
    after_shown: str


def _x(value: float) -> float:
    return _LABEL + _PLOT * max(0.0, min(100.0, value)) / 100


def _frame(ident: str, title: str, description: str, height: int, body: list[str]) -> Markup:
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'viewBox="0 0 {_WIDTH} {height}" width="{_WIDTH}" height="{height}" '
        f'aria-labelledby="{escape(ident)}-title {escape(ident)}-desc" '
        'preserveAspectRatio="xMinYMin meet">'
        f'<title id="{escape(ident)}-title">{escape(title)}</title>'
        f'<desc id="{escape(ident)}-desc">{escape(description)}</desc>'
    )
    # Every text and name put into the markup above and into `body` is escaped; the rest are
    # numbers and fixed class names.
    return Markup(head + "".join(body) + "</svg>")  # noqa: S704  # nosec B704


def _scale(height: int, marks: Sequence[tuple[float, str]]) -> list[str]:
    """The 0-100 axis above the plot, grid lines, and labelled marks (thresholds)."""
    parts = []
    for tick in (0, 25, 50, 75, 100):
        x = _x(tick)
        parts.append(
            f'<line class="grid" x1="{x:.1f}" y1="{_TOP - 4}" x2="{x:.1f}" y2="{height - 4}"/>'
            f'<text class="tick" x="{x:.1f}" y="{_TOP - 9}" text-anchor="middle">{tick}</text>'
        )
    for value, label in marks:
        x = _x(value)
        parts.append(
            f'<line class="mark" x1="{x:.1f}" y1="{_TOP - 4}" x2="{x:.1f}" y2="{height - 4}">'
            f"<title>{escape(label)}</title></line>"
        )
    return parts


def score_bars(
    ident: str,
    title: str,
    description: str,
    bars: Sequence[Bar],
    missing: str,
    marks: Sequence[tuple[float, str]] = (),
) -> Markup:
    """A horizontal bar per row, 0-100, the value written after the bar.

    Args:
        ident: A prefix for the ids of the chart's title and description, unique on the page.
        title: What the chart shows.
        description: The chart in words (its main figures), for a screen reader.
        bars: The rows, top to bottom.
        missing: What to write where a row has no value.
        marks: Values to draw a dashed line at (the levels' thresholds), with their names.
    """
    row = 30
    height = _TOP + row * len(bars) + 8
    body = _scale(height, marks)
    for number, bar in enumerate(bars):
        y = _TOP + number * row
        middle = y + row / 2 + 5
        body.append(
            f'<text class="label" x="{_LABEL - 10}" y="{middle:.1f}" text-anchor="end">'
            f"{escape(bar.label)}</text>"
        )
        if bar.value is None:
            body.append(
                f'<text class="value muted" x="{_LABEL + 6}" y="{middle:.1f}">'
                f"{escape(missing)}</text>"
            )
            continue
        end = _x(bar.value)
        width = max(end - _LABEL, 2.0)
        body.append(
            f'<rect class="bar {escape(bar.tone)}" x="{_LABEL}" y="{y + 6}" '
            f'width="{width:.1f}" height="{row - 12}" rx="2"/>'
            f'<text class="value" x="{_LABEL + width + 6:.1f}" y="{middle:.1f}">'
            f"{escape(bar.shown)}</text>"
        )
    return _frame(ident, title, description, height, body)


def paired_bars(
    ident: str,
    title: str,
    description: str,
    rows: Sequence[PairedBar],
    legend: tuple[str, str],
    missing: str,
) -> Markup:
    """Two bars per row, 0-100: the earlier value (light, above) and the later (dark, below).

    Args:
        ident: A prefix for the ids of the chart's title and description, unique on the page.
        title: What the chart shows.
        description: The chart in words, for a screen reader.
        rows: The rows, top to bottom.
        legend: The names of the earlier and the later value.
        missing: What to write where a value is missing.
    """
    row = 44
    legend_height = 26
    height = _TOP + legend_height + row * len(rows) + 8
    body = [
        f'<rect class="bar before" x="{_LABEL}" y="4" width="14" height="12"/>'
        f'<text class="tick" x="{_LABEL + 20}" y="15">{escape(legend[0])}</text>'
        f'<rect class="bar after" x="{_LABEL + 190}" y="4" width="14" height="12"/>'
        f'<text class="tick" x="{_LABEL + 210}" y="15">{escape(legend[1])}</text>'
        f'<g transform="translate(0 {legend_height})">',
        *_scale(height - legend_height, ()),
    ]
    for number, item in enumerate(rows):
        y = _TOP + number * row
        body.append(
            f'<text class="label" x="{_LABEL - 10}" y="{y + row / 2 + 4:.1f}" '
            f'text-anchor="end">{escape(item.label)}</text>'
        )
        for offset, value, shown, tone in (
            (4, item.before, item.before_shown, "before"),
            (22, item.after, item.after_shown, "after"),
        ):
            top = y + offset
            if value is None:
                body.append(
                    f'<text class="value muted" x="{_LABEL + 6}" y="{top + 13}">'
                    f"{escape(missing)}</text>"
                )
                continue
            width = max(_x(value) - _LABEL, 2.0)
            body.append(
                f'<rect class="bar {tone}" x="{_LABEL}" y="{top}" width="{width:.1f}" '
                f'height="16" rx="2"/>'
                f'<text class="value" x="{_LABEL + width + 6:.1f}" y="{top + 13}">'
                f"{escape(shown)}</text>"
            )
    body.append("</g>")
    return _frame(ident, title, description, height, body)


_COUNTS_WIDTH = 640
"""Every chart's width in SVG units; it scales to the width of its column."""


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
    # Every text and name put into the markup above and into `body` is escaped; the rest are
    # numbers and fixed class names.
    return Markup(head + "".join(body) + "</svg>")  # noqa: S704  # nosec B704


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
