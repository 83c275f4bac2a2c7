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

__all__ = ["Bar", "PairedBar", "paired_bars", "score_bars"]

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
        f'aria-labelledby="{ident}-title {ident}-desc" preserveAspectRatio="xMinYMin meet">'
        f'<title id="{ident}-title">{escape(title)}</title>'
        f'<desc id="{ident}-desc">{escape(description)}</desc>'
    )
    return Markup(head + "".join(body) + "</svg>")  # noqa: S704 - every text above is escaped


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
