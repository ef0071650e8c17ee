"""The portal's view of the briefs: one frozen :class:`PortalEntry` per brief, made from the
loaded model, with every text already in every edition of the project.

Entries are also kept between builds (``<out>/.briefs/portal.json``, :mod:`briefs.portal.state`),
so that a build of some briefs still lists the others already in the output folder; a record
read back from there that is damaged is dropped, never trusted.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from briefs.load.loaded import Library, LoadedBrief
from briefs.localize.i18n import Edition
from briefs.project.languages import LANGUAGES

Texts = Mapping[str, str]  # language tag -> text


@dataclass(frozen=True)
class Labelled:
    """An id with its label in every edition (a kind, a rating, an analyst, a sector)."""

    id: str
    label: Texts

    def json(self) -> dict[str, Any]:
        return {"id": self.id, "label": dict(self.label)}

    @classmethod
    def parse(cls, raw: Any) -> Labelled | None:
        if not isinstance(raw, dict) or not isinstance(raw.get("id"), str):
            return None
        label = _texts(raw.get("label"))
        return None if label is None else cls(raw["id"], label)


@dataclass(frozen=True)
class PortalEntry:
    """One brief as the portal lists it."""

    id: str
    date: dt.date
    updated: dt.date  # the later of the brief's date and its approval's
    draft: bool
    kind: Labelled
    sector: Labelled | None
    rating: Labelled | None
    analysts: tuple[Labelled, ...]
    title: Texts
    summary: Texts  # the first key point, as plain text

    def json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "date": self.date.isoformat(),
            "updated": self.updated.isoformat(),
            "draft": self.draft,
            "kind": self.kind.json(),
            "sector": None if self.sector is None else self.sector.json(),
            "rating": None if self.rating is None else self.rating.json(),
            "analysts": [a.json() for a in self.analysts],
            "title": dict(self.title),
            "summary": dict(self.summary),
        }

    @classmethod
    def parse(cls, raw: Any) -> PortalEntry | None:
        """An entry as :meth:`json` wrote it; None for anything else."""
        if not isinstance(raw, dict) or not isinstance(raw.get("id"), str) or not isinstance(raw.get("draft"), bool):
            return None
        try:
            date, updated = dt.date.fromisoformat(raw["date"]), dt.date.fromisoformat(raw["updated"])
        except (KeyError, TypeError, ValueError):
            return None
        kind = Labelled.parse(raw.get("kind"))
        title, summary = _texts(raw.get("title")), _texts(raw.get("summary"))
        analysts = raw.get("analysts")
        if kind is None or title is None or summary is None or not isinstance(analysts, list):
            return None
        people = [Labelled.parse(a) for a in analysts]
        sector = Labelled.parse(raw["sector"]) if raw.get("sector") is not None else None
        rating = Labelled.parse(raw["rating"]) if raw.get("rating") is not None else None
        if any(p is None for p in people) or (raw.get("sector") is not None and sector is None):
            return None
        if raw.get("rating") is not None and rating is None:
            return None
        return cls(raw["id"], date, updated, raw["draft"], kind, sector, rating,
                   tuple(p for p in people if p is not None), title, summary)  # fmt: skip


def _texts(raw: Any) -> dict[str, str] | None:
    if not isinstance(raw, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in raw.items()):
        return None
    return dict(raw)


_CITED = "\ue000"  # (private use) where a citation stood in the rendered summary (taken out with the space before it)


def plain(markdown: str) -> str:
    """The text of an inline Markdown string, without its markup and without its citations
    (``[@id]``: a summary carries no reference numbers), for a summary."""
    from lxml import html as lxml_html
    from markdown_it import MarkdownIt

    from briefs.render.citations import CITATION, citation_plugin

    md = MarkdownIt("commonmark").use(citation_plugin)
    md.add_render_rule(CITATION, lambda *_: _CITED)
    rendered = md.renderInline(markdown).strip()
    if not rendered:
        return ""
    text: str = lxml_html.fragment_fromstring(rendered, create_parent="span").text_content()
    return " ".join(re.sub(f"\\s*{_CITED}", "", text).split())


def entry_of(loaded: LoadedBrief, library: Library, editions: Sequence[Edition]) -> PortalEntry:
    """The portal entry of one loaded brief, its texts in each of ``editions``.

    What the library does not define (an analyst, kind or rating the checks would report) is
    shown by its id rather than breaking the portal."""
    brief = loaded.brief

    def each(value: Mapping[str, str]) -> dict[str, str]:
        return {e.lang: e.text(value) for e in editions}

    def named(ident: str, value: Mapping[str, str] | None) -> Labelled:
        return Labelled(ident, each(value) if value is not None else {e.lang: ident for e in editions})

    kind = library.kind(brief.kind)
    rating = None
    if brief.rating is not None:
        scale = library.ratings.scale(brief.rating.scale)
        value = scale.value(brief.rating.value) if scale is not None else None
        rating = named(brief.rating.value, value.label if value is not None else None)
    sector = None
    if brief.sector is not None:
        sector_texts = each(brief.sector)
        latin = [text for tag, text in brief.sector.items() if tag in LANGUAGES and not LANGUAGES[tag].han]
        ident = next(iter(latin), "") or next(iter(brief.sector.values()), "")  # a filter value in Latin letters
        sector = Labelled("-".join(ident.split()).lower() or "-", sector_texts)
    analysts = []
    for person_id in brief.analysts:
        person = library.analyst(person_id)
        analysts.append(named(person_id, person.name if person is not None else None))
    return PortalEntry(
        id=brief.id,
        date=brief.date,
        updated=max(brief.date, brief.approval.date) if brief.approval is not None else brief.date,
        draft=brief.draft,
        kind=named(brief.kind, kind.label if kind is not None else None),
        sector=sector,
        rating=rating,
        analysts=tuple(analysts),
        title=each(brief.title),
        summary={lang: plain(text) for lang, text in each(brief.key_points[0]).items()},
    )


def newest_first(entries: Sequence[PortalEntry]) -> list[PortalEntry]:
    """Newest brief first; the same day by id, so the order never depends on the build."""
    return sorted(sorted(entries, key=lambda e: e.id), key=lambda e: e.date, reverse=True)
