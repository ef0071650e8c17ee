"""Stage 3 (prepare): Markdown → ``markupsafe.Markup``, the one place HTML is made from text.

CommonMark via markdown-it-py with raw HTML off (any ``<tag>`` in content is shown, escaped),
GFM tables on, CJK-friendly emphasis and line breaks, link validation from markdown-it (no ``javascript:``). Headings inside a section body
are shifted below the section's own ``<h2>``.
"""

from __future__ import annotations

from functools import lru_cache

from markdown_it import MarkdownIt
from markupsafe import Markup
from mdit_py_cjk_friendly import cjk_friendly


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    # cjk_friendly: **加粗。**后文 closes as in Latin text, and a line break between two Chinese
    # characters does not become a space (both plain CommonMark surprises for Chinese writers).
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    return md.enable("table").use(cjk_friendly)


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
