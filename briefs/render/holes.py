"""No holes: an exhibit that does not fit the rest of a page lets the text after it fill that page.

A chart or a short table is never split (``break-inside: avoid``), so when it does not fit at the
foot of a page WeasyPrint moves it to the next one and leaves the rest of the page empty. CSS
paged media has floats to the next page (``float: bottom`` / deferred floats), WeasyPrint does not.
So we measure and move, as a typesetter would:

1. after a layout, find the first page (not the last) whose body is more than :data:`MOST_EMPTY`
   empty (page 1's main column, beside the sidebar: :data:`FIRST_PAGE_EMPTY`), followed by a page
   that starts with a numbered exhibit (below its heading, perhaps);
2. in the parsed document (the tree WeasyPrint lays out, so nothing is serialised again), move
   that exhibit after as many of the text blocks that follow it as the hole's height needs,
   never past another exhibit, so exhibits keep their order and their captions;
3. lay out again, and keep the move only if the pages got no more and the holes smaller.

With no text after it to move past (the end of the body text), the exhibit is instead set before
the last one or two paragraphs of its section, and a short table kept whole may, as a last
resort, break between rows with its header row repeated.

Each exhibit moves at most once and the search is in document order, so the same HTML always
gives the same PDF. Screen HTML is not changed: it has no pages.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

MOST_EMPTY = 0.2  # no page but the last more than a fifth empty
FIRST_PAGE_EMPTY = 0.1  # page 1's main column, beside the sidebar, is filled closer to its foot


def _limit(index: int) -> float:
    return FIRST_PAGE_EMPTY if index == 0 else MOST_EMPTY


MOVES = 8  # at most this many layouts more per document
_TEXT_BLOCKS = {"p", "ul", "ol", "dl", "h2", "h3", "h4", "blockquote", "table", "pre"}
_HEADINGS = {"h2", "h3", "h4"}


def _classes(element: Any) -> set[str]:
    return set((element.get("class") or "").split())


def _is_exhibit(element: Any) -> bool:
    return "exhibit" in _classes(element) or any("exhibit" in _classes(e) for e in element.iter())


def _leaves(box: Any) -> Iterator[Any]:
    children = getattr(box, "children", None)
    if not children:
        yield box
        return
    for child in children:
        element = getattr(child, "element", None)
        if element is not None and _classes(element) & {"draft-mark", "sidebar"}:
            continue  # the fixed watermark is on every page; page 1's main column is measured
        yield from _leaves(child)


def _page_area(page: Any) -> tuple[float, float]:
    box = page._page_box
    return float(box.content_box_y()), float(box.height)


def emptiness(page: Any) -> float:
    """The share of a laid-out page's body below the last thing on it (on page 1, the last thing
    of its main column: the sidebar beside it does not fill it)."""
    top, height = _page_area(page)
    root = page._page_box.children[0]  # the html element's box; margin boxes follow it
    bottoms = [float(b.position_y + b.margin_height()) for b in _leaves(root) if b.margin_height() > 0]
    lowest = max(bottoms, default=top)
    return max(0.0, (top + height - lowest) / height) if height else 0.0


def _holes(document: Any) -> tuple[int, float]:
    pages = document.pages
    return len(pages), sum(max(0.0, emptiness(p) - _limit(i)) for i, p in enumerate(pages[:-1]))


def _parents(root: Any) -> dict[int, Any]:
    return {id(child): parent for parent in root.iter() for child in parent}


def _tag(element: Any) -> str:
    return str(element.tag).rsplit("}", 1)[-1]


def _following(group: list[Any], parents: dict[int, Any]) -> list[Any]:
    """The text blocks after ``group`` (an exhibit and any exhibits right after it) in reading
    order, up to the next exhibit: its next siblings, then (if its section ends) the next
    sections' children (body sections only: never into the risks, sources or back matter)."""
    blocks: list[Any] = []
    current = group[-1]
    while True:
        parent = parents.get(id(current))
        if parent is None or _tag(parent) == "body":
            return blocks
        siblings = list(parent)
        for sibling in siblings[siblings.index(current) + 1 :]:
            if _tag(sibling) == "section" and (sibling.get("id") or "").startswith("section-"):
                for child in sibling:
                    if _is_exhibit(child) or _tag(child) not in _TEXT_BLOCKS:
                        return blocks
                    blocks.append(child)
                continue
            if _is_exhibit(sibling) or _tag(sibling) not in _TEXT_BLOCKS:
                return blocks
            blocks.append(sibling)
        if _tag(parent) == "main":
            return blocks
        current = parent


def _group(figure: Any, parents: dict[int, Any]) -> list[Any]:
    """The exhibit and the exhibits that follow it directly: they move together, in order."""
    siblings = list(parents[id(figure)])
    group = [figure]
    for sibling in siblings[siblings.index(figure) + 1 :]:
        if not _is_exhibit(sibling):
            break
        group.append(sibling)
    return group


def _heights(document: Any, elements: list[Any]) -> list[float]:
    wanted = {id(e): 0.0 for e in elements}

    def walk(box: Any) -> None:
        element = getattr(box, "element", None)
        if element is not None and id(element) in wanted and getattr(box, "element_tag", None) == _tag(element):
            wanted[id(element)] += float(box.margin_height())
            return
        for child in getattr(box, "children", ()) or ():
            walk(child)

    for page in document.pages:
        walk(page._page_box)
    return [wanted[id(e)] for e in elements]


def _candidate(document: Any, root: Any, tried: set[str]) -> tuple[Any, float] | None:
    """The first exhibit that left a hole before it: (its element, the hole's height in px)."""
    exhibits = {e.get("id"): e for e in root.iter() if "exhibit" in _classes(e) and e.get("id")}
    pages = document.pages
    for index, page in enumerate(pages[:-1]):
        empty = emptiness(page)
        if empty <= _limit(index):
            continue
        top, height = _page_area(pages[index + 1])
        starting = [
            (position[1], anchor)  # WeasyPrint's anchor positions start (x, y, ...)
            for anchor, position in pages[index + 1].anchors.items()
            if anchor in exhibits and anchor not in tried and position[1] <= top + 0.15 * height
        ]
        if starting:
            _y, anchor = min(starting)
            return exhibits[anchor], empty * _page_area(page)[1]
    return None


def _better(before: Any, after: Any) -> bool:
    (pages_before, holes_before), (pages_after, holes_after) = _holes(before), _holes(after)
    return pages_after <= pages_before and holes_after < holes_before


def _pull_back(figure: Any, parents: dict[int, Any], document: Any, relayout: Callable[[], Any]) -> Any:
    """No text after the exhibit to fill the hole with: set it before the last text blocks of its
    own section instead (one, then two), so it ends the page and that text follows it."""
    home = parents[id(figure)]
    place = list(home).index(figure)
    for back in (1, 2):
        before = list(home)[place - back] if place - back >= 0 else None
        if before is None or _is_exhibit(before) or _tag(before) not in _TEXT_BLOCKS - _HEADINGS:
            break
        home.remove(figure)
        home.insert(place - back, figure)
        moved = relayout()
        if _better(document, moved):
            return moved
        home.remove(figure)
        home.insert(place, figure)
    return document


def _let_split(figure: Any, document: Any, relayout: Callable[[], Any]) -> Any:
    """Last resort for a short table kept whole (``exhibit-keep``): let it break between rows,
    its caption above and its header row repeated on the next page (WeasyPrint repeats thead)."""
    classes = figure.get("class") or ""
    if "exhibit-keep" not in classes.split():
        return document
    figure.set("class", " ".join(c for c in classes.split() if c != "exhibit-keep"))
    moved = relayout()
    if _better(document, moved):
        return moved
    figure.set("class", classes)
    return document


def fill_holes(html: Any, document: Any, relayout: Callable[[], Any]) -> Any:
    """Move exhibits after the text that follows them while that removes holes; returns the layout."""
    root = html.etree_element
    tried: set[str] = set()
    for _ in range(MOVES):
        found = _candidate(document, root, tried)
        if found is None:
            break
        figure, hole = found
        tried.add(figure.get("id"))
        parents = _parents(root)
        before = document
        group = _group(figure, parents)
        blocks = _following(group, parents)
        heights = _heights(document, blocks)
        taken, filled = 0, 0.0
        while taken < len(blocks) and filled < hole:
            filled += heights[taken]
            taken += 1
        while 0 < taken < len(blocks) and _tag(blocks[taken - 1]) in _HEADINGS:
            taken += 1  # a heading stays with its text
        if not taken:
            document = _pull_back(figure, parents, document, relayout)
            if document is before:
                document = _let_split(figure, document, relayout)
            continue
        home = parents[id(figure)]
        place = list(home).index(figure)
        after = blocks[taken - 1]
        for element in group:
            home.remove(element)
        target = parents[id(after)]
        at = list(target).index(after) + 1
        for offset, element in enumerate(group):
            target.insert(at + offset, element)
        moved = relayout()
        if _better(document, moved):
            document = moved
        else:  # undo: the move made things no better
            for element in group:
                target.remove(element)
            for offset, element in enumerate(group):
                home.insert(place + offset, element)
    return document
