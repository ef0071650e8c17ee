"""The portal's index page of one language, rendered from the theme's ``portal.html``.

The page is complete without JavaScript: every brief is a row with its links. The script only
adds the filters (by kind, sector, rating and analyst) and Pagefind's search box. Every text in
it comes from the entries (already in the page's language) or from the theme's gettext catalog.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import jinja2

from briefs.errors import TemplateError
from briefs.localize.i18n import Edition
from briefs.portal.entries import Labelled, PortalEntry
from briefs.render.templates import environment
from briefs.render.theme import Theme

TEMPLATE = "portal.html"


@dataclass(frozen=True)
class Option:
    """One choice of a filter, or one of an entry's values: an id and its label."""

    id: str
    label: str


@dataclass(frozen=True)
class Link:
    """A file of a brief: its language, format and href (relative to the index)."""

    lang: str
    language: str  # the language's own name
    format: str  # "HTML", "PDF"
    href: str


@dataclass(frozen=True)
class Row:
    """One brief in the index of one language."""

    id: str
    date: dt.date
    draft: bool
    title: str
    summary: str
    kind: Option
    sector: Option | None
    rating: Option | None
    analysts: tuple[Option, ...]
    links: tuple[Link, ...]
    href: str | None  # its HTML in the page's language, if built


@dataclass(frozen=True)
class Language:
    """One entry of the language switch."""

    lang: str
    label: str
    href: str
    current: bool


@dataclass(frozen=True)
class Page:
    """What ``portal.html`` is given (as ``p``)."""

    lang: str
    title: str  # the house's name in this language
    rows: tuple[Row, ...]
    languages: tuple[Language, ...]
    feed: str  # href of this language's Atom feed
    search: bool  # a Pagefind bundle is there to load
    final: bool
    kinds: tuple[Option, ...]
    sectors: tuple[Option, ...]
    ratings: tuple[Option, ...]
    analysts: tuple[Option, ...]
    # The search index's parts (briefs.portal.search): the bundle the search box is loaded from,
    # ("pagefind/" while there is one part), and those it merges, each a folder URL.
    search_from: str = ""
    search_merges: tuple[str, ...] = ()


def _option(value: Labelled, lang: str) -> Option:
    return Option(value.id, value.label.get(lang, value.id))


def row(entry: PortalEntry, lang: str, links: Sequence[Link]) -> Row:
    """An entry as the index of ``lang`` shows it."""
    return Row(
        entry.id,
        entry.date,
        entry.draft,
        entry.title[lang],
        entry.summary[lang],
        _option(entry.kind, lang),
        None if entry.sector is None else _option(entry.sector, lang),
        None if entry.rating is None else _option(entry.rating, lang),
        tuple(_option(a, lang) for a in entry.analysts),
        tuple(links),
        next((link.href for link in links if link.lang == lang and link.format == "HTML"), None),
    )


def options(values: Sequence[Option | None]) -> tuple[Option, ...]:
    """The distinct choices among ``values``, by label."""
    seen = {v.id: v for v in values if v is not None}
    return tuple(sorted(seen.values(), key=lambda o: (o.label, o.id)))


def page(lang: str, title: str, rows: Sequence[Row], languages: Sequence[Language], feed: str,
         bundles: Sequence[str], final: bool) -> Page:  # fmt: skip
    """The page of one language, with the choices of each filter taken from its rows."""
    return Page(
        lang,
        title,
        tuple(rows),
        tuple(languages),
        feed,
        bool(bundles),
        final,
        options([r.kind for r in rows]),
        options([r.sector for r in rows]),
        options([r.rating for r in rows]),
        options([a for r in rows for a in r.analysts]),
        bundles[0] if bundles else "",
        tuple(bundles[1:]),
    )


def render_page(theme: Theme, edition: Edition, data: Page) -> bytes:
    """The index page; a mistake in a (project's) portal template is a located TemplateError."""
    env = environment(theme, edition)
    try:
        return env.get_template(TEMPLATE).render(p=data).encode("utf-8")
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateError.at(Path(exc.filename or TEMPLATE), exc.lineno, 0, exc.message or "syntax error") from None
    except jinja2.TemplateNotFound as exc:
        raise TemplateError.at(Path(TEMPLATE), 0, 0, f"template not found: {exc.name}") from None
    except (jinja2.UndefinedError, ArithmeticError, LookupError, TypeError, ValueError) as exc:
        where = theme.find(TEMPLATE) or Path(TEMPLATE)
        raise TemplateError.at(where, 0, 0, f"template error: {type(exc).__name__}: {str(exc)[:200]}") from None
