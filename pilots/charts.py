"""Server-side SVG charts of dashboard indicators.

A chart repeats what the indicator's table says, as a picture: a line chart
draws each column as one line over the table's rows (months), a bar chart
draws each column as one bar per row. Hidden figures ("<5", "–") are never
drawn as a value: a line breaks there and a bar is left out, and a hollow
marker with the shown text says a figure is hidden. The table next to the
chart is what screen readers use; the SVG names itself (title + desc) so
assistive technology announces it as one image.

Every piece of text that comes from the data (titles, labels, headings) goes
through `format_html`, so it is escaped.
"""

from __future__ import annotations

import math
import re
from html import escape as _html_escape

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from .dashboard_types import Indicator

WIDTH = 640
PLOT_LEFT = 48
PLOT_RIGHT = 16
PLOT_TOP = 16
PLOT_HEIGHT = 180
LEGEND_ROW = 20
FONT_SIZE = 12

#: At least 4.5:1 against white, so both the lines/bars (3:1 needed) and the
#: legend text that uses them pass WCAG 2.1 AA; neighbouring colours differ in
#: hue and lightness, and lines also differ in dash pattern.
PALETTE = (
    "#1f4e9c",  # dark blue
    "#b1410e",  # burnt orange
    "#16703f",  # green
    "#7b2d8e",  # purple
    "#8a5a00",  # ochre
    "#b0174f",  # raspberry
    "#0f6470",  # teal
    "#4d4d4d",  # grey
)
DASHES = ("", "6 3", "2 3", "8 3 2 3", "1 2", "10 4", "4 2 1 2", "3 3")
AXIS_COLOUR = "#595959"  # 7:1 on white
GRID_COLOUR = "#d0d0d0"
TEXT_COLOUR = "#212529"
HIDDEN_COLOUR = "#595959"


def chart_svg(indicator: Indicator) -> SafeString:
    """The SVG for `indicator`, or an empty string when it has no chart."""
    table = indicator.table
    series = table.columns[1:]
    if indicator.chart not in ("line", "bar") or not table.rows or not series:
        return mark_safe("")
    chart = _Chart(indicator)
    return chart.render()


def html_id(key: str) -> str:
    """A safe id fragment from an indicator key."""
    return re.sub(r"[^a-zA-Z0-9_-]+", "-", str(key)).strip("-") or "indicator"


def colour(index: int) -> str:
    return PALETTE[index % len(PALETTE)]


def _nice_max(value: float) -> float:
    """A round top for the y axis at or above `value`."""
    if value <= 0:
        return 4  # ticks 0, 1, 2, 3, 4
    magnitude = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        top = step * magnitude
        if top >= value:
            return top
    return 10 * magnitude  # pragma: no cover


def _tick_label(value: float) -> str:
    if float(value).is_integer():
        return str(int(value))
    return f"{value:.1f}"


def escape_text(text) -> str:
    """What `conditional_escape` returns, without its wrapper for lazy
    arguments: a national chart or table escapes thousands of strings, and
    the wrapper cost more than the escaping. Safe strings pass unchanged."""
    if hasattr(text, "__html__"):
        return text.__html__()
    return _html_escape(str(text))


def _n(value: float) -> str:
    """A coordinate with one decimal: short markup, no locale."""
    return f"{value:.1f}"


_HIDDEN_MARKER = (
    '<g class="chart-hidden" data-suppressed="true">'
    '<circle cx="{x}" cy="{y}" r="4" fill="#ffffff" stroke="{c}" stroke-width="1.5"/>'
    "<title>{row}, {series}: {display}</title></g>"
)
_BAR = (
    '<rect class="chart-bar" data-series="{s}" x="{x}" y="{y}" width="{w}" '
    'height="{h}" fill="{c}"><title>{row}, {series}: {display}</title></rect>'
)


class _Chart:
    def __init__(self, indicator: Indicator):
        self.indicator = indicator
        self.table = indicator.table
        self.series, self.rows, self.percent = _one_unit(self.table)
        self.id = f"chart-{html_id(indicator.key)}"
        values = [f.value for _label, figures in self.rows for f in figures if not f.suppressed]
        self.top = _nice_max(max(values, default=0))
        self.any_hidden = any(f.suppressed for _label, figures in self.rows for f in figures)
        self.plot_width = WIDTH - PLOT_LEFT - PLOT_RIGHT
        self.baseline = PLOT_TOP + PLOT_HEIGHT
        legend_entries = len(self.series) + (1 if self.any_hidden else 0)
        self.legend_per_row = 3
        legend_rows = math.ceil(legend_entries / self.legend_per_row)
        # Many rows (months): slanted labels, so they never overlap.
        slot = self.plot_width / len(self.rows)
        self.slanted = len(self.rows) > 6 or any(
            len(str(label)) * 7 > slot for label, _figures in self.rows
        )
        self.legend_top = self.baseline + (62 if self.slanted else 32)
        self.height = self.legend_top + legend_rows * LEGEND_ROW + 4

    def y(self, value: float) -> float:
        return self.baseline - (value / self.top) * PLOT_HEIGHT

    # The whole picture -------------------------------------------------

    def render(self) -> SafeString:
        parts = [self.axes()]
        parts.extend(self.lines() if self.indicator.chart == "line" else self.bars())
        parts.append(self.legend())
        return format_html(
            '<svg class="dashboard-chart" role="img" aria-labelledby="{id}-title {id}-desc" '
            'viewBox="0 0 {w} {h}" width="100%" preserveAspectRatio="xMidYMid meet" '
            'font-family="system-ui, sans-serif" font-size="{fs}" data-chart="{kind}" '
            'data-indicator="{key}" focusable="false">'
            '<title id="{id}-title">{title}</title><desc id="{id}-desc">{desc}</desc>'
            "{body}</svg>",
            id=self.id,
            w=WIDTH,
            h=self.height,
            fs=FONT_SIZE,
            kind=self.indicator.chart,
            key=self.indicator.key,
            title=self.indicator.title,
            desc=self.description(),
            body=mark_safe("".join(parts)),
        )

    def description(self) -> str:
        if self.indicator.chart == "line":
            text = _("Line chart: one line per column of the table below, over its rows.")
        else:
            text = _("Bar chart: one bar per column of the table below, for each of its rows.")
        if self.any_hidden:
            text += " " + _(
                "Figures hidden to protect privacy are left out and marked with a hollow circle."
            )
        return text + " " + _("The exact figures are in the table.")

    def axes(self) -> str:
        parts = []
        for i in range(5):
            value = self.top * i / 4
            y = self.y(value)
            parts.append(
                format_html(
                    '<line x1="{x1}" y1="{y}" x2="{x2}" y2="{y}" stroke="{c}" '
                    'stroke-width="1"{dash}/>'
                    '<text x="{tx}" y="{ty}" text-anchor="end" fill="{t}">{label}</text>',
                    x1=PLOT_LEFT,
                    x2=WIDTH - PLOT_RIGHT,
                    y=_n(y),
                    c=AXIS_COLOUR if i == 0 else GRID_COLOUR,
                    dash=mark_safe("") if i == 0 else mark_safe(' stroke-dasharray="2 2"'),
                    tx=PLOT_LEFT - 6,
                    ty=_n(y + 4),
                    t=TEXT_COLOUR,
                    label=_tick_label(value) + ("%" if self.percent else ""),
                )
            )
        step = max(1, math.ceil(len(self.rows) / 12))
        for index, (label, _figures) in enumerate(self.rows):
            if index % step:
                continue
            x, y = _n(self.x_centre(index)), self.baseline + 16
            parts.append(
                format_html(
                    '<text x="{x}" y="{y}" text-anchor="{anchor}" fill="{t}"{turn}>{label}</text>',
                    x=x,
                    y=y,
                    anchor="end" if self.slanted else "middle",
                    turn=format_html(' transform="rotate(-35 {} {})"', x, y)
                    if self.slanted
                    else "",
                    t=TEXT_COLOUR,
                    label=_short(label, 16),
                )
            )
        return "".join(parts)

    def x_centre(self, index: int) -> float:
        slot = self.plot_width / len(self.rows)
        return PLOT_LEFT + slot * (index + 0.5)

    def hidden_marker(self, x: float, row_label: str, series: str, display: str) -> str:
        # str.format over escaped values, as format_html would build it: a
        # national bar chart draws thousands of these.
        return _HIDDEN_MARKER.format(
            x=_n(x),
            y=_n(self.baseline - 6),
            c=HIDDEN_COLOUR,
            row=escape_text(row_label),
            series=escape_text(series),
            display=escape_text(display),
        )

    # Lines -------------------------------------------------------------

    def lines(self) -> list[str]:
        parts = []
        for s, name in enumerate(self.series):
            segments, current = [], []
            for index, (label, figures) in enumerate(self.rows):
                figure = figures[s] if s < len(figures) else None
                if figure is None or figure.suppressed:
                    if current:
                        segments.append(current)
                    current = []
                    if figure is not None:
                        parts.append(
                            self.hidden_marker(self.x_centre(index), label, name, figure.display)
                        )
                    continue
                current.append((index, label, figure))
            if current:
                segments.append(current)
            parts.append(
                format_html('<g class="chart-series" data-series="{}">', s)
                + "".join(self.segment(s, name, seg) for seg in segments)
                + "</g>"
            )
        return parts

    def segment(self, s: int, name: str, points) -> str:
        coords = " ".join(
            f"{_n(self.x_centre(index))},{_n(self.y(figure.value))}"
            for index, _label, figure in points
        )
        dash = DASHES[s % len(DASHES)]
        line = format_html(
            '<polyline points="{p}" fill="none" stroke="{c}" stroke-width="2.5"'
            ' stroke-linejoin="round"{dash}/>',
            p=coords,
            c=colour(s),
            dash=format_html(' stroke-dasharray="{}"', dash) if dash else "",
        )
        dots = "".join(
            format_html(
                '<circle cx="{x}" cy="{y}" r="3.5" fill="{c}"><title>{row}, {series}: {display}'
                "</title></circle>",
                x=_n(self.x_centre(index)),
                y=_n(self.y(figure.value)),
                c=colour(s),
                row=label,
                series=name,
                display=figure.display,
            )
            for index, label, figure in points
        )
        return line + dots

    # Bars --------------------------------------------------------------

    def bars(self) -> list[str]:
        parts = []
        slot = self.plot_width / len(self.rows)
        group_width = slot * 0.8
        bar_width = group_width / len(self.series)
        width = _n(max(bar_width - 2, 1))
        # Escaped once, not once per bar: a national chart has a bar per location.
        series = [escape_text(name) for name in self.series]
        displays = {}  # a chart repeats few distinct figures
        for index, (label, figures) in enumerate(self.rows):
            left = PLOT_LEFT + slot * index + (slot - group_width) / 2
            row = escape_text(label)
            for s, name in enumerate(self.series):
                figure = figures[s] if s < len(figures) else None
                if figure is None:
                    continue
                x = left + bar_width * s
                if figure.suppressed:
                    parts.append(self.hidden_marker(x + bar_width / 2, label, name, figure.display))
                    continue
                top = self.y(figure.value)
                parts.append(
                    _BAR.format(
                        s=s,
                        x=_n(x),
                        y=_n(top),
                        w=width,
                        h=_n(self.baseline - top),
                        c=colour(s),
                        row=row,
                        series=series[s],
                        display=displays.get(figure.display)
                        or displays.setdefault(figure.display, escape_text(figure.display)),
                    )
                )
        return parts

    # Legend ------------------------------------------------------------

    def legend(self) -> str:
        entries = []
        column_width = (WIDTH - PLOT_LEFT) / self.legend_per_row
        for s, name in enumerate(self.series):
            x, y = self.legend_slot(s, column_width)
            if self.indicator.chart == "line":
                dash = DASHES[s % len(DASHES)]
                swatch = format_html(
                    '<line x1="{x1}" y1="{y}" x2="{x2}" y2="{y}" stroke="{c}" stroke-width="3"'
                    "{dash}/>",
                    x1=_n(x),
                    x2=_n(x + 22),
                    y=_n(y - 4),
                    c=colour(s),
                    dash=format_html(' stroke-dasharray="{}"', dash) if dash else "",
                )
            else:
                swatch = format_html(
                    '<rect x="{x}" y="{y}" width="14" height="14" fill="{c}"/>',
                    x=_n(x),
                    y=_n(y - 11),
                    c=colour(s),
                )
            entries.append(
                swatch
                + format_html(
                    '<text x="{x}" y="{y}" fill="{t}">{name}</text>',
                    x=_n(x + 28),
                    y=_n(y),
                    t=TEXT_COLOUR,
                    name=_short(name, 28),
                )
            )
        if self.any_hidden:
            x, y = self.legend_slot(len(self.series), column_width)
            entries.append(
                format_html(
                    '<circle cx="{cx}" cy="{cy}" r="4" fill="#ffffff" stroke="{c}" '
                    'stroke-width="1.5"/><text x="{x}" y="{y}" fill="{t}">{label}</text>',
                    cx=_n(x + 11),
                    cy=_n(y - 4),
                    c=HIDDEN_COLOUR,
                    x=_n(x + 28),
                    y=_n(y),
                    t=TEXT_COLOUR,
                    label=_("hidden (too few)"),
                )
            )
        return format_html('<g class="chart-legend">{}</g>', mark_safe("".join(entries)))

    def legend_slot(self, index: int, column_width: float) -> tuple[float, float]:
        row, column = divmod(index, self.legend_per_row)
        return PLOT_LEFT + column * column_width, self.legend_top + row * LEGEND_ROW + 10


def _one_unit(table) -> tuple[list[str], list, bool]:
    """The columns to draw on one axis. A table mixing counts and percentages
    (children, share) draws only its percentages: one axis holds one unit, and
    shares compare across scopes; the table keeps both."""
    columns = table.columns[1:]
    percent = [
        any(f.display.endswith("%") for _label, figures in table.rows for f in figures[i : i + 1])
        for i in range(len(columns))
    ]
    if all(percent) or not any(percent):
        return list(columns), list(table.rows), all(percent)
    keep = [i for i, is_percent in enumerate(percent) if is_percent]
    rows = [
        (label, [figures[i] for i in keep if i < len(figures)]) for label, figures in table.rows
    ]
    return [columns[i] for i in keep], rows, True


def _short(text, limit: int = 12) -> str:
    text = str(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"
