"""The orchestrator: load → localize → render HTML → render PDF → write. The only place stages meet.

``plan`` turns the loaded project into independent documents (one per brief × language), so that
later the expensive PDF step can run in worker processes without sharing state.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from markupsafe import Markup

from .compliance import verify_html
from .config import ProjectConfig
from .errors import BriefsError, ContentError, Diagnostic, SourceLocation, TemplateError
from .fonts import FONTS, require_fonts
from .i18n import Edition, catalog_problems, translations
from .load import LoadedBrief, Project, load_project
from .localize import localize
from .render.html import Alternate, RenderContext, load_css, render_html
from .render.pdf import render_pdf
from .write import write_atomic

log = logging.getLogger(__name__)

FORMATS = ("html", "pdf")
LANGUAGE_NAMES = {"zh-CN": "简体中文", "en": "English", "zh-HK": "繁體中文"}


@dataclass(frozen=True)
class Document:
    """One brief in one language, rendered to HTML and ready for the PDF step."""

    brief_id: str
    lang: str
    html: str
    source: Path
    folder: Path
    created: dt.datetime
    attachments: tuple[tuple[str, bytes], ...]


@dataclass
class BuildResult:
    """What a build wrote and what it has to say."""

    written: list[Path] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    briefs: int = 0


def build_time(brief_date: dt.date) -> dt.datetime:
    """Creation time: SOURCE_DATE_EPOCH when set (reproducible CI builds), else the brief's date."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.strip().isdigit():
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC)
    return dt.datetime.combine(brief_date, dt.time(0, 0), tzinfo=dt.UTC)


def edition(config: ProjectConfig, lang: str) -> Edition:
    """The edition of ``lang``: the project's own language, or one derived by configuration."""
    if lang in config.languages:
        return Edition(lang)
    derivation = config.derivation(lang)
    if derivation is None:
        raise ContentError.at(config.root / "pyproject.toml", 0, 0,
                              f"language '{lang}' is not one of the project's editions "
                              f"({', '.join(config.editions)})")
    return Edition(lang, *derivation)


def plan(project: Project, langs: Sequence[str]) -> list[Document]:
    """Localize and render the HTML of every brief in every language (cheap; done in-process)."""
    config = project.config
    editions = [edition(config, lang) for lang in langs]
    problems = [p for e in editions for p in catalog_problems(config.templates, e)]
    if any(p.severity == "error" for p in problems):
        raise TemplateError(problems)
    css = (load_css(config.templates), load_css(config.templates, "screen.css"))
    documents: list[Document] = []
    for loaded in project.briefs:
        for ed in editions:
            documents.append(_document(project, loaded, ed, langs, css))
    return documents


def _document(project: Project, loaded: LoadedBrief, ed: Edition, langs: Sequence[str],
              css: tuple[Markup, Markup]) -> Document:
    config = project.config
    lang = ed.lang
    tr = translations(config.templates, ed)
    localized = localize(loaded, project.library, ed, tr)
    alternates = tuple(
        Alternate(other, LANGUAGE_NAMES[other], f"{loaded.brief.id}.{other}.html")
        for other in langs if other != lang
    )
    context = RenderContext(
        brief=localized,
        edition=ed,
        alternates=alternates,
        fonts=FONTS[lang],
        css=css[0],
        screen_css=css[1],
        created=build_time(loaded.brief.date),
    )
    html = render_html(config.templates, context)
    verify_html(html, localized, loaded.path)
    return Document(loaded.brief.id, lang, html, loaded.path, loaded.folder, context.created,
                    _sources(project, loaded))


def _sources(project: Project, loaded: LoadedBrief) -> tuple[tuple[str, bytes], ...]:
    """The files a brief is built from, to embed in its PDF: its own, then the shared ones."""
    own = [(p.relative_to(loaded.folder).as_posix(), p.read_bytes()) for p in loaded.files]
    shared = [(f"_shared/{p.name}", p.read_bytes()) for _, p in sorted(project.library.files.items())]
    return tuple(own + shared)


def check(config: ProjectConfig, paths: Sequence[Path] = (), langs: Sequence[str] | None = None) -> int:
    """Validate everything and render HTML in memory; raises on the first stage with errors."""
    project = load_project(config, paths)
    plan(project, langs or config.languages)
    return len(project.briefs)


def build(config: ProjectConfig, paths: Sequence[Path] = (), langs: Sequence[str] | None = None,
          formats: Sequence[str] = FORMATS, out: Path | None = None,
          progress: Callable[[Path], None] | None = None) -> BuildResult:
    """Build HTML and/or PDF for the selected briefs into ``out/<id>/<id>.<lang>.<ext>``."""
    langs = tuple(langs or config.languages)
    out = (out or config.output).resolve()
    project = load_project(config, paths)
    documents = plan(project, langs)
    if "pdf" in formats:
        for lang in langs:
            require_fonts(lang)
    result = BuildResult(briefs=len(project.briefs))
    for document in documents:
        folder = out / document.brief_id
        stem = f"{document.brief_id}.{document.lang}"
        if "html" in formats:
            _write(folder / f"{stem}.html", document.html.encode("utf-8"), result, progress)
        if "pdf" in formats:
            pdf, warnings = render_pdf(
                document.html, base_url=document.folder,
                allowed_roots=(config.content, config.templates), source=document.source,
                attachments=document.attachments, created=document.created,
            )
            result.diagnostics.extend(warnings)
            _write(folder / f"{stem}.pdf", pdf, result, progress)
    return result


def _write(path: Path, data: bytes, result: BuildResult, progress: Callable[[Path], None] | None) -> None:
    write_atomic(path, data)
    result.written.append(path)
    if progress is not None:
        progress(path)


__all__ = ["BriefsError", "BuildResult", "Document", "SourceLocation", "build", "check", "plan"]
