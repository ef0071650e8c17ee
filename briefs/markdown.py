"""Stage 3 (prepare): Markdown → ``markupsafe.Markup``, the one place HTML is made from text.

CommonMark via markdown-it-py with raw HTML off (any ``<tag>`` in content is shown, escaped),
GFM tables on, CJK-friendly emphasis and line breaks, link validation from markdown-it (no ``javascript:``). Headings inside a section body
are shifted below the section's own ``<h2>``.

Original-language names are marked as spans: ``[中国移动]{lang=zh-CN}`` → ``<span lang="zh-CN">中国移动</span>``
(mdit-py-plugins' attrs, spans only). Only ``lang`` with a known language tag survives; every
other attribute (``onclick``, ``class``, ``id``, ``style`` …) is dropped.

References to exhibits: a link to ``#name`` is resolved through the ``refs`` a caller passes (exhibit
id → anchor and number label, see ``exhibits.references``): ``[](#r1-vs-o1)`` becomes a link to
``#fig-r1-vs-o1`` reading "图1" / "Figure 1"; a link with text keeps its text. This works on
markdown-it's tokens: the text is never evaluated as a template.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any, Protocol

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from markupsafe import Markup
from mdit_py_cjk_friendly import cjk_friendly
from mdit_py_plugins.attrs import attrs_plugin

from .config import KNOWN_LANGUAGES


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    # cjk_friendly: **加粗。**后文 closes as in Latin text, and a line break between two Chinese
    # characters does not become a space (both plain CommonMark surprises for Chinese writers).
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.enable("table").use(cjk_friendly)
    # [name]{lang=zh-CN} spans only (after=(): no attributes on links, images or code).
    md.use(attrs_plugin, after=(), spans=True, allowed=("lang",))
    md.core.ruler.after("inline", "span_lang", _known_span_languages)
    md.core.ruler.after("span_lang", "exhibit_refs", _exhibit_references)
    return md


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
        for index, token in enumerate(list(children)):
            if token.type != "link_open":
                continue
            href = str(token.attrs.get("href", ""))
            ref = refs.get(href[1:]) if href.startswith("#") else None
            if ref is None:
                continue
            token.attrs["href"] = f"#{ref.anchor}"
            token.attrs["class"] = "xref"
            position = children.index(token)
            if position + 1 < len(children) and children[position + 1].type == "link_close":
                text = Token("text", "", 0)
                text.content = ref.label
                children.insert(position + 1, text)


def fragment_links(text: str) -> list[tuple[str, int]]:
    """Every ``#name`` link target of a Markdown text with the 0-based line of its paragraph."""
    found: list[tuple[str, int]] = []
    for block in _parser().parse(text):
        line = block.map[0] if block.map else 0
        for token in block.children or ():
            if token.type in ("softbreak", "hardbreak"):
                line += 1
            elif token.type == "link_open":
                href = str(token.attrs.get("href", ""))
                if href.startswith("#"):
                    found.append((href[1:], line))
    return found


def _known_span_languages(state: StateCore) -> None:
    """Drop a span's ``lang`` unless it is a language tag we know (``{lang=x onclick=y}`` → no attrs)."""
    for block in state.tokens:
        for token in block.children or ():
            if token.type == "span_open" and token.attrs.get("lang") not in KNOWN_LANGUAGES:
                token.attrs.pop("lang", None)


def render_block(text: str, heading_base: int = 3,
                 refs: Mapping[str, Reference] | None = None) -> Markup:
    """Render Markdown blocks; ``#`` becomes ``<h{heading_base}>``, deeper levels follow."""
    md = _parser()
    env: dict[str, Any] = {"briefs_refs": refs} if refs else {}
    tokens = md.parse(text, env)
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            level = min(6, int(token.tag[1]) + heading_base - 1)
            token.tag = f"h{level}"
    return Markup(md.renderer.render(tokens, md.options, env))  # noqa: S704 - escaped by markdown-it


def render_inline(text: str, refs: Mapping[str, Reference] | None = None) -> Markup:
    """Render one paragraph's worth of inline Markdown (emphasis, code, links) without ``<p>``."""
    env: dict[str, Any] = {"briefs_refs": refs} if refs else {}
    return Markup(_parser().renderInline(text.strip(), env))  # noqa: S704 - escaped by markdown-it
