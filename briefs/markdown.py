"""Stage 3 (prepare): Markdown → ``markupsafe.Markup``, the one place HTML is made from text.

CommonMark via markdown-it-py with raw HTML off (any ``<tag>`` in content is shown, escaped),
GFM tables on, CJK-friendly emphasis and line breaks, link validation from markdown-it (no ``javascript:``). Headings inside a section body
are shifted below the section's own ``<h2>``.

Original-language names are marked as spans: ``[中国移动]{lang=zh-CN}`` → ``<span lang="zh-CN">中国移动</span>``
(mdit-py-plugins' attrs, spans only). Only ``lang`` with a known language tag survives; every
other attribute (``onclick``, ``class``, ``id``, ``style`` …) is dropped.
"""

from __future__ import annotations

from functools import lru_cache

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
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
    return md


def _known_span_languages(state: StateCore) -> None:
    """Drop a span's ``lang`` unless it is a language tag we know (``{lang=x onclick=y}`` → no attrs)."""
    for block in state.tokens:
        for token in block.children or ():
            if token.type == "span_open" and token.attrs.get("lang") not in KNOWN_LANGUAGES:
                token.attrs.pop("lang", None)


def render_block(text: str, heading_base: int = 3) -> Markup:
    """Render Markdown blocks; ``#`` becomes ``<h{heading_base}>``, deeper levels follow."""
    md = _parser()
    tokens = md.parse(text)
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            level = min(6, int(token.tag[1]) + heading_base - 1)
            token.tag = f"h{level}"
    return Markup(md.renderer.render(tokens, md.options, {}))  # noqa: S704 - escaped by markdown-it


def render_inline(text: str) -> Markup:
    """Render one paragraph's worth of inline Markdown (emphasis, code, links) without ``<p>``."""
    return Markup(_parser().renderInline(text.strip()))  # noqa: S704 - escaped by markdown-it
