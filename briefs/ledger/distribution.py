"""The ratings distribution a company note's disclosures print (FINRA 2241's form): of the
securities the house covers, as of the note's date (each one's latest rating in the ledger),
the share rated a buy, hold or sell equivalent, and within each, the share that were
investment-banking clients in the past 12 months.

A rating value's category follows from its band on the scale, so no list of names is kept:
a band above zero (Buy, Overweight) is a buy, one below zero (Underweight, Sell) a sell, one
around zero (Neutral) a hold; a value without a band (Not Rated) is not counted.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from briefs.ledger.records import Ledger
from briefs.model import library_records as lib

CATEGORIES = ("buy", "hold", "sell")


def category_of(value: lib.RatingValue) -> str | None:
    """``buy``, ``hold`` or ``sell`` for a rating value, from its band; None without one."""
    if value.min is None and value.max is None:
        return None
    if value.min is not None and value.min >= 0:
        return "buy"
    if value.max is not None and value.max <= 0:
        return "sell"
    return "hold"


@dataclass(frozen=True)
class Category:
    """One category: how many covered securities, their share of all rated, and how many of
    them (and what share of the category) were investment-banking clients."""

    name: str
    values: frozenset[str]  # the value ids it gathers, on any scale (buy, overweight)
    count: int
    share: float  # percent of every security counted; 0 when none is
    ib_count: int
    ib_share: float | None  # percent of this category; None when the category is empty


@dataclass(frozen=True)
class Distribution:
    """The distribution as of ``as_of`` over ``covered`` securities."""

    as_of: dt.date
    covered: int
    categories: tuple[Category, ...]


def ratings_distribution(
    ledger: Ledger, ratings: lib.Ratings, as_of: dt.date, ib_clients: frozenset[str]
) -> Distribution:
    """Each security's latest rating on or before ``as_of``, counted by category;
    ``ib_clients`` are the tickers that were investment-banking clients in the past 12 months."""
    counted: dict[str, list[str]] = {name: [] for name in CATEGORIES}
    members: dict[str, list[str]] = {name: [] for name in CATEGORIES}
    for each in ratings.scales:
        for banded in each.values:
            group = category_of(banded)
            if group is not None and banded.id not in members[group]:
                members[group].append(banded.id)
    for ticker, entry in sorted(ledger.latest_ratings(as_of).items()):
        scale = ratings.scale(entry.scale or "")
        value = scale.value(entry.rating or "") if scale is not None else None
        name = category_of(value) if value is not None else None
        if name is not None:
            counted[name].append(ticker)
    total = sum(len(t) for t in counted.values())
    categories = []
    for name in CATEGORIES:
        tickers = counted[name]
        ib = sum(1 for t in tickers if t in ib_clients)
        categories.append(
            Category(
                name=name,
                values=frozenset(members[name]),
                count=len(tickers),
                share=len(tickers) / total * 100 if total else 0.0,
                ib_count=ib,
                ib_share=ib / len(tickers) * 100 if tickers else None,
            )
        )
    return Distribution(as_of, total, tuple(categories))
