"""Stage 2 (localize, company notes): the first page's company furniture in one language.

The rating box (security, rating and the one it replaces, target price and the previous one,
reference close and its date, implied upside, benchmark index), the key estimates table
(fiscal years across, A/E marked, currency and unit in the header) and the 12-month price chart,
all as display strings; figures are formatted with Babel for the edition's locale, labels come
from the theme's catalogs.
"""

from __future__ import annotations

import datetime as dt
import gettext
from dataclasses import dataclass

from babel.numbers import get_currency_name
from markupsafe import Markup

from briefs.compliance.company import benchmark_of, implied_upside
from briefs.compliance.conflicts import investment_banking_clients
from briefs.exhibits.cells import format_cell
from briefs.exhibits.company_data import ESTIMATE_COLUMNS, CompanyData, EstimateYear
from briefs.ledger.distribution import ratings_distribution
from briefs.ledger.records import Ledger
from briefs.load.loaded import Library, LoadedBrief
from briefs.localize.i18n import (
    Edition,
    format_date,
    format_money,
    format_percent_digits,
    is_cjk,
    locale,
)
from briefs.localize.ledger import DistributionView, HistoryView, chart_markers, distribution_view, history_view
from briefs.model.company import EstimatesData

CHART_ANCHOR = "fig-price"
ESTIMATES_ANCHOR = "tab-estimates"


@dataclass(frozen=True)
class EstimatesView:
    """The key estimates table: a title, the header (first cell, then the years) and the rows."""

    title: str
    corner: str
    years: tuple[str, ...]
    actual: tuple[bool, ...]
    rows: tuple[tuple[str, tuple[str, ...]], ...]
    note: str
    anchor: str = ESTIMATES_ANCHOR


@dataclass(frozen=True)
class CompanyNoteView:
    """A company note's first-page furniture, as printed."""

    name: str
    ticker: str
    target: str
    target_previous: str | None
    close: str
    close_date: str
    close_date_iso: str
    upside: str
    benchmark: str
    estimates: EstimatesView | None
    chart: Markup | None
    chart_title: str
    chart_anchor: str = CHART_ANCHOR
    history: HistoryView | None = None  # earlier ratings and targets (the ledger), for the disclosures
    distribution: DistributionView | None = None  # the ratings distribution as of the note's date


def company_view(
    loaded: LoadedBrief,
    library: Library,
    t: Edition,
    tr: gettext.NullTranslations,
    font: str,
    ledger: Ledger | None = None,
) -> CompanyNoteView | None:
    """The company furniture of a company note in one language (None for other briefs)."""
    brief = loaded.brief
    security, target, price = brief.security, brief.target_price, brief.price
    if security is None or target is None or price is None:
        return None
    benchmark = benchmark_of(security.ticker, library)
    assert benchmark is not None  # checked at load (briefs.compliance.company)
    upside = implied_upside(brief)
    assert upside is not None
    currency, lang = security.currency, t.lang
    name, index = t.text(security.name), t.text(benchmark)
    data = loaded.company or CompanyData()
    chart_title = tr.gettext("Share price over 12 months against the %(benchmark)s") % {"benchmark": index}
    ledger = ledger or Ledger()
    ratings = library.ratings
    chart = None
    if data.prices:
        from briefs.exhibits.price_chart import render_price_chart

        first, last = data.prices[0].date, data.prices[-1].date
        markers = chart_markers(ledger, ratings, security.ticker, first, min(last, brief.date), t)
        svg = render_price_chart(
            data.prices,
            (name, index),
            lang=lang,
            font=font,
            anchor=CHART_ANCHOR,
            title=chart_title,
            markers=tuple((m.date, m.label) for m in markers),
        )
        chart = Markup(svg)  # noqa: S704 - our own SVG: labels escaped by matplotlib, checked by clean_svg
    return CompanyNoteView(
        name=name,
        ticker=security.ticker,
        target=format_money(target.value, currency, lang),
        target_previous=format_money(target.previous, currency, lang) if target.previous is not None else None,
        close=format_money(price.close, currency, lang),
        close_date=format_date(price.date, lang),
        close_date_iso=price.date.isoformat(),
        upside=("+" if upside > 0 else "") + format_percent_digits(upside, lang, 1),
        benchmark=index,
        estimates=_estimates(data.estimates, brief.estimates, t, tr, format_date(price.date, lang)),
        chart=chart,
        chart_title=chart_title,
        history=history_view(ledger, ratings, security.ticker, name, brief.date, t, tr),
        distribution=_distribution(ledger, library, brief.rating.scale if brief.rating else None, brief.date, t, tr),
    )


def _distribution(
    ledger: Ledger, library: Library, scale_id: str | None, day: dt.date, t: Edition, tr: gettext.NullTranslations
) -> DistributionView | None:
    scale = library.ratings.scale(scale_id) if scale_id is not None else None
    if scale is None:
        return None
    ib_clients = investment_banking_clients(library.conflicts, day)  # conflicts.yaml's mandates
    return distribution_view(ratings_distribution(ledger, library.ratings, day, ib_clients), scale, t, tr)


def _estimates(
    years: tuple[EstimateYear, ...],
    declared: EstimatesData | None,
    t: Edition,
    tr: gettext.NullTranslations,
    close_date: str,
) -> EstimatesView | None:
    if not years or declared is None:
        return None
    lang = t.lang
    currency = get_currency_name(declared.currency, locale=locale(lang)) if is_cjk(lang) else declared.currency
    units = {
        "thousand": tr.gettext("%(currency)s k"),
        "million": tr.gettext("%(currency)s m"),
        "billion": tr.gettext("%(currency)s bn"),
    }
    money = units[declared.unit] % {"currency": currency}
    labels = {
        "revenue": tr.gettext("Revenue (%(money)s)") % {"money": money},
        "revenue_growth": tr.gettext("Growth, year on year"),
        "net_profit": tr.gettext("Net profit (%(money)s)") % {"money": money},
        "net_profit_growth": tr.gettext("Growth, year on year"),
        "eps": tr.gettext("EPS (%(currency)s)") % {"currency": currency},
        "pe": tr.gettext("P/E (x)"),
        "pb": tr.gettext("P/B (x)"),
    }
    rows = tuple(
        (labels[column], tuple(format_cell(y.cells[column].value, fmt, lang) for y in years))
        for column, fmt in ESTIMATE_COLUMNS.items()
    )
    return EstimatesView(
        title=tr.gettext("Key estimates and valuation"),
        corner=tr.gettext("Fiscal year"),
        years=tuple(y.label for y in years),
        actual=tuple(y.actual for y in years),
        rows=rows,
        note=tr.gettext("A: actual; E: estimate. Valuation at the close of %(date)s.") % {"date": close_date},
    )
