"""Typed cells: the text of a data file's cells (:mod:`briefs.exhibits.tables`) → typed values → text per locale.

Each declared column is converted to its declared type here, so a bad cell is our error, located
at the data file's line (CSV: the line the record starts on; YAML: the cell's own line), never a
silent NaN. Formatting is Babel through ``i18n`` with an explicit language, done before
templating: templates never format numbers.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from briefs.errors import Diagnostics, SourceLocation
from briefs.exhibits.tables import RawData
from briefs.localize.i18n import (
    format_compact,
    format_compact_short,
    format_date_style,
    format_decimal_digits,
    format_money,
    format_number,
    format_percent_digits,
)

NUMERIC = ("integer", "number", "percent", "currency", "compact")
MISSING = "–"  # printed for an empty numeric or date cell (n/a)
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_GROUPED = re.compile(r"^[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?$")
_PLAIN = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class CellFormat:
    """How one cell is printed: its type and options (from the column, or the row for ``mixed``)."""

    type: str
    digits: int | None = None
    currency: str | None = None
    date_style: str = "medium"

    @property
    def numeric(self) -> bool:
        """Whether cells of this format are numbers (right-aligned, chartable)."""
        return self.type in NUMERIC


@dataclass(frozen=True)
class Cell:
    """One typed cell: the text as written, its value (None when empty) and its format."""

    raw: str
    value: Any
    fmt: CellFormat
    where: SourceLocation


# ----------------------------------------------------------------------------- typing


def parse_format(spec: str) -> CellFormat | None:
    """A row's format in a ``mixed`` column: ``percent``, ``number:1``, ``currency:HKD:0``, ``date:long``."""
    parts = [p.strip() for p in spec.split(":")]
    kind, rest = parts[0], parts[1:]
    try:
        if kind in ("integer", "text") and not rest:
            return CellFormat(kind)
        if kind in ("number", "percent", "compact") and len(rest) <= 1:
            return CellFormat(kind, _digits(rest[0]) if rest else None)
        if kind == "currency" and 1 <= len(rest) <= 2 and re.fullmatch(r"[A-Z]{3}", rest[0]):
            return CellFormat(kind, _digits(rest[1]) if len(rest) == 2 else None, rest[0])
        if kind == "date" and len(rest) <= 1 and (not rest or rest[0] in ("short", "medium", "long")):
            return CellFormat(kind, date_style=rest[0] if rest else "medium")
    except ValueError:
        return None
    return None


def _digits(text: str) -> int:
    if not text.isdigit() or int(text) > 6:
        raise ValueError(text)
    return int(text)


MAX_EXPONENT = 18  # a billion billion: beyond any figure a brief prints, and Babel's decimals
MAX_MAGNITUDE = 10.0**MAX_EXPONENT


def plain(raw: str) -> str:
    """A cell as typed in Chinese sources, in ASCII: full-width digits, signs and ％ (NFKC), and
    the minus sign U+2212 that spreadsheets and typeset tables use for negatives."""
    return unicodedata.normalize("NFKC", raw).replace("\u2212", "-").strip()


def to_number(raw: str) -> float | None:
    """The number a cell means (``1,814``, ``-3.5``, ``1e9``, ``−3.5``, ``９５％``; a trailing ``%``
    is allowed), else None."""
    text = plain(raw).removesuffix("%").strip()
    if _GROUPED.match(text):
        text = text.replace(",", "")
    if not _PLAIN.match(text):
        return None
    value = float(text)
    return value if math.isfinite(value) else None


def convert(raw: str, fmt: CellFormat, where: SourceLocation, column: str, diags: Diagnostics) -> Cell:
    """One cell as its declared type; a problem is recorded at the cell (and the cell is empty)."""
    if not raw.strip() or fmt.type == "text":
        return Cell(raw, raw.strip() or None, fmt, where)
    if fmt.type == "date":
        value: Any = None
        if _DATE.match(raw.strip()):
            try:
                value = dt.date.fromisoformat(raw.strip())
            except ValueError:
                value = None
        if value is None:
            diags.error(where, f"'{raw}' in column '{column}' is not a date written YYYY-MM-DD")
        return Cell(raw, value, fmt, where)
    number = to_number(raw)
    if number is None:
        diags.error(where, f"'{raw}' in column '{column}' is not a number (type {fmt.type})")
        return Cell(raw, None, fmt, where)
    if abs(number) >= MAX_MAGNITUDE:
        diags.error(
            where, f"'{raw}' in column '{column}' is too large to print (at most 10^{MAX_EXPONENT} either side of zero)"
        )
        return Cell(raw, None, fmt, where)
    if plain(raw).endswith("%") and fmt.type != "percent":
        diags.error(where, f"'{raw}' in column '{column}' has a '%' but the column is {fmt.type}")
    if fmt.type == "integer":
        if number != int(number):
            diags.error(where, f"'{raw}' in column '{column}' is not a whole number")
        return Cell(raw, int(number), fmt, where)
    return Cell(raw, number, fmt, where)


def convert_rows(
    raw: RawData, formats: dict[str, CellFormat], type_columns: dict[str, str], diags: Diagnostics
) -> tuple[dict[str, Cell], ...]:
    """Typed rows for the declared columns (``formats``); every bad cell is recorded at its place."""
    rows: list[dict[str, Cell]] = [{} for _ in raw.rows]
    for name, declared in formats.items():
        index = raw.names.index(name)
        for i, row in enumerate(raw.rows):
            fmt = declared
            if name in type_columns:
                type_index = raw.names.index(type_columns[name])
                spec = row[type_index]
                parsed = parse_format(spec)
                if parsed is None:
                    diags.error(
                        raw.cells[i][type_index],
                        f"'{spec}' is not a cell format: use text, integer, number[:digits], "
                        f"percent[:digits], compact[:digits], currency:CODE[:digits] or date[:style]",
                    )
                    parsed = CellFormat("text")
                fmt = parsed
            rows[i][name] = convert(row[index], fmt, raw.cells[i][index], name, diags)
    return tuple(rows)


# ----------------------------------------------------------------------------- formatting


def format_cell(value: Any, fmt: CellFormat, lang: str, short: bool = False) -> str:
    """A typed value as printed in ``lang`` (Babel, explicit locale); empty cells print as a dash.

    ``short``: the chart form of compact numbers (1.3B rather than 1.3 billion; Chinese is the same).
    """
    if value is None:
        return "" if fmt.type == "text" else MISSING
    kind = fmt.type
    if kind == "text":
        return str(value)
    if kind == "date":
        return format_date_style(value, lang, fmt.date_style)
    if kind == "integer":
        return format_number(value, lang, 0)
    if kind == "number":
        return format_decimal_digits(value, lang, fmt.digits)
    if kind == "percent":
        return format_percent_digits(value, lang, fmt.digits)
    if kind == "currency":
        assert fmt.currency is not None
        return format_money(value, fmt.currency, lang, digits=2 if fmt.digits is None else fmt.digits)
    if kind == "compact":
        digits = 1 if fmt.digits is None else fmt.digits
        return format_compact_short(value, lang, digits) if short else format_compact(value, lang, digits)
    raise ValueError(f"unknown cell type {kind!r}")


def has_han(text: str) -> bool:
    """Whether a text contains Chinese characters."""
    return bool(_HAN.search(text))
