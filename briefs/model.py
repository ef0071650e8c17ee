"""The content model: frozen, typed records validated from YAML (schema in docs/content-model.md).

Every stage after loading receives these objects and never a raw dict. Texts are mappings from
language tag to string; which languages are required comes from the project configuration, passed
as pydantic validation context (``{"languages": (...)}``), so the model itself is language-neutral.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Literal, Union

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    ValidationInfo,
    model_validator,
)
from pydantic_core import PydanticCustomError

from .languages import DEFAULT_LANGUAGES, KNOWN_LANGUAGES

_ID_RE = re.compile(r"[a-z][a-z0-9]*(?:-[a-z0-9]+)*")
_LICENCE_RE = re.compile(r"S[0-9]{13}")
_EMAIL_RE = re.compile(r"[^@\s]+@[^@\s]+\.[A-Za-z]{2,}")
_TICKER_RE = re.compile(r"[0-9A-Z]{1,6}(?:\.[A-Z]{1,2})")
_DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_URL_RE = re.compile(r"https://[^\s<>\"]+")


def _check_id(value: str) -> str:
    if not _ID_RE.fullmatch(value) or len(value) > 64:
        raise PydanticCustomError(
            "briefs_id", "invalid id '{value}': use lower-case letters, digits and single '-', "
            "starting with a letter", {"value": value})
    return value


def _check_text(value: dict[str, str], info: ValidationInfo) -> dict[str, str]:
    required = tuple((info.context or {}).get("languages", DEFAULT_LANGUAGES))
    for lang in value:
        if lang not in KNOWN_LANGUAGES:
            raise PydanticCustomError(
                "briefs_language", "unknown language '{lang}' (languages are {known})",
                {"lang": lang, "known": ", ".join(KNOWN_LANGUAGES)})
    for lang in required:
        if lang not in value:
            raise PydanticCustomError(
                "briefs_missing_language", "missing the '{lang}' text", {"lang": lang})
        if not value[lang].strip():
            raise PydanticCustomError(
                "briefs_blank_language", "the '{lang}' text is blank", {"lang": lang})
    return value


def _check_source(value: str, info: ValidationInfo) -> str:
    """A brief's ``source:``: one of the project's own languages (not a derived edition)."""
    languages = tuple((info.context or {}).get("languages", DEFAULT_LANGUAGES))
    if value not in languages:
        raise PydanticCustomError(
            "briefs_source", "source '{lang}' is not one of the project's languages ({languages})",
            {"lang": value, "languages": ", ".join(languages)})
    return value


def _check_licence(value: str) -> str:
    if not _LICENCE_RE.fullmatch(value):
        raise PydanticCustomError(
            "briefs_licence", "malformed licence number '{value}': expected 'S' followed by 13 "
            "digits, e.g. S0990523010001", {"value": value})
    return value


def _check_email(value: str) -> str:
    if not _EMAIL_RE.fullmatch(value):
        raise PydanticCustomError("briefs_email", "malformed e-mail address '{value}'", {"value": value})
    return value


def _check_ticker(value: str) -> str:
    if not _TICKER_RE.fullmatch(value):
        raise PydanticCustomError(
            "briefs_ticker", "malformed ticker '{value}': expected CODE.EXCHANGE such as "
            "600941.SH, 0700.HK or KC.O", {"value": value})
    return value


def _check_url(value: str) -> str:
    if not _URL_RE.fullmatch(value):
        raise PydanticCustomError("briefs_url", "URL must start with https:// ('{value}')", {"value": value})
    return value


def _check_date_text(value: Any) -> Any:
    if not (isinstance(value, str) and _DATE_RE.fullmatch(value)):
        raise PydanticCustomError("briefs_date", "dates are written YYYY-MM-DD, not '{value}'",
                                  {"value": value})
    return value


Id = Annotated[str, AfterValidator(_check_id)]
# Only the text form YYYY-MM-DD: pydantic alone would also take 1739664000 or a date-time.
Date = Annotated[dt.date, BeforeValidator(_check_date_text)]
Text = Annotated[dict[str, str], AfterValidator(_check_text)]
Licence = Annotated[str, AfterValidator(_check_licence)]
Email = Annotated[str, AfterValidator(_check_email)]
Ticker = Annotated[str, AfterValidator(_check_ticker)]
Url = Annotated[str, AfterValidator(_check_url)]


class Record(BaseModel):
    """Base of every content record: immutable, and unknown keys are errors."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=False)


# ----------------------------------------------------------------------------- shared content


class House(Record):
    """The publishing house."""

    name: Text
    short_name: Text
    research_unit: Text
    qualification: Text
    address: Text
    website: Url


class Analyst(Record):
    """A person on the brief: a signing analyst (licensed), a contact, or a compliance reviewer."""

    id: Id
    name: Text
    role: Literal["analyst", "contact", "compliance"]
    licence: Licence | None = None
    email: Email
    phone: str | None = None
    bio: Text | None = None

    @model_validator(mode="after")
    def _signing_needs_licence(self) -> Analyst:
        if self.role == "analyst" and not self.licence:
            raise PydanticCustomError(
                "briefs_licence_missing", "signing analyst '{id}' needs a licence number",
                {"id": self.id})
        return self


class AnalystList(Record):
    """analysts.yaml."""

    analysts: list[Analyst] = Field(min_length=1)



class Benchmark(Record):
    """The benchmark index of one market."""

    market: Id
    market_name: Text
    index: Text


# A band's bound, in percent of relative return: a loss cannot pass -100 %, and 1000 % is far
# beyond any rating band (and keeps the printed sentence within what Babel can format).
BandPercent = Annotated[float, Field(ge=-100, le=1000)]


class RatingValue(Record):
    """One value of a scale, defined by its band of relative return (percent) or by its own text."""

    id: Id
    label: Text
    min: BandPercent | None = None
    max: BandPercent | None = None
    definition: Text | None = None

    @model_validator(mode="after")
    def _band(self) -> RatingValue:
        banded = self.min is not None or self.max is not None
        if banded == (self.definition is not None):
            raise PydanticCustomError(
                "briefs_rating_band", "rating value '{id}' needs either min/max bounds or a "
                "definition, not both and not neither", {"id": self.id})
        if self.min is not None and self.max is not None and self.min >= self.max:
            raise PydanticCustomError(
                "briefs_rating_band", "rating value '{id}': min must be below max", {"id": self.id})
        return self


class RatingScale(Record):
    """A rating scale with its horizon."""

    id: Id
    name: Text
    horizon_months: tuple[int, int]
    values: list[RatingValue] = Field(min_length=1)

    @model_validator(mode="after")
    def _horizon(self) -> RatingScale:
        low, high = self.horizon_months
        if not 0 < low <= high:
            raise PydanticCustomError("briefs_horizon", "horizon_months must be [from, to] with 0 < from <= to", {})
        return self

    def value(self, value_id: str) -> RatingValue | None:
        """The value with that id, if any."""
        return next((v for v in self.values if v.id == value_id), None)


class Ratings(Record):
    """ratings.yaml: the rating scales and the benchmark per market."""

    basis_months: int = Field(gt=0)
    benchmarks: list[Benchmark] = Field(min_length=1)
    scales: list[RatingScale] = Field(min_length=1)


    def scale(self, scale_id: str) -> RatingScale | None:
        """The scale with that id, if any."""
        return next((s for s in self.scales if s.id == scale_id), None)


class Disclaimer(Record):
    """One reviewed compliance text; briefs cite it by id, and its version is printed."""

    id: Id
    version: str = Field(min_length=1)
    title: Text
    text: Text


class DisclaimerList(Record):
    """disclaimers.yaml."""

    disclaimers: list[Disclaimer] = Field(min_length=1)



class Kind(Record):
    """A kind of brief and the compliance furniture it must carry."""

    id: Id
    label: Text
    rating: Literal["required", "optional", "forbidden"]
    rating_scale: Id | None = None
    disclaimers: list[Id] = Field(min_length=1)
    rating_definitions: bool
    analysts_required: bool
    # The kind's own page template, looked up along the theme's search path (briefs/theme.py);
    # none: the theme's brief.html.
    template: str | None = None


class KindList(Record):
    """kinds.yaml."""

    kinds: list[Kind] = Field(min_length=1)



class Risk(Record):
    """A risk factor from the library."""

    id: Id
    title: Text
    text: Text


class RiskList(Record):
    """risks.yaml."""

    risks: list[Risk] = Field(min_length=1)



class Segment(Record):
    """A beneficiary segment of a chain stage."""

    id: Id
    label: Text


class Stage(Record):
    """A stage of a thesis chain."""

    id: Id
    label: Text
    narrative: Text
    segments: list[Segment] = []


class Chain(Record):
    """A thesis chain such as 大模型 → 训练算力 → AI应用 → 推理算力."""

    id: Id
    title: Text
    stages: list[Stage] = Field(min_length=2)


    def stage(self, stage_id: str) -> Stage | None:
        """The stage with that id, if any."""
        return next((s for s in self.stages if s.id == stage_id), None)

    def segment(self, segment_id: str) -> Segment | None:
        """The segment with that id in any stage, if any."""
        return next((s for st in self.stages for s in st.segments if s.id == segment_id), None)


class ChainList(Record):
    """chains.yaml."""

    chains: list[Chain] = Field(min_length=1)



# ----------------------------------------------------------------------------- the brief


class RatingRef(Record):
    """The brief's rating: a value on a scale."""

    scale: Id
    value: Id
    change: Literal["initiated", "maintained", "upgraded", "downgraded"] | None = None


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
                "briefs_section_body", "section '{id}' needs exactly one of 'body' or 'body_file'",
                {"id": self.id})
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
            raise PydanticCustomError(
                "briefs_group", "a company group needs exactly one of 'segment' or 'label'", {})
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
    """A source the brief relies on."""

    text: Text
    url: Url | None = None


# ----------------------------------------------------------------------------- exhibits

COLUMN_TYPES = ("text", "integer", "number", "percent", "currency", "compact", "date", "mixed")
CHART_TYPES = ("line", "bar", "grouped-bar")
_CURRENCY_RE = re.compile(r"[A-Z]{3}")


def _check_currency(value: str) -> str:
    if not _CURRENCY_RE.fullmatch(value):
        raise PydanticCustomError("briefs_currency", "currency must be an ISO 4217 code such as "
                                  "CNY, HKD or USD, not '{value}'", {"value": value})
    return value


def _check_column_name(value: str) -> str:
    if not value.strip() or value != value.strip():
        raise PydanticCustomError("briefs_column", "column name '{value}' is blank or has "
                                  "leading/trailing spaces", {"value": value})
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
            return PydanticCustomError("briefs_column_option", "column '{column}': '{option}' is "
                                       "only for {only}", {"column": self.column, "option": option,
                                                           "only": only})
        if (self.type == "currency") != (self.currency is not None):
            if self.currency is None:
                raise PydanticCustomError("briefs_column_option", "column '{column}' of type "
                                          "currency needs 'currency' (e.g. HKD)", {"column": self.column})
            raise wrong("currency", "type: currency")
        if (self.type == "mixed") != (self.type_column is not None):
            if self.type_column is None:
                raise PydanticCustomError("briefs_column_option", "column '{column}' of type mixed "
                                          "needs 'type_column'", {"column": self.column})
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
    value_labels: bool | None = None   # default: on for bars, off for lines

    @model_validator(mode="after")
    def _series(self) -> ChartSpec:
        if self.type == "bar" and len(self.y) != 1:
            raise PydanticCustomError("briefs_chart", "a 'bar' chart draws one series (y: [column]); "
                                      "use 'grouped-bar' for {n}", {"n": len(self.y)})
        if self.type == "grouped-bar" and len(self.y) < 2:
            raise PydanticCustomError("briefs_chart", "a 'grouped-bar' chart needs at least two "
                                      "series in 'y'", {})
        return self


class Exhibit(Record):
    """A numbered chart or table drawn from a data file in the brief's folder."""

    id: Id
    kind: Literal["chart", "table"]
    after: Id                                 # the section it follows
    title: Text
    source: Text                              # printed as 资料来源：… / Source: …
    note: Text | None = None
    data: str = Field(min_length=1)           # CSV or YAML file, relative to the brief's folder
    columns: list[Column] = Field(min_length=1)
    chart: ChartSpec | None = None

    @model_validator(mode="after")
    def _kind(self) -> Exhibit:
        if (self.kind == "chart") != (self.chart is not None):
            raise PydanticCustomError(
                "briefs_exhibit_kind", "exhibit '{id}': a chart needs 'chart' and a table must not "
                "have one", {"id": self.id})
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
    source: Annotated[str, AfterValidator(_check_source)] | None = None
    key_data: list[KeyDatum] = Field(default=[], max_length=8)  # the sidebar's market/key data box

    @property
    def draft(self) -> bool:
        """No compliance approval yet: every output says DRAFT and none may be distributed.

        The one answer to "is this a draft?": the build records it with each output, and
        ``briefs distribute`` decides from that record and this brief, never from a template."""
        return self.approval is None

