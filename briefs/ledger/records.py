"""The ledger's values: one :class:`Recommendation` per approved company note (or entry of
recommendations.yaml), and the :class:`Ledger` holding them in order (date, then brief id).

Plain frozen dataclasses with no I/O: the ledger is built in :mod:`briefs.ledger.build` and read
by every stage after loading.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from briefs.errors import SourceLocation, display_path

HISTORY_MONTHS = 12  # the history table and the chart cover at least this long before a note


def months_before(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` earlier (the month's last day where it has fewer days)."""
    total = day.year * 12 + day.month - 1 - months
    year, month = divmod(total, 12)
    month += 1
    for last in (31, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")  # pragma: no cover - February has 28 days


@dataclass(frozen=True)
class Recommendation:
    """A rating and/or target price on one security, as published on ``date``.

    ``brief_id`` names the brief it was published in; None for an entry of
    recommendations.yaml, which ``origin`` locates."""

    date: dt.date
    ticker: str
    currency: str
    scale: str | None
    rating: str | None
    target: float | None
    price: float | None
    analysts: tuple[str, ...]
    brief_id: str | None
    origin: SourceLocation

    @property
    def order(self) -> tuple[dt.date, str, int]:
        """The ledger's order: by date, then brief id (shared entries first, by line)."""
        return (self.date, self.brief_id or "", self.origin.line)

    def describe(self) -> str:
        """Where it was made, as a message names it: brief 'x' of 2024-10-08, or the shared
        file's entry with its line."""
        if self.brief_id is not None:
            return f"brief '{self.brief_id}' of {self.date.isoformat()}"
        return f"the entry of {self.date.isoformat()} in {display_path(self.origin.path)}:{self.origin.line}"

    def values(self) -> str:
        """Its rating and target as a message gives them: rating overweight, target 470 HKD."""
        parts = [f"rating {self.rating}" if self.rating is not None else "no rating"]
        parts.append(f"target {self.target:g} {self.currency}" if self.target is not None else "no target")
        return ", ".join(parts)

    def record(self) -> dict[str, Any]:
        """As ``briefs ledger`` lists it: plain values in a fixed order of keys."""
        return {
            "date": self.date.isoformat(),
            "ticker": self.ticker,
            "scale": self.scale or "",
            "rating": self.rating or "",
            "target_price": self.target,
            "currency": self.currency,
            "price": self.price,
            "analysts": list(self.analysts),
            "brief": self.brief_id or "",
            "source": f"{self.origin.path.name}:{self.origin.line}" if self.brief_id is None else "",
        }


COLUMNS = ("date", "ticker", "scale", "rating", "target_price", "currency", "price", "analysts", "brief", "source")


@dataclass(frozen=True)
class Ledger:
    """Every recommendation of the project, ordered by date then brief id."""

    entries: tuple[Recommendation, ...] = ()

    def of(self, ticker: str) -> tuple[Recommendation, ...]:
        """The recommendations on one security, in order."""
        return tuple(e for e in self.entries if e.ticker == ticker)

    def last_before(self, ticker: str, day: dt.date) -> Recommendation | None:
        """The last recommendation on ``ticker`` dated strictly before ``day``."""
        earlier = [e for e in self.of(ticker) if e.date < day]
        return earlier[-1] if earlier else None

    def history(self, ticker: str, day: dt.date, months: int = HISTORY_MONTHS) -> tuple[Recommendation, ...]:
        """What a note of ``day`` prints: every recommendation on ``ticker`` in the ``months``
        before ``day`` (not on it), and the one in force when that window opened."""
        start = months_before(day, months)
        earlier = [e for e in self.of(ticker) if e.date < day]
        inside = [e for e in earlier if e.date >= start]
        before = [e for e in earlier if e.date < start]
        return tuple(before[-1:] + inside)

    def latest_ratings(self, day: dt.date) -> dict[str, Recommendation]:
        """Per security, its latest recommendation carrying a rating dated on or before ``day``."""
        latest: dict[str, Recommendation] = {}
        for entry in self.entries:
            if entry.date <= day and entry.rating is not None:
                latest[entry.ticker] = entry
        return latest

    def key(self) -> str:
        """Every entry's values as one text (what a build's brief keys add for company notes)."""
        return "\n".join(repr(sorted(e.record().items())) for e in self.entries)
