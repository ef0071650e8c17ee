"""An example briefs plugin: one compliance rule, one output format and one rule pack.

- Rule ``no-guarantees``: a brief's title must not promise a result ("guaranteed", 保证) in any
  language; the error is located at the title in brief.yaml.
- Format ``txt``: the brief as plain text (title, subtitle, key points, section headings and
  text), written as ``<id>/<id>.<lang>.txt``.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

from briefs import Diagnostic, Registry, RenderedDocument
from briefs.compliance.packs import HONG_KONG_HEADINGS, hong_kong
from briefs.plugins import BriefUnderReview, PageUnderReview, Requirement

WORDS = ("guaranteed", "保证")


def no_guarantees(review: BriefUnderReview) -> list[Diagnostic]:
    """A title that promises a result is refused."""
    found = []
    for lang, title in sorted(review.brief.title.items()):
        word = next((w for w in WORDS if w in title.casefold()), None)
        if word is not None:
            found.append(Diagnostic(review.at("title", lang),
                                    f"title promises a result ('{word}'): research never guarantees"))
    return found


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def plain(markup: str) -> str:
    """The text of an HTML fragment, whitespace collapsed."""
    parser = _Text()
    parser.feed(str(markup))
    return re.sub(r"\s+", " ", "".join(parser.parts)).strip()


class TextRenderer:
    """The brief as plain text."""

    name = "txt"
    suffix = "txt"
    version = "1"

    def render(self, document: RenderedDocument) -> bytes:
        brief = document.brief
        lines = [brief.title]
        if brief.subtitle:
            lines.append(brief.subtitle)
        lines += ["", *(f"- {plain(point)}" for point in brief.key_points)]
        for section in brief.sections:
            lines += ["", section.heading, "", plain(section.html)]
        return ("\n".join(lines) + "\n").encode("utf-8")


def house_hong_kong(page: PageUnderReview) -> list[Requirement]:
    """briefs' Hong Kong pack, and the house's complaints channel on every page."""
    complaints = page.heading("complaints")
    return [*hong_kong(page), Requirement("complaints", f"the complaints channel '{complaints}'", (complaints,))]


def register(registry: Registry) -> None:
    """Add the rule, the format and the pack."""
    registry.add_rule("no-guarantees", check=no_guarantees)
    registry.add_format(TextRenderer())
    registry.add_pack("house-hong-kong", house_hong_kong, headings=(*HONG_KONG_HEADINGS, "complaints"))
