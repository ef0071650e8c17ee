"""Jurisdictions' rule packs: what every rendered page of an edition must show, by where it is
published.

Each edition is published in a jurisdiction (the language table's ``jurisdiction``: zh-CN and en
in mainland China, zh-HK in Hong Kong), which ``content/_shared/jurisdictions.yaml`` describes:
its rule pack, the disclaimers its editions carry instead of a kind's, and the words of the
elements the pack wants worded. A pack returns its :class:`~briefs.plugins.Requirement` s for one
page; each is looked for in the page's text, as a reader gets it. A missing one fails that
document, at its brief.yaml, naming ``<pack>/<element>`` and the template that must print it.

briefs ships two packs, registered like a plugin's (:mod:`briefs.builtins`):

- ``mainland-china`` (CSRC/SAC): the firm's name and licence statement, each signing analyst's
  name with the S + 13-digit certificate number, the report date, the sources, the rating
  definitions with their benchmarks and horizons, and a risk warning;
- ``hong-kong`` (SFC): the licensed entity's statement with its CE number, the disclosures of the
  SFC Code of Conduct para 16 on a research report (the firm's ≥ 1 % holding, market making,
  investment banking relationship, the analyst's and associates' interests, officer roles: each
  heading, and where the project keeps conflicts.yaml, the statements filled from it for the
  securities the brief names), and the distribution restriction.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from typing import TYPE_CHECKING

from briefs.errors import ComplianceError, Diagnostic, SourceLocation
from briefs.plugins import PageUnderReview, Requirement, registry

if TYPE_CHECKING:
    from briefs.load.loaded import Library
    from briefs.localize.brief import LocalizedBrief
    from briefs.localize.i18n import Edition
    from briefs.model import library_records as lib
    from briefs.project.config import ProjectConfig

MAINLAND = "mainland-china"
HONG_KONG = "hong-kong"
PARA_16 = ("firm-holding", "market-making", "investment-banking", "analyst-interests", "officer-roles")
HONG_KONG_HEADINGS = (*PARA_16, "distribution-restriction")
_SPACE = re.compile(r"\s+")


class _PageText(HTMLParser):
    """The text a reader gets: everything in <body> but scripts and styles."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0
        self._body = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "body":
            self._body = True
        elif tag in ("script", "style", "template"):
            self._skip += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "template") and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if self._body and not self._skip:
            self.parts.append(data)


def page_text(html: str) -> str:
    """A page's text, white space collapsed to single spaces."""
    parser = _PageText()
    parser.feed(html)
    parser.close()
    return squeeze("".join(parser.parts))


def squeeze(text: str) -> str:
    """White space collapsed (a requirement's text is found however the page wraps it)."""
    return _SPACE.sub(" ", text).strip()


# ----------------------------------------------------------------------------- the two packs


def mainland_china(page: PageUnderReview) -> list[Requirement]:
    """CSRC/SAC: what a securities research report published in mainland China shows."""
    b, kind = page.brief, page.kind
    found = [
        Requirement("firm-name", "the firm's name", (b.house.name,)),
        Requirement("licence-statement", "the firm's licence statement", (b.house.qualification,)),
        *(
            Requirement("signatories", f"signing analyst {a.name} with the SAC certificate number", (a.name, a.licence))
            for a in b.analysts
            if a.licence
        ),
        Requirement("date", "the report date", (b.date,)),
    ]
    if b.sources:
        found.append(Requirement("sources", "the sources", tuple(s.text for s in b.sources)))
    elif kind.analysts_required:
        found.append(Requirement("sources", "the sources (the brief lists none)", ()))
    if kind.rating_definitions:
        texts = (
            *((b.rating_basis,) if b.rating_basis else ()),
            *(bm.index for bm in b.benchmarks),
            *(d.sentence for scale in b.rating_definitions for d in scale.definitions),
        )
        found.append(Requirement("rating-definitions", "the rating definitions with benchmarks and horizons", texts))
    risks = tuple(r.title for r in b.risks)
    found.append(
        Requirement("risk-warning", "the risk warning" + ("" if risks else " (the brief lists no risks)"), risks)
    )
    return found


def hong_kong(page: PageUnderReview) -> list[Requirement]:
    """SFC: the licensed entity, the para 16 disclosures of a research report, the restriction."""
    place = page.jurisdiction
    entity = (page.words(place.entity), place.licence) if place.entity and place.licence else ()
    found = [Requirement("sfc-licensed-entity", "the SFC-licensed entity statement with its CE number", entity)]
    if page.brief.analysts:  # a research report: para 16 applies
        # with conflicts.yaml, each heading with the statements filled from it for this brief
        filled = {e.id: e.statements for e in page.brief.conflicts.elements} if page.brief.conflicts else {}
        found += [
            Requirement(h, f"the para 16 disclosure '{page.heading(h)}'", (page.heading(h), *filled.get(h, ())))
            for h in PARA_16
        ]
    restriction = page.heading("distribution-restriction")
    found.append(
        Requirement("distribution-restriction", f"the distribution restriction '{restriction}'", (restriction,))
    )
    return found


# ----------------------------------------------------------------------------- running them


def template_named(config: ProjectConfig, name: str) -> str:
    """The page template as a message names it, with the project's overrides of the theme."""
    own = config.templates
    shown = (config.templates_dir / name).as_posix() if (own / name).is_file() else f"{name} of the theme"
    overrides = sorted(p.relative_to(own).as_posix() for p in own.rglob("*.html")) if own.is_dir() else []
    others = [config.templates_dir.joinpath(p).as_posix() for p in overrides if p != name]
    listed = ", ".join(others[:3]) + (f" and {len(others) - 3} more" if len(others) > 3 else "")
    return shown + (f" (project overrides: {listed})" if others else "")


def missing_elements(
    html: str,
    brief: LocalizedBrief,
    kind: lib.Kind,
    library: Library,
    edition: Edition,
    source: Path,
    template: str,
) -> list[Diagnostic]:
    """Every element the pack of the edition's jurisdiction finds missing on the page."""
    place = library.jurisdiction(edition.lang)
    if place is None:
        return []
    pack = registry().packs.get(place.pack)
    if pack is None:  # refused when jurisdictions.yaml was loaded; a bug if it gets here
        raise KeyError(place.pack)
    text = page_text(html)
    page = PageUnderReview(edition.lang, text, brief, kind, place, edition)
    where = SourceLocation(source, 1, 1)
    found = []
    for need in pack.requirements(page):
        missing = [t for t in need.texts if squeeze(t) not in text]
        if need.texts and not missing:
            continue
        if missing:
            why = f"missing {'; '.join(repr(_short(t)) for t in missing)}; the template {template} must print it"
        else:  # e.g. a research report without sources, a jurisdiction without its licensed entity
            why = "the brief and the shared records give nothing to print it from"
        rule = f"rule {pack.name}/{need.rule}, jurisdiction {place.id}"
        found.append(Diagnostic(where, f"{edition.lang} output lacks {need.what} ({rule}): {why}"))
    return found


def verify_jurisdiction(
    html: str,
    brief: LocalizedBrief,
    kind: lib.Kind,
    library: Library,
    edition: Edition,
    source: Path,
    template: str,
) -> None:
    """:func:`missing_elements`, raised as a :class:`ComplianceError`."""
    found = missing_elements(html, brief, kind, library, edition, source, template)
    if found:
        raise ComplianceError(found)


def _short(text: str) -> str:
    text = squeeze(text)
    return text if len(text) <= 60 else text[:59] + "…"
