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
from babel.messages.pofile import PoFileError, read_po
from babel.numbers import format_decimal, format_percent

from .errors import Diagnostic, SourceLocation, TemplateError

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


def catalog_problems(templates: Path, lang: str) -> list[Diagnostic]:
    """Entries of ``messages.pot`` that the language's catalog lacks, leaves empty or marks fuzzy.

    gettext falls back to the English msgid silently; for a published brief that is a bug, so
    ``check`` and ``build`` report it at the .po line.
    """
    if lang == SOURCE_LANGUAGE:
        return []
    pot_path = templates / "locales" / "messages.pot"
    po_path = catalog_path(templates, lang)
    problems: list[Diagnostic] = []
    try:
        with pot_path.open("rb") as handle:
            pot = read_po(handle)
        with po_path.open("rb") as handle:
            po = read_po(handle, abort_invalid=True)
    except FileNotFoundError as exc:
        return [Diagnostic(SourceLocation(Path(str(exc.filename))), "message catalog not found")]
    except (PoFileError, ValueError) as exc:
        return [Diagnostic(SourceLocation(po_path, getattr(exc, "lineno", 0)), f"unreadable catalog: {exc}")]
    for template in pot:
        if not template.id:
            continue
        entry = po.get(template.id)
        if entry is None:
            problems.append(Diagnostic(SourceLocation(po_path, 1),
                                       f"no {lang} translation for {template.id!r}"))
        elif not entry.string or (isinstance(entry.string, tuple) and not all(entry.string)):
            problems.append(Diagnostic(SourceLocation(po_path, entry.lineno),
                                       f"empty {lang} translation for {template.id!r}"))
        elif entry.fuzzy:
            problems.append(Diagnostic(SourceLocation(po_path, entry.lineno),
                                       f"fuzzy {lang} translation for {template.id!r} (review it)"))
    for entry in po:
        if entry.id and entry.id not in pot:
            problems.append(Diagnostic(SourceLocation(po_path, entry.lineno),
                                       f"{entry.id!r} is not used by any template", "warning"))
    return problems
