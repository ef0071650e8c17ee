"""Bilingual fidelity checks run by ``briefs check``: the English must say what the Chinese says.

Four checks over every Text of the selected briefs and of ``content/_shared`` (issue 3, item 5):

- **figure parity** (warning): every figure of a zh-CN text (13亿, 79.8%, 2月23日, 1月底 …) must
  appear in each translation, units normalised (13亿 = 1.3 billion = 1,300 million); and every
  figure of the English must appear in the Chinese;
- **translation drift** (warning): ``translations.lock`` beside the YAML records, per text and
  language, a short sha256 of the zh-CN source the translation was reviewed against; a changed
  source flags the translation as stale until ``briefs translations --reviewed`` records it again;
- **glossary** (warning): a zh-CN text using a term of ``content/_shared/glossary.yaml`` needs one
  of the term's English forms in its English;
- **no Han in English** (error): Han characters in an en text, except inside Markdown spans
  marked as original-language names, ``[中国移动]{lang=zh-CN}``.

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
from briefs.checks.glossary import Glossary, glossary_uses, has_form, load_glossary, normalise_en
from briefs.checks.review import Findings, check_drift
from briefs.errors import Diagnostic, by_place
from briefs.load.loaded import Project
from briefs.load.project import load_project
from briefs.pipeline.limits import Budget
from briefs.project.config import ProjectConfig
from briefs.project.languages import KNOWN_LANGUAGES
from briefs.source.texts import SOURCE, Entry, checked_units

_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")
_MARKED_SPAN = re.compile(r"\[([^\[\]\n]*)\]\{([^{}\n]*)\}")
_SPAN_LANG = re.compile(r"(?:^|\s)lang=(\"?)([A-Za-z-]+)\1(?=\s|$)")


def unmarked_han(text: str, lang: str, markdown: bool) -> list[tuple[int, str]]:
    """Runs of Han characters in a ``lang`` text outside ``[…]{lang=zh-…}`` spans (Markdown only)."""
    work = text
    if markdown:
        spans = []
        for m in _MARKED_SPAN.finditer(text):
            tag = _SPAN_LANG.search(m.group(2))
            if tag and tag.group(2) in KNOWN_LANGUAGES and tag.group(2) != lang:
                spans.append(m.span(1))
        work = mask(text, spans)
    return [(m.start(), m.group(0)) for m in _HAN.finditer(work)]


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
    if SOURCE not in config.languages:
        return []
    project = project or load_project(config, paths)
    targets = tuple(lang for lang in (langs or config.languages) if lang != SOURCE and lang in config.languages)
    run = Findings(config, targets)
    glossary = load_glossary(config, run.diags)
    for unit in checked_units(config, project.library.docs.values(), project.briefs):
        with Budget().spent_on(unit.doc.path, "checking the translations of this file"):
            check_drift(run, unit, lambda entry, lang: _check_text(run, glossary, entry, lang))
    return sorted(set(run.diags.items), key=by_place)


def _check_text(run: Findings, glossary: Glossary | None, entry: Entry, lang: str) -> None:
    source, target, site = entry.texts[SOURCE], entry.texts[lang], entry.sites[lang]
    for figure in missing_figures(source, target):
        shown = figure.describe()
        extra = "" if shown in figure.text else f" ({shown})"
        run.diags.warning(
            site.at(aligned(source, figure.start, target)),
            f"figure '{short(figure.text)}'{extra} of the zh-CN text is missing from the {lang} text",
        )
    for figure in missing_figures(target, source):
        run.diags.warning(
            site.at(figure.start), f"figure '{short(figure.text)}' of the {lang} text is not in the zh-CN text"
        )
    if lang != "en":
        return
    if glossary is not None:
        english = normalise_en(target)
        for term, at in glossary_uses(glossary, source):
            if not any(has_form(english, form) for form in term.en):
                forms = " or ".join(f"'{form}'" for form in term.en)
                run.diags.warning(
                    site.at(aligned(source, at, target)),
                    f"glossary: the zh-CN text uses '{term.zh}' but the en text has no {forms}",
                )
    for pos, run_text in unmarked_han(target, lang, entry.markdown):
        if entry.markdown:
            advice = f"mark an original-language name as [{run_text}]{{lang=zh-CN}}"
        else:
            advice = "plain-text fields allow none"
        run.diags.error(site.at(pos), f"Han characters '{run_text}' in the en text ({advice})")


# ============================================================================ briefs translations
