"""Bilingual fidelity checks run by ``briefs check``: each translation must say what its source says.

The source of a text is the language its file is written in first (a brief's ``source:``, else
``[tool.briefs] source``; the shared files: the project's). Every check runs from it to each of
the project's other languages (issue 3, item 5; issue 18, item 1):

- **figure parity** (warning): every figure of the source (13亿, 79.8%, 2月23日, 1月底 …) must
  appear in each translation, units normalised (13亿 = 1.3 billion = 1,300 million), and every
  figure of a translation must appear in its source;
- **translation drift** (warning): ``translations.lock`` beside the YAML records, per text and
  language, short sha256s of the source the translation was reviewed against and of the
  translation as reviewed; a changed source flags the translation as stale, a changed translation
  is flagged as not reviewed, until ``briefs translations --reviewed`` records them again;
- **glossary** (warning): a source using a term of ``content/_shared/glossary.yaml`` needs one of
  the term's forms in the translation, zh-CN → en and en → zh-CN;
- **no Han in English** (error): Han characters in a Latin-script translation, except inside
  Markdown spans marked as original-language names, ``[中国移动]{lang=zh-CN}``;
- **untranslated words** (warning): in a Chinese translation of a Latin-script source, a run of
  several words that reads as a sentence left in the source (names, tickers, glossary terms,
  figures, code, links and marked spans ``[…]{lang=en}`` do not count).

``briefs check --strict`` turns the warnings into a failing exit status. Every finding is located
at ``path:line:col`` of the translation (the YAML value, or the line of a ``body_file``).

This module runs them; the parts live beside it: :mod:`briefs.checks.figures` (figure extraction),
:mod:`briefs.checks.figure_matching` (comparison and alignment), :mod:`briefs.checks.glossary`,
:mod:`briefs.checks.translations_lock` (the lock file) and :mod:`briefs.checks.review` (the drift check and
``briefs translations``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from briefs.checks.figure_matching import aligned, missing_figures
from briefs.checks.figures import mask, short
from briefs.checks.glossary import Glossary, english_matches, glossary_misses, load_glossary
from briefs.checks.review import Findings, check_drift
from briefs.errors import Diagnostic, by_place
from briefs.load.loaded import Project
from briefs.load.project import load_project
from briefs.pipeline.limits import Budget
from briefs.project.config import ProjectConfig
from briefs.project.languages import KNOWN_LANGUAGES, language
from briefs.source.texts import Entry, checked_units

_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")
_MARKED_SPAN = re.compile(r"\[([^\[\]\n]*)\]\{([^{}\n]*)\}")
_SPAN_LANG = re.compile(r"(?:^|\s)lang=(\"?)([A-Za-z-]+)\1(?=\s|$)")
# A run of Latin words separated by blanks or light punctuation; one that is long and has enough
# lower-case words reads as a sentence (names and titles are capitalised: Hang Seng Tech Index).
_WORD = r"[A-Za-z][A-Za-z0-9'’.&/+-]*"
_LATIN_RUN = re.compile(rf"{_WORD}(?:(?:[ \t]*[,;:][ \t]*|[ \t]+){_WORD})+")  # one way to split each gap
_LATIN_WORD = re.compile(_WORD)
_NOT_PROSE = re.compile(r"`[^`\n]*`|\]\([^)\n]*\)|https?://\S+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+|\[@[^\[\]\n]*\]")
_CITATION = re.compile(r"\[@[^\[\]\n]*\]")  # [@source-id]: its ids are names, never terms of the glossary
RUN_WORDS = 5  # words in a run before it can be a sentence
RUN_LOWER = 3  # of which at least this many start lower-case


def _marked(text: str, lang: str) -> list[tuple[int, int]]:
    """Spans of ``[…]{lang=xx}`` marked as another known language than ``lang``."""
    spans = []
    for m in _MARKED_SPAN.finditer(text):
        tag = _SPAN_LANG.search(m.group(2))
        if tag and tag.group(2) in KNOWN_LANGUAGES and tag.group(2) != lang:
            spans.append(m.span(1))
    return spans


def unmarked_han(text: str, lang: str, markdown: bool) -> list[tuple[int, str]]:
    """Runs of Han characters in a ``lang`` text outside ``[…]{lang=zh-…}`` spans (Markdown only)."""
    work = mask(text, _marked(text, lang)) if markdown else text
    return [(m.start(), m.group(0)) for m in _HAN.finditer(work)]


def untranslated_runs(text: str, lang: str, markdown: bool, glossary: Glossary | None = None) -> list[tuple[int, str]]:
    """Runs of Latin words in a Chinese ``lang`` text that read as an untranslated sentence: at
    least RUN_WORDS words, RUN_LOWER of them lower-case, once marked spans (Markdown), code, links,
    URLs, e-mail addresses and the glossary's English forms are taken out."""
    spans = [m.span() for m in _NOT_PROSE.finditer(text)]
    if markdown:
        spans += _marked(text, lang)
    if glossary is not None:
        work = mask(text, spans)
        spans += [(start, end) for _, start, end in english_matches(glossary, work)]
    work = mask(text, spans)
    found = []
    for m in _LATIN_RUN.finditer(work):
        words = _LATIN_WORD.findall(m.group(0))
        lower = sum(1 for word in words if word[0].islower() and not any(c.isdigit() for c in word))
        if len(words) >= RUN_WORDS and lower >= RUN_LOWER:
            found.append((m.start(), m.group(0)))
    return found


def check_fidelity(
    config: ProjectConfig,
    paths: Sequence[Path] = (),
    langs: Sequence[str] | None = None,
    project: Project | None = None,
) -> list[Diagnostic]:
    """All fidelity findings for the selected briefs and the shared files, sorted by place.

    The content must load (call after the ordinary checks; pass its ``project`` if it is loaded).
    Malformed glossary or lock files and Han in English are errors; everything else is a warning.
    """
    project = project or load_project(config, paths)
    targets = tuple(lang for lang in (langs or config.languages) if lang in config.languages)
    run = Findings(config, targets)
    glossary = load_glossary(config, run.diags)
    for unit in checked_units(config, project.library.docs.values(), project.briefs):
        with Budget().spent_on(unit.doc.path, "checking the translations of this file"):
            check_drift(run, unit, lambda entry, src, lang: _check_text(run, glossary, entry, src, lang))
    return sorted(set(run.diags.items), key=by_place)


def _check_text(run: Findings, glossary: Glossary | None, entry: Entry, src: str, lang: str) -> None:
    source, target, site = entry.texts[src], entry.texts[lang], entry.sites[lang]
    for figure in missing_figures(source, target):
        shown = figure.describe()
        extra = "" if shown in figure.text else f" ({shown})"
        run.diags.warning(
            site.at(aligned(source, figure.start, target)),
            f"figure '{short(figure.text)}'{extra} of the {src} text is missing from the {lang} text",
        )
    for figure in missing_figures(target, source):
        run.diags.warning(
            site.at(figure.start), f"figure '{short(figure.text)}' of the {lang} text is not in the {src} text"
        )
    if glossary is not None and entry.markdown:
        source, target = (mask(x, (m.span() for m in _CITATION.finditer(x))) for x in (source, target))
    if glossary is not None:
        for at, message in glossary_misses(glossary, src, source, lang, target):
            run.diags.warning(site.at(aligned(source, at, target)), message)
    if not language(lang).han:
        name_lang = src if language(src).han else next((t for t in KNOWN_LANGUAGES if language(t).han), src)
        for pos, run_text in unmarked_han(target, lang, entry.markdown):
            if entry.markdown:
                advice = f"mark an original-language name as [{run_text}]{{lang={name_lang}}}"
            else:
                advice = "plain-text fields allow none"
            run.diags.error(site.at(pos), f"Han characters '{run_text}' in the {lang} text ({advice})")
    elif not language(src).han:
        mark = f" (translate them, or mark words meant to stay in {src} as [words]{{lang={src}}})"
        for pos, run_text in untranslated_runs(target, lang, entry.markdown, glossary):
            advice = mark if entry.markdown else " (translate them)"
            run.diags.warning(
                site.at(pos), f"untranslated {src} words in the {lang} text: '{short(run_text, 60)}'{advice}"
            )
