"""How full each page of a PDF is, measured from what it draws: the words pdftotext extracts
(with their boxes) and the extents of the vector paths and pictures in its content streams (pypdf).

Shared by the print-layout tests; coordinates are in points from the top-left of the page.
"""

from __future__ import annotations

import html
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pypdf import PdfReader

# The page box of briefs/themes/default/css/brief.css: A4 with 24 mm top and 18 mm bottom margins.
MM = 72 / 25.4
TOP, BOTTOM = 24 * MM, 18 * MM
WATERMARK_HEIGHT = 40.0  # a word taller than this (in points) is the diagonal DRAFT mark

WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>')
PAGE = re.compile(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', re.S)


@dataclass(frozen=True)
class Box:
    x0: float
    y0: float
    x1: float
    y1: float
    text: str = ""


@dataclass(frozen=True)
class Page:
    number: int
    width: float
    height: float
    words: tuple[Box, ...]
    drawings: tuple[Box, ...]

    @property
    def body_top(self) -> float:
        return TOP

    @property
    def body_bottom(self) -> float:
        return self.height - BOTTOM

    def body_words(self) -> list[Box]:
        """Words inside the page's body area (not the running header or footer, not the watermark)."""
        return [w for w in self.words if self._inside(w) and w.y1 - w.y0 < WATERMARK_HEIGHT]

    def _inside(self, box: Box) -> bool:
        middle = (box.y0 + box.y1) / 2
        return self.body_top <= middle <= self.body_bottom

    def empty_fraction(self) -> float:
        """The share of the body area's height below the last thing drawn in it."""
        boxes = self.body_words() + [d for d in self.drawings if self._inside(d)]
        lowest = max((b.y1 for b in boxes), default=self.body_top)
        height = self.body_bottom - self.body_top
        return max(0.0, min(1.0, (self.body_bottom - lowest) / height))


def words(pdf: Path) -> list[tuple[float, float, list[Box]]]:
    """(width, height, words) of each page, from ``pdftotext -bbox``."""
    out = subprocess.run(["pdftotext", "-bbox", "-enc", "UTF-8", str(pdf), "-"],
                         capture_output=True, text=True, check=True).stdout
    pages = []
    for width, height, body in PAGE.findall(out):
        boxes = [Box(float(a), float(b), float(c), float(d), html.unescape(t)) for a, b, c, d, t in WORD.findall(body)]
        pages.append((float(width), float(height), boxes))
    return pages


def _multiply(m: list[float], n: list[float]) -> list[float]:
    a, b, c, d, e, f = m
    a2, b2, c2, d2, e2, f2 = n
    return [a * a2 + b * c2, a * b2 + b * d2, c * a2 + d * c2, c * b2 + d * d2,
            e * a2 + f * c2 + e2, e * b2 + f * d2 + f2]


def _page_drawings(page: Any) -> list[Box]:
    height = float(page.mediabox.height)
    boxes: list[Box] = []

    def point(x: float, y: float, cm: list[float]) -> tuple[float, float]:
        a, b, c, d, e, f = cm
        return a * x + c * y + e, height - (b * x + d * y + f)

    def visit(op: bytes, args: list[object], cm: list[float], tm: list[float]) -> None:
        corners: list[tuple[float, float]] = []
        numbers = [float(v) for v in args if isinstance(v, int | float)]  # pypdf numbers subclass these
        if op == b"re" and len(numbers) == 4:
            x, y, w, h = numbers
            corners = [point(x, y, cm), point(x + w, y + h, cm)]
        elif op in (b"m", b"l", b"c", b"v", b"y") and numbers:
            corners = [point(numbers[i], numbers[i + 1], cm) for i in range(0, len(numbers) - 1, 2)]
        elif op == b"Do":
            corners = [point(0, 0, cm), point(1, 1, cm)]
        if corners:
            xs, ys = [p[0] for p in corners], [p[1] for p in corners]
            boxes.append(Box(min(xs), min(ys), max(xs), max(ys)))

    page.extract_text(visitor_operand_before=visit)
    return boxes


def drawings(pdf: Path) -> list[list[Box]]:
    """Extents of the paths and XObjects (pictures, forms) drawn on each page, top-down points."""
    return [_page_drawings(page) for page in PdfReader(pdf).pages]


def pages(pdf: Path) -> list[Page]:
    """Every page of ``pdf`` with its words and drawings."""
    drawn = drawings(pdf)
    return [Page(n, w, h, tuple(ws), tuple(drawn[n - 1]))
            for n, (w, h, ws) in enumerate(words(pdf), start=1)]


@dataclass(frozen=True)
class Line:
    """Words side by side on one baseline of one column (a gap of more than GAP points ends it)."""

    words: tuple[Box, ...]

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)

    @property
    def x0(self) -> float:
        return self.words[0].x0

    @property
    def x1(self) -> float:
        return self.words[-1].x1

    @property
    def y0(self) -> float:
        return min(w.y0 for w in self.words)


GAP = 12.0


def lines(page: Page) -> list[Line]:
    """The page's lines in reading order within each column: top to bottom, left to right."""
    rows: dict[int, list[Box]] = {}
    for word in page.words:
        if word.y1 - word.y0 < WATERMARK_HEIGHT:
            rows.setdefault(round(word.y1), []).append(word)
    found: list[Line] = []
    for _y, row in sorted(rows.items()):
        row.sort(key=lambda w: w.x0)
        current = [row[0]]
        for word in row[1:]:
            if word.x0 - current[-1].x1 > GAP:
                found.append(Line(tuple(current)))
                current = []
            current.append(word)
        found.append(Line(tuple(current)))
    return found


def next_line(all_lines: list[Line], line: Line) -> Line | None:
    """The line below ``line`` in the same column (same left edge within 30 points), if close."""
    below = [other for other in all_lines
             if other.y0 > line.y0 and other.y0 - line.y0 < 2.2 * (line.words[0].y1 - line.words[0].y0)
             and abs(other.x0 - line.x0) < 30]
    return min(below, key=lambda other: other.y0, default=None)
