"""content/_shared/recommendations.yaml: recommendations made before the project existed.

Each entry is what an approved company note records once it is published (see
:mod:`briefs.ledger`): the date, the security, the rating on a scale and/or the target price in
the security's currency, the reference close and the signing analysts::

    recommendations:
      - date: 2024-05-20
        ticker: 0700.HK
        currency: HKD
        rating: {scale: company, value: overweight}
        target_price: 400
        price: 365.2
        analysts: [lin-qing]

Which scale and value exist, which analysts, and duplicates are checked when the ledger is built
(:mod:`briefs.ledger.shared`), each at its line.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, model_validator
from pydantic_core import PydanticCustomError

from briefs.model.company import IsoCurrency, Price
from briefs.model.fields import Date, Id, Record, Ticker


def _no_repeats(value: list[str]) -> list[str]:
    repeated = sorted({v for v in value if value.count(v) > 1})
    if repeated:
        raise PydanticCustomError("briefs_repeat", "'{value}' is listed twice", {"value": repeated[0]})
    return value


class PastRating(Record):
    """A rating value on one of ratings.yaml's scales."""

    scale: Id
    value: Id


class PastRecommendation(Record):
    """One recommendation made before the project's first brief on the security."""

    date: Date
    ticker: Ticker
    currency: IsoCurrency
    rating: PastRating | None = None
    target_price: Price | None = None
    price: Price
    analysts: Annotated[list[Id], AfterValidator(_no_repeats)] = []

    @model_validator(mode="after")
    def _recommends(self) -> PastRecommendation:
        if self.rating is None and self.target_price is None:
            raise PydanticCustomError(
                "briefs_recommendation",
                "a recommendation gives a 'rating', a 'target_price' or both",
                {},
            )
        return self


class RecommendationList(Record):
    """recommendations.yaml: the list, oldest first or in any order (the ledger sorts it)."""

    recommendations: list[PastRecommendation] = []
