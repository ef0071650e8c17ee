"""Citations of a brief's sources in its Markdown: ``[@id]``, ``[@id1; @id2]``.

The syntax is Pandoc's citation syntax cut down to what a brief needs: a ``[``, then one or more
source ids each after an ``@``, separated by ``;`` or ``,``, then ``]``. It reads the same next to
Chinese and English text (``推理算力占比将达95%[@tirias]。``, ``… 95% of all compute [@tirias].``)
and means nothing else in our Markdown: a link needs ``(…)`` after its ``]`` (``[@x](https://…)``
stays a link), footnotes are not enabled, and ``@`` starts no other syntax inside brackets.

:func:`citation_plugin` adds an inline rule that turns each ``[@…]`` into one ``citation`` token
(``meta``: the ids, the text as written, a ``problem`` when it is malformed, and whether it sits
inside a link's text). Code spans and code blocks are never parsed for inline rules, so a
``[@x]`` there stays code. The renderer prints a valid citation as superscript links to the
numbered sources list, ``<sup class="cite"><a href="#src-2" id="cite-2-1" role="doc-biblioref"
aria-label="Source 2">[2]</a></sup>``, through the document's :class:`CitationMarks`: the numbers
(the same in every edition, from :func:`number_sources`) and the anchor of every citation of each
source, which the sources list links back to. Anchors are built from numbers only, so no text an
author wrote ever reaches an ``id`` or ``href``. Without marks (a shared text, a check) or with a
problem, the citation prints as the text written, escaped.

The loader reports malformed and unknown citations, and citations in headings or links, at their
line and column (:mod:`briefs.load.citation_checks`); :func:`found_in` lists them from a text's
tokens for it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token
from markupsafe import escape

from briefs.model.fields import ID_RE

CITATION = "citation"  # the token type
SOURCE_ANCHOR = "src-{number}"  # the sources list's entries
CITE_ANCHOR = "cite-{number}-{count}"  # the count-th citation of that source in the document
_CANDIDATE = re.compile(r"\[@([^\[\]\n]*)\]")
_SEPARATOR = re.compile(r"\s*[;,]\s*")
SYNTAX_HINT = "write [@id], or [@id1; @id2] for several sources, with the ids of the brief's sources"


def parse_ids(inner: str) -> tuple[tuple[str, ...], str | None]:
    """The ids of a citation's inside (what follows ``[@`` up to ``]``), or why it is malformed."""
    parts = _SEPARATOR.split("@" + inner.strip())
    ids: list[str] = []
    for part in parts:
        name = part[1:] if part.startswith("@") else None
        if not name:
            return (), f"malformed citation '[@{inner}]': {SYNTAX_HINT}"
        if not ID_RE.fullmatch(name) or len(name) > 64:
            return (), (
                f"malformed citation '[@{inner}]': '{name}' is not a source id "
                "(lower-case letters, digits and single '-', starting with a letter)"
            )
        ids.append(name)
    return tuple(ids), None


def _citation_rule(state: StateInline, silent: bool) -> bool:
    # In validation mode (markdown-it skipping a link's label) a citation is plain brackets, so
    # that [text [@x]](url) stays a link, whose text the loader then reports as holding a citation.
    if silent or not state.src.startswith("[@", state.pos):
        return False
    match = _CANDIDATE.match(state.src, state.pos)
    if match is None or state.src.startswith("(", match.end()):  # [@x](…) is a link
        return False
    ids, problem = parse_ids(match.group(1))
    token = state.push(CITATION, "", 0)
    token.content = match.group(0)
    token.meta = {"ids": ids, "problem": problem, "in_link": state.linkLevel > 0}
    state.pos = match.end()
    return True


@dataclass
class CitationMarks:
    """The citations of one document (a brief in one language), numbered the same in every edition.

    ``numbers``: source id → its number; ``label``: the accessible name of a citation link in the
    edition's language (``Source 2`` / ``来源2``). :meth:`cite` hands out each citation's anchor and
    records it, in the order the document is rendered, for the sources list's links back.
    """

    numbers: Mapping[str, int]
    label: Callable[[int], str]
    anchors: dict[int, list[str]] = field(default_factory=dict)

    def cite(self, source_id: str) -> tuple[int, str] | None:
        """The number and the anchor of a new citation of ``source_id`` (None: not a source)."""
        number = self.numbers.get(source_id)
        if number is None:
            return None
        mine = self.anchors.setdefault(number, [])
        mine.append(CITE_ANCHOR.format(number=number, count=len(mine) + 1))
        return number, mine[-1]

    def back(self, number: int) -> tuple[str, ...]:
        """The anchors of the citations of source ``number``, in reading order."""
        return tuple(self.anchors.get(number, ()))


def _render_citation(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Mapping[str, Any]) -> str:
    token = tokens[idx]
    marks: CitationMarks | None = env.get("briefs_citations")
    ids: tuple[str, ...] = token.meta.get("ids", ())
    if marks is None or token.meta.get("problem") or not all(i in marks.numbers for i in ids):
        return str(escape(token.content))
    links = []
    for source_id in ids:
        if token.meta.get("in_link"):  # no link inside a link: the number alone
            links.append(f"[{marks.numbers[source_id]}]")
            continue
        cited = marks.cite(source_id)
        assert cited is not None
        number, anchor = cited
        href = "#" + SOURCE_ANCHOR.format(number=number)
        label = escape(marks.label(number))
        links.append(
            f'<a href="{href}" id="{anchor}" class="cite-link" role="doc-biblioref" aria-label="{label}">[{number}]</a>'
        )
    return f'<sup class="cite">{"".join(links)}</sup>'


def citation_plugin(md: MarkdownIt) -> None:
    """Parse ``[@id]`` citations (before links, so a citation is never read as a link label) and
    render them through the document's :class:`CitationMarks`."""
    md.inline.ruler.before("link", CITATION, _citation_rule)
    md.add_render_rule(CITATION, _render_citation)


@dataclass(frozen=True)
class Found:
    """A citation in a text: its ids, the text written, its 0-based line, and where it sits."""

    ids: tuple[str, ...]
    raw: str
    line: int
    problem: str | None
    in_heading: bool
    in_link: bool


def found_in(tokens: Iterable[Token]) -> list[Found]:
    """Every citation of a parsed text (an image's text alternative included), in order."""
    found: list[Found] = []
    heading = False
    for block in tokens:
        if block.type == "heading_open":
            heading = True
        elif block.type == "heading_close":
            heading = False
        line = block.map[0] if block.map else 0
        for token in block.children or ():
            if token.type in ("softbreak", "hardbreak"):
                line += 1
            inner = token.children if token.type == "image" else [token]
            found += [
                Found(
                    c.meta["ids"],
                    c.content,
                    line,
                    c.meta["problem"],
                    heading,
                    bool(c.meta["in_link"]) or token.type == "image",
                )
                for c in inner or ()
                if c.type == CITATION
            ]
    return found


def column_of(text: str, found: Sequence[Found], index: int) -> int:
    """The offset in ``text`` where citation ``found[index]`` is written: the n-th occurrence of
    its text on its line, n counting the citations before it with the same text on that line."""
    mine = found[index]
    nth = sum(1 for f in found[:index] if f.line == mine.line and f.raw == mine.raw)
    starts = [0]
    for piece in text.split("\n")[:-1]:
        starts.append(starts[-1] + len(piece) + 1)
    if mine.line >= len(starts):
        return 0
    line_text = text[starts[mine.line] :].split("\n", 1)[0]
    at = -1
    for _ in range(nth + 1):
        at = line_text.find(mine.raw, at + 1)
        if at < 0:
            return starts[mine.line]
    return starts[mine.line] + at


def number_sources(source_ids: Sequence[str | None], cited: Iterable[str]) -> tuple[int, ...]:
    """Each listed source's number: the cited ones in order of first citation, then the others in
    the order listed (a source without an id cannot be cited)."""
    order: dict[str, int] = {}
    for source_id in cited:
        if source_id in source_ids and source_id not in order:
            order[source_id] = len(order) + 1
    numbers = []
    after = len(order)
    for listed in source_ids:
        if listed is not None and listed in order:
            numbers.append(order[listed])
        else:
            after += 1
            numbers.append(after)
    return tuple(numbers)
