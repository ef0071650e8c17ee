"""The content model of a company note: the security it rates, its target price, the reference
price, and the data files of its estimates and daily prices (schema in docs/content-model.md).

These keys are the contract of issue 17 and are written exactly so::

    security: {ticker: 0700.HK, name: {zh-CN: 腾讯控股, en: Tencent Holdings}, currency: HKD}
    rating: {scale: company, value: buy, previous: overweight}   # previous omitted = initiation
    target_price: {value: 530, previous: 470}                     # in the security's currency
    price: {close: 450, date: 2025-02-14}                         # the reference price

Which kinds are company notes, and what each requires, is decided by the kind
(``company: true`` in kinds.yaml) and checked in :mod:`briefs.compliance.company`.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, Field
from pydantic_core import PydanticCustomError

from briefs.model.fields import Date, Id, Record, Text, Ticker

# The market of a ticker's exchange suffix: it picks the benchmark index in ratings.yaml
# (benchmarks[].market). Shanghai, Shenzhen and Beijing are the A-share market; NASDAQ (.O),
# NYSE (.N), NYSE American (.A) and the generic .US the US market.
EXCHANGE_MARKETS = {
    "SH": "a-share",
    "SZ": "a-share",
    "BJ": "a-share",
    "HK": "hk",
    "O": "us",
    "N": "us",
    "A": "us",
    "US": "us",
}
UNITS = ("thousand", "million", "billion")


def market_of(ticker: str) -> str | None:
    """The market id of a ticker (``0700.HK`` → ``hk``), or None for an exchange we do not know."""
    return EXCHANGE_MARKETS.get(ticker.rpartition(".")[2])


def _check_iso_currency(value: str) -> str:
    from babel.numbers import is_currency

    if not (len(value) == 3 and value.isascii() and value.isupper() and is_currency(value)):
        raise PydanticCustomError(
            "briefs_currency",
            "unknown currency '{value}': use an ISO 4217 code such as CNY, HKD or USD",
            {"value": value},
        )
    return value


IsoCurrency = Annotated[str, AfterValidator(_check_iso_currency)]
# A price or target: positive, and below any figure a brief prints (the cells' limit).
Price = Annotated[float, Field(gt=0, lt=1e12, allow_inf_nan=False)]


class Security(Record):
    """The security a company note rates. ``currency`` is its trading currency (prices and target);
    ``reporting_currency`` the currency of its accounts, when different (Tencent: HKD and CNY)."""

    ticker: Ticker
    name: Text
    currency: IsoCurrency
    reporting_currency: IsoCurrency | None = None


class TargetPrice(Record):
    """The target price in the security's currency, and the one it replaces (none: the first)."""

    value: Price
    previous: Price | None = None


class ReferencePrice(Record):
    """The close the upside is measured from, and its date."""

    close: Price
    date: Date


class EstimatesData(Record):
    """The key estimates: a data file (CSV or YAML) of fiscal years, in ``currency`` and ``unit``.

    Columns: ``year`` (2024A, 2025E …), ``revenue``, ``revenue_growth``, ``net_profit``,
    ``net_profit_growth`` (percent), ``eps`` (per share, in ``currency``), ``pe``, ``pb`` (times).
    """

    data: str = Field(min_length=1)
    currency: IsoCurrency
    unit: Literal["thousand", "million", "billion"]


class PriceHistory(Record):
    """Daily closes of the security and its benchmark: a data file with columns ``date``,
    ``close`` (in ``currency``, the security's) and ``benchmark`` (index points)."""

    data: str = Field(min_length=1)
    currency: IsoCurrency


class Picks(Record):
    """Rated picks: the companies table's ratings, targets and key estimates (the genre's
    盈利预测与估值 table), from a data file with the columns ``ticker``, ``close``, ``target``,
    ``rating`` and ``eps_<year>`` / ``pe_<year>`` per fiscal year (``eps_2024A``, ``pe_2025E``).
    Closes, targets and EPS are in ``currency``; the closes are of ``date``; ratings on ``scale``."""

    data: str = Field(min_length=1)
    currency: IsoCurrency
    date: Date
    scale: Id = "company"
