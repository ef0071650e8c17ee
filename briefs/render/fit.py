"""The first page's sidebar always ends on page 1: measured in WeasyPrint's layout, then laid out again.

The sidebar (rating, key data, date, analysts, contacts, related reports) floats beside the key
points; whatever the content, it must not run onto page 2. After the first layout we look for the
sidebar's end marker (``#sidebar-end``, the last thing in ``aside.sidebar``) among page 1's
anchors. If it is not there, the sidebar is refitted with a user stylesheet, in this order, each
step laid out and measured again:

1. the related reports, oldest first (they are listed newest first), as many as the layout tree
   says spilled over, keeping the newest one;
2. the sidebar's type, down to :data:`SMALLEST_PT` in steps;
3. the last related report.

Every step is deterministic (the same HTML gives the same layout and the same choice). A sidebar
that still does not fit is printed as it is and reported as a warning.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

SIDEBAR_END = "sidebar-end"
TYPE_STEPS_PT = (8.2, 7.8)  # the sidebar is 8.6pt in brief.css
SMALLEST_PT = TYPE_STEPS_PT[-1]


@dataclass(frozen=True)
class Fit:
    """How the sidebar was made to fit: related reports shown (None: all) and its type size."""

    related: int | None = None
    size_pt: float | None = None

    def css(self) -> str:
        rules = []
        if self.related is not None:
            if self.related == 0:
                rules.append(".sidebar .related { display: none !important; }")
            else:
                rules.append(f".sidebar .related li:nth-child(n+{self.related + 1}) {{ display: none !important; }}")
        if self.size_pt is not None:
            rules.append(f".sidebar, .sidebar .box-title {{ font-size: {self.size_pt}pt !important; }}")
        return "\n".join(rules)


def fits(document: Any) -> bool:
    """Whether the laid-out document's sidebar (if it has one) ends on page 1."""
    pages = document.pages
    if not pages or SIDEBAR_END in pages[0].anchors:
        return True
    return not any(SIDEBAR_END in page.anchors for page in pages[1:])


def _boxes(box: Any, inside: frozenset[str] = frozenset()) -> Iterator[tuple[Any, frozenset[str]]]:
    """Every box under ``box`` with the classes of the elements around it."""
    yield box, inside
    classes = inside | _classes(box)
    for child in getattr(box, "children", ()):
        yield from _boxes(child, classes)


def _classes(box: Any) -> frozenset[str]:
    element = getattr(box, "element", None)
    return frozenset((element.get("class") or "").split()) if element is not None else frozenset()


def _related_items(page: Any) -> list[tuple[Any, float]]:
    """The related-report list items laid out on ``page``: (element, height in px)."""
    items: dict[int, tuple[Any, float]] = {}
    for box, inside in _boxes(page._page_box):
        if "related" in inside and getattr(box, "element_tag", None) == "li" and box.element is not None:
            items.setdefault(id(box.element), (box.element, float(box.margin_height())))
    return list(items.values())


def _spill(document: Any) -> tuple[float, list[float]]:
    """(height of sidebar content past page 1, heights of the related reports on page 1), px."""
    spilled = 0.0
    for page in document.pages[1:]:
        tops, bottoms = [], []
        for box, _ in _boxes(page._page_box):
            if "sidebar" in _classes(box):
                tops.append(float(box.position_y))
                bottoms.append(float(box.position_y + box.margin_height()))
        if tops:
            spilled += max(bottoms) - min(tops)
    return spilled, [height for _, height in _related_items(document.pages[0])]


def related_count(html_related: int, spilled: float, heights: list[float]) -> int:
    """How many related reports to keep: drop the oldest (last listed) until the dropped height
    covers what spilled over, keeping at least one."""
    keep, dropped = html_related, 0.0
    while keep > 1 and dropped < spilled:
        keep -= 1
        dropped += heights[keep] if keep < len(heights) else 0.0
    return keep


def fit_sidebar(document: Any, relayout: Callable[[Fit], Any]) -> tuple[Any, Fit | None, bool]:
    """Lay the document out again until its sidebar fits page 1.

    Returns the layout, the fit it used (None: the first layout) and whether the sidebar fits;
    when nothing makes it fit, the last try."""
    if fits(document):
        return document, None, True
    related = len({id(element) for page in document.pages for element, _ in _related_items(page)})
    tries: list[Fit] = []
    if related > 1:
        spilled, heights = _spill(document)
        tries.extend(Fit(related=k) for k in range(related_count(related, spilled, heights), 0, -1))
    shown = min(related, 1) if related else None
    tries.extend(Fit(related=shown, size_pt=size) for size in TYPE_STEPS_PT)
    if related:
        tries.append(Fit(related=0, size_pt=SMALLEST_PT))
    laid_out, fit = document, None
    for fit in tries:
        laid_out = relayout(fit)
        if fits(laid_out):
            return laid_out, fit, True
    return laid_out, fit, False
