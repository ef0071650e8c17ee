"""The first page's price chart: the security against its benchmark over the 12 months to the
reference date, each as its change in percent since the first day, drawn as SVG in the house
style of :mod:`briefs.exhibits.charts` (same settings, same clean-up, so the same bytes on every
build). Sized for the sidebar.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from typing import Any

from briefs.exhibits.chart_fit import measuring_canvas
from briefs.exhibits.chart_memo import remembered
from briefs.exhibits.charts import GOLD, MUTED, NAVY, RULE, clean_svg, house_style
from briefs.exhibits.company_data import PricePoint
from briefs.localize.i18n import format_percent_digits

WIDTH_IN = 2.4  # the sidebar: 32 % of the 178 mm text column, less its rule and padding
HEIGHT_IN = 1.75
FONT_PT = 6.5


def render_price_chart(
    points: Sequence[PricePoint],
    labels: tuple[str, str],
    *,
    lang: str,
    font: str,
    anchor: str,
    title: str,
    markers: Sequence[tuple[dt.date, str]] = (),
) -> str:
    """The chart as an inline SVG element; ``labels`` name the security and the benchmark.

    Each of ``markers`` (a change of rating or target: its day and short label) is a triangle on
    the security's line at the first trading day on or after it, its label above. A chart drawn
    before in this process with every argument the same is not drawn again
    (:mod:`briefs.exhibits.chart_memo`)."""
    return remembered(
        draw_price_chart, points, labels, lang=lang, font=font, anchor=anchor, title=title, markers=markers
    )


def draw_price_chart(
    points: Sequence[PricePoint],
    labels: tuple[str, str],
    *,
    lang: str,
    font: str,
    anchor: str,
    title: str,
    markers: Sequence[tuple[dt.date, str]] = (),
) -> str:
    """:func:`render_price_chart`, drawn now."""
    import matplotlib.style
    from matplotlib.backends.backend_svg import FigureCanvasSVG
    from matplotlib.figure import Figure
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    first = points[0]
    days = [(p.date - first.date).days for p in points]
    security = [(p.close / first.close - 1) * 100 for p in points]
    benchmark = [(p.benchmark / first.benchmark - 1) * 100 for p in points]
    rc = house_style(font, anchor) | {"font.size": FONT_PT}
    with matplotlib.style.context(["default", rc]):
        fig = Figure(figsize=(WIDTH_IN, HEIGHT_IN))
        fig.set_layout_engine("constrained", h_pad=0.02, w_pad=0.02)
        measuring_canvas(FigureCanvasSVG(fig))
        ax = fig.add_subplot()
        ax.plot(days, security, color=NAVY, linewidth=1.0, label=labels[0], zorder=3)
        ax.plot(days, benchmark, color=GOLD, linewidth=1.0, label=labels[1], zorder=2)
        ax.axhline(0, color=MUTED, linewidth=0.4, zorder=1)
        _mark(ax, points, days, security, markers)
        ticks = _month_ticks(points)
        ax.set_xticks([days[i] for i in ticks], [f"{points[i].date:%y-%m}" for i in ticks])
        ax.set_xlim(0, max(days[-1], 1))
        ax.tick_params(axis="both", length=0, pad=3)
        ax.yaxis.set_major_locator(MaxNLocator(nbins=5, steps=[1, 2, 2.5, 5, 10]))
        ax.yaxis.set_major_formatter(FuncFormatter(lambda value, _pos: format_percent_digits(value, lang, 0)))
        ax.grid(axis="y", color=RULE, linewidth=0.4)
        ax.set_axisbelow(True)
        for side in ("top", "right", "left"):
            ax.spines[side].set_visible(False)
        ax.legend(
            loc="lower left",
            bbox_to_anchor=(0.0, 1.0),
            ncol=1,
            frameon=False,
            borderaxespad=0.2,
            handlelength=1.2,
            fontsize=FONT_PT,
        )
        buffer = io.StringIO()
        fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None, "Format": None, "Type": None})
    return clean_svg(buffer.getvalue(), anchor, title)


def _mark(
    ax: Any,
    points: Sequence[PricePoint],
    days: list[int],
    security: list[float],
    markers: Sequence[tuple[dt.date, str]],
) -> None:
    """A triangle on the security's line at each marker's day, its label above on a white
    ground (legible over the lines), alternately raised so that close changes do not collide;
    the plot is made taller by the labels' room."""
    placed = [(i, label) for day, label in markers if (i := _first_on_or_after(points, day)) is not None]
    for n, (i, label) in enumerate(placed):
        ax.plot([days[i]], [security[i]], marker="v", markersize=3.2, color=NAVY, linestyle="none", zorder=4)
        ax.annotate(
            label,
            (days[i], security[i]),
            xytext=(0, 4 + 7 * (n % 2)),
            textcoords="offset points",
            ha="center",
            va="bottom",
            fontsize=FONT_PT - 1,
            color=NAVY,
            zorder=5,
            bbox={"boxstyle": "square,pad=0.1", "facecolor": "white", "edgecolor": "none"},
        )
    if placed:
        low, high = ax.get_ylim()
        ax.set_ylim(low, high + (high - low) * 0.18)


def _first_on_or_after(points: Sequence[PricePoint], day: dt.date) -> int | None:
    return next((i for i, p in enumerate(points) if p.date >= day), None)


def _month_ticks(points: Sequence[PricePoint], most: int = 4) -> list[int]:
    """The first trading day of evenly spaced months (at most ``most`` labels across the width)."""
    starts = [i for i, p in enumerate(points) if i == 0 or p.date.month != points[i - 1].date.month]
    step = max(1, -(-len(starts) // most))
    return starts[::step]
