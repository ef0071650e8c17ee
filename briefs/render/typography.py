"""Micro-typography per language, on markdown-it's tokens and on plain strings.

English:

- typographic quotes and apostrophes (markdown-it's ``smartquotes`` for Markdown, :func:`smart_quotes`
  for plain strings such as titles): "server busy" → “server busy”, o1's → o1’s;
- names are never hyphenated: a word with a capital or a digit (DeepSeek-V3, H800, MaaS, 0700.HK)
  that could be hyphenated or broken at its own hyphen is wrapped in ``<span class="nh">``, which the
  stylesheet keeps whole (``hyphens: manual; white-space: nowrap``). Common words, in lower case, are
  hyphenated by WeasyPrint (pyphen) within ``hyphenate-limit-chars`` (render/pdf.py).

Chinese (zh-CN and the derived zh-HK):

- no paragraph ends with a single character on its last line: the last two characters and the
  closing punctuation after them are wrapped in ``<span class="nw">`` (``white-space: nowrap``),
  so a line break before the last character moves the one before it along (extraction is
  unchanged: no joiner characters are added).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from markupsafe import Markup, escape

from briefs.project.languages import is_han, is_latin

# A word: letters and digits, with inner hyphens, dots and apostrophes (DeepSeek-V3, 0700.HK, o1’s).
_WORD = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9.’'\-]*[A-Za-z0-9])?")
HYPHENATED_FROM = 7  # render/pdf.py PDF_CSS: hyphenate-limit-chars: 7 3 3 (shorter words are never hyphenated)
LONGEST_KEPT = 24  # a longer "name" (a code, a path) may still break at its own hyphens

# Closing punctuation that may follow the last characters of a Chinese paragraph.
_CLOSERS = "。．，、；：？！）》」』】〕”’…—%％)]"
_TAIL = re.compile(rf"[^\s{re.escape(_CLOSERS)}]{{2}}[{re.escape(_CLOSERS)}]*\s*$")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def is_name(word: str) -> bool:
    """Whether a word is kept whole: it has a capital or a digit, and could otherwise be broken."""
    if not any(c.isupper() or c.isdigit() for c in word) or len(word) > LONGEST_KEPT:
        return False
    return len(word) >= HYPHENATED_FROM or "-" in word or "." in word


def _text(content: str) -> Token:
    token = Token("text", "", 0)
    token.content = content
    return token


def _span(css: str, content: str) -> list[Token]:
    return [Token("span_open", "span", 1, attrs={"class": css}), _text(content), Token("span_close", "span", -1)]


def _names(children: list[Token], names: bool = True) -> Iterator[Token]:
    """Names (``names``), dates and figures with a sign or a range in ``<span class="nh">``."""
    pattern = re.compile(f"{_KEPT.pattern}|{_WORD.pattern}" if names else _KEPT.pattern)
    for token in children:
        if token.type != "text":
            yield token
            continue
        start = 0
        for match in pattern.finditer(token.content):
            if _kept(match.group()) or (names and is_name(match.group())):
                if match.start() > start:
                    yield _text(token.content[start : match.start()])
                yield from _span("nh", match.group())
                start = match.end()
        if start == 0:
            yield token
        elif start < len(token.content):
            yield _text(token.content[start:])


def _keep_last_characters(children: list[Token]) -> list[Token]:
    if not children or children[-1].type != "text":
        return children
    last = children[-1]
    match = _TAIL.search(last.content)
    if match is None or not _HAN.search(last.content):
        return children
    start = _start_of_kept(last.content, match.start())  # a date or figure ending it goes along
    head, end = last.content[:start], last.content[start:]
    return [*children[:-1], *([_text(head)] if head else []), *_span("nw", end)]


def typography(state: StateCore) -> None:
    """markdown-it core rule: the edition's micro-typography (``env["briefs_lang"]``), last."""
    lang = state.env.get("briefs_lang")
    for index, block in enumerate(state.tokens):
        if block.type != "inline" or not block.children:
            continue
        if is_latin(lang):
            block.children = list(_names(block.children))
        elif is_han(lang):
            before = state.tokens[index - 1].type if index else None
            if before in (None, "paragraph_open"):  # paragraphs and inline texts; not headings or cells
                block.children = _keep_last_characters(block.children)
            block.children = list(_names(block.children, names=False))


_DOUBLE = re.compile(r'"([^"\n]*)"')


def smart_quotes(text: str) -> str:
    """Typographic quotes and apostrophes in a plain English string (a title, a label)."""
    text = _DOUBLE.sub("\u201c\\1\u201d", text)
    text = re.sub(r"(?<=\w)'", "\u2019", text)  # it's, o1's, investors'
    text = re.sub(r"'(?=\w)", "\u2018", text)  # an opening single quote
    return text.replace("'", "\u2019")


# Full-width punctuation; the closing brackets and quotes sit in the left half of their em box
# in every Chinese locale of the font (commas, stops and colons are centred in the Hong Kong and
# Taiwan forms), so only these are halved: halving a centred or right-hand mark shifts its glyph
# left, over the one before it, and text extraction (pdftotext) then splits the line there.
_FULL_WIDTH = "，。、；：？！（）《》〈〉「」『』【】〔〕“”‘’"
_HALVED = "）》〉】〕”’"  # not 」』: pdftotext splits a line at a halved one (Hong Kong forms)
# Not before 、: a list of names with their tickers (中国移动（600941.SH）、中国联通…, the conflicts
# statements) split there in pdftotext, a line of text extracted as two with 、 beginning the second.
_FOLLOWING = _FULL_WIDTH.replace("、", "")
# The characters before the run: one, or a short bracketed phrase whole (（未覆盖）（KC.O）: the
# phrase is not broken before its last character).
_RUN = re.compile(f"((?:（[^\\s{_FULL_WIDTH}]{{1,5}})|[^\\s{_FULL_WIDTH}]?)([{_HALVED}]+)([{_FOLLOWING}])")
_SKIPPED = re.compile(r"<(head|style|script|svg|title|textarea)\b.*?</\1>", re.S | re.I)
_TAG = re.compile(r"(<[^>]*>)")


def _halve(match: re.Match[str]) -> str:
    """The closing marks at half width, kept on one line with the characters on either side:
    WeasyPrint may break a line where an inline element starts or ends, even before a mark that
    must not begin a line."""
    before, closing, after = match.groups()
    return f'<span class="nw">{before}<span class="halt">{closing}</span>{after}</span>'


def compress_punctuation(html: str) -> str:
    """Chinese: a closing bracket or quote followed by more full-width punctuation (）： 」） ”。)
    is set at half width (``.halt``: the font's OpenType ``halt``), so the run has no double gap.

    Works on the text of a rendered page (not in its head, styles, scripts or SVG charts); the
    characters are unchanged, so extraction and search see the same text. Noto Sans CJK has
    ``halt`` but not ``chws`` (which would do this contextually)."""
    out, last = [], 0
    for skipped in _SKIPPED.finditer(html):
        out.append(_compress(html[last : skipped.start()]))
        out.append(skipped.group())
        last = skipped.end()
    out.append(_compress(html[last:]))
    return "".join(out)


def _compress(html: str) -> str:
    return _in_text(html, lambda text: _RUN.sub(_halve, text))


def _in_text(html: str, change: Callable[[str], str]) -> str:
    parts = _TAG.split(html)
    return "".join(part if part.startswith("<") else change(part) for part in parts)


_HAN_CLASS = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_HAN_LATIN = re.compile(rf"(?<=[{_HAN_CLASS}])(?=[A-Za-z0-9])|(?<=[A-Za-z0-9%])(?=[{_HAN_CLASS}])")
GAPS = {"quarter": '<span class="cjk-gap"></span>'}


def space_cjk_latin(html: str, spacing: str) -> str:
    """The house's spacing between Chinese characters and Latin letters or digits (house.yaml
    ``cjk_latin_spacing``), in the text of a rendered Chinese page: none (unchanged) or quarter (an
    empty ``.cjk-gap`` span the stylesheet gives a quarter-em margin: extraction sees no space).
    Typed spaces were removed before (``cjk_spacing``), so every boundary gets the same gap."""
    gap = GAPS.get(spacing)
    if gap is None:
        return html
    out, last = [], 0
    for skipped in _SKIPPED.finditer(html):
        out.append(_in_text(html[last : skipped.start()], lambda text: _HAN_LATIN.sub(gap, text)))
        out.append(skipped.group())
        last = skipped.end()
    out.append(_in_text(html[last:], lambda text: _HAN_LATIN.sub(gap, text)))
    return "".join(out)


# A figure with its sign or unit (40%+, +17.8%, −5%) and a range of figures (6–12, 20%–25%,
# 2024-2026) is never broken inside: not at its dash, not before a trailing + (UAX #14 allows
# a break between % and +).
_NUMBER = r"[+−±]?\d(?:[\d.,]*\d)?(?:%|％)?\+?"
_RANGE = re.compile(rf"{_NUMBER}(?:\s?[–—-]\s?{_NUMBER})?(?![A-Za-z0-9]|[.,-][A-Za-z0-9])")  # not 0700.HK, 5-year
_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
# A date is never broken: 12 September 2024, September 2024, 2024年9月12日, 9月12日.
DATE = re.compile(rf"\d{{1,2}} (?:{_MONTHS}) \d{{4}}|(?:{_MONTHS}) \d{{4}}|(?:\d{{4}}年)?\d{{1,2}}月(?:\d{{1,2}}日)?")
_KEPT = re.compile(f"{DATE.pattern}|{_RANGE.pattern}")


def _kept(text: str) -> bool:
    """Whether a match of :data:`_KEPT` holds a place a line could break: a date, a sign or a dash."""
    return DATE.fullmatch(text) is not None or (
        _RANGE.fullmatch(text) is not None and any(c in text for c in "+−±–—- ")
    )


# A short bracketed phrase in Chinese (（未覆盖）): kept on one line.
# (next to more punctuation, compress_punctuation keeps it whole with its half-width bracket).
_BRACKETED = re.compile(f"(?<![{_HALVED}])（[^（）\\s]{{1,5}}）(?![{_FOLLOWING}])")


def _wrapped(text: str, keep: Callable[[re.Match[str]], bool], pattern: re.Pattern[str] = _WORD) -> Markup:
    """``text`` escaped, each match of ``pattern`` that ``keep`` accepts or that is a range of
    figures in ``<span class="nh">`` (kept on one line, never hyphenated)."""
    out, last = [], 0
    for match in re.finditer(f"{_KEPT.pattern}|{pattern.pattern}", text):
        if _kept(match.group()) or keep(match):
            out.append(escape(text[last : match.start()]))
            out.append(Markup('<span class="nh">%s</span>') % match.group())
            last = match.end()
    out.append(escape(text[last:]))
    return Markup("").join(out)


def _start_of_kept(text: str, at: int) -> int:
    """``at``, or the start of a date or figure that ``at`` falls inside."""
    for match in _KEPT.finditer(text):
        if match.start() < at < match.end() and _kept(match.group()):
            return match.start()
    return at


def keep_whole(text: str) -> Markup:
    """A plain string as HTML with its names and hyphenated words in ``<span class="nh">``: the
    template filter ``whole`` for the sidebar, where nothing may break at a hyphen (with
    :func:`typeset`'s Chinese rule, by its ``lang``)."""
    return _wrapped(text, lambda match: is_name(match.group()) or "-" in match.group())


def typeset(text: str, lang: str, whole: bool = False) -> Markup:
    """A plain string printed as a paragraph (a statement built from data, not Markdown) with the
    micro-typography Markdown paragraphs get: in English its names in ``<span class="nh">`` (kept
    whole, as :func:`typography` does), in Chinese its last two characters and the punctuation after
    them in ``<span class="nw">`` (no last line of one character) and a short bracketed phrase
    (（未覆盖）) on one line; in both, a range of figures (6–12) is never broken at its dash. The
    template filter ``typeset``; ``whole`` (the filter ``whole``, for the sidebar) also keeps
    every hyphenated word whole."""
    if is_latin(lang):
        if whole:
            return keep_whole(text)
        return _wrapped(text, lambda match: is_name(match.group()))
    if not is_han(lang):
        return escape(text)
    tail = _TAIL.search(text) if _HAN.search(text) else None
    head, end = (text[: tail.start()], tail.group()) if tail is not None else (text, "")
    if tail is not None:  # a date or figure the last characters end (…9月12日）。) is kept with them
        start = _start_of_kept(text, tail.start())
        start -= start > 0 and text[start - 1] in "（《「『【〔“‘("  # an opening bracket goes along
        head, end = text[:start], text[start:]
    opened = re.search(r"（[^（）\s]{0,4}$", head) if end.endswith("）") else None
    if opened is not None:  # the last two characters close a short bracketed phrase: all of it
        head, end = head[: opened.start()], opened.group() + end
    kept = _wrapped(head, lambda match: bool(_BRACKETED.fullmatch(match.group())), _BRACKETED)
    return kept + (Markup('<span class="nw">%s</span>') % end if end else Markup(""))
