"""The house's phrase tables for derived Chinese editions (``content/_shared/phrases.yaml``).

OpenCC converts characters and, with a ``…p`` profile, some phrases (s2hkp: 服务器 → 伺服器), but
keeps much mainland vocabulary (芯片, 信息, 视频) and the mainland's “” quotation marks. A derived
edition's table, reviewed like every shared record, adds what the house wants::

    zh-HK:
      quotes: {"“": "「", "”": "」", "‘": "『", "’": "』"}
      phrases:
        芯片: 晶片

Phrases are matched in the source text (Simplified, as authors write it), longest first, before
OpenCC runs; a matched phrase is written as the table gives it and not converted again, the text
between phrases goes through OpenCC. A phrase followed at once by a Latin letter or a digit is
part of a name (芯片ETF, 云计算50ETF) and is left to OpenCC; a name that holds a phrase in Han
characters only is kept by an entry of its own (浪潮信息: 浪潮信息), since the longest match
wins. Quotation marks are swapped last; a ’ between two Latin letters or digits is an apostrophe
(DeepSeek’s) and stays. Only prose reaches a converter (see
:mod:`briefs.localize.conversion`), so figures, tickers, URLs and marked names are never touched.
A key is Chinese text only (Han characters), so no entry can reach a figure, a ticker or a name
written in Latin letters.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from briefs.errors import ContentError, Diagnostics, SourceLocation
from briefs.project.languages import KNOWN_LANGUAGES, LANGUAGES
from briefs.source.yamlsource import YamlDocument, cached_yaml, control_message

FILE = "phrases.yaml"
_HAN_ONLY = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]+")
_LATIN = re.compile(r"[A-Za-z0-9]")


@dataclass(frozen=True)
class PhraseTable:
    """One derived edition's phrases (source → edition) and quotation marks (hashable)."""

    phrases: tuple[tuple[str, str], ...] = ()
    quotes: tuple[tuple[str, str], ...] = ()

    def __bool__(self) -> bool:
        return bool(self.phrases or self.quotes)


NO_TABLE = PhraseTable()


def with_table(convert: Callable[[str], str], table: PhraseTable) -> Callable[[str], str]:
    """``convert`` (OpenCC) with the table's phrases applied first and its quotes last."""
    if not table:
        return convert
    return _TableConverter(convert, table)


class _TableConverter:
    def __init__(self, convert: Callable[[str], str], table: PhraseTable) -> None:
        self.convert = convert
        self.phrases = dict(table.phrases)
        self.quotes = dict(table.quotes)
        keys = sorted(self.phrases, key=lambda k: (-len(k), k))  # longest first
        # A phrase glued to a Latin letter or digit after it is part of a name (芯片ETF, 云计算50ETF).
        self.pattern = re.compile(f"(?:{'|'.join(map(re.escape, keys))})(?![A-Za-z0-9])") if keys else None
        self.quote_pattern = re.compile("|".join(map(re.escape, self.quotes))) if self.quotes else None

    def __call__(self, text: str) -> str:
        if self.pattern is None:
            converted = self.convert(text)
        else:
            parts: list[str] = []
            start = 0
            for found in self.pattern.finditer(text):
                if found.start() > start:
                    parts.append(self.convert(text[start : found.start()]))
                parts.append(self.phrases[found[0]])
                start = found.end()
            if start < len(text):
                parts.append(self.convert(text[start:]))
            converted = "".join(parts)
        if self.quote_pattern is None:
            return converted
        return self.quote_pattern.sub(lambda m: self._quote(m, converted), converted)

    def _quote(self, found: re.Match[str], text: str) -> str:
        before = text[found.start() - 1] if found.start() else ""
        after = text[found.end()] if found.end() < len(text) else ""
        if _LATIN.fullmatch(before or " ") and _LATIN.fullmatch(after or " "):
            return found[0]  # an apostrophe inside a Latin word
        return self.quotes[found[0]]


# ----------------------------------------------------------------------------- reading the file


def load_phrases(shared: Path) -> dict[str, PhraseTable]:
    """Every edition's table from ``phrases.yaml`` in ``shared`` (none if there is no file);
    a located :class:`ContentError` for anything wrong in it."""
    path = shared / FILE
    if not path.exists() and not path.is_symlink():
        return {}
    return _tables(path)


def _tables(path: Path) -> dict[str, PhraseTable]:
    doc = cached_yaml(path)  # (read again on every load: an edit is seen however soon it follows)
    diags = Diagnostics()
    tables: dict[str, PhraseTable] = {}
    data = doc.data if doc.data is not None else {}
    if not isinstance(data, dict):
        diags.error(doc.location(), "expected a table per derived edition, e.g. 'zh-HK: {phrases: {芯片: 晶片}}'")
        diags.raise_if_errors()
    for lang, entry in data.items():
        if lang not in KNOWN_LANGUAGES or LANGUAGES[lang].derivation is None:
            derived = ", ".join(t for t, lg in LANGUAGES.items() if lg.derivation)
            diags.error(doc.location((lang,)), f"{lang!r} is not a derived edition (phrase tables are for: {derived})")
            continue
        if not isinstance(entry, dict):
            diags.error(doc.location((lang,)), f"{lang}: expected 'phrases:' and/or 'quotes:' tables")
            continue
        for key in sorted(set(entry) - {"phrases", "quotes"}):
            diags.error(doc.location((lang, key)), f"{lang}: unknown key {key!r} (expected 'phrases' or 'quotes')")
        phrases = _pairs(doc, (lang, "phrases"), entry.get("phrases"), diags, _phrase_key)
        quotes = _pairs(doc, (lang, "quotes"), entry.get("quotes"), diags, _quote_key)
        _check_cycles(doc, lang, phrases, diags)
        tables[lang] = PhraseTable(tuple(sorted(phrases.items())), tuple(sorted(quotes.items())))
    diags.raise_if_errors(ContentError)
    return tables


def _phrase_key(key: str) -> str | None:
    if not key.strip():
        return "an empty phrase"
    if not _HAN_ONLY.fullmatch(key):
        return (
            f"phrase {key!r} is not Chinese text: a key is Han characters only, "
            "so figures, names and tickers are never replaced"
        )
    return None


def _quote_key(key: str) -> str | None:
    if len(key) != 1 or key.isalnum() or key.isspace():
        return f"quotation mark {key!r}: expected one punctuation character such as “"
    return None


def _pairs(
    doc: YamlDocument,
    where: tuple[str, str],
    value: object,
    diags: Diagnostics,
    key_problem: Callable[[str], str | None],
) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        diags.error(doc.location(where), f"{'.'.join(where)}: expected a table of 'from: to' entries")
        return {}
    found: dict[str, str] = {}
    for key, replacement in value.items():
        here = doc.location((*where, key))
        problem = key_problem(str(key))
        if problem is not None:
            diags.error(here, problem)
        elif not isinstance(replacement, str) or not replacement.strip():
            diags.error(here, f"{key!r}: expected the text it becomes, not {replacement!r}")
        elif (bad := next((c for c in replacement if not c.isprintable()), None)) is not None:
            diags.error(here, f"{key!r}: {control_message(bad)}")
        else:
            found[str(key)] = replacement
    return found


def _check_cycles(doc: YamlDocument, lang: str, phrases: Mapping[str, str], diags: Diagnostics) -> None:
    """A phrase whose replacement is another phrase's key, and so on back to itself, is a
    mistake (the table is applied once: it would not do what it seems to say)."""
    reported: set[str] = set()
    for start in sorted(phrases):
        path, current = [start], phrases[start]
        while current in phrases and current not in path and current != start:
            path.append(current)
            current = phrases[current]
        if current == start and len(path) > 1:
            if not reported & set(path):
                loop = " → ".join([*path, start])
                here: SourceLocation = doc.location((lang, "phrases", start))
                diags.error(here, f"phrase table has a cycle: {loop}")
            reported.update(path)
