"""Rated picks: the ratings, target prices and key estimates of a brief's companies table (the
genre's 盈利预测与估值 table; the model: :class:`briefs.model.company.Picks`).

Read like an exhibit's data (:mod:`briefs.exhibits.tables`, every cell typed by
:mod:`briefs.exhibits.cells` and located at its row), then checked as what it is: one row per
company of the table and no other, each rating on the scale, closes and targets positive, the
fiscal years of the EPS and P/E columns the same, rising, actuals first. A pick that is the
brief's own security agrees with its rating, target and reference price.

Rated picks are recommendations: :func:`rated_picks` lists a loaded brief's picks as
(ticker, rating, target …) for the recommendation ledger.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from briefs.compliance.rules import suggest
from briefs.errors import BriefsError, Diagnostic, Diagnostics, SourceLocation
from briefs.exhibits.cells import Cell, CellFormat, convert_rows, plain
from briefs.exhibits.numbering import data_file
from briefs.exhibits.tables import RawData, read_data
from briefs.model import brief as m
from briefs.source.yamlsource import YamlDocument

if TYPE_CHECKING:
    from briefs.load.loaded import Library, LoadedBrief

FIXED_COLUMNS = ("ticker", "close", "target", "rating")
MAX_PICK_YEARS = 4  # EPS and P/E for each: what fits across the text column with the rest
_YEAR_COLUMN = re.compile(r"(eps|pe)_(\d{4})([AE])")


@dataclass(frozen=True)
class Pick:
    """One rated company: its close, target (None: none set), rating id, and EPS and P/E per year
    (a P/E of None: not meaningful, printed as a dash)."""

    ticker: str
    close: float
    target: float | None
    rating: str
    eps: tuple[float, ...]
    pe: tuple[float | None, ...]
    where: SourceLocation | None = None  # the row's target cell (its rating's when it has no target)


@dataclass(frozen=True)
class PicksData:
    """A brief's rated picks: fiscal years (year, actual?) and one pick per ticker, in file order."""

    years: tuple[tuple[int, bool], ...]
    picks: dict[str, Pick]

    @property
    def year_labels(self) -> tuple[str, ...]:
        """As printed: 2024A, 2025E."""
        return tuple(f"{year}{'A' if actual else 'E'}" for year, actual in self.years)


@dataclass(frozen=True)
class RatedPick:
    """A rated pick as a recommendation (for the ledger): what was rated, how, and at which price."""

    brief_id: str
    ticker: str
    scale: str
    rating: str
    target: float | None
    currency: str
    close: float
    close_date: dt.date


def rated_picks(loaded: LoadedBrief) -> tuple[RatedPick, ...]:
    """The recommendations a brief makes through its companies table, in the table's order."""
    declared, data = loaded.brief.picks, loaded.picks
    if declared is None or data is None:
        return ()
    return tuple(
        RatedPick(
            loaded.brief.id, p.ticker, declared.scale, p.rating, p.target, declared.currency, p.close, declared.date
        )
        for p in data.picks.values()
    )


def resolve_picks(
    brief: m.Brief, doc: YamlDocument, library: Library, diags: Diagnostics
) -> tuple[PicksData | None, list[Path]]:
    """Read and check a brief's rated picks; returns them and the file read."""
    declared = brief.picks
    if declared is None:
        return None, []
    errors = len(diags.errors)
    kind = library.kind(brief.kind)
    if kind is not None and (kind.rating == "forbidden" or not kind.rating_definitions):
        diags.error(
            doc.location(("picks",)),
            f"a brief of kind '{kind.id}' may not rate companies: its kind prints no rating definitions",
        )
    scale = library.ratings.scale(declared.scale)
    if scale is None:
        names = [s.id for s in library.ratings.scales]
        diags.error(
            doc.location(("picks", "scale")), f"unknown rating scale '{declared.scale}'{suggest(declared.scale, names)}"
        )
    if declared.date > brief.date:
        diags.error(
            doc.location(("picks", "date")), f"the closes are of {declared.date}, after the report date {brief.date}"
        )
    listed = {c.ticker for g in brief.companies for c in g.companies}
    if not brief.companies:
        diags.error(doc.location(("picks",)), "rated picks rate the companies of 'companies', and the brief lists none")
    target = data_file(declared.data, doc.path.parent.resolve(), doc, ("picks", "data"), diags)
    if target is None:
        return None, []
    files = [target]
    try:
        raw = read_data(target)
    except BriefsError as exc:
        diags.extend(exc.diagnostics)
        return None, files
    if not raw.rows:
        diags.error(raw.origin, f"data file {raw.path.name} has no data rows")
        return None, files
    years = _years(raw, diags)
    if years is None:
        return None, files
    picks = _rows(raw, years, listed, diags)
    values = [v.id for v in scale.values] if scale is not None else []
    for ticker, (pick, cells) in picks.items():
        if scale is not None and scale.value(pick.rating) is None:
            diags.error(
                cells["rating"].where,
                f"rating '{pick.rating}' is not on the '{scale.id}' scale{suggest(pick.rating, values)}",
            )
        if brief.security is not None and ticker == brief.security.ticker:
            _agrees(brief, declared.date, pick, cells, doc, diags)
    for gi, group in enumerate(brief.companies):
        for ci, company in enumerate(group.companies):
            if company.ticker is None or company.ticker not in picks:
                name = company.ticker or "a company without a ticker"
                diags.error(
                    doc.location(("companies", gi, "companies", ci)),
                    f"a rated companies table rates every company: {name} has no row in {raw.path.name}",
                )
    if len(diags.errors) > errors:
        return None, files
    return PicksData(tuple(years), {t: p for t, (p, _) in picks.items()}), files


def _years(raw: RawData, diags: Diagnostics) -> list[tuple[int, bool]] | None:
    """The fiscal years of the ``eps_`` and ``pe_`` columns (the same, rising, actuals first)."""
    by_kind: dict[str, list[tuple[int, bool]]] = {"eps": [], "pe": []}
    ok = True
    for name in FIXED_COLUMNS:
        if name not in raw.names:
            diags.error(raw.origin, f"{raw.path.name} lacks the column '{name}'")
            ok = False
    for name in raw.names:
        found = _YEAR_COLUMN.fullmatch(name)
        if found is not None:
            by_kind[found.group(1)].append((int(found.group(2)), found.group(3) == "A"))
        elif name not in FIXED_COLUMNS:
            diags.error(
                raw.origin,
                f"unknown column '{name}' in {raw.path.name} (columns: {', '.join(FIXED_COLUMNS)}, "
                "and eps_<year> and pe_<year> per fiscal year, such as eps_2024A, pe_2025E)",
            )
            ok = False
    eps, pe = by_kind["eps"], by_kind["pe"]
    if not eps or eps != pe:
        diags.error(
            raw.origin, f"{raw.path.name} needs eps_ and pe_ columns for the same fiscal years, in the same order"
        )
        return None
    if len(eps) > MAX_PICK_YEARS:
        diags.error(
            raw.origin, f"{raw.path.name} has {len(eps)} fiscal years; the picks table shows at most {MAX_PICK_YEARS}"
        )
        ok = False
    for before, year in itertools.pairwise(eps):
        if year[0] <= before[0] or (year[1] and not before[1]):
            diags.error(raw.origin, f"fiscal years of {raw.path.name} must rise, actuals (A) before estimates (E)")
            ok = False
            break
    return eps if ok else None


def _rows(
    raw: RawData, years: list[tuple[int, bool]], listed: set[str | None], diags: Diagnostics
) -> dict[str, tuple[Pick, dict[str, Cell]]]:
    labels = [f"{y}{'A' if a else 'E'}" for y, a in years]
    formats = {"ticker": CellFormat("text"), "close": CellFormat("number"), "target": CellFormat("number")}
    formats |= {"rating": CellFormat("text")}
    formats |= {f"{k}_{label}": CellFormat("number") for k in ("eps", "pe") for label in labels}
    found: dict[str, tuple[Pick, dict[str, Cell]]] = {}
    for cells in convert_rows(raw, formats, {}, diags):
        ticker = plain(cells["ticker"].raw)
        if ticker not in listed:
            diags.error(cells["ticker"].where, f"'{ticker}' is not a company of the brief's companies table")
            continue
        if ticker in found:
            diags.error(cells["ticker"].where, f"{ticker} has two rows")
            continue
        close, target = cells["close"].value, cells["target"].value
        for name in ("close", "target", *(f"pe_{label}" for label in labels)):
            cell = cells[name]
            if cell.value is not None and cell.value <= 0:
                diags.error(cell.where, f"{name} '{cell.raw}' is not positive")
        rating = plain(cells["rating"].raw)
        missing = [n for n in ("close", "rating", *(f"eps_{label}" for label in labels)) if not cells[n].raw.strip()]
        if missing:
            diags.error(cells["ticker"].where, f"{ticker} has no {', '.join(missing)}")
            continue
        if close is None:
            continue
        eps = tuple(cells[f"eps_{label}"].value for label in labels)
        pe = tuple(cells[f"pe_{label}"].value for label in labels)
        if any(v is None for v in eps):
            continue
        where = cells["target"].where if target is not None else cells["rating"].where
        found[ticker] = (Pick(ticker, close, target, rating, eps, pe, where), cells)
    return found


def _agrees(
    brief: m.Brief, date: dt.date, pick: Pick, cells: dict[str, Cell], doc: YamlDocument, diags: Diagnostics
) -> None:
    """The brief's own security among its picks: the same rating, target and (that day) close."""
    if brief.rating is not None and pick.rating != brief.rating.value:
        diags.error(
            cells["rating"].where,
            f"{pick.ticker} is rated '{pick.rating}' here but '{brief.rating.value}' by the brief "
            f"(line {doc.location(('rating', 'value')).line})",
        )
    if brief.target_price is not None and pick.target != brief.target_price.value:
        diags.error(
            cells["target"].where,
            f"{pick.ticker}'s target is '{cells['target'].raw}' here but {brief.target_price.value:g} in the brief "
            f"(line {doc.location(('target_price', 'value')).line})",
        )
    if brief.price is not None and brief.price.date == date and abs(pick.close - brief.price.close) > 0.005:
        diags.error(
            cells["close"].where,
            f"{pick.ticker} closed at {brief.price.close:g} on {date} (brief line "
            f"{doc.location(('price', 'close')).line}), not {cells['close'].raw}",
        )


def check_picks_upside(loaded: LoadedBrief, library: Library) -> list[Diagnostic]:
    """A warning for each rated pick whose implied upside (target / close − 1) lies outside its
    rating's band, as :func:`briefs.compliance.company.check_upside` does for a company note."""
    from briefs.compliance.ratings import upside_band

    declared, data = loaded.brief.picks, loaded.picks
    scale = library.ratings.scale(declared.scale) if declared is not None else None
    if data is None or scale is None:
        return []
    found = []
    for pick in data.picks.values():
        value = scale.value(pick.rating)
        if pick.target is None or value is None or pick.where is None:
            continue
        upside = (pick.target / pick.close - 1) * 100
        if upside_band(value, upside):
            continue
        bounds = [
            f"at least {value.min:g}%" if value.min is not None else "",
            f"at most {value.max:g}%" if value.max is not None else "",
        ]
        found.append(
            Diagnostic(
                pick.where,
                f"{pick.ticker}: implied upside {upside:+.1f}% (target {pick.target:g} / close {pick.close:g} − 1) "
                f"is outside the band of '{value.id}' ({' and '.join(b for b in bounds if b)}); "
                "check the target, the close or the rating",
                "warning",
            )
        )
    return found
