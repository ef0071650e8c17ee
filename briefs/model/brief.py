"""The content model of a brief: frozen, typed records validated from YAML (schema in
docs/content-model.md). Field types and the record base are in :mod:`briefs.model.fields`; the shared
records (house, analysts, scales, kinds, chains …) in :mod:`briefs.model.library_records`.

Every stage after loading receives these objects and never a raw dict. Texts are mappings from
language tag to string; which languages are required comes from the project configuration, passed
as pydantic validation context (``{"languages": (...)}``), so the model itself is language-neutral.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal, Union

from pydantic import (
    AfterValidator,
    Discriminator,
    Field,
    PrivateAttr,
    Tag,
    model_validator,
)
from pydantic_core import PydanticCustomError

from briefs.model.company import EstimatesData, Picks, PriceHistory, ReferencePrice, Security, TargetPrice
from briefs.model.fields import Date, Id, Record, Text, Ticker, Url, check_source


class RatingRef(Record):
    """The brief's rating: a value on a scale. A company note names the ``previous`` rating
    (omitted: an initiation) and the action is derived from the scale; other briefs may state
    the ``change`` themselves."""

    scale: Id
    value: Id
    change: Literal["initiated", "maintained", "upgraded", "downgraded"] | None = None
    previous: Id | None = None

    @model_validator(mode="after")
    def _one_change(self) -> RatingRef:
        if self.change is not None and self.previous is not None:
            raise PydanticCustomError(
                "briefs_rating_change",
                "give the 'previous' rating or the 'change', not both: the change follows from 'previous'",
                {},
            )
        return self


class ChainRef(Record):
    """The chain a brief argues along, and the stage it says we are in."""

    id: Id
    stage: Id


class Section(Record):
    """A body section: heading plus Markdown, inline (``body``) or in files (``body_file``)."""

    id: Id
    heading: Text
    body: Text | None = None
    body_file: Text | None = None

    @model_validator(mode="after")
    def _one_body(self) -> Section:
        if (self.body is None) == (self.body_file is None):
            raise PydanticCustomError(
                "briefs_section_body", "section '{id}' needs exactly one of 'body' or 'body_file'", {"id": self.id}
            )
        return self


class Company(Record):
    """A related listed company."""

    name: Text
    ticker: Ticker | None = None


class CompanyGroup(Record):
    """Companies of one segment (a chain segment id, or a label of the brief's own)."""

    segment: Id | None = None
    label: Text | None = None
    companies: list[Company] = Field(min_length=1)

    @model_validator(mode="after")
    def _named(self) -> CompanyGroup:
        if (self.segment is None) == (self.label is None):
            raise PydanticCustomError("briefs_group", "a company group needs exactly one of 'segment' or 'label'", {})
        return self


class OwnRisk(Record):
    """A risk factor written for this brief only."""

    title: Text
    text: Text


def _risk_kind(value: Any) -> str:
    return "risk-id" if isinstance(value, str) else "own-risk"


# A risk is an id from the library or a risk of the brief's own; tagging the union keeps
# validation errors to the branch that applies (and so on the right line).
RiskItem = Annotated[
    Union[Annotated[Id, Tag("risk-id")], Annotated[OwnRisk, Tag("own-risk")]],  # noqa: UP007
    Discriminator(_risk_kind),
]


class RelatedReport(Record):
    """An earlier report of the house."""

    title: Text
    date: Date


class SourceRef(Record):
    """A source the brief relies on; with an ``id``, its Markdown cites it as ``[@id]``."""

    id: Id | None = None
    text: Text
    url: Url | None = None


# ----------------------------------------------------------------------------- exhibits

COLUMN_TYPES = ("text", "integer", "number", "percent", "currency", "compact", "date", "mixed")
CHART_TYPES = ("line", "bar", "grouped-bar")
_CURRENCY_RE = re.compile(r"[A-Z]{3}")


def _check_currency(value: str) -> str:
    if not _CURRENCY_RE.fullmatch(value):
        raise PydanticCustomError(
            "briefs_currency",
            "currency must be an ISO 4217 code such as CNY, HKD or USD, not '{value}'",
            {"value": value},
        )
    return value


def _check_column_name(value: str) -> str:
    if not value.strip() or value != value.strip():
        raise PydanticCustomError(
            "briefs_column", "column name '{value}' is blank or has leading/trailing spaces", {"value": value}
        )
    return value


Currency = Annotated[str, AfterValidator(_check_currency)]
ColumnName = Annotated[str, AfterValidator(_check_column_name)]


class Column(Record):
    """One column of an exhibit's data: which data column, its bilingual header and its type.

    ``type`` decides how cells are read and printed (per locale, with Babel): ``text`` as written
    (or through ``labels``), ``integer``, ``number`` (``digits`` decimals), ``percent`` (cells in
    percent units: 79.8 → 79.8%), ``currency`` (``currency`` code), ``compact`` (13亿 / 1.3
    billion), ``date`` (YYYY-MM-DD, printed in ``date_style``) or ``mixed``: each row's type is read
    from the data column named by ``type_column`` (``percent``, ``number:1``, ``currency:HKD`` …).
    """

    column: ColumnName
    header: Text
    type: Literal["text", "integer", "number", "percent", "currency", "compact", "date", "mixed"] = "text"
    digits: int | None = Field(default=None, ge=0, le=6)
    currency: Currency | None = None
    date_style: Literal["short", "medium", "long"] | None = None
    type_column: ColumnName | None = None
    labels: dict[str, Text] | None = None

    @model_validator(mode="after")
    def _options(self) -> Column:
        def wrong(option: str, only: str) -> PydanticCustomError:
            return PydanticCustomError(
                "briefs_column_option",
                "column '{column}': '{option}' is only for {only}",
                {"column": self.column, "option": option, "only": only},
            )

        if (self.type == "currency") != (self.currency is not None):
            if self.currency is None:
                raise PydanticCustomError(
                    "briefs_column_option",
                    "column '{column}' of type currency needs 'currency' (e.g. HKD)",
                    {"column": self.column},
                )
            raise wrong("currency", "type: currency")
        if (self.type == "mixed") != (self.type_column is not None):
            if self.type_column is None:
                raise PydanticCustomError(
                    "briefs_column_option",
                    "column '{column}' of type mixed needs 'type_column'",
                    {"column": self.column},
                )
            raise wrong("type_column", "type: mixed")
        if self.digits is not None and self.type in ("text", "integer", "date", "mixed"):
            raise wrong("digits", "number, percent, currency and compact columns")
        if self.date_style is not None and self.type != "date":
            raise wrong("date_style", "type: date")
        if self.labels is not None and self.type != "text":
            raise wrong("labels", "type: text")
        return self


class ChartSpec(Record):
    """How a chart exhibit draws its data: ``x`` categories and one series per ``y`` column."""

    type: Literal["line", "bar", "grouped-bar"]
    x: ColumnName
    y: list[ColumnName] = Field(min_length=1)
    x_label: Text | None = None
    y_label: Text | None = None
    value_labels: bool | None = None  # default: on for bars, off for lines

    @model_validator(mode="after")
    def _series(self) -> ChartSpec:
        if self.type == "bar" and len(self.y) != 1:
            raise PydanticCustomError(
                "briefs_chart",
                "a 'bar' chart draws one series (y: [column]); use 'grouped-bar' for {n}",
                {"n": len(self.y)},
            )
        if self.type == "grouped-bar" and len(self.y) < 2:
            raise PydanticCustomError("briefs_chart", "a 'grouped-bar' chart needs at least two series in 'y'", {})
        return self


class Exhibit(Record):
    """A numbered chart or table drawn from a data file in the brief's folder."""

    id: Id
    kind: Literal["chart", "table"]
    after: Id  # the section it follows
    title: Text
    source: Text  # printed as 资料来源：… / Source: …
    note: Text | None = None
    data: str = Field(min_length=1)  # CSV or YAML file, relative to the brief's folder
    columns: list[Column] = Field(min_length=1)
    chart: ChartSpec | None = None

    @model_validator(mode="after")
    def _kind(self) -> Exhibit:
        if (self.kind == "chart") != (self.chart is not None):
            raise PydanticCustomError(
                "briefs_exhibit_kind",
                "exhibit '{id}': a chart needs 'chart' and a table must not have one",
                {"id": self.id},
            )
        return self


class KeyDatum(Record):
    """One line of the first page's key-data box: a label and its figure, in every language."""

    label: Text
    value: Text


class Approval(Record):
    """Compliance sign-off: who approved the brief for release, and on which day."""

    by: Id
    date: Date


def _no_repeats(items: list[Any]) -> list[Any]:
    """A list of ids names each once (an analyst listed twice would sign twice)."""
    seen: set[str] = set()
    for item in items:
        if isinstance(item, str):
            if item in seen:
                raise PydanticCustomError("briefs_repeat", "lists '{item}' twice", {"item": item})
            seen.add(item)
    return items


class Brief(Record):
    """One brief, as written in content/<id>/brief.yaml."""

    id: Id
    kind: Id
    date: Date
    sector: Text | None = None
    title: Text
    subtitle: Text | None = None
    rating: RatingRef | None = None
    analysts: Annotated[list[Id], AfterValidator(_no_repeats)] = []
    contacts: Annotated[list[Id], AfterValidator(_no_repeats)] = []
    chain: ChainRef | None = None
    key_points: list[Text] = Field(min_length=1)
    sections: list[Section] = Field(min_length=1)
    companies: list[CompanyGroup] = []
    risks: Annotated[list[RiskItem], Field(min_length=1), AfterValidator(_no_repeats)]
    related_reports: list[RelatedReport] = []
    sources: list[SourceRef] = []
    exhibits: list[Exhibit] = []
    approval: Approval | None = None  # without it the brief is a draft: DRAFT on every page
    # The language the brief is written in first; none: the project's ([tool.briefs] source).
    source: Annotated[str, AfterValidator(check_source)] | None = None
    key_data: list[KeyDatum] = Field(default=[], max_length=8)  # the sidebar's market/key data box
    # A company note (briefs.model.company): the security rated, target, reference price, data.
    security: Security | None = None
    target_price: TargetPrice | None = None
    price: ReferencePrice | None = None
    estimates: EstimatesData | None = None
    price_history: PriceHistory | None = None
    # Rated picks: ratings, targets and estimates of the companies table's companies.
    picks: Picks | None = None

    # Set by the loader (never from YAML): why the approval no longer covers the brief's content.
    _unbound: str | None = PrivateAttr(default=None)

    @property
    def draft(self) -> bool:
        """No compliance approval, or one that no longer covers the content it was given for
        (:mod:`briefs.compliance.approvals`): every output says DRAFT and none may be distributed.

        The one answer to "is this a draft?": the build records it with each output, and
        ``briefs distribute`` decides from that record and this brief, never from a template."""
        return self.approval is None or self._unbound is not None

    @property
    def approval_unbound(self) -> str | None:
        """Why the approval in brief.yaml does not count (changed since, no record), or None."""
        return self._unbound

    def with_unbound_approval(self, reason: str) -> Brief:
        """This brief, a draft again: its approval does not cover its content (``reason`` says why)."""
        copy = self.model_copy()
        copy._unbound = reason
        return copy
