"""The house's conventions for dates and figures, one per language (used by :mod:`briefs.localize.i18n`)."""

from __future__ import annotations

from babel import Locale

from briefs.project.languages import LANGUAGES, is_han


def date_locale(lang: str) -> Locale:
    """The Babel locale dates are written in for a language tag: one date style per language
    (English editions are British, 16 February 2025; Chinese ones 2025年2月16日)."""
    record = LANGUAGES[lang]
    return Locale.parse(record.date_babel or record.babel)


def grouped(value: float, lang: str) -> str:
    """The integer part's pattern: grouped by thousands (1,814), except that Chinese groups only
    from five digits (1814, 12,345), as Chinese prose writes them (GB/T 15835: 四位以内不分节), so
    a figure reads the same in the sidebar, the text and the tables."""
    han = is_han(lang)
    return "0" if han and abs(value) < 10000 else "#,##0"
