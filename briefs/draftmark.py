"""Compliance rule "draft-mark": a draft's rendered HTML says it is a draft.

Whether a brief is a draft is decided by the model (``Brief.draft``: no compliance approval),
never by the output. This rule only makes sure that a theme, or a project's override of it,
cannot print a draft that looks approved. A theme must produce, on every draft:

- ``<meta name="keywords" content="DRAFT, …">``: the edition's translation of "DRAFT" as one
  of the comma-separated keywords (it becomes the PDF's /Keywords);
- an element with the class ``draft-banner``: the sentence saying why, on page 1 and on screen;
- an element with the class ``draft-mark``: the watermark, repeated on every page of the PDF.

Anything missing fails the build of that document, at its brief.yaml, naming the rule and the
template. The build runs this rule itself, whatever rules plugins register: the draft gate is
not something a plugin or a template can switch off.
"""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

from briefs.errors import ComplianceError, Diagnostic, SourceLocation

RULE = "draft-mark"
KEYWORDS_META = "keywords"  # <meta name="keywords">: holds the DRAFT word on a draft
CLASSES = ("draft-banner", "draft-mark")  # elements a draft must have (banner, watermark)


class _MarkScan(HTMLParser):
    """The keywords of ``<meta name="keywords">`` and every class name used, in one pass."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.keywords: list[str] = []
        self.classes: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        self.classes.update(values.get("class", "").split())
        if tag == "meta" and values.get("name", "").strip().lower() == KEYWORDS_META:
            self.keywords += [word.strip() for word in values.get("content", "").split(",")]


def missing_marks(html: str, draft_word: str) -> list[str]:
    """What of the draft mark the page lacks, in words (empty: all there)."""
    scan = _MarkScan()
    scan.feed(html)
    scan.close()
    missing = []
    if draft_word not in scan.keywords:
        missing.append(f'the keyword {draft_word!r} in <meta name="{KEYWORDS_META}">')
    missing += [f'an element of class "{name}"' for name in CLASSES if name not in scan.classes]
    return missing


def draft_mark_problems(
    html: str, draft: bool, draft_word: str, lang: str, source: Path, template: str
) -> list[Diagnostic]:
    """The rule's finding on one rendered page: one located error if a draft lacks its mark."""
    if not draft:
        return []
    missing = missing_marks(html, draft_word)
    if not missing:
        return []
    return [
        Diagnostic(
            SourceLocation(source, 1, 1),
            f"{lang} output of this draft lacks the draft mark (rule {RULE}): missing "
            f"{'; '.join(missing)}; the template {template} must print them while the "
            "brief has no compliance approval",
        )
    ]


def verify_draft_mark(html: str, draft: bool, draft_word: str, lang: str, source: Path, template: str) -> None:
    """:func:`draft_mark_problems`, raised as a :class:`ComplianceError`."""
    found = draft_mark_problems(html, draft, draft_word, lang, source, template)
    if found:
        raise ComplianceError(found)
