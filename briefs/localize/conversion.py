"""Derived editions (zh-HK from zh-CN with OpenCC): convert prose, never what names something.

A derived edition's Markdown is parsed from the source language's text, and only then is text
converted: the text tokens markdown-it made (and an image's text alternative and a link's title).
Link targets, image file names, reference definitions and anchors are attributes of other tokens,
so conversion cannot reach them whatever their syntax (inline, reference-style, autolink,
angle-bracketed, percent-encoded). Neither are code spans and code blocks converted, nor a span
marked with its own language (``[中国移动]{lang=zh-CN}`` stays as written), nor an autolink's
shown address. Within prose, anything that reads as a URL or an e-mail address is kept too, in
plain texts as well as in Markdown (:func:`convert_prose`).

Heading ids are claimed before conversion, so an edition's ids are its source's: an ``#anchor``
written in the source text still finds its heading.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from markdown_it.token import Token

Convert = Callable[[str], str]

# A URL (scheme://… or mailto:/tel:…) up to white space, or an e-mail address: kept as written.
_KEPT = re.compile(
    r"(?:[A-Za-z][A-Za-z0-9+.-]*://|(?:mailto|tel):)[^\s<>\"'）】」』，。；！？]+"
    r"|[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+"
)
GENERATED = "briefs_generated"  # meta flag of text a renderer rule wrote in the edition's language


def convert_prose(text: str, convert: Convert) -> str:
    """``text`` converted, except the URLs and e-mail addresses in it."""
    parts: list[str] = []
    start = 0
    for kept in _KEPT.finditer(text):
        parts += [convert(text[start : kept.start()]) if kept.start() > start else "", kept[0]]
        start = kept.end()
    parts.append(convert(text[start:]) if start < len(text) else "")
    return "".join(parts)


def convert_tokens(tokens: Sequence[Token], convert: Convert) -> None:
    """Convert, in place, the prose of a parsed Markdown document (see the module's text)."""
    for block in tokens:
        if block.type == "inline" and block.children:
            _convert_inline(block.children, convert)


def _convert_inline(children: Sequence[Token], convert: Convert) -> None:
    links: list[bool] = []  # open links: is each an autolink (its text is the address)?
    spans: list[bool] = []  # open spans: does each mark a language of its own?
    for token in children:
        kept = any(links) or any(spans)
        if token.type == "link_open":
            links.append(token.markup in ("autolink", "linkify"))
            _convert_title(token, convert)
        elif token.type == "link_close" and links:
            links.pop()
        elif token.type == "span_open":
            spans.append("lang" in token.attrs)
        elif token.type == "span_close" and spans:
            spans.pop()
        elif token.type == "image" and not kept:
            _convert_title(token, convert)
            _convert_inline(token.children or [], convert)  # its text alternative
        elif token.type == "text" and not kept and not token.meta.get(GENERATED):
            token.content = convert_prose(token.content, convert)


def _convert_title(token: Token, convert: Convert) -> None:
    title = token.attrs.get("title")
    if isinstance(title, str) and title:
        token.attrs["title"] = convert_prose(title, convert)
