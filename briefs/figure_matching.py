"""Comparing two texts' figures: whether a translation carries every figure of its source.

A text's figures (:mod:`briefs.checks.figures`) are sought in the other text's :class:`FigurePool`, the
lenient set of values it can be said to contain (:func:`figure_pool`, :func:`missing_figures`);
:func:`aligned` finds where in a translation a finding belongs. Pure and unit-tested on its own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from briefs.checks.figures import FULLWIDTH, Figure, extract_figures, mask


@dataclass(frozen=True)
class FigurePool:
    """Every value a text can be said to contain, read leniently (for the other side of a check).

    Besides its figures it holds the digits of identifiers (so ``50ETF`` and ``Qwen2.5`` still
    count) and small numbers written as words (五, 两, five, twelve), so wording never causes a
    finding. The digits of a figure are not offered on their own: 13亿 does not offer 13.
    """

    numbers: frozenset[Decimal]
    dates: frozenset[tuple[int, int]]
    months: frozenset[int]

    def has(self, figure: Figure) -> bool:
        """Whether the figure appears in this pool."""
        if figure.kind == "number":
            return figure.value in self.numbers
        if figure.kind == "date":
            return figure.value in self.dates
        return figure.value in self.months


_DIGIT_RUN = re.compile(r"\d+(?:\.\d+)?|\d{1,3}(?:,\d{3})+(?:\.\d+)?")
_CN_NUMERAL = re.compile(r"[零〇一二两兩三四五六七八九十百千万萬亿億]+")
_EN_WORDS = {
    w: i
    for i, w in enumerate(
        [
            "zero",
            "one",
            "two",
            "three",
            "four",
            "five",
            "six",
            "seven",
            "eight",
            "nine",
            "ten",
            "eleven",
            "twelve",
            "thirteen",
            "fourteen",
            "fifteen",
            "sixteen",
            "seventeen",
            "eighteen",
            "nineteen",
            "twenty",
        ]
    )
}
_EN_WORDS.update(
    {
        "thirty": 30,
        "forty": 40,
        "fifty": 50,
        "sixty": 60,
        "seventy": 70,
        "eighty": 80,
        "ninety": 90,
        "hundred": 100,
        "dozen": 12,
        "twice": 2,
        "double": 2,
        "half": 2,
        "first": 1,
        "second": 2,
        "third": 3,
        "fourth": 4,
        "fifth": 5,
        "sixth": 6,
        "seventh": 7,
        "eighth": 8,
        "ninth": 9,
        "tenth": 10,
        "twentieth": 20,
    }
)
_EN_WORD = re.compile(r"[A-Za-z]+")


def _cn_numeral(text: str) -> Decimal | None:
    digits = {
        "零": 0,
        "〇": 0,
        "一": 1,
        "二": 2,
        "两": 2,
        "兩": 2,
        "三": 3,
        "四": 4,
        "五": 5,
        "六": 6,
        "七": 7,
        "八": 8,
        "九": 9,
    }
    small = {"十": 10, "百": 100, "千": 1000}
    large = {"万": 10**4, "萬": 10**4, "亿": 10**8, "億": 10**8}
    total = section = number = 0
    for ch in text:
        if ch in digits:
            number = digits[ch]
        elif ch in small:
            section += (number or 1) * small[ch]
            number = 0
        else:
            section += number
            total = (total + section) * large[ch]
            section = number = 0
    value = total + section + number
    return Decimal(value) if value else None


def figure_pool(text: str) -> FigurePool:
    """The lenient set of values in a text, against which the other language's figures are sought."""
    figures = extract_figures(text)
    numbers = {f.value for f in figures if f.kind == "number"}
    normalised = text.translate(FULLWIDTH)
    # Digits that are not part of a figure (identifiers, tickers): 13亿 does not also offer 13.
    for m in _DIGIT_RUN.finditer(mask(normalised, ((f.start, f.end) for f in figures))):
        try:
            numbers.add(Decimal(m.group(0).replace(",", "")))
        except InvalidOperation:  # pragma: no cover - the pattern only matches digits
            continue
    for m in _CN_NUMERAL.finditer(normalised):
        value = _cn_numeral(m.group(0))
        if value is not None:
            numbers.add(value)
    for m in _EN_WORD.finditer(normalised):
        word = m.group(0).lower()
        if word in _EN_WORDS:
            numbers.add(Decimal(_EN_WORDS[word]))
    dates = {f.value for f in figures if f.kind == "date"}
    months = {f.value for f in figures if f.kind == "month"} | {month for month, _ in dates}
    return FigurePool(frozenset(numbers), frozenset(dates), frozenset(months))


def missing_figures(source: str, target: str) -> list[Figure]:
    """Figures of ``source`` (first occurrence of each) that ``target`` does not contain."""
    pool = figure_pool(target)
    seen: set[tuple[str, Any]] = set()
    missing: list[Figure] = []
    for figure in extract_figures(source):
        if figure.key in seen:
            continue
        seen.add(figure.key)
        if not pool.has(figure):
            missing.append(figure)
    return missing


# ============================================================================ aligning the two texts


def _line_starts(text: str) -> list[int]:
    starts, offset = [], 0
    for line in text.split("\n"):
        if line.strip():
            starts.append(offset)
        offset += len(line) + 1
    return starts


def _block_starts(text: str) -> list[int]:
    starts, offset, previous_blank = [], 0, True
    for line in text.split("\n"):
        blank = not line.strip()
        if previous_blank and not blank:
            starts.append(offset)
        previous_blank = blank
        offset += len(line) + 1
    return starts


def aligned(source: str, pos: int, target: str) -> int:
    """The position in ``target`` matching ``source[pos]``: same line, else same paragraph, else 0."""
    for split in (_line_starts, _block_starts):
        ours, theirs = split(source), split(target)
        if len(ours) == len(theirs) and len(ours) > 1:
            index = max((i for i, start in enumerate(ours) if start <= pos), default=0)
            return theirs[index]
    return 0
