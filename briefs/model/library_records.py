"""The shared records of a project (``content/_shared``): the house, its analysts, benchmarks,
rating scales, disclaimers, kinds of brief, risks and industry chains. Frozen, typed, validated
from YAML like the brief itself (:mod:`briefs.model.brief`; schema in docs/content-model.md).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    Field,
    ValidationInfo,
    model_validator,
)
from pydantic_core import PydanticCustomError

from briefs.model.fields import Email, Id, Licence, Record, Text, Url
from briefs.project.languages import DEFAULT_LANGUAGES, KNOWN_LANGUAGES


def _check_notices(value: dict[str, dict[str, str]], info: ValidationInfo) -> dict[str, dict[str, str]]:
    """Known languages throughout; an original the project writes in has the notice in each of the
    project's other languages (others, like a Text's extra languages, are allowed and unused)."""
    languages = tuple((info.context or {}).get("languages", DEFAULT_LANGUAGES))
    for original, texts in value.items():
        for lang in (original, *texts):
            if lang not in KNOWN_LANGUAGES:
                raise PydanticCustomError(
                    "briefs_notice",
                    "translation_notice: unknown language '{lang}' (languages are {known})",
                    {"lang": lang, "known": ", ".join(KNOWN_LANGUAGES)},
                )
        if original in texts:
            raise PydanticCustomError(
                "briefs_notice",
                "translation_notice.{original}: an original is not a translation of itself (remove '{original}')",
                {"original": original},
            )
        for lang in languages:
            if original in languages and lang != original and not texts.get(lang, "").strip():
                raise PydanticCustomError(
                    "briefs_notice",
                    "translation_notice.{original}: missing the '{lang}' text",
                    {"original": original, "lang": lang},
                )
    return value


# Original language → the notice each translated edition prints on its first page, in its language.
TranslationNotices = Annotated[dict[str, dict[str, str]], AfterValidator(_check_notices)]


class House(Record):
    """The publishing house."""

    name: Text
    short_name: Text
    research_unit: Text
    qualification: Text
    address: Text
    website: Url
    translation_notice: TranslationNotices = {}
    # Between Chinese characters and Latin letters or digits in Chinese editions: "none" (the
    # fonts' own side bearings) or "quarter" (a quarter-em gap drawn by the stylesheet; nothing is
    # added to the text, so search, extraction and the compliance checks see the same words).
    # Typed spaces there are always removed first (localize/i18n.py cjk_spacing).
    cjk_latin_spacing: Literal["none", "quarter"] = "none"


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
                "briefs_licence_missing", "signing analyst '{id}' needs a licence number", {"id": self.id}
            )
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
                "briefs_rating_band",
                "rating value '{id}' needs either min/max bounds or a definition, not both and not neither",
                {"id": self.id},
            )
        if self.min is not None and self.max is not None and self.min >= self.max:
            raise PydanticCustomError(
                "briefs_rating_band", "rating value '{id}': min must be below max", {"id": self.id}
            )
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
    # A company note: names its security, target price and reference price (briefs.model.company).
    company: bool = False
    # The kind's own page template, looked up along the theme's search path (briefs/render/theme.py);
    # none: the theme's brief.html.
    template: str | None = None
    # The layout of the important disclosures: ``compact`` sets them in two columns in smaller
    # type (a one-page flash note then prints on two pages); every element is kept either way.
    disclosures: Literal["full", "compact"] = "full"


class KindList(Record):
    """kinds.yaml."""

    kinds: list[Kind] = Field(min_length=1)


class Jurisdiction(Record):
    """Where editions are published (jurisdictions.yaml): the rule pack their rendered pages must
    pass and the disclaimers they carry instead of a kind's. Which edition belongs to which
    jurisdiction is the language table's ``jurisdiction`` (briefs/project/languages.py)."""

    id: Id
    name: Text
    pack: Id  # a rule pack registered by briefs or a plugin (briefs/plugins.py add_pack)
    entity: Text | None = None  # the licensed entity that distributes there
    licence: str | None = Field(default=None, min_length=1)  # its licence number (Hong Kong: the CE number)
    # A kind's disclaimer id → the texts printed in its place here (in order; [] drops it).
    disclaimers: dict[Id, list[Id]] = {}
    # The words that show each element of the pack that wants them worded (e.g. a heading).
    headings: dict[Id, Text] = {}


class JurisdictionList(Record):
    """jurisdictions.yaml."""

    jurisdictions: list[Jurisdiction] = Field(min_length=1)


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
