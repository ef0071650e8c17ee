"""Stage 2 (localize): a loaded brief + the shared library → a ``LocalizedBrief`` for one language.

The result holds only display-ready strings and ``Markup`` (rendered Markdown) for that language;
templates do no lookups, no formatting and no language switching of their own.
"""

from __future__ import annotations

import gettext
from dataclasses import dataclass

from markupsafe import Markup

from briefs.compliance.ratings import ScaleDefinitions, basis_sentence, rating_action, scale_definitions
from briefs.exhibits.numbering import Ref, references
from briefs.exhibits.views import exhibit_view
from briefs.ledger.records import Ledger
from briefs.load.loaded import Library, LoadedBrief
from briefs.localize.citations import citation_marks, source_views
from briefs.localize.company import CompanyNoteView, company_view
from briefs.localize.conflicts import ConflictsView, conflicts_view
from briefs.localize.i18n import Edition, format_date
from briefs.localize.picks import PicksView, picks_view
from briefs.localize.views import (
    BenchmarkView,
    ChainView,
    CompanyView,
    DatedText,
    GroupView,
    HouseView,
    PersonView,
    RatingView,
    SectionView,
    SegmentView,
    SourceView,
    StageView,
    TitledText,
)
from briefs.model import brief as m
from briefs.model import library_records as lib
from briefs.project.languages import other_script
from briefs.render.citations import CitationMarks
from briefs.render.fonts import FONTS
from briefs.render.markdown import HeadingIds, render_block, render_inline


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
    sources: tuple[SourceView, ...]  # in number order (first citation), with links back
    disclaimers: tuple[TitledText, ...]
    rating_definitions: tuple[ScaleDefinitions, ...]
    rating_basis: str | None
    benchmarks: tuple[BenchmarkView, ...]
    house: HouseView
    companies_ref: Ref | None = None  # the companies table's anchor and number label (表2 / Table 2)
    draft: bool = True  # no compliance approval yet: DRAFT on every page
    key_data: tuple[tuple[str, str], ...] = ()  # (label, figure) for the sidebar
    company: CompanyNoteView | None = None  # a company note's rating box, estimates and price chart
    translation_notice: str | None = None  # a translated edition says so on its first page
    picks: PicksView | None = None  # a rated companies table (ratings, targets, estimates); None: unrated
    conflicts: ConflictsView | None = None  # the conflicts of interest (conflicts.yaml), as of its date
    compact: bool = False  # the kind sets its disclosures compact (two columns, smaller type)
    risk_summary: str | None = None  # one line closing the key points: 风险提示：… / Risks: …


def _other(text: dict[str, str], t: Edition) -> str:
    """The name in the other script, shown beside the primary one (林清 Lin Qing / Lin Qing 林清);
    which language that is comes from the language table."""
    other = other_script(text, t.lang)
    return "" if other == t.text(text) else other


def _body(
    loaded: LoadedBrief, section_id: str, t: Edition, refs: dict[str, Ref], ids: HeadingIds, marks: CitationMarks
) -> Markup:
    own = loaded.bodies.get((section_id, t.lang))
    if own is not None:
        return render_block(t.typeset(own.text), refs=refs, ids=ids, citations=marks, lang=t.lang)
    assert t.source is not None  # own languages are resolved by the loader
    text, convert = t.derive_markdown(loaded.bodies[(section_id, t.source)].text)
    return render_block(text, refs=refs, ids=ids, convert=convert, citations=marks, lang=t.lang)


def _block(
    value: dict[str, str],
    t: Edition,
    ids: HeadingIds,
    refs: dict[str, Ref] | None = None,
    marks: CitationMarks | None = None,
) -> Markup:
    """Markdown blocks in the edition (a derived edition converts prose only, after parsing);
    ``marks``: the brief's own texts cite its sources."""
    text, convert = t.markdown(value)
    return render_block(text, refs=refs, ids=ids, convert=convert, citations=marks, lang=t.lang)


def _inline(value: dict[str, str], t: Edition, marks: CitationMarks | None = None) -> Markup:
    text, convert = t.markdown(value)
    return render_inline(text, convert=convert, citations=marks, lang=t.lang)


def localize(
    loaded: LoadedBrief,
    library: Library,
    t: Edition,
    tr: gettext.NullTranslations,
    source: str | None = None,
    ledger: Ledger | None = None,
) -> LocalizedBrief:
    """Produce the one-language view of a brief written first in ``source`` (its language, or the
    project's): an edition translated from it prints the house's notice for that original."""
    brief = loaded.brief
    kind = library.kind(brief.kind)
    assert kind is not None  # guaranteed by load
    refs = references(brief, t, tr)
    font = FONTS[t.lang].sans
    # One set of heading ids for the whole document, claimed in reading order: body text first.
    ids = HeadingIds()
    # Citations numbered from the original's text, the same in every edition; anchors handed
    # out in reading order (key points, sections, own risks), for the sources list to link back.
    original = source or t.source or t.lang
    marks = citation_marks(loaded, original, tr)
    key_points = tuple(_block(p, t, ids, refs, marks) for p in brief.key_points)
    sections = tuple(
        SectionView(
            s.id,
            t.text(s.heading),
            _body(loaded, s.id, t, refs, ids, marks),
            tuple(exhibit_view(loaded.exhibits[e.id], t, refs[e.id], font) for e in brief.exhibits if e.after == s.id),
        )
        for s in brief.sections
    )
    chain = _chain(brief, library, t, refs, ids)
    risks = tuple(_risk(r, library, t, i, marks) for i, r in enumerate(brief.risks))
    companies = _companies(brief, library, t)
    picks_scale = library.ratings.scale(brief.picks.scale) if brief.picks is not None else None
    return LocalizedBrief(
        lang=t.lang,
        id=brief.id,
        kind_id=kind.id,
        kind_label=t.text(kind.label),
        date=format_date(brief.date, t.lang),
        date_iso=brief.date.isoformat(),
        title=t.text(brief.title),
        subtitle=t.text(brief.subtitle) if brief.subtitle else None,
        sector=t.text(brief.sector) if brief.sector else None,
        rating=_rating(brief, library, t, tr),
        analysts=tuple(_person(library, a, t, ids) for a in brief.analysts),
        contacts=tuple(_person(library, a, t, ids) for a in brief.contacts),
        key_points=key_points,
        sections=sections,
        chain=chain,
        companies=companies,
        risks=risks,
        related_reports=tuple(
            DatedText(t.text(r.title), format_date(r.date, t.lang), r.date.isoformat())
            for r in sorted(brief.related_reports, key=lambda r: r.date, reverse=True)  # newest first
        ),
        sources=source_views(loaded, original, marks, {i: t.text(s.text) for i, s in enumerate(brief.sources)}),
        disclaimers=tuple(_disclaimer(library, d, t, ids) for d in library.disclaimer_ids(kind, t.lang)),
        rating_definitions=(scale_definitions(library.ratings, t, tr) if kind.rating_definitions else ()),
        rating_basis=basis_sentence(library.ratings, tr) if kind.rating_definitions else None,
        benchmarks=tuple(BenchmarkView(t.text(b.market_name), t.text(b.index)) for b in library.ratings.benchmarks)
        if kind.rating_definitions
        else (),
        house=_house(library.house, t),
        companies_ref=refs.get("companies"),
        draft=brief.draft,
        key_data=tuple((t.text(d.label), t.text(d.value)) for d in brief.key_data),
        company=company_view(loaded, library, t, tr, font, ledger) if kind.company else None,
        translation_notice=_translation_notice(library.house, source, t),
        picks=picks_view(brief, loaded.picks, companies, picks_scale, t, tr),
        conflicts=conflicts_view(brief, library, t),
        compact=kind.disclosures == "compact",
        risk_summary=_risk_summary(risks, tr),
    )


def _risk_summary(risks: tuple[TitledText, ...], tr: gettext.NullTranslations) -> str | None:
    """The key points' closing line: the titles of the brief's risk factors, in their order."""
    titles = [r.title for r in risks]
    if not titles:
        return None
    return tr.gettext("; ").join(titles)


def _translation_notice(house: lib.House, source: str | None, t: Edition) -> str | None:
    """The house's notice in an edition translated from ``source`` (not the original, nor one converted from it)."""
    notice = house.translation_notice.get(source) if source is not None else None
    if notice is None or (t.source or t.lang) == source:
        return None
    return t.text(notice)


def _house(house: lib.House, t: Edition) -> HouseView:
    return HouseView(
        t.text(house.name),
        t.text(house.short_name),
        t.text(house.research_unit),
        t.text(house.qualification),
        t.text(house.address),
        house.website,
        house.cjk_latin_spacing,
    )


def _rating(brief: m.Brief, library: Library, t: Edition, tr: gettext.NullTranslations) -> RatingView | None:
    from briefs.compliance.ratings import define

    if brief.rating is None:
        return None
    scale = library.ratings.scale(brief.rating.scale)
    assert scale is not None
    value = scale.value(brief.rating.value)
    assert value is not None
    previous = scale.value(brief.rating.previous) if brief.rating.previous else None
    change: str | None = brief.rating.change
    if change is None and (previous is not None or getattr(library.kind(brief.kind), "company", False)):
        change = rating_action(scale, value.id, brief.rating.previous)  # a company note: from 'previous'
    actions = {
        "initiated": tr.gettext("initiated"),
        "maintained": tr.gettext("maintained"),
        "upgraded": tr.gettext("upgraded"),
        "downgraded": tr.gettext("downgraded"),
    }
    headings = {"industry": tr.gettext("Industry rating"), "company": tr.gettext("Company rating")}
    return RatingView(
        heading=headings.get(scale.id, tr.gettext("Rating")),
        action=(tr.gettext(" (%(action)s)") % {"action": actions[change]}) if change else None,
        benchmark=t.text(library.ratings.benchmarks[0].index),  # the house's home market, listed first
        scale_id=scale.id,
        scale_name=t.text(scale.name),
        value_id=value.id,
        label=t.text(value.label),
        change=actions[change] if change else None,  # one wording (lower case) in every place
        definition=define(value, scale, t, tr),
        previous=t.text(previous.label) if previous is not None else None,
    )


def _person(library: Library, person_id: str, t: Edition, ids: HeadingIds) -> PersonView:
    person = library.analyst(person_id)
    assert person is not None
    return PersonView(
        id=person.id,
        name=t.text(person.name),
        alt_name=_other(person.name, t),
        role=person.role,
        licence=person.licence,
        email=person.email,
        phone=person.phone,
        bio=_block(person.bio, t, ids) if person.bio else None,
    )


def _chain(brief: m.Brief, library: Library, t: Edition, refs: dict[str, Ref], ids: HeadingIds) -> ChainView | None:
    if brief.chain is None:
        return None
    chain = library.chain(brief.chain.id)
    assert chain is not None
    in_table = {g.segment for g in brief.companies if g.segment is not None}
    ref = refs["chain"]
    return ChainView(
        id=chain.id,
        title=t.text(chain.title),
        stages=tuple(
            StageView(
                id=stage.id,
                label=t.text(stage.label),
                current=stage.id == brief.chain.stage,
                narrative=_block(stage.narrative, t, ids),
                segments=tuple(
                    SegmentView(s.id, t.text(s.label), f"#segment-{s.id}" if s.id in in_table else None)
                    for s in stage.segments
                ),
            )
            for stage in chain.stages
        ),
        anchor=ref.anchor,
        label=ref.label,
    )


def _companies(brief: m.Brief, library: Library, t: Edition) -> tuple[GroupView, ...]:
    chain = library.chain(brief.chain.id) if brief.chain else None
    groups = []
    for group in brief.companies:
        if group.segment is not None:
            assert chain is not None
            segment = chain.segment(group.segment)
            assert segment is not None
            label = t.text(segment.label)
        else:
            assert group.label is not None
            label = t.text(group.label)
        companies = tuple(CompanyView(t.text(c.name), c.ticker) for c in group.companies)
        groups.append(GroupView(label, group.segment, companies))
    return tuple(groups)


def _risk(risk: str | m.OwnRisk, library: Library, t: Edition, index: int, marks: CitationMarks) -> TitledText:
    if isinstance(risk, str):
        found = library.risk(risk)
        assert found is not None
        return TitledText(found.id, t.text(found.title), _inline(found.text, t))
    return TitledText(f"own-{index + 1}", t.text(risk.title), _inline(risk.text, t, marks))


def _disclaimer(library: Library, disclaimer_id: str, t: Edition, ids: HeadingIds) -> TitledText:
    found = library.disclaimer(disclaimer_id)
    assert found is not None
    return TitledText(found.id, t.text(found.title), _block(found.text, t, ids), found.version)
