"""Budgets for Markdown: what one text may hold before markdown-it is asked to parse it.

markdown-it's cost grows with the number of emphasis markers, brackets and lines in a paragraph,
in places faster than linearly (a reference definition rescans the rest of its paragraph; runs of
brackets and emphasis markers make long token streams). :func:`over_budget` measures a text in
one linear scan first, so a text over a budget is refused at its line without being parsed.
Every inline run, and every rescan, stays inside one block of lines with no blank line between
(a paragraph, list, quote or table), so counting per block bounds what the parser will do.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from markdown_it.token import Token

from briefs.render.citations import Found, found_in
from briefs.render.markdown import Link, checked_tokens, comment_lines, links, nesting_limit
from briefs.source.contentcache import ContentCache

# Within these limits every text parses in well under a second, and each is far above real
# writing: in the example briefs the longest text has 1,732 characters, and the busiest paragraph
# 1,096 characters, 6 lines, 24 emphasis markers and 4 brackets.
MAX_TEXT_CHARS = 100_000  # one section body or key point: some 30 to 50 printed pages
MAX_BLOCK_CHARS = 50_000  # a paragraph, list, quote or table: lines with no blank line between
MAX_BLOCK_LINES = 1_000  # e.g. a Markdown table of 1,000 rows
MAX_BLOCK_MARKS: tuple[tuple[str, int, str], ...] = (
    ("*_", 2_000, "emphasis markers (* or _)"),
    ("[]", 2_000, "link or image brackets ([ or ])"),
    ("`", 2_000, "backticks (`)"),
    ("<", 2_000, "angle brackets (<)"),
    ("\\", 5_000, "backslash escapes (\\)"),
    ("&", 5_000, "character references (&)"),
)
MAX_BLOCK_DEFINITIONS = 50  # reference definitions ([name]: https://…): each rescans its block
_DEFINITION = re.compile(r"^[ \t>]*(?:[-+*][ \t]+|\d{1,9}[.)][ \t]+)*\[[^\]\n]*\]:", re.MULTILINE)


@dataclass(frozen=True)
class Excess:
    """Where a Markdown text goes over a budget (0-based line, 1-based column) and what to do."""

    line: int
    column: int
    message: str


def over_budget(text: str) -> Excess | None:
    """The first budget a Markdown text goes over, or None.

    First a scan linear in the text, before any parsing: every inline run (and every reference
    definition's rescan) stays inside one block of lines with no blank line between, so counts
    per block bound what markdown-it will do. Then, on the parse that :func:`links` reuses,
    quotes and lists nested so deeply that markdown-it would leave out what is inside them.
    """
    lines = text.split("\n")
    start: int | None = None
    for index, content in enumerate([*lines, ""]):
        if content.strip(" \t\r"):
            start = index if start is None else start
        elif start is not None:
            found = _block_excess("\n".join(lines[start:index]), start)
            if found is not None:
                return found
            start = None
    if len(text) > MAX_TEXT_CHARS:
        return Excess(
            0,
            1,
            f"this Markdown text is {len(text):,} characters long; the limit is "
            f"{MAX_TEXT_CHARS:,}: split it into several sections",
        )
    return _too_deep(checked_tokens(text))


@dataclass(frozen=True)
class MarkdownFacts:
    """What the loader's checks need to know of one Markdown text: the first budget it goes over
    (then nothing else: it is not parsed), else the 0-based lines of its HTML comments, its
    links and images (:func:`briefs.render.markdown.comment_lines`, :func:`~briefs.render.markdown.links`)
    and its citations (:func:`briefs.render.citations.found_in`)."""

    excess: Excess | None
    comments: tuple[int, ...] = ()
    links: tuple[Link, ...] = ()
    citations: tuple[Found, ...] = ()


# By the text itself (:mod:`briefs.source.contentcache`): every load checks every text of the
# project, and between two loads (a check, a build, the live preview) few of them change.
_FACTS: ContentCache[MarkdownFacts] = ContentCache(16 * 2**20)  # characters of text


def markdown_facts(text: str) -> MarkdownFacts:
    """:func:`over_budget`, and within the budgets the comments and links, of a Markdown text;
    worked out once per text in a process."""
    limits = (MAX_TEXT_CHARS, MAX_BLOCK_CHARS, MAX_BLOCK_LINES, MAX_BLOCK_MARKS, MAX_BLOCK_DEFINITIONS)
    return _FACTS.remembered((text, limits), lambda: _facts(text), len(text) + 100)


def _facts(text: str) -> MarkdownFacts:
    excess = over_budget(text)
    if excess is not None:
        return MarkdownFacts(excess)
    cited = tuple(found_in(checked_tokens(text))) if "[@" in text else ()  # (most texts cite nothing: no walk)
    return MarkdownFacts(None, tuple(comment_lines(text)), tuple(links(text)), cited)


def _too_deep(tokens: Sequence[Token]) -> Excess | None:
    """A quote or list nested as deep as markdown-it goes (``maxNesting``, 20 levels: a quote
    counts one, a list and its item two): it silently leaves out everything inside, so the
    printed brief would lack text that was checked."""
    deepest = nesting_limit() - 1
    for token in tokens:
        if token.type in ("blockquote_open", "list_item_open") and token.level >= deepest:
            return Excess(
                token.map[0] if token.map else 0,
                1,
                (
                    f"quotes and lists nested {deepest + 1} levels deep (a quote counts one level, a "
                    "list two): the text inside them would not be printed; nest them less deeply"
                ),
            )
    return None


def _block_excess(block: str, line: int) -> Excess | None:
    """The first budget one block (starting at 0-based ``line`` of its text) goes over."""
    advice = (
        " per paragraph (lines with no blank line between them): break it up; tables of figures belong in an exhibit"
    )
    what = "paragraph"
    for chars, limit, name in MAX_BLOCK_MARKS:
        count = sum(block.count(c) for c in chars)
        if count > limit:
            at = _nth(block, chars, limit + 1)
            return _at(block, line, at, f"{what} has {count:,} {name}; the limit is {limit:,}{advice}")
    definitions = list(_DEFINITION.finditer(block))
    if len(definitions) > MAX_BLOCK_DEFINITIONS:
        at = definitions[MAX_BLOCK_DEFINITIONS].start()
        return _at(
            block,
            line,
            at,
            f"{what} has {len(definitions):,} reference definitions "
            f"([name]: …); the limit is {MAX_BLOCK_DEFINITIONS:,}{advice}",
        )
    lines = block.count("\n") + 1
    if lines > MAX_BLOCK_LINES:
        return Excess(
            line + MAX_BLOCK_LINES, 1, f"{what} has {lines:,} lines; the limit is {MAX_BLOCK_LINES:,}{advice}"
        )
    if len(block) > MAX_BLOCK_CHARS:
        return _at(
            block,
            line,
            MAX_BLOCK_CHARS,
            f"{what} is {len(block):,} characters long; the limit is {MAX_BLOCK_CHARS:,}{advice}",
        )
    return None


def _nth(block: str, chars: str, n: int) -> int:
    """The index of the ``n``-th character of ``block`` that is one of ``chars``."""
    for count, match in enumerate(re.finditer(f"[{re.escape(chars)}]", block), 1):
        if count == n:
            return match.start()
    return 0


def _at(block: str, line: int, index: int, message: str) -> Excess:
    """An excess at ``index`` of a block that starts on 0-based ``line``."""
    start = block.rfind("\n", 0, index) + 1
    return Excess(line + block.count("\n", 0, index), index - start + 1, message)
