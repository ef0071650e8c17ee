"""Charts read as a client reads them: value labels clear of the grid and of each other, numbers on
the category axis at their values, the thesis chain's highlighted segments marked by a fill that
a legend explains, and on a phone chart labels of a readable size."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from lxml import html as lhtml
from matplotlib.figure import Figure

from briefs.exhibits.cells import CellFormat
from briefs.exhibits.charts import ChartData, Series, laid_out

from .browser import chromium
from .conftest import Built

PERCENT = CellFormat("percent", 1)


def _chart(
    kind: str, categories: list[str], *series: list[float], fmt: CellFormat = PERCENT, **more: object
) -> ChartData:
    return ChartData(
        kind,
        tuple(categories),
        tuple(Series(f"S{k}", tuple(values), tuple(f"{v:g}%" for v in values)) for k, values in enumerate(series)),
        fmt,
        "en",
        "Score",
        **more,  # type: ignore[arg-type]
    )


CHARTS = {
    # the benchmarks of the examples: 97.3 % sits just under the 100 % line
    "near-a-line": _chart("grouped-bar", ["AIME 2024", "MATH-500"], [79.8, 97.3], [79.2, 96.4]),
    "tall-and-short": _chart("bar", ["inference", "training"], [95.0, 5.0]),
    "on-round-values": _chart("bar", ["a", "b", "c", "d"], [20.0, 40.0, 60.0, 80.0]),
    "close-neighbours": _chart(
        "grouped-bar",
        ["one", "two", "three", "four", "five"],
        [81.1, 82.2, 83.3, 84.4, 85.5],
        [81.9, 82.8, 83.7, 84.6, 85.9],
    ),
    "line": _chart("line", ["2021", "2022", "2023", "2024"], [48.0, 50.1, 59.9, 80.2]),
    "phone": _chart(
        "grouped-bar",
        ["AIME 2024", "MATH-500"],
        [79.8, 97.3],
        [79.2, 96.4],
        width_in=3.5,
        height_in=2.9,
        min_label_pt=7.5,
    ),
}


def _grid(fig: Figure) -> list[float]:
    ax = fig.axes[0]
    low, high = sorted(ax.get_ylim())
    return [float(ax.transData.transform((0.0, t))[1]) for t in ax.get_yticks() if low <= t <= high]


@pytest.mark.parametrize("name", sorted(CHARTS))
def test_value_labels_clear_the_grid_lines_and_each_other(name: str) -> None:
    with laid_out(CHARTS[name], "Noto Sans CJK SC", name) as fig:
        ax = fig.axes[0]
        labels = [t for t in ax.texts if t.get_text()]
        assert labels, "the chart has value labels"
        boxes = [t.get_window_extent() for t in labels]
        bars = [p.get_window_extent() for p in ax.patches]
        point = fig.dpi / 72.0
        for text, box in zip(labels, boxes, strict=True):
            inside = any(
                bar.x0 <= box.x0 and box.x1 <= bar.x1 and bar.y0 <= box.y0 and box.y1 <= bar.y1 for bar in bars
            )
            if inside:  # set inside its bar: the grid runs behind the bar, not through the label
                continue
            near = [y for y in _grid(fig) if box.y0 - point < y < box.y1 + point]
            assert not near, f"{text.get_text()!r} touches the grid line at {near}"
            assert box.y1 <= ax.get_window_extent().y1 + point, f"{text.get_text()!r} is above the chart"
        for (a, box_a), (b, box_b) in itertools.combinations(zip(labels, boxes, strict=True), 2):
            assert not box_a.overlaps(box_b), f"{a.get_text()!r} overlaps {b.get_text()!r}"


def test_a_label_set_inside_its_bar_is_legible_on_it() -> None:
    """97.3 % clears no tick set (100 % is a tick of every one): it goes inside its navy bar, in
    white; the gold bar's label in ink."""
    with laid_out(CHARTS["near-a-line"], "Noto Sans CJK SC", "inside") as fig:
        ax = fig.axes[0]
        colours = {t.get_text(): t.get_color() for t in ax.texts if t.get_text()}
    assert colours["97.3%"] == "#ffffff"
    assert colours["96.4%"] == "#1b1f24"
    assert colours["79.8%"] == "#1b1f24"  # on the white above its bar, as before


def test_numeric_categories_stand_at_their_values() -> None:
    """80 %, 90 %, 100 % and 150 %: the gap from 100 to 150 is five times the gap from 80 to 90,
    not one category step."""
    chart = _chart("line", ["80%", "90%", "100%", "150%"], [1.0, 2.0, 3.0, 4.0], positions=(80.0, 90.0, 100.0, 150.0))
    with laid_out(chart, "Noto Sans CJK SC", "numeric") as fig:
        ax = fig.axes[0]
        x = [float(ax.transData.transform((v, 0.0))[0]) for v in (80.0, 90.0, 100.0, 150.0)]
        ticks = list(ax.get_xticks())
        labels = [t.get_text() for t in ax.get_xticklabels()]
    assert ticks == [80.0, 90.0, 100.0, 150.0]
    assert labels == ["80%", "90%", "100%", "150%"]
    assert (x[3] - x[2]) == pytest.approx(5 * (x[1] - x[0]), rel=1e-6)


def test_the_chain_marks_covered_segments_by_a_fill_with_a_legend(built_html: Built) -> None:
    page = lhtml.parse(str(built_html.file("deepseek-algorithm-thematic", "en", "html"))).getroot()
    segments = "//ol[contains(@class, 'chain-flow')]//ul[contains(@class, 'stage-segments')]/li"
    covered = page.xpath(f"{segments}[contains(@class, 'covered')]")
    assert covered, "segments with companies in the companies table are marked"
    assert all(li.find("a") is not None for li in covered)
    assert all(li.find("a") is None for li in page.xpath(f"{segments}[not(contains(@class, 'covered'))]"))
    legend = page.xpath("//figure[contains(@class, 'exhibit-chain')]//p[@class='chain-legend']")
    assert len(legend) == 1 and "companies table" in legend[0].text_content()
    zh = lhtml.parse(str(built_html.file("deepseek-algorithm-thematic", "zh-CN", "html"))).getroot()
    assert "公司表" in zh.xpath("//p[@class='chain-legend']")[0].text_content()


SHOWN_LABELS = """
const charts = [...document.querySelectorAll('.exhibit .chart')].filter(c => c.offsetParent !== null);
return charts.map(c => [c.className, Math.min(...[...c.querySelectorAll('svg text')].map(t =>
  parseFloat(t.getAttribute('font-size')) * Math.hypot(t.getScreenCTM().a, t.getScreenCTM().b)))]);
"""


@pytest.mark.parametrize(("width", "shown"), [(375, "chart-narrow"), (1280, "chart-wide")])
def test_chart_labels_are_readable_on_a_phone_and_a_desktop(built_html: Built, width: int, shown: str) -> None:
    """At 375 px the chart drawn for a phone is shown (the page's chart scaled down would print its
    labels at about 5 px); every text in every shown chart is at least 10 px; nothing scrolls
    sideways."""
    pages = [
        built_html.file("deepseek-algorithm-thematic", "zh-CN", "html"),
        built_html.file("compute-etf-note", "en", "html"),
    ]
    with chromium(width, 900) as browser:
        for page in pages:
            browser.get(Path(page).resolve().as_uri())
            assert browser.execute_script("return innerWidth") == width
            charts = browser.execute_script(SHOWN_LABELS)
            assert charts, f"{page.name}: no chart shown"
            for classes, smallest in charts:
                assert shown in classes.split(), f"{page.name}: {classes} shown at {width} px"
                assert smallest >= 10, f"{page.name}: a chart label is {smallest:.1f} px at {width} px"
            assert browser.execute_script("return document.documentElement.scrollWidth") <= width


def test_a_chart_asked_for_again_is_not_drawn_again_and_any_change_is() -> None:
    """The process's memo of drawn charts (briefs.exhibits.chart_memo) gives a chart asked for
    with every argument the same the SVG drawn before, and draws one that differs in anything
    that shows: font, anchor (a phone's drawing has its own), title, language, size, values."""
    from dataclasses import replace

    from briefs.exhibits import charts
    from briefs.exhibits.chart_memo import forget, remembered

    forget()
    chart = CHARTS["line"]
    given = {"font": "Noto Sans CJK SC", "anchor": "memo", "title": "Memo"}
    first = remembered(charts.draw_svg, chart, **given)
    assert remembered(charts.draw_svg, chart, **given) is first
    assert remembered(charts.draw_svg, replace(chart), **dict(given)) is first  # equal, not the same object
    assert first == charts.draw_svg(chart, **given)  # what drawing it now gives
    series = chart.series[0]
    variants = {
        "font": (chart, {**given, "font": "Noto Serif CJK SC"}),
        "anchor": (chart, {**given, "anchor": "memo-narrow"}),
        "title": (chart, {**given, "title": "Another"}),
        "size": (replace(chart, width_in=3.5, height_in=2.9), given),
        "value": (replace(chart, series=(replace(series, values=(48.0, 50.1, 59.9, 80.3)),)), given),
    }
    for name, (changed, arguments) in variants.items():
        assert remembered(charts.draw_svg, changed, **arguments) != first, name
    dollars = replace(chart, fmt=CellFormat("currency", 0, "USD"))  # $50 in English, US$50 in Chinese
    assert remembered(charts.draw_svg, dollars, **given) != remembered(
        charts.draw_svg, replace(dollars, lang="zh-CN"), **given
    )
    # 0.0 and -0.0 compare (and hash) equal, but are different values: not handed the other's SVG
    zero = replace(chart, series=(replace(series, values=(0.0, 50.1, 59.9, 80.2)),))
    negative_zero = replace(chart, series=(replace(series, values=(-0.0, 50.1, 59.9, 80.2)),))
    assert zero == negative_zero
    assert remembered(charts.draw_svg, zero, **given) is not remembered(charts.draw_svg, negative_zero, **given)


def test_the_memo_of_drawn_charts_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    from briefs.exhibits import chart_memo

    drawn: list[int] = []

    def draw(n: int) -> str:
        drawn.append(n)
        return f"<svg>{n}</svg>"

    chart_memo.forget()
    monkeypatch.setattr(chart_memo, "SIZE", 2)
    for n in (1, 2, 1, 3, 1, 2):  # 3 pushes out 2 (1 was used since), then 2 is drawn again
        assert chart_memo.remembered(draw, n) == f"<svg>{n}</svg>"
    assert drawn == [1, 2, 3, 2]
