"""Stage 2 (localize): a loaded brief + the shared library → a ``LocalizedBrief`` for one language.

The result holds only display-ready strings and ``Markup`` (rendered Markdown) for that language;
templates do no lookups, no formatting and no language switching of their own.
"""

from __future__ import annotations

import gettext
from dataclasses import dataclass

from markupsafe import Markup

from . import model as m
from .compliance import ScaleDefinitions, basis_sentence, scale_definitions
from .i18n import format_date
from .load import Library, LoadedBrief
from .markdown import render_block, render_inline


@dataclass(frozen=True)
class PersonView:
    """An analyst or contact as printed."""

    id: str
    name: str
    alt_name: str
    role: str
    licence: str | None
    email: str
    phone: str | None
    bio: Markup | None


@dataclass(frozen=True)
class RatingView:
    """The brief's rating as printed."""

    scale_id: str
    scale_name: str
    value_id: str
    label: str
    change: str | None
    definition: str


@dataclass(frozen=True)
class SectionView:
    """A body section."""

    id: str
    heading: str
    html: Markup


@dataclass(frozen=True)
class CompanyView:
    """A company line."""

    name: str
    ticker: str | None


@dataclass(frozen=True)
class GroupView:
    """Companies of one segment."""

    label: str
    segment_id: str | None
    companies: tuple[CompanyView, ...]


@dataclass(frozen=True)
class TitledText:
    """A heading with Markdown body (risks, disclaimers)."""

    id: str
    title: str
    html: Markup
    version: str | None = None


@dataclass(frozen=True)
class StageView:
    """A stage of the thesis chain."""

    id: str
    label: str
    current: bool
    narrative: Markup
    segments: tuple[str, ...]


@dataclass(frozen=True)
class ChainView:
    """The thesis chain with the brief's current stage marked."""

    id: str
    title: str
    stages: tuple[StageView, ...]

    @property
    def current(self) -> StageView:
        """The stage the brief says we are in."""
        return next(s for s in self.stages if s.current)


@dataclass(frozen=True)
class DatedText:
    """A related report."""

    title: str
    date: str
    date_iso: str


@dataclass(frozen=True)
class LinkedText:
    """A source line, with an optional https link."""

    text: str
    url: str | None


@dataclass(frozen=True)
class BenchmarkView:
    """A market and its benchmark index."""

    market: str
    index: str


@dataclass(frozen=True)
class HouseView:
    """The house in one language."""

    name: str
    short_name: str
    research_unit: str
    qualification: str
    address: str
    website: str


@dataclass(frozen=True)
class LocalizedBrief:
    """Everything a template needs to print one brief in one language."""

    lang: str
    id: str
    kind_id: str
    kind_label: str
    date: str
    date_iso: str
    title: str
    subtitle: str | None
    sector: str | None
    rating: RatingView | None
    analysts: tuple[PersonView, ...]
    contacts: tuple[PersonView, ...]
    key_points: tuple[Markup, ...]
    sections: tuple[SectionView, ...]
    chain: ChainView | None
    companies: tuple[GroupView, ...]
    risks: tuple[TitledText, ...]
    related_reports: tuple[DatedText, ...]
    sources: tuple[LinkedText, ...]
    disclaimers: tuple[TitledText, ...]
    rating_definitions: tuple[ScaleDefinitions, ...]
    rating_basis: str | None
    benchmarks: tuple[BenchmarkView, ...]
    house: HouseView


def _other(text: dict[str, str], lang: str) -> str:
    """The name in the other script, shown beside the primary one (林清 / Lin Qing)."""
    others = [v for k, v in text.items() if k != lang and v != text[lang]]
    return others[0] if others else ""


def localize(loaded: LoadedBrief, library: Library, lang: str,
             tr: gettext.NullTranslations) -> LocalizedBrief:
    """Produce the one-language view of a brief."""
    brief = loaded.brief
    kind = library.kind(brief.kind)
    assert kind is not None  # guaranteed by load
    return LocalizedBrief(
        lang=lang,
        id=brief.id,
        kind_id=kind.id,
        kind_label=kind.label[lang],
        date=format_date(brief.date, lang),
        date_iso=brief.date.isoformat(),
        title=brief.title[lang],
        subtitle=brief.subtitle[lang] if brief.subtitle else None,
        sector=brief.sector[lang] if brief.sector else None,
        rating=_rating(brief, library, lang, tr),
        analysts=tuple(_person(library, a, lang) for a in brief.analysts),
        contacts=tuple(_person(library, a, lang) for a in brief.contacts),
        key_points=tuple(render_block(p[lang]) for p in brief.key_points),
        sections=tuple(
            SectionView(s.id, s.heading[lang], render_block(loaded.bodies[(s.id, lang)].text))
            for s in brief.sections
        ),
        chain=_chain(brief, library, lang),
        companies=_companies(brief, library, lang),
        risks=tuple(_risk(r, library, lang, i) for i, r in enumerate(brief.risks)),
        related_reports=tuple(
            DatedText(r.title[lang], format_date(r.date, lang), r.date.isoformat())
            for r in brief.related_reports
        ),
        sources=tuple(LinkedText(s.text[lang], s.url) for s in brief.sources),
        disclaimers=tuple(_disclaimer(library, d, lang) for d in kind.disclaimers),
        rating_definitions=(
            scale_definitions(library.ratings, lang, tr) if kind.rating_definitions else ()
        ),
        rating_basis=basis_sentence(library.ratings, tr) if kind.rating_definitions else None,
        benchmarks=tuple(
            BenchmarkView(b.market_name[lang], b.index[lang]) for b in library.ratings.benchmarks
        ) if kind.rating_definitions else (),
        house=_house(library.house, lang),
    )


def _house(house: m.House, lang: str) -> HouseView:
    return HouseView(house.name[lang], house.short_name[lang], house.research_unit[lang],
                     house.qualification[lang], house.address[lang], house.website)


def _rating(brief: m.Brief, library: Library, lang: str,
            tr: gettext.NullTranslations) -> RatingView | None:
    from .compliance import define

    if brief.rating is None:
        return None
    scale = library.ratings.scale(brief.rating.scale)
    assert scale is not None
    value = scale.value(brief.rating.value)
    assert value is not None
    changes = {
        "initiated": tr.gettext("Initiated"),
        "maintained": tr.gettext("Maintained"),
        "upgraded": tr.gettext("Upgraded"),
        "downgraded": tr.gettext("Downgraded"),
    }
    return RatingView(
        scale_id=scale.id,
        scale_name=scale.name[lang],
        value_id=value.id,
        label=value.label[lang],
        change=changes[brief.rating.change] if brief.rating.change else None,
        definition=define(value, scale, lang, tr),
    )


def _person(library: Library, person_id: str, lang: str) -> PersonView:
    person = library.analyst(person_id)
    assert person is not None
    return PersonView(
        id=person.id,
        name=person.name[lang],
        alt_name=_other(person.name, lang),
        role=person.role,
        licence=person.licence,
        email=person.email,
        phone=person.phone,
        bio=render_block(person.bio[lang]) if person.bio else None,
    )


def _chain(brief: m.Brief, library: Library, lang: str) -> ChainView | None:
    if brief.chain is None:
        return None
    chain = library.chain(brief.chain.id)
    assert chain is not None
    return ChainView(
        id=chain.id,
        title=chain.title[lang],
        stages=tuple(
            StageView(
                id=stage.id,
                label=stage.label[lang],
                current=stage.id == brief.chain.stage,
                narrative=render_block(stage.narrative[lang]),
                segments=tuple(s.label[lang] for s in stage.segments),
            )
            for stage in chain.stages
        ),
    )


def _companies(brief: m.Brief, library: Library, lang: str) -> tuple[GroupView, ...]:
    chain = library.chain(brief.chain.id) if brief.chain else None
    groups = []
    for group in brief.companies:
        if group.segment is not None:
            assert chain is not None
            segment = chain.segment(group.segment)
            assert segment is not None
            label = segment.label[lang]
        else:
            assert group.label is not None
            label = group.label[lang]
        companies = tuple(CompanyView(c.name[lang], c.ticker) for c in group.companies)
        groups.append(GroupView(label, group.segment, companies))
    return tuple(groups)


def _risk(risk: str | m.OwnRisk, library: Library, lang: str, index: int) -> TitledText:
    if isinstance(risk, str):
        found = library.risk(risk)
        assert found is not None
        return TitledText(found.id, found.title[lang], render_inline(found.text[lang]))
    return TitledText(f"own-{index + 1}", risk.title[lang], render_inline(risk.text[lang]))


def _disclaimer(library: Library, disclaimer_id: str, lang: str) -> TitledText:
    found = library.disclaimer(disclaimer_id)
    assert found is not None
    return TitledText(found.id, found.title[lang], render_block(found.text[lang]), found.version)
