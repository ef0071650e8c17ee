"""Stage 4 (render HTML, set-up): the Jinja2 environment — one per language, all with autoescape.

Lookup order: the theme's search path (:mod:`briefs.render.theme`: the project's ``templates/``, plugin
themes, the shipped theme), with the shipped theme also under ``theme/``. Environments use
``StrictUndefined`` (a typo in a template is an error, not an empty string), autoescape for every
template, and gettext (newstyle) from the theme's catalogs. Markup enters only from
``markdown.py`` or the CSS filters below.
"""

from __future__ import annotations

import re
from functools import lru_cache

import jinja2
from markupsafe import Markup

from briefs.localize.i18n import Edition, translations
from briefs.project.languages import run_language
from briefs.render.theme import Theme
from briefs.render.typography import typeset

_CSS_UNSAFE = re.compile(r"[^\w\s.,:;!?()\[\]{}%+*/=#@$^~`|\'-]|[\n\r\f\t]", re.UNICODE)


def css_string(value: str) -> Markup:
    """A CSS string literal that is safe inside ``<style>`` (quotes, ``<``, ``&``, newlines escaped)."""
    escaped = _CSS_UNSAFE.sub(lambda m: f"\\{ord(m.group()):x} ", str(value))
    return Markup(f'"{escaped}"')  # noqa: S704 - every special character is escaped above


def css_counters(pattern: str) -> Markup:
    """Turn a translated "Page {page} of {pages}" into CSS ``content`` with page counters."""
    parts: list[str] = []
    for piece in re.split(r"(\{page\}|\{pages\})", str(pattern)):
        if piece == "{page}":
            parts.append("counter(page)")
        elif piece == "{pages}":
            parts.append("counter(pages)")
        elif piece:
            parts.append(str(css_string(piece)))
    return Markup(" ".join(parts))  # noqa: S704 - built from css_string output and keywords


_PHRASE_END = re.compile(r"(?<=[，：；、！？])")


def phrases(text: str) -> Markup:
    """Keep the phrases of a Chinese title whole, so a line breaks after ，or ：, not before 口.

    Each phrase becomes an inline block (it still wraps inside if it alone is too long).
    """
    parts = [p for p in _PHRASE_END.split(str(text)) if p]
    if len(parts) < 2:
        return Markup.escape(text)
    return Markup("").join(Markup('<span class="phrase">{}</span>').format(p) for p in parts)


def draft_mark(text: str, family: str) -> Markup:
    """CSS declarations painting ``text`` (the DRAFT mark) as outlines: see render/watermark.py."""
    from briefs.render.watermark import draft_mark_css  # HarfBuzz, fontTools: only for drafts

    return Markup(draft_mark_css(str(text), str(family)))  # noqa: S704 - a percent-encoded data: URL and numbers


FILTERS = {
    "css_string": css_string,
    "css_counters": css_counters,
    "phrases": phrases,
    "draft_mark": draft_mark,
}


def _locale_filters(lang: str) -> dict[str, object]:
    """Babel formatting bound to the edition's locale: templates never pick a locale themselves."""
    from briefs.localize import i18n

    return {
        "date": lambda value: i18n.format_date(value, lang),
        "number": lambda value, digits=0: i18n.format_number(value, lang, digits),
        "percent": lambda value: i18n.format_percentage(value, lang),
        "compact": lambda value, digits=1: i18n.format_compact(value, lang, digits),
        "money": lambda value, currency, compact=False: i18n.format_money(value, currency, lang, compact),
        "lang_attr": lambda text: lang_attr(text, lang),
        "typeset": lambda text: typeset(str(text), lang),
        "whole": lambda text: typeset(str(text), lang, whole=True),
    }


def lang_attr(text: str, page_lang: str) -> Markup:
    """`` lang="…"`` for a name written wholly in the other script than the page's (林清 in an
    English brief, Lin Qing in a Chinese one), else nothing: screen readers switch voice, and the
    PDF gets the same /Lang (render/pdf_tags.py reads it back from the script)."""
    language = run_language(str(text), page_lang)
    return Markup(f' lang="{language}"') if language else Markup("")  # noqa: S704 - a fixed tag


@lru_cache(maxsize=8)
def environment(theme: Theme, edition: Edition) -> jinja2.Environment:
    """The Jinja environment for one edition (cached per theme and edition)."""
    env = jinja2.Environment(
        loader=theme.loader(),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
        extensions=["jinja2.ext.i18n", "jinja2.ext.do"],
    )
    env.filters.update(FILTERS)
    env.filters.update(_locale_filters(edition.lang))
    env.install_gettext_translations(translations(theme, edition), newstyle=True)  # type: ignore[attr-defined]  # added by jinja2.ext.i18n
    return env
