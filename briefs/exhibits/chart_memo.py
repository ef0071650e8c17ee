"""Charts drawn once per process: the SVG of the last charts drawn, given again to a request with
every argument the same.

Drawing is most of the CPU of ``briefs check``, of an HTML build and of ``briefs serve``'s
rebuilds, and the same chart is often asked for more than once in one process (an exhibit shared
by several briefs, a brief checked then built, a preview rebuilt on every save). A chart's SVG is
a function of its arguments alone: :mod:`briefs.exhibits.charts` and
:mod:`briefs.exhibits.price_chart` draw from matplotlib's own defaults plus the house settings
made from those arguments (never this machine's matplotlibrc or anything set before), with text
kept as text, a hash salt from the anchor, and no date. So the key is the arguments' ``repr``:
every field of the frozen records (the chart's type, categories, series, value texts, format,
language, labels, size, least label size; each price point and marker), the font, the anchor (a
phone's drawing has its own) and the title, written out exactly (``repr`` tells ``0.0`` from
``-0.0`` and ``1`` from ``1.0``, which compare equal). Bounded: the least recently used goes.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

SIZE = 256  # charts kept (an SVG is a few kilobytes of text)

_drawn: OrderedDict[str, str] = OrderedDict()
_lock = threading.Lock()


def remembered(draw: Callable[..., str], *args: Any, **kwargs: Any) -> str:
    """``draw(*args, **kwargs)``, or the SVG it gave before for the same arguments."""
    key = repr((draw.__module__, draw.__qualname__, args, sorted(kwargs.items())))
    with _lock:
        svg = _drawn.get(key)
        if svg is not None:
            _drawn.move_to_end(key)
            return svg
    svg = draw(*args, **kwargs)
    with _lock:
        _drawn[key] = svg
        while len(_drawn) > SIZE:
            _drawn.popitem(last=False)
    return svg


def forget() -> None:
    """Drop every chart kept (a benchmark timing the drawing itself)."""
    with _lock:
        _drawn.clear()
