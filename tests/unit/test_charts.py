"""Inline SVG charts: pure functions, escaped text, a text alternative, no style."""

import re
import xml.etree.ElementTree as ET

from chalicelib.portal import charts

SVG = "{http://www.w3.org/2000/svg}"


def parse(markup):
    return ET.fromstring(
        str(markup).replace("<svg ", '<svg xmlns="http://www.w3.org/2000/svg" ', 1)
    )


def test_round_axis_ends():
    assert [charts.nice_ceiling(v) for v in (0, 0.3, 1, 3, 7, 10, 11, 21, 99, 450)] == [
        1,
        0.5,
        1,
        5,
        10,
        10,
        20,
        50,
        100,
        500,
    ]


def test_a_bar_chart_has_a_title_a_description_bars_in_proportion_and_an_axis():
    groups = [
        charts.Group("Awaiting follow-up", (charts.Bar(12, "12"),)),
        charts.Group("Overdue now", (charts.Bar(3, "3", "alert"),)),
    ]
    svg = charts.bar_chart("w", "Open reports", "Open: 12; overdue: 3.", groups, "Reports", str)
    root = parse(svg)
    assert root.get("role") == "img" and root.get("aria-labelledby") == "w-title w-desc"
    assert root.find(f"{SVG}title").text == "Open reports"
    assert root.find(f"{SVG}desc").text == "Open: 12; overdue: 3."
    bars = root.findall(f"{SVG}rect")
    assert [b.get("class") for b in bars] == ["bar main", "bar alert"]
    widths = [float(b.get("width")) for b in bars]
    assert abs(widths[0] / widths[1] - 4) < 0.01  # 12 against 3 on an axis to 20
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert texts[:4] == ["Awaiting follow-up", "12", "Overdue now", "3"]
    assert texts[-4:] == ["0", "10", "20", "Reports"]  # ticks and the axis's label
    assert "style" not in str(svg)


def test_text_is_escaped():
    evil = '<script>alert(1)</script> & "quotes"'
    svg = str(
        charts.bar_chart(
            'x" onload="1', evil, evil, [charts.Group(evil, (charts.Bar(1, evil),))], evil, str
        )
    )
    assert "<script>" not in svg and 'onload="1"' not in svg
    assert "&lt;script&gt;" in svg
    parse(svg)  # still well-formed


def test_zero_and_empty_charts_are_drawn_without_dividing_by_zero():
    svg = charts.bar_chart("z", "t", "d", [charts.Group("None", (charts.Bar(0, "0"),))], "n", str)
    assert float(parse(svg).find(f"{SVG}rect").get("width")) > 0  # a sliver, still visible
    parse(charts.bar_chart("e", "t", "d", [], "n", str))
    parse(charts.column_chart("c", "t", "d", [], top=1, ticks=[], x_label="x", y_label="y"))


def test_a_column_chart_shows_each_week_and_says_when_there_is_nothing_to_measure():
    columns = [
        charts.Column("2 Nov", 0.5, "50%"),
        charts.Column("9 Nov", None, "–"),
        charts.Column("16 Nov", 1.0, "100%"),
    ]
    svg = charts.column_chart(
        "s",
        "In time per week",
        "2 Nov: 50%; 9 Nov: –; 16 Nov: 100%.",
        columns,
        top=1,
        ticks=[(0, "0%"), (0.5, "50%"), (1, "100%")],
        x_label="Week starting",
        y_label="In time",
    )
    root = parse(svg)
    heights = [float(r.get("height")) for r in root.findall(f"{SVG}rect")]
    assert len(heights) == 2 and abs(heights[1] / heights[0] - 2) < 0.01
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert texts[0] == "In time"  # the value axis's label
    for expected in ("Week starting", "2 Nov", "9 Nov", "16 Nov", "–", "100%"):
        assert expected in texts
    assert re.search(r'class="grid"', str(svg))
