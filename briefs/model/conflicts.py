"""The content model of ``content/_shared/conflicts.yaml``: the firm's interests in the securities
its briefs name, with dates, and the reviewed wording of the statements that disclose them.

One entry per security (ticker), each confirmed by compliance on a date::

    max_age_days: 90                         # a confirmation older than this before a brief: warning
    statements: {...}                        # the reviewed wording (see Statements)
    securities:
      - ticker: 0700.HK
        confirmed: 2025-01-31                # when compliance last confirmed this entry
        holdings: [{as_of: 2024-12-31, percent: 1.2}]          # the firm's holding, as of a date
        investment_banking:                                    # mandates in which the firm acted
          - {date: 2024-09-12, mandate: {zh-CN: …, en: …}}
        expected_investment_banking: [{as_of: 2025-01-20}]     # expects a mandate in the 3 months after
        market_making: [{from: 2023-06-01}]                    # periods; ``to`` omitted = ongoing
        staff_interests: [{person: lin-qing, holder: household, from: 2024-03-01}]
        officer_roles: [{role: {zh-CN: 独立非执行董事, en: independent non-executive director}, from: 2022-05-01}]

An entry with none of these lists records that compliance confirmed there is nothing to disclose.
Which facts apply to a brief (by its date) is decided in :mod:`briefs.compliance.conflicts`.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import Field, model_validator
from pydantic_core import PydanticCustomError

from briefs.model.fields import Date, Id, Record, Text, Ticker

# The statements, in the order a brief prints them. Their ids are the Hong Kong rule pack's
# para 16 elements (briefs.compliance.packs.PARA_16), so that edition's headings print over them.
ELEMENTS = ("firm-holding", "market-making", "investment-banking", "analyst-interests", "officer-roles")
Percent = Annotated[float, Field(ge=0, le=100, allow_inf_nan=False)]


class Holding(Record):
    """The firm's (and its group's) holding in the security's issued shares, as of a date."""

    as_of: Date
    percent: Percent


class Mandate(Record):
    """An investment-banking mandate (an issue, an advisory role) dated when the firm acted."""

    date: Date
    mandate: Text


class ExpectedMandate(Record):
    """Recorded on ``as_of``: the firm expects to receive or seek investment-banking
    compensation from the company in the following three months."""

    as_of: Date


class Period(Record):
    """From ``from`` to ``to`` (inclusive); no ``to``: still so."""

    start: Date = Field(alias="from")
    end: Date | None = Field(default=None, alias="to")

    @model_validator(mode="after")
    def _ordered(self) -> Period:
        if self.end is not None and self.end < self.start:
            raise PydanticCustomError(
                "briefs_period",
                "'to' ({end}) is before 'from' ({start})",
                {"end": self.end.isoformat(), "start": self.start.isoformat()},
            )
        return self

    def covers(self, day: dt.date) -> bool:
        """Whether ``day`` falls in the period."""
        return self.start <= day and (self.end is None or day <= self.end)


class StaffInterest(Period):
    """A financial interest in the security held by an analyst (``holder: self``) or a member of
    the analyst's household (``holder: household``); it is disclosed on the briefs that analyst signs."""

    person: Id
    holder: Literal["self", "household"]


class OfficerRole(Period):
    """A member of the firm's staff serving as an officer or director of the company."""

    role: Text


class SecurityConflicts(Record):
    """Everything the firm discloses about one security, and when compliance confirmed it."""

    ticker: Ticker
    confirmed: Date
    holdings: list[Holding] = []
    investment_banking: list[Mandate] = []
    expected_investment_banking: list[ExpectedMandate] = []
    market_making: list[Period] = []
    staff_interests: list[StaffInterest] = []
    officer_roles: list[OfficerRole] = []


class Statement(Record):
    """The reviewed wording of one element: its heading, the sentence that discloses it for one
    security (``applies``, with placeholders such as ``{company}``) and the negative statement
    for the securities it does not apply to (``none``, with ``{companies}``)."""

    title: Text
    applies: Text
    none: Text
    expected: Text | None = None  # investment banking: the relationship expected in the next 3 months
    expected_none: Text | None = None


class Statements(Record):
    """The wording of every element (ids as in :data:`ELEMENTS`) and of the section."""

    title: Text
    intro: Text
    any_company: Text  # what {companies} reads when a brief names none
    holder: dict[Literal["self", "household"], Text]  # "the analyst" / "a member of the analyst's household"
    firm_holding: Statement = Field(alias="firm-holding")
    market_making: Statement = Field(alias="market-making")
    investment_banking: Statement = Field(alias="investment-banking")
    analyst_interests: Statement = Field(alias="analyst-interests")
    officer_roles: Statement = Field(alias="officer-roles")

    def of(self, element: str) -> Statement:
        """The wording of one element by its id (``firm-holding`` …)."""
        found: Statement = getattr(self, element.replace("-", "_"))
        return found


class ConflictsFile(Record):
    """``conflicts.yaml``."""

    max_age_days: int = Field(default=90, gt=0, le=3660)
    statements: Statements
    securities: list[SecurityConflicts] = []

    def entry(self, ticker: str) -> SecurityConflicts | None:
        """The entry of a ticker, if compliance recorded one."""
        return next((s for s in self.securities if s.ticker == ticker), None)
