"""Value labels clear of the grid and of each other, measured on the laid-out figure.

:mod:`briefs.exhibits.charts` guesses a label's size before drawing (to pick its font size and the
head-room above the bars); this module checks the guess on the figure as matplotlib lays it out
(constrained layout included) and corrects what it finds:

- two value labels that overlap are set smaller, down to :data:`MIN_LABEL_PT` (or the chart's
  own least size), then stood upright;
- a label that ends above the axes raises the top of the value axis;
- a horizontal grid line that runs through a label or passes within :data:`CLEARANCE_PT` of it
  makes the value axis try another number of ticks (the house's 5 first, then 4, 6, 3, 7); the
  first tick set that clears every label wins;
- when none does (97.3 % next to the 100 % line clears no tick set), a bar's label that still
  touches a line is set inside the top of its bar, in white or ink by the bar's colour, where the
  bar is tall enough; any other keeps its white ground over the line.

Every step is a function of the chart's data only, so the SVG stays the same on every build.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
    from matplotlib.text import Text
    from matplotlib.transforms import Bbox

INK = "#1b1f24"  # = charts.INK (charts imports this module)
CLEARANCE_PT = 1.5  # the least room between a value label and a grid line
MIN_LABEL_PT = 6.0
TICK_COUNTS = (5, 4, 6, 3, 7)  # MaxNLocator's nbins, in the order tried
TICK_STEPS = (1, 2, 2.5, 5, 10)


def set_ticks(ax: Axes, nbins: int) -> None:
    """The value axis with about ``nbins`` intervals at round steps."""
    from matplotlib.ticker import MaxNLocator

    ax.yaxis.set_major_locator(MaxNLocator(nbins=nbins, steps=list(TICK_STEPS)))


def measuring_canvas(canvas: Any) -> None:
    """Give the SVG canvas one renderer for every measurement (the layout's and the labels').

    Without it, every layout and every text measured asks matplotlib for a renderer, and the SVG
    canvas makes a new one each time (it starts an SVG file and stops at the first draw), so its
    cache of text extents, kept per renderer, never hits. Every renderer so made measures alike:
    the figure's size at the SVG's fixed 72 dpi (the first sets the figure's dpi to it, and differs
    from the next only in the resolution of raster images, which a chart has none of). Saving
    draws with a renderer of its own (its layout measures with this one); benchmarks/chart_times.py
    checks the bytes."""
    from matplotlib import backend_bases

    made: list[Any] = []

    def get_renderer() -> Any:
        if not made:
            made.append(backend_bases._get_renderer(canvas.figure))  # type: ignore[attr-defined]  # what the canvas did
        return made[0]

    canvas.get_renderer = get_renderer


def label_boxes(fig: Figure, labels: Sequence[Text]) -> list[Bbox]:
    """Each label's extent in display units, on the figure as laid out now.

    Only the layout engine runs (constrained layout: it places the axes), not a whole draw: the
    drawing after it moves no axes, limit, tick or label (benchmarks/chart_times.py checks that
    every chart's SVG is the same byte for byte), and one layout per measurement, as a draw would
    run, keeps the axes where a draw would leave them to the last bit."""
    engine = fig.get_layout_engine()
    assert engine is not None
    engine.execute(fig)
    return [label.get_window_extent() for label in labels]


def grid_lines(ax: Axes) -> list[float]:
    """The display height of each horizontal grid line inside the axes' view."""
    low, high = sorted(ax.get_ylim())
    return [float(ax.transData.transform((0.0, tick))[1]) for tick in ax.get_yticks() if low <= tick <= high]


def touching_grid(fig: Figure, ax: Axes, boxes: Sequence[Bbox]) -> list[tuple[int, float]]:
    """(label index, grid line height) for every line that runs through or grazes a label."""
    room = CLEARANCE_PT * fig.dpi / 72.0
    lines = grid_lines(ax)
    return [(k, y) for k, box in enumerate(boxes) for y in lines if box.y0 - room < y < box.y1 + room]


def overlapping(boxes: Sequence[Bbox]) -> list[tuple[int, int]]:
    """Pairs of labels whose extents overlap."""
    return [(i, j) for i in range(len(boxes)) for j in range(i + 1, len(boxes)) if boxes[i].overlaps(boxes[j])]


def separate(fig: Figure, labels: Sequence[Text], min_pt: float = MIN_LABEL_PT) -> None:
    """Shrink overlapping labels, then stand them upright if shrinking is not enough."""
    while overlapping(label_boxes(fig, labels)):
        size = min(float(label.get_fontsize()) for label in labels) - 0.5
        if size < min_pt:
            for label in labels:
                label.set_rotation(90)
            return
        for label in labels:
            label.set_fontsize(size)


def make_room(fig: Figure, ax: Axes, labels: Sequence[Text]) -> None:
    """Raise the top of the value axis until every label ends inside the axes."""
    for _ in range(3):
        boxes = label_boxes(fig, labels)
        top = ax.get_window_extent().y1
        over = max((box.y1 for box in boxes), default=top) - top
        if over <= 0:
            return
        low, high = ax.get_ylim()
        per_unit = ax.get_window_extent().height / (high - low)
        ax.set_ylim(low, high + (over + CLEARANCE_PT * fig.dpi / 72.0) / per_unit)


def clear_of_grid(fig: Figure, ax: Axes, labels: Sequence[Text]) -> int | None:
    """Pick the tick count whose grid lines clear every label and return it; None (and the
    house's default count) when none does."""
    for nbins in TICK_COUNTS:
        set_ticks(ax, nbins)
        if not touching_grid(fig, ax, label_boxes(fig, labels)):
            return nbins
    set_ticks(ax, TICK_COUNTS[0])
    return None


def ink_on(fill: str) -> str:
    """White on a dark fill, the house's ink on a light one (WCAG relative luminance)."""
    from matplotlib.colors import to_rgb

    def linear(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(c) for c in to_rgb(fill))
    return "#ffffff" if 0.2126 * r + 0.7152 * g + 0.0722 * b < 0.18 else INK


def inside_bars(fig: Figure, ax: Axes, labels: Sequence[Text], fills: Sequence[str | None]) -> None:
    """Set each bar label that touches a grid line inside the top of its bar, if it fits there."""
    room = 2 * CLEARANCE_PT * fig.dpi / 72.0
    boxes = label_boxes(fig, labels)
    touching = {k for k, _ in touching_grid(fig, ax, boxes)}
    zero = float(ax.transData.transform((0.0, 0.0))[1])
    for k in sorted(touching):
        label, fill, box = labels[k], fills[k], boxes[k]
        if fill is None or box.y0 - zero < box.height + room:  # a line's label, or a short bar
            continue
        label.set_verticalalignment("top")
        label.xyann = (0.0, -CLEARANCE_PT)  # type: ignore[attr-defined]  # an Annotation's offset
        label.set_color(ink_on(fill))
        label.set_bbox(None)


def fit_labels(
    fig: Figure, ax: Axes, labels: Sequence[Text], min_pt: float = MIN_LABEL_PT, fills: Sequence[str | None] = ()
) -> None:
    """The corrections in order: labels apart, room above them, then a grid that clears them
    (or, for bars, labels inside); ``fills`` is each label's bar colour (None for a line's)."""
    printed = [
        (label, fill) for label, fill in zip(labels, [*fills] or [None] * len(labels), strict=True) if label.get_text()
    ]
    labels = [label for label, _ in printed]
    if labels:
        separate(fig, labels, min_pt)
        make_room(fig, ax, labels)
        if clear_of_grid(fig, ax, labels) is None and fills:
            inside_bars(fig, ax, labels, [fill for _, fill in printed])
