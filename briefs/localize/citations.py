"""A brief's sources as numbered by its citations (``[@id]``, :mod:`briefs.render.citations`).

Sources are numbered in the order they are first cited in the brief's source language, read as
the document prints it: key points, then the sections in order, then the brief's own risks;
sources never cited follow in the order listed. Every edition uses these numbers, so the zh-CN,
en and zh-HK editions of a brief cite source 3 as [3] whatever order a translation puts things in.
"""

from __future__ import annotations

import gettext
from collections.abc import Iterator

from briefs.load.loaded import LoadedBrief
from briefs.localize.views import SourceView
from briefs.model import brief as m
from briefs.render.citations import SOURCE_ANCHOR, CitationMarks, number_sources
from briefs.source.markdown_limits import markdown_facts


def reading_order(loaded: LoadedBrief, lang: str) -> Iterator[str]:
    """The brief's Markdown texts that may cite its sources, in ``lang``, in reading order."""
    brief = loaded.brief
    for point in brief.key_points:
        if lang in point:
            yield point[lang]
    for section in brief.sections:
        body = loaded.bodies.get((section.id, lang))
        if body is not None:
            yield body.text
    for risk in brief.risks:
        if isinstance(risk, m.OwnRisk) and lang in risk.text:
            yield risk.text[lang]


def cited_ids(texts: Iterator[str]) -> Iterator[str]:
    """The source ids the texts cite, in order, each time it is cited (malformed citations left out)."""
    for text in texts:  # (loaded texts: within the Markdown budgets, each parsed once per process)
        for found in markdown_facts(text).citations:
            if found.problem is None:
                yield from found.ids


def source_numbers(loaded: LoadedBrief, source: str) -> tuple[int, ...]:
    """Each listed source's number, from the citations of the ``source`` language's text."""
    ids = [s.id for s in loaded.brief.sources]
    return number_sources(ids, cited_ids(reading_order(loaded, source)))


def citation_marks(loaded: LoadedBrief, source: str, tr: gettext.NullTranslations) -> CitationMarks:
    """The marks one document renders its citations with (numbers from the ``source`` language)."""
    numbers = source_numbers(loaded, source)
    by_id = {s.id: n for s, n in zip(loaded.brief.sources, numbers, strict=True) if s.id is not None}
    pattern = tr.gettext("Source %(number)s")
    return CitationMarks(by_id, lambda number: pattern % {"number": number})


def source_views(
    loaded: LoadedBrief, source: str, marks: CitationMarks, text: dict[int, str]
) -> tuple[SourceView, ...]:
    """The sources list in number order, each with the anchors of its citations in this edition
    (call after every cited text is rendered); ``text``: each listed source's text by position."""
    numbers = source_numbers(loaded, source)
    views = [
        SourceView(number, SOURCE_ANCHOR.format(number=number), text[i], s.url, marks.back(number))
        for i, (s, number) in enumerate(zip(loaded.brief.sources, numbers, strict=True))
    ]
    return tuple(sorted(views, key=lambda v: v.number))
