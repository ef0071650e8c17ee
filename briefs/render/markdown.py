"""Stage 3 (prepare): Markdown → ``markupsafe.Markup``, the one place HTML is made from text.

CommonMark via markdown-it-py with raw HTML off (any ``<tag>`` in content is shown, escaped),
GFM tables on, CJK-friendly emphasis and line breaks. Headings inside a section body are shifted
below the section's own ``<h2>``.

Links: only ``https:``, ``mailto:`` and in-document ``#anchors`` (:func:`link_problem`); images only
as relative paths (the loader checks they are files in the brief's folder). The loader reports any
other target at its line (:func:`links` sees every target, as written); when rendering, markdown-it's
``validateLink`` is the same rule again (:func:`_renders`), so a target that was never checked is
shown as text rather than linked.

Original-language names are marked as spans: ``[中国移动]{lang=zh-CN}`` → ``<span lang="zh-CN">中国移动</span>``
(mdit-py-plugins' attrs, spans only). Only ``lang`` with a known language tag survives; every
other attribute (``onclick``, ``class``, ``id``, ``style`` …) is dropped.

Heading ids: every heading gets ``id="md-<slug>"`` (:class:`HeadingIds`), unique in the whole
document, so Markdown can never take an id of the template (``section-…``, ``fig-…``, ``risk-…``).

References to exhibits: a link to ``#name`` is resolved through the ``refs`` a caller passes (exhibit
id → anchor and number label, see ``exhibits.references``): ``[](#r1-vs-o1)`` becomes a link to
``#fig-r1-vs-o1`` reading "图1" / "Figure 1"; a link with text keeps its text. This works on
markdown-it's tokens: the text is never evaluated as a template.

Citations of the brief's sources, ``[@id]``, are :mod:`briefs.render.citations`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Protocol

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token
from markupsafe import Markup
from mdit_py_cjk_friendly import cjk_friendly
from mdit_py_plugins.attrs import attrs_plugin

from briefs.localize.conversion import GENERATED, convert_tokens
from briefs.project.languages import KNOWN_LANGUAGES, is_latin
from briefs.render.citations import CitationMarks, citation_plugin
from briefs.render.typography import typography

SAFE_SCHEMES = ("https", "mailto")
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")


def link_problem(url: str) -> str | None:
    """Why a link target is refused, or None: only https://…, mailto:… and #anchors are links."""
    if url.startswith("#"):
        return None
    scheme = _SCHEME.match(url)
    name = scheme.group(1).lower() if scheme else None
    if name == "https" and url[len("https:") :].startswith("//") and len(url) > len("https://"):
        return None
    if name == "mailto" and len(url) > len("mailto:"):
        return None
    hint = f" (use https:{url[len(name) + 1 :]})" if name == "http" else ""
    return f"link target '{shown_url(url)}' is not allowed{hint}: links may only be https://…, mailto:… or #anchor"


def image_problem(url: str) -> str | None:
    """Why an image source is refused before looking at files: it must be a relative path."""
    if _SCHEME.match(url) or url.startswith("/") or not url:
        return (
            f"image '{shown_url(url)}' must be a file in the brief's folder, given as a relative path such as chart.png"
        )
    return None


def shown_url(url: str, limit: int = 80) -> str:
    """A link target as the author wrote it (percent-encoding and punycode undone), shortened."""
    text = "".join(c if c.isprintable() else ascii(c)[1:-1] for c in _parser().normalizeLinkText(url))
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _renders(url: str) -> bool:
    """markdown-it's ``validateLink`` when rendering: safe links and relative image paths only."""
    return link_problem(url) is None or image_problem(url) is None


@lru_cache(maxsize=4)
def _parser(checking: bool = False, english: bool = False) -> MarkdownIt:
    """The renderer's parser; ``checking=True`` keeps every link target so that :func:`links` sees it.

    ``english``: typographic quotes and apostrophes (markdown-it's smartquotes), English only:
    Chinese text types its own full-width quotes."""
    # cjk_friendly: **加粗。**后文 closes as in Latin text, and a line break between two Chinese
    # characters does not become a space (both plain CommonMark surprises for Chinese writers).
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": english})
    if english:
        md.enable("smartquotes")
    validate: Callable[[str], bool] = (lambda _url: True) if checking else _renders
    md.validateLink = validate  # type: ignore[assignment]  # markdown-it's documented hook: a plain callable
    md.enable("table").use(cjk_friendly)
    # [name]{lang=zh-CN} spans only (after=(): no attributes on links, images or code).
    md.use(attrs_plugin, after=(), spans=True, allowed=("lang",))
    md.use(citation_plugin)  # [@id]: a numbered link to the brief's sources (render/citations.py)
    md.core.ruler.after("inline", "span_lang", _known_span_languages)
    md.core.ruler.after("span_lang", "exhibit_refs", _exhibit_references)
    md.core.ruler.after("exhibit_refs", "heading_ids", _heading_ids)
    md.core.ruler.after("heading_ids", "derived_text", _derived_text)
    # The same token streams as markdown-it's own two rules, in linear time (see _joined).
    md.inline.ruler2.at("fragments_join", _fragments_join)
    md.core.ruler.at("text_join", _text_join)
    md.core.ruler.push("typography", typography)  # names kept whole, Chinese last lines (typography.py)
    return md


def _joined(run: list[Token], keep: int) -> list[Token]:
    """A run of adjacent text tokens as one: the token at ``keep`` with every run's text."""
    token = run[keep]
    if len(run) > 1:
        token.content = "".join(t.content for t in run)
    return [token]


def _fragments_join(state: StateInline) -> None:
    """markdown-it's ``fragments_join`` (token levels, adjacent text merged into the last token
    of each run) without its quadratic cost.

    Its loop concatenates the run so far into the next token, and every partial string stays
    referenced until the end: ``*a `` × 40,000 (each unmatched ``*`` is a text token of its own)
    held about 5 GB. Here each run is joined once.
    """
    level = 0
    for token in state.tokens:
        if token.nesting < 0:
            level -= 1
        token.level = level
        if token.nesting > 0:
            level += 1
    merged: list[Token] = []
    run: list[Token] = []
    for token in state.tokens:
        if token.type == "text":
            run.append(token)
            continue
        if run:
            merged += _joined(run, -1)
            run = []
        merged.append(token)
    if run:
        merged += _joined(run, -1)
    state.tokens[:] = merged


def _text_join(state: StateCore) -> None:
    """markdown-it's core ``text_join`` (escapes become text, adjacent text merged into the first
    token of each run), joining each run once instead of growing a string token by token."""
    for inline in state.tokens:
        if inline.type != "inline":
            continue
        merged: list[Token] = []
        run: list[Token] = []
        for child in inline.children or []:
            if child.type == "text_special":
                child.type = "text"
            if child.type == "text":
                run.append(child)
                continue
            if run:
                merged += _joined(run, 0)
                run = []
            merged.append(child)
        if run:
            merged += _joined(run, 0)
        inline.children = merged


HEADING_PREFIX = "md-"
_SLUG_LENGTH = 60


class HeadingIds:
    """The heading ids of one document (one brief in one language): prefixed, unique, stable.

    An id is ``md-`` and a slug of the heading's text: NFKC-normalised, case-folded, runs of
    letters and digits (any script: Chinese headings keep their characters, ``## 成本结构`` →
    ``md-成本结构``, valid in HTML5 and in PDF destinations and more useful than a transliteration)
    joined by ``-``, cut at 60 characters. A heading with no letters or digits (only punctuation or
    emoji) falls back to ``md-heading``. A repeated id gets ``-2``, ``-3`` … in the order the
    document's Markdown is rendered, so the same content always gives the same ids.

    Why not mdit-py-plugins' ``anchors``: it keeps its set of used slugs per parse, and a brief
    renders each key point, section body and disclaimer separately, so it cannot make ids unique
    across the document; its first repeat is also ``-1``, not ``-2``.
    """

    def __init__(self) -> None:
        self.used: set[str] = set()
        self._next: dict[str, int] = {}  # slug → the suffix to try first for its next repeat

    def claim(self, title: str) -> str:
        """The id for a heading with this text; never one already given out.

        Linear in the number of headings: a repeat starts from the suffix after the last one its
        slug was given (every lower one is taken, and ids are never given back), not from ``-2``.
        """
        words = re.findall(r"\w+", unicodedata.normalize("NFKC", title).casefold())
        base = HEADING_PREFIX + ("-".join(words)[:_SLUG_LENGTH].strip("-_") or "heading")
        candidate = base
        if candidate in self.used:
            count = self._next.get(base, 2)
            candidate = f"{base}-{count}"
            while candidate in self.used:  # taken by a heading whose own slug ends in -<count>
                count += 1
                candidate = f"{base}-{count}"
            self._next[base] = count + 1
        self.used.add(candidate)
        return candidate


def _heading_ids(state: StateCore) -> None:
    """Give every heading its document-wide id (a fresh :class:`HeadingIds` if none was passed)."""
    ids: HeadingIds = state.env.setdefault("briefs_heading_ids", HeadingIds())
    for index, token in enumerate(state.tokens):
        if token.type == "heading_open":
            children = state.tokens[index + 1].children or []
            title = "".join(c.content for c in children if c.type in ("text", "code_inline"))
            token.attrSet("id", ids.claim(title))


class Reference(Protocol):
    """What a link target resolves to (``exhibits.Ref``)."""

    @property
    def anchor(self) -> str: ...

    @property
    def label(self) -> str: ...


def _exhibit_references(state: StateCore) -> None:
    """Point ``#name`` links at their exhibit's anchor; an empty link gets the number label."""
    refs: Mapping[str, Reference] | None = state.env.get("briefs_refs")
    if not refs:
        return
    for block in state.tokens:
        children = block.children
        if not children:
            continue
        rewritten: list[Token] = []  # one pass: inserting in place would be quadratic in links
        for index, token in enumerate(children):
            rewritten.append(token)
            if token.type != "link_open":
                continue
            href = str(token.attrs.get("href", ""))
            ref = refs.get(href[1:]) if href.startswith("#") else None
            if ref is None:
                continue
            token.attrs["href"] = f"#{ref.anchor}"
            token.attrs["class"] = "xref"
            if index + 1 < len(children) and children[index + 1].type == "link_close":
                text = Token("text", "", 0, meta={GENERATED: True})  # already in the edition's language
                text.content = ref.label
                rewritten.append(text)
        children[:] = rewritten


@dataclass(frozen=True)
class Link:
    """A link or image target of a Markdown text, with the 0-based line it is on."""

    url: str
    line: int
    image: bool = False
    alt: str = ""  # an image's text alternative


def links(text: str) -> list[Link]:
    """Every link (autolinks included) and image target of a Markdown text, whether or not it
    would be allowed, with its 0-based line (the paragraph's line plus the line breaks before it)."""
    found: list[Link] = []
    for line, token in _inline_tokens(text):
        if token.type == "link_open":
            found.append(Link(str(token.attrs.get("href", "")), line))
        elif token.type == "image":
            found.append(Link(str(token.attrs.get("src", "")), line, image=True, alt=token.content))
    return found


@lru_cache(maxsize=2)
def checked_tokens(text: str) -> tuple[Token, ...]:
    """The checking parser's tokens of a text (one parse serves its budget, links and comments)."""
    return tuple(_parser(checking=True).parse(text))


def nesting_limit() -> int:
    """How deep markdown-it nests blocks (``maxNesting``): it leaves out anything deeper."""
    return int(_parser(checking=True).options["maxNesting"])


def _inline_tokens(text: str) -> Iterator[tuple[int, Token]]:
    """Every inline token of a Markdown text with its 0-based line (the paragraph's line plus
    the line breaks before it)."""
    for block in checked_tokens(text):
        line = block.map[0] if block.map else 0
        for token in block.children or ():
            if token.type in ("softbreak", "hardbreak"):
                line += 1
            yield line, token


def comment_lines(text: str) -> list[int]:
    """The 0-based lines where an HTML comment (``<!--``) opens outside code. Raw HTML is off, so
    a comment would be printed as text; its author meant it to be hidden."""
    return [line for line, token in _inline_tokens(text) if token.type == "text" and "<!--" in token.content]


def _known_span_languages(state: StateCore) -> None:
    """Drop a span's ``lang`` unless it is a language tag we know (``{lang=x onclick=y}`` → no attrs)."""
    for block in state.tokens:
        for token in block.children or ():
            if token.type == "span_open" and token.attrs.get("lang") not in KNOWN_LANGUAGES:
                token.attrs.pop("lang", None)


def _derived_text(state: StateCore) -> None:
    """A derived edition: convert the prose, never a target, name or code (:mod:`conversion`)."""
    convert: Callable[[str], str] | None = state.env.get("briefs_convert")
    if convert is not None:
        convert_tokens(state.tokens, convert)


def _env(
    refs: Mapping[str, Reference] | None,
    convert: Callable[[str], str] | None,
    citations: CitationMarks | None,
    lang: str | None = None,
) -> dict[str, Any]:
    env: dict[str, Any] = {"briefs_refs": refs} if refs else {}
    env["briefs_lang"] = lang
    if convert is not None:
        env["briefs_convert"] = convert
    if citations is not None:
        env["briefs_citations"] = citations
    return env


def render_block(
    text: str,
    heading_base: int = 3,
    refs: Mapping[str, Reference] | None = None,
    ids: HeadingIds | None = None,
    convert: Callable[[str], str] | None = None,
    citations: CitationMarks | None = None,
    lang: str | None = None,
) -> Markup:
    """Render Markdown blocks; ``#`` becomes ``<h{heading_base}>``, deeper levels follow.

    Pass the document's ``ids`` so that heading ids are unique across all its texts, a derived
    edition's ``convert`` (its text is then the source language's), the document's ``citations``
    so that ``[@id]`` links to its numbered source, and the edition's ``lang`` for its
    micro-typography (:mod:`briefs.render.typography`).
    """
    md = _parser(english=is_latin(lang))
    env = _env(refs, convert, citations, lang)
    if ids is not None:
        env["briefs_heading_ids"] = ids
    tokens = md.parse(text, env)
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            level = min(6, int(token.tag[1]) + heading_base - 1)
            token.tag = f"h{level}"
    return Markup(md.renderer.render(tokens, md.options, env))  # noqa: S704 - escaped by markdown-it


def render_inline(
    text: str,
    refs: Mapping[str, Reference] | None = None,
    convert: Callable[[str], str] | None = None,
    citations: CitationMarks | None = None,
    lang: str | None = None,
) -> Markup:
    """Render one paragraph's worth of inline Markdown (emphasis, code, links) without ``<p>``."""
    env = _env(refs, convert, citations, lang)
    return Markup(_parser(english=is_latin(lang)).renderInline(text.strip(), env))  # noqa: S704 - escaped by markdown-it
