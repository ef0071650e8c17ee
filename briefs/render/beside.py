"""The body text flows beside the first page's sidebar, at the key points' width, then full width.

In print the sidebar floats right on page 1 and nothing clears it (brief.css), so the body's lines
run on beside it, shortened by the float (its margin box is as wide as the key points' right
margin: the column keeps one width), and take the full width where it ends. Lines do that by
themselves; a block that draws across the column does not: a heading's rule or an exhibit would
run under the sidebar, and a table (which may not overlap a float) would jump below it, leaving a
hole in the main column. So such blocks beside the sidebar get the class :data:`BESIDE` (the key
points' width, brief.css), measured in WeasyPrint's layout:

1. in the first layout, the blocks of the body (children of its sections) that are not plain
   text, up to the first one past page 1, are narrowed, and the document laid out again;
2. the narrowed blocks whose top is below the sidebar's foot are widened again, and the document
   laid out a last time.

Narrowing a block only moves what follows it down, so the blocks beside the sidebar in step 1
stay where they are in step 2 and the next block starts where it did, below the sidebar: at most
two layouts more, and the same HTML always gives the same PDF. Screen HTML is not changed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

BESIDE = "beside-sidebar"
# Children of a body section that a float shortens line by line: nothing of them runs under it.
_LINES = {"p", "ul", "ol", "dl", "h3", "h4"}


def _tag(element: Any) -> str:
    return str(element.tag).rsplit("}", 1)[-1]


def _classes(element: Any) -> list[str]:
    return (element.get("class") or "").split()


def _blocks(root: Any) -> list[Any]:
    """The body's blocks that draw across the column, in document order."""
    found: list[Any] = []
    for main in root.iter():
        if _tag(main) == "main" and "body" in _classes(main):
            for section in main:
                children = list(section) if _tag(section) == "section" else [section]
                found.extend(child for child in children if _tag(child) not in _LINES)
    return found


def _walk(box: Any) -> Iterator[Any]:
    yield box
    for child in getattr(box, "children", ()) or ():
        yield from _walk(child)


def _tops(page: Any) -> tuple[float | None, dict[int, float]]:
    """The sidebar's foot (margin edge, px) on a laid-out page, and each element's first top."""
    foot = None
    tops: dict[int, float] = {}
    for box in _walk(page._page_box):
        element = getattr(box, "element", None)
        if element is None or getattr(box, "element_tag", None) != _tag(element):
            continue
        if "sidebar" in _classes(element) and foot is None:
            foot = float(box.position_y + box.margin_height())
        tops.setdefault(id(element), float(box.border_box_y()))
    return foot, tops


def _set(element: Any, beside: bool) -> None:
    classes = [c for c in _classes(element) if c != BESIDE]
    if beside:
        classes.append(BESIDE)
    if classes:
        element.set("class", " ".join(classes))
    elif element.get("class") is not None:
        del element.attrib["class"]


def flow_beside(html: Any, document: Any, relayout: Callable[[], Any]) -> Any:
    """Narrow the body's blocks beside page 1's sidebar to the key points' width; the layout."""
    pages = document.pages
    if len(pages) < 2:
        return document
    foot, tops = _tops(pages[0])
    blocks = _blocks(html.etree_element)
    first = [block for block in blocks if id(block) in tops]
    marked = [block for block in blocks if BESIDE in _classes(block)]
    if foot is None or not first or min(tops[id(b)] for b in first) >= foot:
        if not marked:
            return document
        for block in marked:  # laid out again with the contents first (render/pdf.py SHOW_TOC)
            _set(block, False)
        return relayout()
    if marked and marked == [block for block in first if tops[id(block)] < foot]:
        return document  # laid out again (render/holes.py moved text): as narrowed as it should be
    narrowed = blocks[: len(first) + 1]  # and the first past page 1: narrowed, it may fit beside
    for block in blocks:
        _set(block, block in narrowed)
    laid_out = relayout()
    foot, tops = _tops(laid_out.pages[0])
    wide = [block for block in narrowed if foot is None or tops.get(id(block), foot) >= foot]
    if not wide:
        return laid_out
    for block in wide:
        _set(block, False)
    return relayout()
