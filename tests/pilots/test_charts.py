"""Server-side SVG charts: accessible, escaped, and honest about hidden figures."""

import re
from xml.etree import ElementTree

import pytest

from pilots import charts
from pilots.dashboard_types import Figure, Indicator, Table
from pilots.suppression import count_figure, share_figure

SVG = "{http://www.w3.org/2000/svg}"


def indicator(chart="line", rows=None, columns=None, key="concerns_by_domain", title="Concerns"):
    columns = columns or ["Month", "Language", "Motor"]
    rows = (
        rows
        if rows is not None
        else [
            ("2024-01", [count_figure(10), count_figure(3)]),
            ("2024-02", [count_figure(2), count_figure(25)]),
            ("2024-03", [count_figure(15), count_figure(30)]),
        ]
    )
    return Indicator(
        key=key,
        title=title,
        explanation="One line.",
        chart=chart,
        table=Table(columns=columns, rows=rows),
    )


def parse(markup):
    # Valid XML once the SVG namespace is declared (HTML does not need it).
    return ElementTree.fromstring(
        str(markup).replace("<svg ", '<svg xmlns="http://www.w3.org/2000/svg" ', 1)
    )


@pytest.mark.parametrize("kind", ["line", "bar"])
def test_chart_names_itself_for_screen_readers(kind):
    svg = parse(charts.chart_svg(indicator(kind)))
    assert svg.get("role") == "img"
    labelled_by = svg.get("aria-labelledby").split()
    ids = {el.get("id"): el for el in svg.iter() if el.get("id")}
    assert [ids[i].tag for i in labelled_by] == [SVG + "title", SVG + "desc"]
    assert ids[labelled_by[0]].text == "Concerns"
    assert svg.get("data-chart") == kind


def test_number_indicator_has_no_chart():
    assert charts.chart_svg(indicator("number")) == ""


def test_table_without_rows_has_no_chart():
    assert charts.chart_svg(indicator("line", rows=[])) == ""


def test_line_chart_draws_one_series_per_column_and_breaks_at_hidden_figures():
    svg = parse(charts.chart_svg(indicator("line")))
    series = svg.findall(f".//{SVG}g[@class='chart-series']")
    assert [s.get("data-series") for s in series] == ["0", "1"]
    # Language: 10, <5, 15 -> two one-point segments, no line across the gap.
    language_lines = series[0].findall(f"{SVG}polyline")
    assert [len(line.get("points").split()) for line in language_lines] == [1, 1]
    # Motor: <5, 25, 30 -> one segment of two points.
    motor_lines = series[1].findall(f"{SVG}polyline")
    assert [len(line.get("points").split()) for line in motor_lines] == [2]
    hidden = svg.findall(f".//{SVG}g[@data-suppressed='true']")
    assert len(hidden) == 2
    assert all("<5" in h.find(f"{SVG}title").text for h in hidden)


def test_bar_chart_leaves_hidden_figures_out_and_marks_them():
    svg = parse(charts.chart_svg(indicator("bar")))
    bars = svg.findall(f".//{SVG}rect[@class='chart-bar']")
    assert len(bars) == 4  # six cells, two hidden
    assert len(svg.findall(f".//{SVG}g[@data-suppressed='true']")) == 2
    heights = sorted(float(bar.get("height")) for bar in bars)
    assert heights[0] < heights[-1]
    titles = sorted(bar.find(f"{SVG}title").text for bar in bars)
    assert "2024-03, Motor: 30" in titles


def test_bar_heights_follow_the_shown_values():
    rows = [("A", [count_figure(10)]), ("B", [count_figure(20)])]
    svg = parse(charts.chart_svg(indicator("bar", rows=rows, columns=["Row", "Count"])))
    a, b = (float(bar.get("height")) for bar in svg.findall(f".//{SVG}rect[@class='chart-bar']"))
    assert b == pytest.approx(2 * a, rel=0.01)


def test_all_hidden_still_draws_axes_and_markers():
    rows = [("A", [share_figure(1, 3)]), ("B", [share_figure(2, 3)])]
    svg = parse(charts.chart_svg(indicator("line", rows=rows, columns=["Row", "Share"])))
    assert not svg.findall(f".//{SVG}polyline")
    assert len(svg.findall(f".//{SVG}g[@data-suppressed='true']")) == 2


def test_legend_names_every_column_and_the_hidden_marker():
    svg = parse(charts.chart_svg(indicator("line")))
    legend = svg.find(f".//{SVG}g[@class='chart-legend']")
    texts = [t.text for t in legend.findall(f"{SVG}text")]
    assert texts[:2] == ["Language", "Motor"]
    assert len(texts) == 3  # plus the hidden-figure marker


def test_text_from_data_is_escaped():
    evil = '<script>alert(1)</script>"'
    rows = [(evil, [count_figure(10)]), ("b", [count_figure(5)])]
    markup = str(
        charts.chart_svg(
            indicator("bar", rows=rows, columns=["Row", evil], key='x" onload="y', title=evil)
        )
    )
    assert "<script>" not in markup
    assert 'onload="y' not in markup
    parse(markup)  # still well-formed


def test_ids_are_unique_per_indicator():
    a = parse(charts.chart_svg(indicator(key="a")))
    b = parse(charts.chart_svg(indicator(key="b")))
    ids_a = {el.get("id") for el in a.iter() if el.get("id")}
    ids_b = {el.get("id") for el in b.iter() if el.get("id")}
    assert ids_a and not ids_a & ids_b


def _luminance(hex_colour):
    def channel(c):
        c = c / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(a, b):
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


@pytest.mark.parametrize("colour", charts.PALETTE + (charts.AXIS_COLOUR, charts.HIDDEN_COLOUR))
def test_colours_contrast_enough_with_white(colour):
    # WCAG 1.4.11 asks 3:1 for graphics; the palette meets 4.5:1 (text level).
    assert contrast(colour, "#ffffff") >= 4.5


def test_many_rows_get_slanted_labels_and_a_taller_image():
    rows = [(f"2024-{m:02d}", [count_figure(m * 5)]) for m in range(1, 13)]
    svg = parse(charts.chart_svg(indicator("line", rows=rows, columns=["Month", "Count"])))
    assert any("rotate" in (t.get("transform") or "") for t in svg.iter(f"{SVG}text"))
    height = int(re.split(r"\s+", svg.get("viewBox"))[3])
    assert height > charts.PLOT_TOP + charts.PLOT_HEIGHT + 40


def test_decimal_values_are_drawn():
    rows = [("Q1 2024", [Figure("3,5", 3.5)]), ("Q2 2024", [Figure("4,1", 4.1)])]
    svg = parse(charts.chart_svg(indicator("line", rows=rows, columns=["Quarter", "Mean"])))
    (line,) = svg.findall(f".//{SVG}polyline")
    assert len(line.get("points").split()) == 2


def test_counts_and_shares_in_one_table_chart_only_the_shares():
    rows = [
        ("Stayed", [count_figure(40), share_figure(40, 50)]),
        ("Moved", [count_figure(10), share_figure(10, 50)]),
    ]
    svg = parse(
        charts.chart_svg(indicator("bar", rows=rows, columns=["Where", "Children", "Share"]))
    )
    bars = svg.findall(f".//{SVG}rect[@class='chart-bar']")
    assert [bar.get("data-series") for bar in bars] == ["0", "0"]
    assert "Share" in bars[0].find(f"{SVG}title").text
    assert any((t.text or "").endswith("%") for t in svg.iter(f"{SVG}text"))
