"""Languages: BCP-47 tags (zh-CN, en, zh-HK) ↔ Babel locales and gettext catalogs; Babel formatting.

This is the only module that knows how a language tag maps to a Babel ``Locale`` or a gettext
folder name. Formatting always passes an explicit locale; nothing here touches ``locale.setlocale``.
Catalogs are read from ``templates/locales/<ll_CC>/LC_MESSAGES/messages.po`` and compiled in memory
(no ``.mo`` files in the repository); fuzzy entries are not used.
"""

from __future__ import annotations

import datetime as dt
import gettext
import io
from functools import lru_cache
from pathlib import Path

from babel import Locale
from babel.dates import format_date as _babel_format_date
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal, format_percent

from .errors import TemplateError

_BABEL = {"zh-CN": "zh_Hans_CN", "en": "en", "zh-HK": "zh_Hant_HK"}
_GETTEXT = {"zh-CN": "zh_CN", "en": "en", "zh-HK": "zh_HK"}
SOURCE_LANGUAGE = "en"  # gettext msgids are English


def locale(lang: str) -> Locale:
    """The Babel locale of a language tag."""
    return Locale.parse(_BABEL[lang])


def is_cjk(lang: str) -> bool:
    """Whether the language is written in Chinese characters."""
    return lang.startswith("zh")


def format_date(value: dt.date, lang: str) -> str:
    """Long date: 2025年2月16日 / February 16, 2025."""
    return _babel_format_date(value, format="long", locale=locale(lang))


def format_number(value: float, lang: str, digits: int = 0) -> str:
    """Grouped decimal number in the language's convention."""
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return format_decimal(value, format=pattern, locale=locale(lang))


def format_percentage(value: float, lang: str) -> str:
    """A percentage given in percent units (5 → 5%)."""
    return format_percent(value / 100, format="#,##0.##%", locale=locale(lang))


def catalog_path(templates: Path, lang: str) -> Path:
    """Where the .po catalog of a language lives."""
    return templates / "locales" / _GETTEXT[lang] / "LC_MESSAGES" / "messages.po"


def translations(templates: Path, lang: str) -> gettext.NullTranslations:
    """gettext translations for ``lang`` (English needs none: msgids are English)."""
    if lang == SOURCE_LANGUAGE:
        return gettext.NullTranslations()
    path = catalog_path(templates, lang)
    stat = path.stat() if path.is_file() else None
    return _compiled(path, stat.st_mtime_ns if stat else 0)


@lru_cache(maxsize=16)
def _compiled(path: Path, _mtime: int) -> gettext.GNUTranslations:
    if not path.is_file():
        raise TemplateError.at(path, 0, 0, "message catalog not found")
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=None, abort_invalid=True)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)
