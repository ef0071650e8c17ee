"""Languages: BCP-47 tags (zh-CN, en, zh-HK) ↔ Babel locales and gettext catalogs; Babel formatting.

The language table (:mod:`briefs.project.languages`) says which Babel ``Locale`` and gettext folder a
language tag has; this module applies them. Formatting always passes an explicit locale; nothing
here touches ``locale.setlocale``.
Catalogs are read from ``locales/<ll_CC>/LC_MESSAGES/messages.po`` in each folder of the theme's
search path (the project's ``templates/``, plugin themes, the shipped theme; the first translation
of a message wins) and compiled in memory (no ``.mo`` files anywhere, so a wheel ships the .po
files); fuzzy entries are not used.
"""

from __future__ import annotations

import datetime as dt
import gettext
import io
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from babel import Locale
from babel.dates import format_date as _babel_format_date
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import PoFileError, read_po
from babel.numbers import (
    format_compact_currency,
    format_compact_decimal,
    format_currency,
    format_decimal,
    format_percent,
)

from briefs.errors import Diagnostic, SourceLocation, TemplateError
from briefs.localize.conventions import date_locale, grouped
from briefs.localize.conversion import convert_prose
from briefs.localize.phrases import NO_TABLE, PhraseTable, with_table
from briefs.project.languages import LANGUAGES, MSGID_LANGUAGE, is_han, is_latin
from briefs.render.typography import smart_quotes

if TYPE_CHECKING:
    from briefs.render.theme import Theme

# Locales and catalog folders come from the language table (briefs/project/languages.py).
_BABEL = {tag: lang.babel for tag, lang in LANGUAGES.items()}
_GETTEXT = {tag: lang.gettext for tag, lang in LANGUAGES.items()}
SOURCE_LANGUAGE = MSGID_LANGUAGE  # gettext msgids are English


def locale(lang: str) -> Locale:
    """The Babel locale of a language tag."""
    return Locale.parse(_BABEL[lang])


def is_cjk(lang: str) -> bool:
    """Whether the language is written in Chinese characters (the language table's answer)."""
    return is_han(lang)


def format_date(value: dt.date, lang: str) -> str:
    """Long date: 2025年2月16日 / 16 February 2025."""
    return _babel_format_date(value, format="long", locale=date_locale(lang))


def format_number(value: float, lang: str, digits: int = 0) -> str:
    """Grouped decimal number in the language's convention (see :func:`grouped`)."""
    pattern = grouped(value, lang) + ("." + "0" * digits if digits else "")
    return minus(format_decimal(value, format=pattern, locale=locale(lang)))


def minus(figure: str) -> str:
    """A formatted negative figure with the minus sign − (CLDR's en and zh give a hyphen-minus)."""
    return figure.replace("-", "\u2212")


def format_percentage(value: float, lang: str) -> str:
    """A percentage given in percent units (5 → 5%, −5 → −5%)."""
    return minus(format_percent(value / 100, format="#,##0.##%", locale=locale(lang)))


@dataclass(frozen=True)
class Edition:
    """A language we publish in; a derived edition converts its source language's text (OpenCC's
    ``convert`` profile with the house's phrase table, :mod:`briefs.localize.phrases`)."""

    lang: str
    source: str | None = None
    convert: str | None = None
    phrases: PhraseTable = NO_TABLE

    def text(self, value: Mapping[str, str]) -> str:
        """The text in this edition: its own, or the source's converted (never another fallback)."""
        if self.lang in value:
            text = self.typeset(value[self.lang])
            return smart_quotes(text) if is_latin(self.lang) else text  # Markdown gets its own (smartquotes)
        if self.source is None:
            raise KeyError(self.lang)  # the loader guarantees every own language; a bug otherwise
        return self.derive(value[self.source])

    def derive(self, text: str) -> str:
        """Convert a source-language plain text (identity for an edition with its own texts);
        the URLs and e-mail addresses in it are kept as written."""
        if not self.convert:
            return self.typeset(text)
        return self.typeset(convert_prose(text, _converter(self.convert, self.phrases)))

    def markdown(self, value: Mapping[str, str]) -> tuple[str, Callable[[str], str] | None]:
        """A Markdown text in this edition, as (text to parse, conversion of its prose or None).

        A derived edition parses the source's text and converts only its prose (see
        :mod:`briefs.localize.conversion`): converting the Markdown first would rename the image files,
        link targets and code it names."""
        if self.lang in value:
            return self.typeset(value[self.lang]), None
        if self.source is None:
            raise KeyError(self.lang)  # the loader guarantees every own language; a bug otherwise
        return self.derive_markdown(value[self.source])

    def derive_markdown(self, text: str) -> tuple[str, Callable[[str], str] | None]:
        """:meth:`markdown` for a source-language Markdown text."""
        return self.typeset(text), (_converter(self.convert, self.phrases) if self.convert else None)

    def typeset(self, text: str) -> str:
        """House typography for the edition's script (see :func:`cjk_spacing`)."""
        return cjk_spacing(text) if is_cjk(self.lang) else text


_HAN = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_HAN_LATIN_GAP = re.compile(rf"(?<=[{_HAN}])[ \t]+(?=[A-Za-z0-9])|(?<=[A-Za-z0-9%])[ \t]+(?=[{_HAN}])")


def cjk_spacing(text: str) -> str:
    """One rule for Chinese text: no typed space between Han and Latin letters or digits.

    Authors type "DeepSeek 取得" and "DeepSeek取得" interchangeably; the fonts' own side bearings
    give the visual gap, so printed text is consistent whichever way it was typed.
    """
    return _HAN_LATIN_GAP.sub("", text)


@lru_cache(maxsize=4)
def _converter(config: str, table: PhraseTable = NO_TABLE) -> Callable[[str], str]:
    import opencc  # imported on first use: only derived editions need it

    converter = opencc.OpenCC(config if config.endswith(".json") else f"{config}.json")
    return with_table(converter.convert, table)


# Where CLDR's compact pattern does not fit the language's text (languages.py says why).
_COMPACT = {tag: lang.compact_locale for tag, lang in LANGUAGES.items()}


def format_compact(value: float, lang: str, digits: int = 1) -> str:
    """Compact number: 13亿 / 1.3 billion / 13億."""
    loc = Locale.parse(_COMPACT.get(lang, _BABEL[lang]))
    kind: Literal["short", "long"] = "long" if "long" in loc.compact_decimal_formats else "short"
    return format_compact_decimal(value, format_type=kind, locale=loc, fraction_digits=digits)


def format_money(value: float, currency: str, lang: str, compact: bool = False, digits: int = 2) -> str:
    """Currency in the language's convention: ¥1,234.50 / CN¥1,234.50; compact: US$6000亿 / $600B."""
    if compact:
        loc = Locale.parse(_COMPACT.get(lang, _BABEL[lang]))
        return format_compact_currency(value, currency, locale=loc, fraction_digits=1)
    return format_currency(
        value,
        currency,
        locale=locale(lang),
        format=None if digits == 2 else f"¤#,##0{'.' + '0' * digits if digits else ''}",
        currency_digits=digits == 2,
    )


def catalog_path(templates: Path, lang: str) -> Path:
    """Where the .po catalog of a language lives."""
    return templates / "locales" / _GETTEXT[lang] / "LC_MESSAGES" / "messages.po"


def translations(theme: Theme, edition: Edition) -> gettext.NullTranslations:
    """gettext translations for an edition (English needs none: msgids are English).

    Every theme folder with a catalog for the edition counts, message by message: the project's
    translation of a message wins over a plugin theme's, which wins over the shipped theme's. A
    derived edition without a catalog of its own in a folder uses that folder's catalog of its
    source language, converted.
    """
    if edition.lang == SOURCE_LANGUAGE:
        return gettext.NullTranslations()
    chain: list[tuple[Path, int, tuple[str, PhraseTable] | None]] = []
    for folder in theme.folders:
        path, convert = catalog_path(folder, edition.lang), None
        if not path.is_file() and edition.source is not None:
            path = catalog_path(folder, edition.source)
            convert = (edition.convert, edition.phrases) if edition.convert else None
        if path.is_file():
            chain.append((path, path.stat().st_mtime_ns, convert))
    if not chain:
        raise TemplateError.at(catalog_path(theme.folders[0], edition.lang), 0, 0, "message catalog not found")
    return _compiled(tuple(chain))


@lru_cache(maxsize=16)
def _compiled(chain: tuple[tuple[Path, int, tuple[str, PhraseTable] | None], ...]) -> gettext.GNUTranslations:
    """One compiled catalog from a chain of catalogs (first wins, per message)."""
    catalogs = [_converted(_read_catalog(path), convert) for path, _mtime, convert in chain]
    catalog = catalogs[-1]
    for overriding in reversed(catalogs[:-1]):
        for message in overriding:
            if message.id and _translated(message.string) and not message.fuzzy:
                if catalog.get(message.id, message.context) is not None:
                    catalog.delete(message.id, message.context)
                catalog[message.id] = message
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


# A Babel message id or string: one text, or its plural forms (a tuple, or a list as Babel types it).
_Text = str | tuple[str, ...] | list[str]


def _translated(string: _Text | None) -> bool:
    """Whether a catalog entry carries a translation (every plural form of it)."""
    if not string:
        return False
    return isinstance(string, str) or all(string)


def _converted(catalog: Catalog, convert: tuple[str, PhraseTable] | None) -> Catalog:
    """A catalog of the source language, converted for a derived edition (in place)."""
    if convert:
        derive = _converter(*convert)
        for message in catalog:  # placeholders are ASCII and stay; so do URLs and e-mail addresses
            if message.id and isinstance(message.string, str):
                message.string = convert_prose(message.string, derive)
            elif message.id and isinstance(message.string, tuple):  # plural forms
                message.string = tuple(convert_prose(s, derive) for s in message.string)
    return catalog


def _read_catalog(path: Path) -> Catalog:
    """A .po/.pot file, or a located error: missing, unreadable, not a catalog, unknown charset."""
    try:
        with path.open("rb") as handle:
            return read_po(handle, locale=None, abort_invalid=True)
    except FileNotFoundError:
        raise TemplateError.at(path, 0, 0, "message catalog not found") from None
    except (PoFileError, ValueError, LookupError, OSError) as exc:  # LookupError: an unknown charset
        raise TemplateError.at(path, getattr(exc, "lineno", 0), 0, f"unreadable catalog: {exc}") from None


_PO_STRING_LINE = re.compile(r'(?:(?:msgctxt|msgid|msgid_plural|msgstr(?:\[\d+\])?)\s+)?"(?:[^"\\]|\\.)*"\s*')


def _unquoted_lines(po_path: Path) -> list[Diagnostic]:
    """Lines of a catalog whose string is not closed by its quote. Babel's reader takes the last
    character for the closing quote, so ``msgstr "分析师`` would silently print 分析."""
    problems = []
    text = po_path.read_text("utf-8", "replace")
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if stripped.startswith(("msg", '"')) and not _PO_STRING_LINE.fullmatch(stripped):
            problems.append(
                Diagnostic(
                    SourceLocation(po_path, number), 'this string is not closed by a " (or has a stray one inside)'
                )
            )
    return problems


_PLACEHOLDER = re.compile(r"%\((\w+)\)")


def _placeholder_problem(msgid: _Text, msgstr: _Text) -> str | None:
    """How a translation breaks its message's placeholders, if it does. Every message is
    %-formatted with the msgid's names (Jinja's newstyle gettext), so a renamed or dropped
    ``%(name)s`` or a lone ``%`` would fail the build or lose a value."""
    ids = (msgid,) if isinstance(msgid, str) else msgid
    names = {name for text in ids for name in _PLACEHOLDER.findall(text)} | (
        set() if isinstance(msgid, str) else {"num"}
    )
    for text in (msgstr,) if isinstance(msgstr, str) else msgstr:
        try:
            text % {name: "" for name in names}
        except KeyError as exc:
            return f"uses %({exc.args[0]})s, which the message does not have"
        except (ValueError, TypeError):
            return "has a '%' that is not a placeholder (write %% for a percent sign)"
        missing = {n for n in names if n != "num"} - set(_PLACEHOLDER.findall(text))
        if missing:
            return f"drops {', '.join(f'%({n})s' for n in sorted(missing))}"
    return None


def catalog_problems(theme: Theme, edition: Edition) -> list[Diagnostic]:
    """Entries of ``messages.pot`` that the language's catalog lacks, leaves empty or marks fuzzy,
    for each theme folder that has a ``messages.pot`` (the project's own, when it extracted its
    templates' strings, and the shipped theme's).

    gettext falls back to the English msgid silently; for a published brief that is a bug, so
    ``check`` and ``build`` report it at the .po line. A folder that has a ``messages.pot`` answers
    for every message in it (``briefs catalog`` fills a project's new entries from the theme).
    """
    folders = theme.folders
    return [
        problem
        for index, folder in enumerate(folders)
        if index == len(folders) - 1 or (folder / "locales" / "messages.pot").is_file()
        for problem in _folder_problems(folder, edition)
    ]


def _folder_problems(templates: Path, edition: Edition) -> list[Diagnostic]:
    """:func:`catalog_problems` for one theme folder."""
    lang = edition.lang
    if lang == SOURCE_LANGUAGE:
        return []
    if edition.source is not None and not catalog_path(templates, lang).is_file():
        return []  # a derived edition converts its source's catalog, which is checked itself
    pot_path = templates / "locales" / "messages.pot"
    po_path = catalog_path(templates, lang)
    problems: list[Diagnostic] = []
    try:
        pot, po = _read_catalog(pot_path), _read_catalog(po_path)
    except TemplateError as exc:
        return list(exc.diagnostics)
    problems += _unquoted_lines(po_path)
    for template in pot:
        if not template.id:
            continue
        entry = po.get(template.id)
        if entry is None:
            problems.append(Diagnostic(SourceLocation(po_path, 1), f"no {lang} translation for {template.id!r}"))
        elif not _translated(entry.string):
            problems.append(
                Diagnostic(SourceLocation(po_path, entry.lineno or 0), f"empty {lang} translation for {template.id!r}")
            )
        elif entry.fuzzy:
            problems.append(
                Diagnostic(
                    SourceLocation(po_path, entry.lineno or 0),
                    f"fuzzy {lang} translation for {template.id!r} (review it)",
                )
            )
        elif (broken := _placeholder_problem(template.id, entry.string or "")) is not None:  # set: translated
            problems.append(
                Diagnostic(
                    SourceLocation(po_path, entry.lineno or 0), f"{lang} translation for {template.id!r} {broken}"
                )
            )
    for entry in po:
        if entry.id and entry.id not in pot:
            problems.append(
                Diagnostic(
                    SourceLocation(po_path, entry.lineno or 0), f"{entry.id!r} is not used by any template", "warning"
                )
            )
    return problems


# ----------------------------------------------------------------------------- exhibits (tables, charts)


def _fraction(digits: int | None) -> str:
    """Babel pattern fraction: fixed ``digits`` decimals, or up to two when None (1.2, 6.45, 5)."""
    if digits is None:
        return ".##"
    return "." + "0" * digits if digits else ""


def format_decimal_digits(value: float, lang: str, digits: int | None = None) -> str:
    """Grouped decimal: fixed ``digits`` decimals, or up to two significant decimals when None."""
    return minus(format_decimal(value, format=grouped(value, lang) + _fraction(digits), locale=locale(lang)))


def format_percent_digits(value: float, lang: str, digits: int | None = None) -> str:
    """A percentage given in percent units (79.8 → 79.8%) with fixed or up to two decimals."""
    return minus(format_percent(value / 100, format="#,##0" + _fraction(digits) + "%", locale=locale(lang)))


def format_date_style(value: dt.date, lang: str, style: str = "medium") -> str:
    """Date in a CLDR style: short 2025/2/16 · 16/02/2025, medium 2025年2月16日 · 16 Feb 2025, long."""
    return _babel_format_date(value, format=style, locale=date_locale(lang))


def format_compact_short(value: float, lang: str, digits: int = 1) -> str:
    """Short compact number for charts: 13亿 / 1.3B / 13億 (tables use :func:`format_compact`)."""
    loc = Locale.parse(_COMPACT.get(lang, _BABEL[lang]))
    return format_compact_decimal(value, format_type="short", locale=loc, fraction_digits=digits)
