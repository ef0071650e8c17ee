"""Every fact about a language, in one table: tag, locale, catalog, fonts, script, derivation.

Each language briefs can publish in has one frozen :class:`Language` record in ``LANGUAGES``,
keyed by its BCP 47 tag. Every other module asks this table (``language(tag)``) instead of
spelling a tag or a locale itself; supporting another language starts with a row here (plus its
catalog and fonts). Which of these a project publishes, and whether a derived edition is made,
is the project's configuration (``[tool.briefs]`` ``languages``, ``derived``, ``source``).

This module imports nothing of briefs, so anything may import it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal

Script = Literal["Hans", "Hant", "Latn"]  # ISO 15924: Simplified Han, Traditional Han, Latin


@dataclass(frozen=True)
class FontSet:
    """The families a language is printed in."""

    sans: str
    serif: str
    mono: str = "DejaVu Sans Mono"


@dataclass(frozen=True)
class Derivation:
    """How an edition in this language is usually made from another's text (a project turns it
    on in ``[tool.briefs.derived]``): OpenCC's ``opencc`` conversion of ``source``."""

    source: str
    opencc: str


@dataclass(frozen=True)
class Language:
    """One language briefs can publish in."""

    tag: str  # BCP 47, as written in content, file names and ``lang`` attributes
    babel: str  # the Babel locale that formats its dates and numbers
    gettext: str  # its catalog folder: locales/<gettext>/LC_MESSAGES/messages.po
    script: Script
    label: str  # its own name, as the language switch of every other edition shows it
    fonts: FontSet
    compact_babel: str | None = None  # locale for compact numbers, where CLDR's own does not fit
    derivation: Derivation | None = None
    # Where an edition in this language is published: the id of its record in
    # content/_shared/jurisdictions.yaml, which names the rule pack and the disclaimer set.
    jurisdiction: str = "mainland"
    # The Babel locale its dates are written in, where it is not ``babel`` (British dates in English)
    date_babel: str | None = None
    iso639_2: str = "und"  # ISO 639-2/T code of its primary subtag (RIXML's language attributes)

    @property
    def latin(self) -> bool:
        """Whether it is written in Latin letters (typographic quotes, hyphenation, names kept whole)."""
        return self.script == "Latn"

    @property
    def han(self) -> bool:
        """Whether it is written in Chinese characters (house typography, the name shown beside)."""
        return self.script in ("Hans", "Hant")

    @property
    def compact_locale(self) -> str:
        """The Babel locale of its compact numbers (13亿 / 1.3 billion / 13億)."""
        return self.compact_babel or self.babel


# One family (regular + bold) for body and headings. A second CJK family (Noto Serif CJK for
# the body) looked bookish but cost 30 % more bytes per page and ~100 MB more per PDF worker,
# because every CJK font is embedded with its own large glyph subset (benchmarks/bench_build.py).
# English is set in the zh-CN family too, so the Chinese names an English brief shows match.
_SC = FontSet("Noto Sans CJK SC", "Noto Sans CJK SC", "Noto Sans Mono CJK SC")
_HK = FontSet("Noto Sans CJK HK", "Noto Sans CJK HK", "Noto Sans Mono CJK HK")

LANGUAGES: Mapping[str, Language] = MappingProxyType(
    {
        lang.tag: lang
        for lang in (
            Language("zh-CN", "zh_Hans_CN", "zh_CN", "Hans", "简体中文", _SC, iso639_2="zho"),
            # English editions are written in British English: day-month-year dates (en_GB)
            Language("en", "en", "en", "Latn", "English", _SC, date_babel="en_GB", iso639_2="eng"),
            # CLDR's zh_Hant_HK compact pattern is Latin ("1.3B"); Hong Kong Chinese text writes 13億.
            Language(
                "zh-HK",
                "zh_Hant_HK",
                "zh_HK",
                "Hant",
                "繁體中文",
                _HK,
                compact_babel="zh_Hant",
                # OpenCC's Hong Kong profile with phrases (服务器 → 伺服器); the house's own phrase
                # table (content/_shared/phrases.yaml) adds what OpenCC lacks (芯片 → 晶片).
                derivation=Derivation("zh-CN", "s2hkp"),
                jurisdiction="hong-kong",
                iso639_2="zho",
            ),
        )
    }
)

KNOWN_LANGUAGES = tuple(LANGUAGES)
DEFAULT_LANGUAGES = ("zh-CN", "en")  # a project's languages unless [tool.briefs] languages says
DEFAULT_SOURCE = "zh-CN"  # a brief's source language unless [tool.briefs] source or its own says
MSGID_LANGUAGE = "en"  # the language of the templates' gettext msgids (needs no catalog)


def is_latin(tag: str | None) -> bool:
    """Whether ``tag`` is a known language written in Latin letters."""
    return tag is not None and tag in LANGUAGES and LANGUAGES[tag].latin


def is_han(tag: str | None) -> bool:
    """Whether ``tag`` is a known language written in Chinese characters."""
    return tag is not None and tag in LANGUAGES and LANGUAGES[tag].han


def language(tag: str) -> Language:
    """The record of a language tag (a KeyError for a tag not in the table: configuration and
    loading refuse those, with a located message, before anything asks)."""
    return LANGUAGES[tag]


def other_script(text: Mapping[str, str], tag: str) -> str:
    """The text in the first language (in table order) written in the other kind of script:
    the Latin name beside a Chinese one, the Chinese beside a Latin one; "" if it has none."""
    han = language(tag).han
    return next((text[other.tag] for other in LANGUAGES.values() if other.han != han and other.tag in text), "")


_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_LATIN_NAME = re.compile(r"[A-Za-z][A-Za-z'\u2019. -]*")


def run_language(text: str, tag: str) -> str | None:
    """The language of a run of text written wholly in the other kind of script than language
    ``tag``'s (a Chinese name in an English brief, a Latin name in a Chinese one): the first
    such language of the table (zh-CN, en); None for a run in the page's own script or mixed."""
    text = text.strip()
    if tag not in LANGUAGES:
        return None
    if language(tag).han:
        other = _LATIN_NAME.fullmatch(text) is not None
    else:
        other = _HAN.search(text) is not None and re.search(r"[A-Za-z]", text) is None
    han = not language(tag).han
    return next((lang.tag for lang in LANGUAGES.values() if lang.han == han), None) if other else None
