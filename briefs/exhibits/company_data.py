"""A company note's data files: key estimates by fiscal year, and daily closes of the security and
its benchmark (the model: :mod:`briefs.model.company`).

Read like an exhibit's data (:mod:`briefs.exhibits.tables` reads the file, :mod:`briefs.exhibits.cells`
types each cell, a bad cell is an error at its row), then checked as what they are: estimate
years in order with actuals before estimates, the data's currency that of the security, prices
positive, dates rising and reaching the reference price's date, whose close must be the one in
brief.yaml. The files join the brief's inputs (embedded in the PDF, hashed for rebuilds).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from briefs.errors import BriefsError, Diagnostics, SourceLocation
from briefs.exhibits.cells import Cell, CellFormat, convert_rows, plain
from briefs.exhibits.numbering import data_file
from briefs.exhibits.tables import RawData, read_data
from briefs.model import brief as m
from briefs.model.company import ReferencePrice
from briefs.source.yamlsource import YamlDocument

# The estimates columns, in the order the table prints them, with how each is typed and printed.
ESTIMATE_COLUMNS: dict[str, CellFormat] = {
    "revenue": CellFormat("number", 0),
    "revenue_growth": CellFormat("percent", 1),
    "net_profit": CellFormat("number", 0),
    "net_profit_growth": CellFormat("percent", 1),
    "eps": CellFormat("number", 2),
    "pe": CellFormat("number", 1),
    "pb": CellFormat("number", 1),
}
MAX_ESTIMATE_YEARS = 6  # what fits across the first page's text column
PRICE_COLUMNS = ("date", "close", "benchmark")
_YEAR = re.compile(r"(\d{4})\s*([AE])")


@dataclass(frozen=True)
class EstimateYear:
    """One fiscal year of the estimates: 2024A (actual) or 2025E (estimate), and its figures."""

    year: int
    actual: bool
    cells: dict[str, Cell]

    @property
    def label(self) -> str:
        """As printed in the table's header: 2024A, 2025E."""
        return f"{self.year}{'A' if self.actual else 'E'}"


@dataclass(frozen=True)
class PricePoint:
    """One day's close of the security and of its benchmark index."""

    date: dt.date
    close: float
    benchmark: float


@dataclass(frozen=True)
class CompanyData:
    """A company note's data: its estimate years, and its closes over the 12 months to the
    reference date (empty when the brief names no such file)."""

    estimates: tuple[EstimateYear, ...] = ()
    prices: tuple[PricePoint, ...] = ()


def resolve_company(brief: m.Brief, doc: YamlDocument, diags: Diagnostics) -> tuple[CompanyData | None, list[Path]]:
    """Read and check a brief's estimates and price files; returns the data and the files read."""
    if brief.estimates is None and brief.price_history is None:
        return None, []
    folder = doc.path.parent.resolve()
    files: list[Path] = []
    estimates: tuple[EstimateYear, ...] = ()
    prices: tuple[PricePoint, ...] = ()
    security = brief.security
    if brief.estimates is not None:
        if security is not None and brief.estimates.currency not in (security.currency, security.reporting_currency):
            reporting = (
                f" or its reporting currency {security.reporting_currency}" if security.reporting_currency else ""
            )
            diags.error(
                doc.location(("estimates", "currency")),
                f"the estimates are in {brief.estimates.currency}, but {security.ticker} trades in "
                f"{security.currency}{reporting} (line {doc.location(('security', 'currency')).line}); "
                "give the accounts' currency as security.reporting_currency",
            )
        raw = _read(brief.estimates.data, folder, doc, ("estimates", "data"), diags, files)
        if raw is not None:
            estimates = _estimates(raw, diags)
    if brief.price_history is not None:
        if security is not None and brief.price_history.currency != security.currency:
            diags.error(
                doc.location(("price_history", "currency")),
                f"the price file is in {brief.price_history.currency}, but {security.ticker} trades in "
                f"{security.currency} (line {doc.location(('security', 'currency')).line})",
            )
        raw = _read(brief.price_history.data, folder, doc, ("price_history", "data"), diags, files)
        if raw is not None:
            prices = _prices(raw, brief.price, doc, diags)
    return CompanyData(estimates, prices), files


def _read(
    written: str,
    folder: Path,
    doc: YamlDocument,
    key_path: tuple[str, ...],
    diags: Diagnostics,
    files: list[Path],
) -> RawData | None:
    target = data_file(written, folder, doc, key_path, diags)
    if target is None:
        return None
    try:
        raw = read_data(target)
    except BriefsError as exc:
        diags.extend(exc.diagnostics)
        return None
    if target not in files:
        files.append(target)
    if not raw.rows:
        diags.error(raw.origin, f"data file {raw.path.name} has no data rows")
        return None
    return raw


def _columns(raw: RawData, wanted: Sequence[str], diags: Diagnostics) -> bool:
    """Exactly the columns ``wanted`` (any order); each missing or unknown one is an error."""
    import difflib

    ok = True
    for name in wanted:
        if name not in raw.names:
            diags.error(raw.origin, f"{raw.path.name} lacks the column '{name}' (columns: {', '.join(wanted)})")
            ok = False
    for name in raw.names:
        if name not in wanted:
            close = difflib.get_close_matches(name, wanted, n=1)
            hint = f"; did you mean '{close[0]}'?" if close else f" (columns: {', '.join(wanted)})"
            diags.error(raw.origin, f"unknown column '{name}' in {raw.path.name}{hint}")
            ok = False
    return ok


def _estimates(raw: RawData, diags: Diagnostics) -> tuple[EstimateYear, ...]:
    if not _columns(raw, ("year", *ESTIMATE_COLUMNS), diags):
        return ()
    errors = len(diags.errors)
    if len(raw.rows) > MAX_ESTIMATE_YEARS:
        diags.error(
            raw.cells[MAX_ESTIMATE_YEARS][0],
            f"{raw.path.name} has {len(raw.rows)} fiscal years; the key estimates show at most {MAX_ESTIMATE_YEARS}",
        )
    rows = convert_rows(raw, ESTIMATE_COLUMNS, {}, diags)
    years: list[EstimateYear] = []
    for (text, where), cells in zip(raw.column("year"), rows, strict=True):
        found = _YEAR.fullmatch(plain(text))
        if found is None:
            diags.error(where, f"'{text}' is not a fiscal year marked actual or estimate, such as 2024A or 2025E")
            continue
        year = EstimateYear(int(found.group(1)), found.group(2) == "A", cells)
        if years and year.year <= years[-1].year:
            diags.error(where, f"fiscal year {year.label} follows {years[-1].label}: list the years in rising order")
        elif years and year.actual and not years[-1].actual:
            diags.error(where, f"actual year {year.label} follows estimate {years[-1].label}: actuals come first")
        years.append(year)
    return tuple(years) if len(diags.errors) == errors else ()


def _prices(
    raw: RawData, reference: ReferencePrice | None, doc: YamlDocument, diags: Diagnostics
) -> tuple[PricePoint, ...]:
    if not _columns(raw, PRICE_COLUMNS, diags):
        return ()
    errors = len(diags.errors)
    formats = {"date": CellFormat("date"), "close": CellFormat("number"), "benchmark": CellFormat("number")}
    points: list[PricePoint] = []
    for row in convert_rows(raw, formats, {}, diags):
        day, close, index = row["date"], row["close"], row["benchmark"]
        for cell, name in ((close, "close"), (index, "benchmark")):
            if cell.value is not None and cell.value <= 0:
                diags.error(cell.where, f"{name} '{cell.raw}' is not a positive price")
        if day.value is None or close.value is None or index.value is None:
            if not (day.raw and close.raw and index.raw):
                diags.error(day.where, "every row needs a date, a close and a benchmark close")
            continue
        if points and day.value <= points[-1].date:
            diags.error(day.where, f"date {day.value} follows {points[-1].date}: list the days in rising order")
        points.append(PricePoint(day.value, close.value, index.value))
        if reference is not None and day.value == reference.date and abs(close.value - reference.close) > 0.005:
            diags.error(
                close.where,
                f"the close on {day.value} is {close.raw}, but brief.yaml gives price.close "
                f"{reference.close:g} for that day (line {doc.location(('price', 'close')).line})",
            )
    if len(diags.errors) > errors or reference is None:
        return ()
    last = raw.cells[-1][raw.names.index("date")]
    if points[-1].date < reference.date:
        diags.error(
            last,
            f"the prices end on {points[-1].date}, before the reference price's date {reference.date} "
            f"(brief.yaml line {doc.location(('price', 'date')).line}): add the closes up to that day",
        )
        return ()
    start = _year_before(reference.date)
    window = tuple(p for p in points if start < p.date <= reference.date)
    if len(window) < 2:
        diags.error(
            SourceLocation(raw.path, last.line, 1),
            f"fewer than two closes in the 12 months to {reference.date}: the price chart needs the year's closes",
        )
        return ()
    return window


def _year_before(day: dt.date) -> dt.date:
    """The same day a year earlier (28 February for 29 February)."""
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)
