"""Charts: typed exhibit data → one vector SVG per language, inlined in the HTML.

matplotlib draws (Agg-free: the SVG canvas only; imported on first use, so a brief without charts
never loads it). Text stays text (``svg.fonttype: none``) in the language's font from
``fonts.py``, so WeasyPrint sets labels with the same CJK font as the page: crisp, selectable and
extractable in the PDF. Output is deterministic: a fixed hash salt, no date, no metadata, and every
id is prefixed with the exhibit's anchor (and unreferenced ids dropped), so several charts can sit
in one HTML page without colliding and two builds give identical bytes.

The house look: navy #12355b and gold #b8862b, then greys; no box, light horizontal rules, the unit
above the axis on the left, the legend above it on the right, value labels on bars.
"""

from __future__ import annotations

import io
import itertools
import math
import re
import textwrap
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from html import escape
from typing import TYPE_CHECKING, Any

from briefs.exhibits import chart_fit
from briefs.exhibits.cells import CellFormat, format_cell
from briefs.exhibits.chart_fit import MIN_LABEL_PT, TICK_COUNTS, fit_labels, measuring_canvas, set_ticks
from briefs.exhibits.chart_memo import remembered

if TYPE_CHECKING:
    from matplotlib.axes import Axes  # matplotlib is imported when a chart is drawn
    from matplotlib.figure import Figure
    from matplotlib.text import Text

NAVY = "#12355b"
GOLD = "#b8862b"
INK = chart_fit.INK
MUTED = "#5b6570"
RULE = "#c9d2dc"
PALETTE = (NAVY, GOLD, "#7d8b99", "#b5c0cb", "#3f5f80")

WIDTH_IN = 7.0  # = the A4 text column (178 mm) at 1:1, so 8 pt in the chart is 8 pt on paper
HEIGHT_IN = 2.4
FONT_PT = 8.0
# For a phone (screen.css shows it below 600 px): about its width at 1:1, so an 8 pt label stays
# about 10 px, where the wide chart scaled down to 375 px would print it at 5.
NARROW_WIDTH_IN = 3.5
NARROW_HEIGHT_IN = 2.9
NARROW_MIN_LABEL_PT = 7.5


@dataclass(frozen=True)
class Series:
    """One series: its legend label, values (None = missing) and the values as printed (value
    labels only: empty for a chart drawn without them)."""

    label: str
    values: tuple[float | None, ...]
    texts: tuple[str, ...]


@dataclass(frozen=True)
class ChartData:
    """A chart in one language, ready to draw."""

    type: str  # line | bar | grouped-bar
    categories: tuple[str, ...]
    series: tuple[Series, ...]
    fmt: CellFormat  # how the value axis is labelled
    lang: str
    y_label: str | None = None
    x_label: str | None = None
    value_labels: bool = True
    # Numeric categories (all of them numbers): drawn at their values, not evenly spaced.
    positions: tuple[float, ...] | None = None
    width_in: float = WIDTH_IN
    height_in: float = HEIGHT_IN
    min_label_pt: float = MIN_LABEL_PT  # value labels are not set smaller (upright instead)


def house_style(font: str, anchor: str) -> dict[str, Any]:
    """matplotlib settings of every house chart: text kept as text in ``font``, the house colours,
    and a hash salt of ``anchor`` so the SVG's ids are the same on every build."""
    return {
        "svg.fonttype": "none",
        "svg.hashsalt": anchor,
        "svg.image_inline": True,
        "font.family": [font],
        "font.size": FONT_PT,
        "text.parse_math": False,
        "text.usetex": False,
        "axes.unicode_minus": False,
        "path.simplify": False,
        "axes.edgecolor": INK,
        "axes.labelcolor": MUTED,
        "xtick.color": MUTED,
        "ytick.color": MUTED,
        "text.color": INK,
        "axes.linewidth": 0.8,
    }


def render_svg(chart: ChartData, *, font: str, anchor: str, title: str) -> str:
    """The chart as an SVG element (no XML prolog) with ids prefixed by ``anchor``; a chart drawn
    before in this process with every argument the same is not drawn again
    (:mod:`briefs.exhibits.chart_memo`)."""
    return remembered(draw_svg, chart, font=font, anchor=anchor, title=title)


def draw_svg(chart: ChartData, *, font: str, anchor: str, title: str) -> str:
    """:func:`render_svg`, drawn now."""
    with laid_out(chart, font, anchor) as fig:
        buffer = io.StringIO()
        fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None, "Format": None, "Type": None})
    return clean_svg(buffer.getvalue(), anchor, title)


@contextmanager
def laid_out(chart: ChartData, font: str, anchor: str) -> Iterator[Figure]:
    """The chart's figure, drawn and laid out (value labels fitted), within the house style."""
    import matplotlib.style
    from matplotlib.backends.backend_svg import FigureCanvasSVG
    from matplotlib.figure import Figure as MplFigure
    from matplotlib.ticker import FuncFormatter

    rc = house_style(font, anchor)
    # From matplotlib's defaults, not this machine's matplotlibrc: the house style, and the same
    # bytes on every machine.
    with matplotlib.style.context(["default", rc]):
        fig = MplFigure(figsize=(chart.width_in, chart.height_in))
        fig.set_layout_engine("constrained", h_pad=0.02, w_pad=0.02)
        measuring_canvas(FigureCanvasSVG(fig))
        ax = fig.add_subplot()
        n = len(chart.categories)
        positions = list(chart.positions) if chart.positions else [float(i) for i in range(n)]
        labels = _lines(ax, chart, positions) if chart.type == "line" else _bars(ax, chart, positions)
        shown = _thinned(n)
        ax.set_xticks(
            [positions[i] for i in shown],
            _wrap_all([chart.categories[i] for i in shown], len(shown), chart.width_in),
        )
        ax.tick_params(axis="x", length=0, pad=5)
        ax.tick_params(axis="y", length=0, pad=4)
        set_ticks(ax, TICK_COUNTS[0])
        ax.yaxis.set_major_formatter(FuncFormatter(_tick_formatter(chart.fmt, chart.lang)))
        ax.grid(axis="y", color=RULE, linewidth=0.5)
        ax.set_axisbelow(True)
        for side in ("top", "right", "left"):
            ax.spines[side].set_visible(False)
        if chart.x_label:
            ax.set_xlabel(chart.x_label, color=MUTED, labelpad=4)
        if chart.y_label:
            ax.set_title(chart.y_label, loc="left", fontsize=FONT_PT, color=MUTED, pad=6)
        if len(chart.series) > 1:
            ax.legend(
                loc="lower right",
                bbox_to_anchor=(1.0, 1.0),
                ncol=len(chart.series),
                frameon=False,
                borderaxespad=0.2,
                handlelength=1.4,
                columnspacing=1.4,
                fontsize=FONT_PT,
            )
        fit_labels(fig, ax, [text for text, _ in labels], chart.min_label_pt, [fill for _, fill in labels])
        yield fig


def _text_width(text: str, size: float) -> float:
    """Rough width in points of a one-line label (CJK characters are square, Latin about half)."""
    return sum(size if _CJK.match(ch) else size * 0.56 for ch in text)


def _step(positions: Sequence[float]) -> float:
    """The least distance between two categories (1 when evenly spaced)."""
    gaps = [b - a for a, b in itertools.pairwise(positions) if b > a]
    return min(gaps, default=1.0)


def _bars(ax: Axes, chart: ChartData, positions: Sequence[float]) -> list[tuple[Text, str | None]]:
    """The bars, and each value label with its bar's colour."""
    count = len(chart.series)
    step = _step(positions)
    width = (0.56 if count == 1 else min(0.8 / count, 0.32)) * step
    span_x = (positions[-1] - positions[0]) / step + 1 if positions else 1
    # Value labels must fit over their bar: shrink them a little, else stand them upright.
    slot = chart.width_in * 72 * 0.9 / max(span_x, 1) * width / step
    longest = max((t for s in chart.series for t in s.texts), key=len, default="")
    size = FONT_PT - 0.5
    while size > chart.min_label_pt and _text_width(longest, size) > slot * 1.1:
        size -= 0.5
    upright = _text_width(longest, size) > slot * 1.1
    top = 0.0
    bottom = 0.0
    labels: list[tuple[Text, str | None]] = []
    for k, series in enumerate(chart.series):
        offset = (k - (count - 1) / 2) * width
        values = [math.nan if v is None else v for v in series.values]
        bars = ax.bar(
            [p + offset for p in positions],
            values,
            width=width * 0.92,
            color=PALETTE[k % len(PALETTE)],
            label=series.label,
            zorder=2,
        )
        if chart.value_labels:
            # On a white ground, so a grid line never runs through a label.
            printed = ax.bar_label(
                bars,
                labels=list(series.texts),
                padding=2,
                fontsize=size,
                rotation=90 if upright else 0,
                color=INK,
                bbox={"facecolor": "white", "edgecolor": "none", "pad": 0.6},
            )
            labels += [(text, PALETTE[k % len(PALETTE)]) for text in printed]
        finite = [v for v in values if not math.isnan(v)]
        top = max([top, *finite])
        bottom = min([bottom, *finite])
    span = (top - bottom) or 1.0
    headroom = (
        0.14
        if not (chart.value_labels and upright)
        else 0.14 + _text_width(longest, size) / (chart.height_in * 72 * 0.7)
    )
    ax.set_ylim(bottom - (0.1 * span if bottom < 0 else 0), top + headroom * span)
    ax.set_xlim(positions[0] - 0.6 * step, positions[-1] + 0.6 * step)
    ax.axhline(0, color=INK, linewidth=0.8, zorder=3)
    return labels


def _lines(ax: Axes, chart: ChartData, positions: Sequence[float]) -> list[tuple[Text, str | None]]:
    """The lines, and each value label (over no bar: None)."""
    labels: list[tuple[Text, str | None]] = []
    for k, series in enumerate(chart.series):
        values = [math.nan if v is None else v for v in series.values]
        color = PALETTE[k % len(PALETTE)]
        ax.plot(positions, values, color=color, linewidth=1.6, marker="o", markersize=3.2, label=series.label, zorder=3)
        if chart.value_labels:
            for x, v, text in zip(positions, values, series.texts, strict=True):
                if not math.isnan(v):
                    labels.append(
                        (
                            ax.annotate(
                                text,
                                (x, v),
                                textcoords="offset points",
                                xytext=(0, 5),
                                ha="center",
                                fontsize=FONT_PT - 0.5,
                                color=color,
                                bbox={"facecolor": "white", "edgecolor": "none", "pad": 0.6},
                            ),
                            None,
                        )
                    )
    ax.margins(x=0.04, y=0.18)
    if len(positions) == 1:
        ax.set_xlim(positions[0] - 0.6, positions[0] + 0.6)
    return labels


def _tick_formatter(fmt: CellFormat, lang: str) -> Callable[[float, int | None], str]:
    """The value axis's tick labels; each value formatted once (every layout asks again), kept
    by its exact ``repr`` (``-0.0`` is not ``0.0``, a NumPy float not a float)."""
    said: dict[str, str] = {}

    def remembered(value: float, pos: int | None) -> str:
        key = repr(value)
        if key not in said:
            said[key] = tick(value, pos)
        return said[key]

    def tick(value: float, _pos: int | None) -> str:
        digits = 0 if abs(value - round(value)) < 1e-9 else (1 if abs(value * 10 - round(value * 10)) < 1e-6 else 2)
        if fmt.type == "integer":
            return (
                format_cell(round(value), fmt, lang)
                if digits == 0
                else format_cell(value, CellFormat("number", digits), lang)
            )
        if fmt.type == "compact":
            return format_cell(value, CellFormat("compact", max(digits, 1)), lang, short=True)
        if fmt.type in ("number", "percent", "currency"):
            return format_cell(value, CellFormat(fmt.type, digits, fmt.currency), lang)
        return format_cell(value, CellFormat("number", digits), lang)

    return remembered


MAX_TICKS = 12


def _thinned(count: int) -> list[int]:
    """Which categories get a tick label: all up to MAX_TICKS, else an even subset ending on the last."""
    if count <= MAX_TICKS:
        return list(range(count))
    step = math.ceil((count - 1) / (MAX_TICKS - 1))
    shown = list(range(count - 1, -1, -step))[::-1]
    return shown


_CJK = re.compile(r"[\u3000-\u9fff\uff00-\uffef]")


def _wrap_all(labels: Sequence[str], count: int, width_in: float) -> list[str]:
    """Wrap category labels to the width each one has (Latin at spaces, Chinese anywhere)."""
    per = width_in * 72 / max(count, 1) * 0.85  # points available per category
    return [_wrap(label, per) for label in labels]


def _wrap(label: str, points: float) -> str:
    if _CJK.search(label):
        chars = max(4, int(points / FONT_PT))
        return "\n".join(label[i : i + chars] for i in range(0, len(label), chars))
    chars = max(8, int(points / (FONT_PT * 0.55)))
    return "\n".join(textwrap.wrap(label, chars)) or label


# ----------------------------------------------------------------------------- SVG clean-up

_ID = re.compile(r'\sid="([^"]+)"')
_URL_REF = re.compile(r"url\(#([^)]+)\)")
_HREF_REF = re.compile(r'xlink:href="#([^"]+)"')


_STYLE = re.compile(r'\sstyle="([^"]*)"')


def _attributes(match: re.Match[str]) -> str:
    """``style="fill: #fff; font-family: 'Noto Sans CJK SC'"`` → ``fill="#fff" font-family="Noto Sans CJK SC"``."""
    parts = []
    for declaration in match.group(1).split(";"):
        if ":" not in declaration:
            continue
        name, value = (x.strip() for x in declaration.split(":", 1))
        if name == "font-family":
            value = value.replace("'", "").replace('"', "")
        parts.append(f' {name}="{value}"')
    return "".join(parts)


def clean_svg(svg: str, anchor: str, title: str) -> str:
    """Make matplotlib's SVG an inline element: no prolog or metadata, ids unique to ``anchor``."""
    svg = svg[svg.index("<svg") :]
    svg = re.sub(r"\s*<metadata>.*?</metadata>", "", svg, flags=re.DOTALL)
    svg = re.sub(r"\s*<defs>\s*<style[^>]*>.*?</style>\s*</defs>", "", svg, count=1, flags=re.DOTALL)
    svg = re.sub(r' transform="rotate\(-0 [^"]*\)"', "", svg)
    # WeasyPrint's SVG reads text-anchor & co. as presentation attributes, not from style="…".
    svg = _STYLE.sub(_attributes, svg)
    referenced = set(_URL_REF.findall(svg)) | set(_HREF_REF.findall(svg))

    def rename(match: re.Match[str]) -> str:
        name = match.group(1)
        return f' id="{anchor}-{name}"' if name in referenced else ""

    svg = _ID.sub(rename, svg)
    svg = _URL_REF.sub(lambda m: f"url(#{anchor}-{m.group(1)})", svg)
    svg = _HREF_REF.sub(lambda m: f'href="#{anchor}-{m.group(1)}"', svg)
    head_end = svg.index(">") + 1
    head = svg[:head_end]
    width = re.search(r'width="([^"]+)"', head)
    height = re.search(r'height="([^"]+)"', head)
    view = re.search(r'viewBox="([^"]+)"', head)
    assert width and height and view
    new_head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart-svg" width="{width.group(1)}" '
        f'height="{height.group(1)}" viewBox="{view.group(1)}" role="img" '
        f'aria-labelledby="{anchor}-title"><title id="{anchor}-title">{escape(title)}</title>'
    )
    body = svg[head_end:].strip()
    # Drop matplotlib's indentation and blank lines (smaller, and stable across versions' spacing).
    body = "\n".join(line.strip() for line in body.splitlines() if line.strip())
    return new_head + "\n" + body + "\n"
