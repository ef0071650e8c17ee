"""Stage 2 (localize, rated picks): the companies table as the genre's 盈利预测与估值 table in one
language: per company its code, name, close, EPS and P/E by fiscal year, rating and target price,
grouped like the unrated table (the data: :mod:`briefs.exhibits.picks`)."""

from __future__ import annotations

import gettext
from dataclasses import dataclass

from babel.numbers import get_currency_name
from markupsafe import Markup, escape

from briefs.exhibits.cells import MISSING
from briefs.exhibits.picks import PicksData
from briefs.localize.i18n import Edition, format_date, format_decimal_digits, is_cjk, locale
from briefs.localize.views import GroupView
from briefs.model import brief as m
from briefs.model import library_records as lib


@dataclass(frozen=True)
class PickRowView:
    """One rated company as printed."""

    name: str
    ticker: str
    close: str
    eps: tuple[str, ...]
    pe: tuple[str, ...]
    rating: str
    target: str
    target_value: float | None = None  # the target as a number (the RIXML sidecar states it)


@dataclass(frozen=True)
class PicksGroupView:
    """The rated companies of one segment (``segment_id``: the row a thesis chain links to)."""

    label: str
    segment_id: str | None
    rows: tuple[PickRowView, ...]


@dataclass(frozen=True)
class PicksView:
    """The rated companies table: column headings, fiscal years, groups of rows and the note."""

    years: tuple[str, ...]
    actual: tuple[bool, ...]
    close_heading: str
    eps_heading: str
    target_heading: str
    groups: tuple[PicksGroupView, ...]
    note: Markup  # ends with a link to the rating definitions
    currency: str = ""  # ISO 4217 code of the closes, targets and EPS
    scale_name: str = ""  # the rating scale's name


def picks_view(
    brief: m.Brief,
    data: PicksData | None,
    groups: tuple[GroupView, ...],
    scale: lib.RatingScale | None,
    t: Edition,
    tr: gettext.NullTranslations,
) -> PicksView | None:
    """The rated companies table of a brief with picks (None for an unrated list)."""
    declared = brief.picks
    if declared is None or data is None or scale is None:
        return None
    lang = t.lang
    currency = get_currency_name(declared.currency, locale=locale(lang)) if is_cjk(lang) else declared.currency

    def number(value: float | None, digits: int) -> str:
        return MISSING if value is None else format_decimal_digits(value, lang, digits)

    def rating(value_id: str) -> str:
        value = scale.value(value_id)
        assert value is not None  # checked at load
        return t.text(value.label)

    printed = []
    for group in groups:
        rows = []
        for company in group.companies:
            assert company.ticker is not None  # a rated table names every company's ticker (load)
            pick = data.picks[company.ticker]
            rows.append(
                PickRowView(
                    company.name,
                    pick.ticker,
                    number(pick.close, 2),
                    tuple(number(v, 2) for v in pick.eps),
                    tuple(number(v, 1) for v in pick.pe),
                    rating(pick.rating),
                    number(pick.target, 2),
                    pick.target,
                )
            )
        printed.append(PicksGroupView(group.label, group.segment_id, tuple(rows)))
    return PicksView(
        years=data.year_labels,
        actual=tuple(actual for _, actual in data.years),
        close_heading=tr.gettext("Close (%(currency)s)") % {"currency": currency},
        eps_heading=tr.gettext("EPS (%(currency)s)") % {"currency": currency},
        target_heading=tr.gettext("Target (%(currency)s)") % {"currency": currency},
        groups=tuple(printed),
        currency=declared.currency,
        scale_name=t.text(scale.name),
        note=escape(
            tr.gettext("Closes of %(date)s; A: actual, E: estimate; the ratings are defined under %(definitions)s.")
        )
        % {
            "date": format_date(declared.date, lang),
            "definitions": Markup('<a href="#rating-definitions">%s</a>') % tr.gettext("Rating definitions"),
        },
    )
