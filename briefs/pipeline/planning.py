"""Planning a build: the loaded project turned into independent documents, one per brief ×
language, each localized and rendered to HTML (:func:`prepare`). A build runs that where the
document's other formats are made (:mod:`briefs.pipeline.tasks`: in a PDF worker, on a Dask
worker, or in this process for a build without PDFs); ``briefs check`` and ``distribute`` plan here.

Also what a build of a brief writes (:func:`outputs_of`), and ``briefs check`` (:func:`check`),
which plans everything in memory and writes nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from markupsafe import Markup

from briefs.compliance.draftmark import verify_draft_mark
from briefs.compliance.packs import template_named, verify_jurisdiction
from briefs.compliance.rules import verify
from briefs.errors import ContentError, Diagnostic, TemplateError
from briefs.load.loaded import LoadedBrief, Project
from briefs.load.project import load_project
from briefs.localize.brief import LocalizedBrief, localize
from briefs.localize.i18n import Edition, catalog_problems, translations
from briefs.localize.phrases import NO_TABLE, PhraseTable
from briefs.pipeline.dependencies import shared_snapshot
from briefs.pipeline.fingerprints import digest
from briefs.pipeline.limits import Budget
from briefs.pipeline.outputs import document_file, document_name
from briefs.pipeline.request import known_language
from briefs.plugins import CheckInput, RenderedDocument, renderers, run_checks, shows_images
from briefs.project.config import ProjectConfig, source_date_epoch
from briefs.project.languages import LANGUAGES
from briefs.render.fonts import FONTS
from briefs.render.html import Alternate, RenderContext, load_css, render_html
from briefs.render.theme import DEFAULT_TEMPLATE, theme_of
from briefs.source.safefiles import Unsafe, read_bytes
from briefs.source.texts import source_language
from briefs.source.yamlsource import MAX_BYTES
from briefs.version import __version__

LANGUAGE_NAMES = {tag: lang.label for tag, lang in LANGUAGES.items()}  # the language switch


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
    draft: bool = True  # from the brief's approval (model), recorded with each output
    edition: Edition | None = None
    localized: LocalizedBrief | None = None

    def rendered(self, config: ProjectConfig) -> RenderedDocument:
        """This document as an output format receives it (:class:`briefs.plugins.Renderer`)."""
        assert self.edition is not None and self.localized is not None
        return RenderedDocument(
            self.brief_id,
            self.lang,
            self.edition,
            self.localized,
            self.html,
            self.folder,
            self.source,
            self.created,
            self.attachments,
            config,
        )

    @property
    def html_key(self) -> str:
        """The key the HTML is recorded under, and part of the PDF's: a function of its inputs."""
        return digest([__version__, self.html])


def build_time(brief_date: dt.date) -> dt.datetime:
    """Creation time: the brief's date (00:00 UTC), never the clock; no later than
    SOURCE_DATE_EPOCH when that is set.

    That is the Reproducible Builds convention for timestamps that come from the inputs: clamp
    them to SOURCE_DATE_EPOCH. CI sets it from each commit, so it bounds every date in the output,
    and a brief whose inputs did not change keeps its bytes from commit to commit (the cached
    output is reused, not rendered again because the commit time moved).
    """
    created = dt.datetime.combine(brief_date, dt.time(0, 0), tzinfo=dt.UTC)
    epoch = source_date_epoch()  # validated: a located error for anything but 0 … end of 9999
    if epoch is not None:
        return min(created, dt.datetime.fromtimestamp(epoch, tz=dt.UTC))
    return created


def edition(config: ProjectConfig, lang: str, phrases: Mapping[str, PhraseTable] | None = None) -> Edition:
    """The edition of ``lang``: the project's own language, or one derived by configuration
    (converted with the project's phrase table for it, content/_shared/phrases.yaml)."""
    known_language(config, lang)
    derivation = config.derivation(lang)
    if lang in config.languages or derivation is None:
        return Edition(lang)
    return Edition(lang, *derivation, phrases=(phrases or {}).get(lang, NO_TABLE))


def plan(project: Project, langs: Sequence[str], budget: Budget = Budget()) -> list[Document]:
    """Localize and render the HTML of every brief in every language, in this process (``briefs
    check``, ``distribute``; a build plans each document in its task: :mod:`briefs.pipeline.tasks`)."""
    return list(iter_plan(project, langs, budget))


def iter_plan(project: Project, langs: Sequence[str], budget: Budget = Budget()) -> Iterator[Document]:
    """:func:`plan`, one document at a time, so PDF workers can start on the first ones.

    Each document is made within ``budget`` (time and memory, :mod:`briefs.pipeline.limits`); over it,
    a located error at its brief.yaml."""
    editions = checked_editions(project, langs)
    css = page_css(project.config)
    for loaded in project.briefs:
        for ed in editions:
            yield prepare(project, loaded, ed, langs, css, budget)


def checked_editions(project: Project, langs: Sequence[str]) -> list[Edition]:
    """The editions of ``langs``, their catalogs checked (a :class:`TemplateError` if one is broken)."""
    config = project.config
    editions = [edition(config, lang, project.library.phrases) for lang in langs]
    theme = theme_of(config)
    problems = [p for e in editions for p in catalog_problems(theme, e)]
    if any(p.severity == "error" for p in problems):
        raise TemplateError(problems)
    return editions


def page_css(config: ProjectConfig) -> tuple[Markup, Markup, Markup]:
    """The style sheets every page of a build inlines (print, screen, company note)."""
    theme = theme_of(config)
    return (load_css(theme), load_css(theme, "screen.css"), load_css(theme, "company.css"))


def prepare(
    project: Project,
    loaded: LoadedBrief,
    ed: Edition,
    langs: Sequence[str],
    css: tuple[Markup, Markup, Markup],
    budget: Budget = Budget(),
) -> Document:
    """One brief in one edition: localized, its charts drawn, its HTML rendered and verified,
    within ``budget``. Where a build runs it: :mod:`briefs.pipeline.tasks`."""
    with budget.spent_on(loaded.path, f"preparing the {ed.lang} edition of this brief"):
        snapshot = shared_snapshot(project, loaded, ed.lang)  # what this edition prints
        return _document(project, loaded, ed, langs, css, snapshot)


def _document(
    project: Project,
    loaded: LoadedBrief,
    ed: Edition,
    langs: Sequence[str],
    css: tuple[Markup, Markup, Markup],
    snapshot: bytes,
) -> Document:
    config = project.config
    lang = ed.lang
    theme = theme_of(config)
    tr = translations(theme, ed)
    localized = localize(loaded, project.library, ed, tr, source_language(config, loaded), project.ledger)
    alternates = tuple(
        Alternate(other, LANGUAGE_NAMES[other], document_file(loaded.brief.id, other, "html"))
        for other in langs
        if other != lang
    )
    context = RenderContext(
        brief=localized,
        edition=ed,
        alternates=alternates,
        fonts=FONTS[lang],
        css=css[0],
        screen_css=css[1],
        company_css=css[2],
        created=build_time(loaded.brief.date),
    )
    kind = project.library.kind(loaded.brief.kind)
    assert kind is not None  # guaranteed by load
    page_template = kind.template or DEFAULT_TEMPLATE
    html = render_html(theme, context, page_template)
    verify(html, localized, loaded.path)  # every registered rule's check of the rendered page
    # the rule pack of the jurisdiction this edition is published in (content/_shared/jurisdictions.yaml)
    named = template_named(config, page_template)
    verify_jurisdiction(html, localized, kind, project.library, ed, loaded.path, named)
    draft = loaded.brief.draft
    if draft:
        verify_draft_mark(html, draft, tr.gettext("DRAFT"), lang, loaded.path, _template_name(config))
    return Document(
        loaded.brief.id,
        lang,
        html,
        loaded.path,
        loaded.folder,
        context.created,
        _sources(loaded, ed, snapshot),
        draft,
        ed,
        localized,
    )


def _template_name(config: ProjectConfig, name: str = "brief.html") -> str:
    """The brief template as a message names it: the project's own file if it has one (an
    override), else the theme's."""
    if (config.templates / name).is_file():
        return (config.templates_dir / name).as_posix()
    return f"{name} of the theme"


def _sources(loaded: LoadedBrief, ed: Edition, snapshot: bytes) -> tuple[tuple[str, bytes], ...]:
    """What to embed in the PDF: the files this edition was built from, and the shared records.

    That is brief.yaml, the Markdown of the edition's own language (its source's, if derived),
    data files, and only the shared records the brief uses. So each PDF is a function of what it
    depends on: a disclaimer it does not carry, or the other language's text, leaves it alone.
    """
    text_lang = ed.lang if any(lang == ed.lang for _, lang in loaded.bodies) else ed.source
    other_md = {
        src.origin.path
        for (_, lang), src in loaded.bodies.items()
        if lang != text_lang and src.origin.path != loaded.path
    }
    own = [(p.relative_to(loaded.folder).as_posix(), _read_again(p)) for p in loaded.files if p not in other_md]
    return (*own, ("_shared/used.yaml", snapshot))


def _read_again(path: Path) -> bytes:
    """A file loading read and checked, read again for embedding, under the same rules."""
    try:
        return read_bytes(path, MAX_BYTES)
    except Unsafe as exc:
        raise ContentError.at(path, 0, 0, f"file {exc.reason}") from None


def longest_first(briefs: Sequence[LoadedBrief]) -> tuple[LoadedBrief, ...]:
    """The order to plan and render briefs in: longest first (the classic LPT rule), so that
    short documents, not a long one, end the batch on the last busy worker. A brief's text size
    is a fair guess at its layout time."""
    return tuple(sorted(briefs, key=lambda b: -sum(f.stat().st_size for f in b.files)))


def outputs_of(loaded: LoadedBrief, langs: Sequence[str], formats: Sequence[str]) -> list[str]:
    """The files a build writes for one brief, relative to the output folder, in order: per
    language one file per selected format, in the order formats were registered (HTML, PDF,
    then plugins'), the HTML followed (with the first language) by the images the brief shows."""
    brief_id = loaded.brief.id
    names = []
    for i, lang in enumerate(langs):
        for renderer in renderers(formats):
            names.append(document_name(brief_id, lang, renderer.suffix))
            if shows_images(renderer) and i == 0:
                names += [f"{brief_id}/{p.relative_to(loaded.folder).as_posix()}" for p in loaded.assets]
    return names


def check(
    config: ProjectConfig,
    paths: Sequence[Path] = (),
    langs: Sequence[str] | None = None,
    budget: Budget = Budget(),
    rixml_schema: Path | None = None,
) -> tuple[Project, list[Diagnostic]]:
    """Validate everything and render HTML in memory; raises on the first stage with errors.

    Every brief is loaded, and each of its editions prepared, within ``budget`` (time and memory
    per brief; :mod:`briefs.pipeline.limits`). Returns the loaded project and the warnings: characters no
    font of an edition can draw. With ``rixml_schema``, also every document's RIXML sidecar
    validated against that XSD (:mod:`briefs.checks.rixml_schema`).
    """
    langs = tuple(langs or config.languages)
    schema = None
    if rixml_schema is not None:
        from briefs.checks.rixml_schema import load_schema

        schema = load_schema(rixml_schema)  # a broken schema is reported before any content
    project = load_project(config, paths, budget)
    documents = plan(project, langs, budget)
    findings = run_checks(check_input(project, paths, langs))
    if schema is not None:
        from briefs.checks.rixml_schema import validate_sidecars

        findings += validate_sidecars(documents, config, schema)
    return project, findings


def check_input(project: Project, paths: Sequence[Path], langs: Sequence[str]) -> CheckInput:
    editions = tuple(edition(project.config, lang, project.library.phrases) for lang in langs)
    return CheckInput(project, tuple(paths), tuple(langs), editions)
