"""Charts as inline SVG, drawn on the server: pure functions from numbers to markup.

No script and no ``style`` attribute (the pages' CSP allows neither): colours and type come
from CSS classes in ``portal.css`` (``.chart .bar.<tone>`` ...). Every chart has a title
and a description that screen readers announce (``role="img"`` named by ``<title>`` and
``<desc>``), written words beside each bar (never colour alone), and an axis with its
label; the pages put the same numbers in a table beside each chart.

Every text that reaches the markup is escaped here: labels may come from the directory or
from reports. The callers pass text already translated and numbers already formatted for
the reader's locale, so this module knows nothing of languages.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

WIDTH = 400  # the viewBox's width; CSS scales the drawing to the column
FONT = 13  # the text's size in viewBox units (set by CSS, used here to place lines)


@dataclass(frozen=True)
class Bar:
    value: float  # its length
    text: str  # what is written after it ("12", "78%", "Last 7 days: 10")
    tone: str = "main"  # its CSS class: main, alert, muted, compare


@dataclass(frozen=True)
class Group:
    label: str  # written above its bars
    bars: tuple[Bar, ...]


@dataclass(frozen=True)
class Column:
    label: str  # under the column ("2 Nov")
    value: float | None  # None: nothing to measure (written as ``text``, no column)
    text: str  # over the column ("78%", "–")


def nice_ceiling(value: float) -> float:
    """The smallest of 1, 2, 5 × 10^k at least ``value`` (1 for nothing): the axis's end."""
    if value <= 0 or math.isnan(value):
        return 1
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if value <= step * power * (1 + 1e-9):
            return step * power
    return 10 * power  # pragma: no cover  (the loop ends at 10)


def _n(x: float) -> str:
    """A coordinate: at most one decimal, no trailing zeros."""
    return f"{x:.1f}".rstrip("0").rstrip(".")


def _text(x: float, y: float, content: str, cls: str, anchor: str = "start") -> str:
    return (
        f'<text x="{_n(x)}" y="{_n(y)}" class="{cls}" text-anchor="{anchor}">'
        f"{escape(content)}</text>"
    )


def _frame(chart_id: str, title: str, desc: str, height: float, body: list[str]) -> Markup:
    cid = escape(chart_id)
    return Markup(
        f'<svg class="chart" viewBox="0 0 {WIDTH} {_n(height)}" role="img" '
        f'aria-labelledby="{cid}-title {cid}-desc" focusable="false">'
        f'<title id="{cid}-title">{escape(title)}</title>'
        f'<desc id="{cid}-desc">{escape(desc)}</desc>' + "".join(body) + "</svg>"
    )


def bar_chart(
    chart_id: str,
    title: str,
    desc: str,
    groups: Sequence[Group],
    axis_label: str,
    tick: Callable[[float], str],
) -> Markup:
    """Horizontal bars: each group's label on its own line, its bars below it with their
    text after them; an axis under them from 0 to a round number, labelled."""
    left, right = 8, WIDTH - 8
    text_room = 120  # what is written after the longest bar
    span = right - left - text_room
    top = max((b.value for g in groups for b in g.bars), default=0)
    end = max(1, nice_ceiling(top))  # counts: a whole number
    body, y = [], 4.0
    for group in groups:
        y += FONT + 2
        body.append(_text(left, y, group.label, "label"))
        for bar in group.bars:
            y += 5
            length = max(0.0, bar.value) / end * span
            body.append(
                f'<rect class="bar {escape(bar.tone)}" x="{left}" y="{_n(y)}" '
                f'width="{_n(max(length, 1.5))}" height="14"/>'
            )
            body.append(_text(left + max(length, 1.5) + 6, y + 11.5, bar.text, "value"))
            y += 14
        y += 8
    axis = y + 4
    body.append(
        f'<line class="axis" x1="{left}" y1="{_n(axis)}" x2="{left + span}" y2="{_n(axis)}"/>'
    )
    for fraction in (0, 0.5, 1):
        value = end * fraction
        if not float(value).is_integer():  # counts: no tick at 2.5
            continue
        x = left + fraction * span
        body.append(
            f'<line class="tick" x1="{_n(x)}" y1="{_n(axis)}" x2="{_n(x)}" y2="{_n(axis + 4)}"/>'
        )
        anchor = "start" if fraction == 0 else "middle" if fraction == 0.5 else "end"
        body.append(_text(x, axis + 4 + FONT, tick(int(value)), "tick-label", anchor))
    body.append(_text(left + span / 2, axis + 8 + 2 * FONT, axis_label, "axis-label", "middle"))
    return _frame(chart_id, title, desc, axis + 14 + 2 * FONT, body)


def column_chart(
    chart_id: str,
    title: str,
    desc: str,
    columns: Sequence[Column],
    *,
    top: float,
    ticks: Sequence[tuple[float, str]],
    x_label: str,
    y_label: str,
) -> Markup:
    """Vertical columns from 0 to ``top`` (e.g. a share per week, top = 1), their text
    over them, their labels under them; a labelled grid line at each tick."""
    left, right, plot_top, plot_height = 44, WIDTH - 6, 10 + FONT, 150
    base = plot_top + plot_height
    body = [
        f'<text class="axis-label" text-anchor="middle" '
        f'transform="translate(12 {_n(plot_top + plot_height / 2)}) rotate(-90)">'
        f"{escape(y_label)}</text>"
    ]
    for value, label in ticks:
        y = base - value / top * plot_height
        body.append(f'<line class="grid" x1="{left}" y1="{_n(y)}" x2="{right}" y2="{_n(y)}"/>')
        body.append(_text(left - 4, y + 4, label, "tick-label", "end"))
    slot = (right - left) / max(len(columns), 1)
    for n, column in enumerate(columns):
        middle = left + slot * (n + 0.5)
        if column.value is not None:
            height = max(0.0, min(column.value, top)) / top * plot_height
            body.append(
                f'<rect class="bar main" x="{_n(middle - slot * 0.3)}" y="{_n(base - height)}" '
                f'width="{_n(slot * 0.6)}" height="{_n(height)}"/>'
            )
            above = base - height - 4
        else:
            above = base - 4
        body.append(_text(middle, above, column.text, "value", "middle"))
        body.append(_text(middle, base + FONT + 2, column.label, "tick-label", "middle"))
    body.append(f'<line class="axis" x1="{left}" y1="{base}" x2="{right}" y2="{base}"/>')
    body.append(
        _text(left + (right - left) / 2, base + 2 * FONT + 8, x_label, "axis-label", "middle")
    )
    return _frame(chart_id, title, desc, base + 2 * FONT + 14, body)
