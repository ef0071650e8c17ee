"""Stage 2 (localize, company notes): what the ledger gives a note, in one language.

- the security's rating and target-price history for the 12 months before the note (and the
  recommendation in force when that window opened), printed in the disclosures;
- a marker on the price chart for every change of rating or target inside the chart's months,
  each with a short label (the rating's initial, or its Chinese name, and the target);
- the ratings distribution (:mod:`briefs.ledger.distribution`) as of the note's date.
"""

from __future__ import annotations

import datetime as dt
import gettext
from dataclasses import dataclass

from briefs.ledger.distribution import Distribution
from briefs.ledger.records import HISTORY_MONTHS, Ledger, Recommendation
from briefs.localize.i18n import Edition, format_date, format_money, format_number, format_percent_digits, is_cjk
from briefs.model import library_records as lib


@dataclass(frozen=True)
class HistoryRow:
    """One earlier recommendation, as printed."""

    date: str
    date_iso: str
    rating: str
    target: str
    price: str


@dataclass(frozen=True)
class HistoryView:
    """The history table: title, the sentence under it, and its rows (none: the sentence says so)."""

    title: str
    note: str
    rows: tuple[HistoryRow, ...]


@dataclass(frozen=True)
class Marker:
    """A change on the price chart: its day and short label."""

    date: dt.date
    label: str


@dataclass(frozen=True)
class DistributionRow:
    """One category of the distribution, as printed."""

    category: str
    ratings: str
    count: str
    share: str
    ib_count: str
    ib_share: str


@dataclass(frozen=True)
class DistributionView:
    """The distribution table: title, the sentence above it, and one row per category."""

    title: str
    note: str
    rows: tuple[DistributionRow, ...]


def _label(ratings: lib.Ratings, entry: Recommendation, t: Edition) -> str:
    scale = ratings.scale(entry.scale or "")
    value = scale.value(entry.rating or "") if scale is not None else None
    return t.text(value.label) if value is not None else "–"


def history_view(
    ledger: Ledger, ratings: lib.Ratings, ticker: str, name: str, day: dt.date, t: Edition, tr: gettext.NullTranslations
) -> HistoryView:
    """The rating and target history of ``ticker`` before a note of ``day``."""
    lang = t.lang
    rows = tuple(
        HistoryRow(
            date=format_date(e.date, lang),
            date_iso=e.date.isoformat(),
            rating=_label(ratings, e, t),
            target=format_money(e.target, e.currency, lang) if e.target is not None else "–",
            price=format_money(e.price, e.currency, lang) if e.price is not None else "–",
        )
        for e in ledger.history(ticker, day)
    )
    values = {"security": name, "months": HISTORY_MONTHS}
    note = (
        tr.gettext(
            "Every rating and target price we published on %(security)s in the %(months)s months before this "
            "report (and the one in force when that period began); price: the reference close of each."
        )
        if rows
        else tr.gettext("We published no rating or target price on %(security)s before this report.")
    )
    return HistoryView(
        title=tr.gettext("Rating and target price history"),
        note=note % values,
        rows=rows,
    )


def short_label(entry: Recommendation, ratings: lib.Ratings, t: Edition) -> str:
    """A chart marker's label: the rating's initials (O, B, NR; in Chinese its name) and the
    target's figure (O 470, 增持 470)."""
    full = _label(ratings, entry, t)
    rating = full if is_cjk(t.lang) or full == "–" else "".join(w[0] for w in full.split()).upper()
    if entry.target is None:
        return rating
    return f"{rating} {format_number(entry.target, t.lang, 0 if entry.target == int(entry.target) else 2)}"


def chart_markers(
    ledger: Ledger, ratings: lib.Ratings, ticker: str, first: dt.date, last: dt.date, t: Edition
) -> tuple[Marker, ...]:
    """Every change of rating or target on ``ticker`` dated from ``first`` to ``last`` (the
    chart's days): an initiation, or a rating or target that differs from the one before."""
    markers = []
    before: Recommendation | None = None
    for entry in ledger.of(ticker):
        changed = before is None or (entry.scale, entry.rating, entry.target) != (
            before.scale,
            before.rating,
            before.target,
        )
        if changed and first <= entry.date <= last:
            markers.append(Marker(entry.date, short_label(entry, ratings, t)))
        before = entry
    return tuple(markers)


def distribution_view(
    distribution: Distribution, scale: lib.RatingScale, t: Edition, tr: gettext.NullTranslations
) -> DistributionView:
    """The distribution in one language; each category lists the note's scale's values in it."""
    lang = t.lang
    names = {
        "buy": tr.gettext("Buy equivalents"),
        "hold": tr.gettext("Hold equivalents"),
        "sell": tr.gettext("Sell equivalents"),
    }
    separator = "、" if is_cjk(lang) else ", "
    rows = tuple(
        DistributionRow(
            category=names[c.name],
            ratings=separator.join(t.text(v.label) for v in scale.values if v.id in c.values),
            count=format_number(c.count, lang),
            share=format_percent_digits(c.share, lang, 1),
            ib_count=format_number(c.ib_count, lang),
            ib_share=format_percent_digits(c.ib_share, lang, 1) if c.ib_share is not None else "–",
        )
        for c in distribution.categories
    )
    note = tr.gettext(
        "Securities covered: %(count)s, each counted by its latest rating as of %(date)s; for each category, "
        "the share that were investment-banking clients of the firm in the past 12 months."
    ) % {"count": format_number(distribution.covered, lang), "date": format_date(distribution.as_of, lang)}
    return DistributionView(title=tr.gettext("Ratings distribution"), note=note, rows=rows)
