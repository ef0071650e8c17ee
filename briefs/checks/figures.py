"""Figures of a text: numbers with their units, dates and months, read from either language.

Used by the fidelity check (:mod:`briefs.checks.fidelity`): every figure of a source text must appear in
each translation, units normalised (13亿 = 1.3 billion = 1,300 million), and back. Pure and
independent of the rest (:func:`extract_figures`), so it is unit-tested on its own; the comparison
of two texts' figures is :mod:`briefs.checks.figure_matching`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

FigureKind = Literal["number", "date", "month"]


@dataclass(frozen=True)
class Figure:
    """A figure found in a text: a number (units applied), a month-and-day date or a month.

    ``value`` is a :class:`~decimal.Decimal` for numbers (sign dropped, 13亿 → 1300000000), a
    ``(month, day)`` pair for dates and the month number for months. ``start``/``end`` index
    the text the figure was read from; ``text`` is that slice (``13亿``, ``23 February``).
    """

    kind: FigureKind
    value: Any
    text: str
    start: int
    end: int

    @property
    def key(self) -> tuple[str, Any]:
        """What two figures must share to be the same figure."""
        return (self.kind, self.value)

    def describe(self) -> str:
        """The normalised value, for messages (1.3 billion, 23 February, January)."""
        if self.kind == "date":
            month, day = self.value
            return f"{day} {MONTHS[month - 1]}"
        if self.kind == "month":
            return MONTHS[self.value - 1]
        return describe_number(self.value)


MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_MONTH_NUMBER = {name.lower(): i for i, name in enumerate(MONTHS, 1)}
_MONTH_NUMBER.update({name[:3].lower(): i for i, name in enumerate(MONTHS, 1)})
_MONTH_NUMBER["sept"] = 9
_MONTH_FULL = "|".join(m for m in MONTHS if m != "May")  # "May" alone is too often the verb
_MONTH_ANY = "|".join([*MONTHS, "Jan", "Feb", "Mar", "Apr", "Jun", "Jul", "Aug", "Sept", "Sep", "Oct", "Nov", "Dec"])

# Same-length normalisation (positions stay valid): full-width digits and signs → ASCII.
FULLWIDTH = str.maketrans("０１２３４５６７８９％．，＋－～", "0123456789%.,+-~")

_MULTIPLIERS: dict[str, Decimal] = {
    "万亿": Decimal(10) ** 12,
    "萬億": Decimal(10) ** 12,
    "千亿": Decimal(10) ** 11,
    "千億": Decimal(10) ** 11,
    "百亿": Decimal(10) ** 10,
    "百億": Decimal(10) ** 10,
    "十亿": Decimal(10) ** 9,
    "十億": Decimal(10) ** 9,
    "亿": Decimal(10) ** 8,
    "億": Decimal(10) ** 8,
    "千万": Decimal(10) ** 7,
    "千萬": Decimal(10) ** 7,
    "百万": Decimal(10) ** 6,
    "百萬": Decimal(10) ** 6,
    "十万": Decimal(10) ** 5,
    "十萬": Decimal(10) ** 5,
    "万": Decimal(10) ** 4,
    "萬": Decimal(10) ** 4,
    "千": Decimal(10) ** 3,
    "百": Decimal(100),
    "trillion": Decimal(10) ** 12,
    "tn": Decimal(10) ** 12,
    "T": Decimal(10) ** 12,
    "billion": Decimal(10) ** 9,
    "bn": Decimal(10) ** 9,
    "B": Decimal(10) ** 9,
    "million": Decimal(10) ** 6,
    "mn": Decimal(10) ** 6,
    "M": Decimal(10) ** 6,
    "thousand": Decimal(10) ** 3,
    "K": Decimal(10) ** 3,
    "k": Decimal(10) ** 3,
}

# Text that is not prose: URLs, Markdown link targets, citation markers [3] and citations of
# sources [@idc-2024; @tirias] (their ids are names, not figures), tickers 600941.SH.
_NOT_PROSE = re.compile(
    r"https?://\S+"
    r"|\]\((?:[^)\s\]]|\](?!\())*\)"  # (a try stops at the next "](": linear in ](x](x…)
    r"|\[\d{1,3}\]"
    r"|\[@[^\[\]\n]*\]"
    r"|(?<![0-9A-Za-z])\d{1,6}\.[A-Z]{1,2}(?![A-Za-z])"
)
# Enumerators: Markdown list items "1. ", "2) " at a line start; inline "1) ", "(2)", "（3）".
_ENUMERATOR = re.compile(
    r"(?m)^[ \t]{0,3}\d{1,3}[.)](?=[ \t])"
    r"|[(（]\d{1,2}[)）]"
    r"|(?<![0-9A-Za-z.(（])\d{1,2}[)）]"
)
_ISO_DATE = re.compile(r"(?<![0-9])(\d{4})-(\d{1,2})-(\d{1,2})(?![0-9])")
_ZH_DATE = re.compile(r"(?<![0-9.])(\d{1,2})\s*月\s*(\d{1,2})\s*[日号號]")
_ZH_MONTH = re.compile(r"(?<![0-9.])(\d{1,2})\s*月(?!\s*\d)")
_EN_DAY_MONTH = re.compile(rf"(?<![0-9.])(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?({_MONTH_ANY})\b\.?")
_EN_MONTH_DAY = re.compile(rf"\b({_MONTH_ANY})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?(?![0-9])")
_EN_MONTH = re.compile(  # "May" only where it cannot be the verb: May 2025, in May, end of May
    rf"\b(?P<month>{_MONTH_FULL}|May(?=\s+\d{{4}}))\b"
    r"|\b(?:in|of|since|until|from|by|before|after|early|late|mid|end|beginning)[\s-]+(?P<may>May)\b"
)
_NUMBER = re.compile(r"(?<![0-9A-Za-z.,])(?<![A-Za-z]-)(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(?![0-9])")
_UNIT = re.compile(
    r"\s*(万亿|萬億|千亿|千億|百亿|百億|十亿|十億|亿|億|千万|千萬|百万|百萬|十万|十萬|万|萬"
    r"|千(?![瓦克米卡字])|百(?![分])"
    r"|(?:trillion|billion|million|thousand|tn|bn|mn)(?![A-Za-z]))"
    r"|(T|B|M|K|k)(?![A-Za-z])"
)
_PERCENT = re.compile(r"\s*(?:%|per\s*cent\b|percent\b)")
_ORDINAL_SUFFIX = re.compile(r"(?:st|nd|rd|th|x)(?![A-Za-z])")
_RANGE = re.compile(r"\s*(?:[-–—~至到]|to)\s*")


def mask(text: str, spans: Iterable[tuple[int, int]]) -> str:
    chars = list(text)
    for start, end in spans:
        chars[start:end] = " " * (end - start)
    return "".join(chars)


def _prepare(text: str) -> str:
    text = text.translate(FULLWIDTH)
    text = mask(text, (m.span() for m in _NOT_PROSE.finditer(text)))
    return mask(text, (m.span() for m in _ENUMERATOR.finditer(text)))


def _valid_date(month: int, day: int) -> bool:
    return 1 <= month <= 12 and 1 <= day <= 31


def extract_figures(text: str) -> list[Figure]:
    """Every figure of a text (either language), in order of appearance.

    Numbers carry their units (万, 亿, billion, bn, M, %, per cent); dates and months are read
    from 2月23日, 1月, 23 February, February 23 and ISO dates, and their digits are not numbers.
    Identifiers (DeepSeek-R1, H800, 5G, Qwen2.5), tickers (600941.SH), URLs, citation markers and
    list enumerators (1. 2) ①) are not figures. A range (6-12亿, 6 to 12 billion) applies its unit
    to both ends. Signs are dropped: wording (下降 / a fall of) carries them.
    """
    work = _prepare(text)
    found: list[Figure] = []

    def take(match: re.Match[str], kind: FigureKind, value: Any) -> None:
        found.append(Figure(kind, value, text[match.start() : match.end()], match.start(), match.end()))

    # Each pattern reads the text with the matches of the ones before it masked; the spans of
    # one pattern are masked together after it (once per match was quadratic in dates).
    spans: list[tuple[int, int]] = []
    for m in _ISO_DATE.finditer(work):
        year, month, day = (int(g) for g in m.groups())
        if _valid_date(month, day):
            found.append(Figure("number", Decimal(year), m.group(1), m.start(1), m.end(1)))
            found.append(Figure("date", (month, day), text[m.start() : m.end()], m.start(), m.end()))
            spans.append(m.span())
    work = mask(work, spans)
    for pattern, order in ((_ZH_DATE, "md"), (_EN_DAY_MONTH, "dm"), (_EN_MONTH_DAY, "md")):
        spans = []
        for m in pattern.finditer(work):
            first, second = m.group(1), m.group(2)
            month_text, day_text = (first, second) if order == "md" else (second, first)
            month = int(month_text) if month_text.isdigit() else _MONTH_NUMBER[month_text.lower()]
            day = int(day_text)
            if _valid_date(month, day):
                take(m, "date", (month, day))
                spans.append(m.span())
        work = mask(work, spans)
    spans = []
    for m in _ZH_MONTH.finditer(work):
        month = int(m.group(1))
        if 1 <= month <= 12:
            take(m, "month", month)
            spans.append(m.span())
    work = mask(work, spans)
    spans = []
    for m in _EN_MONTH.finditer(work):
        group = "month" if m.group("month") else "may"
        start, end = m.span(group)
        found.append(Figure("month", _MONTH_NUMBER[m.group(group).lower()], text[start:end], start, end))
        spans.append((start, end))
    work = mask(work, spans)

    numbers: list[tuple[Figure, Decimal | None, bool]] = []  # (figure, its multiplier, is a percentage)
    for m in _NUMBER.finditer(work):
        end = m.end()
        value = Decimal(m.group(1).replace(",", "") + (m.group(2) or ""))
        unit = _UNIT.match(work, end)
        multiplier = None
        if unit:
            multiplier = _MULTIPLIERS[(unit.group(1) or unit.group(2)).strip()]
            value *= multiplier
            end = unit.end()
        percent = _PERCENT.match(work, end)
        if percent:
            end = percent.end()
        elif multiplier is None:
            suffix = _ORDINAL_SUFFIX.match(work, end)
            if suffix:
                end = suffix.end()
            elif end < len(work) and work[end].isascii() and work[end].isalpha():
                continue  # an identifier such as 5G or 50ETF
        figure = Figure("number", value, text[m.start() : end], m.start(), end)
        numbers.append((figure, multiplier, percent is not None))

    # A range shares its unit: 6-12亿 is 6亿 to 12亿; 6 to 12 billion is 6 billion to 12 billion.
    for i in range(len(numbers) - 1):
        low, low_multiplier, low_percent = numbers[i]
        high, high_multiplier, _ = numbers[i + 1]
        if (
            low_multiplier is None
            and not low_percent
            and high_multiplier is not None
            and _RANGE.fullmatch(work[low.end : high.start])
        ):
            scaled = Figure("number", low.value * high_multiplier, low.text, low.start, low.end)
            numbers[i] = (scaled, high_multiplier, False)
    found.extend(figure for figure, _, _ in numbers)
    return sorted(found, key=lambda f: (f.start, f.kind))


def describe_number(value: Decimal) -> str:
    """A readable form of a normalised number: 1300000000 → '1.3 billion', 1814 → '1,814'."""
    for size, word in ((Decimal(10) ** 12, "trillion"), (Decimal(10) ** 9, "billion"), (Decimal(10) ** 6, "million")):
        if value >= size:
            return f"{plain_number(value / size)} {word}"
    return plain_number(value)


def short(text: str, limit: int = 40) -> str:
    """A figure as quoted in a message: whole, unless it is a run of digits no one would read."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def plain_number(value: Decimal) -> str:
    if abs(value.adjusted()) > 30:  # a run of digits no text means as a figure: say it briefly
        return format(value, ".6e")
    text = format(value.normalize(), "f")
    whole, _, fraction = text.partition(".")
    return f"{int(whole):,}" + (f".{fraction}" if fraction else "")
