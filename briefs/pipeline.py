"""The orchestrator: load → localize → render HTML → render PDF → write. The only place stages meet.

``plan`` turns the loaded project into independent documents (one per brief × language), so that
later the expensive PDF step can run in worker processes without sharing state.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from markupsafe import Markup

from .compliance import verify_html
from .draftmark import verify_draft_mark
from .config import ProjectConfig, source_date_epoch
from .dependencies import shared_snapshot
from .errors import BriefsError, ContentError, Diagnostic, SourceLocation, TemplateError
from .fonts import FONTS, require_fonts
from .i18n import Edition, catalog_problems, translations
from .languages import LANGUAGES
from .limits import Budget
from .images import published_images
from .load import LoadedBrief, Project, load_project, unapproved
from .localize import LocalizedBrief, localize
from .render.html import Alternate, RenderContext, load_css, render_html
from .render.pdf import PDF_VARIANT
from .theme import DEFAULT_TEMPLATE, theme_of
from . import __version__, workers
from .plugins import (CheckInput, RenderedDocument, is_remote, registry, render_here, renderers,
                      run_checks, shows_images, version_of)
from .incremental import (
    Manifest,
    Scope,
    brief_keys,
    digest,
    folder_digest,
    font_fingerprint,
    renderer_fingerprint,
    scope_of,
    up_to_date,
)
from .outputs import document_file, document_name, document_path, label
from .safefiles import Unsafe, read_bytes
from .write import cannot_write, output_lock, write_atomic
from .yamlsource import MAX_BYTES, locate

log = logging.getLogger(__name__)

FORMATS = ("html", "pdf")  # what a build writes unless told otherwise; plugins add more (plugins.py)
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
        return RenderedDocument(self.brief_id, self.lang, self.edition, self.localized, self.html,
                                self.folder, self.source, self.created, self.attachments, config)

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


def plan(project: Project, langs: Sequence[str], budget: Budget = Budget()) -> list[Document]:
    """Localize and render the HTML of every brief in every language (cheap; done in-process)."""
    return list(iter_plan(project, langs, budget))


def iter_plan(project: Project, langs: Sequence[str], budget: Budget = Budget()) -> Iterator[Document]:
    """:func:`plan`, one document at a time, so PDF workers can start on the first ones.

    Each document is made within ``budget`` (time and memory, :mod:`briefs.limits`); over it,
    a located error at its brief.yaml."""
    config = project.config
    editions = [edition(config, lang) for lang in langs]
    theme = theme_of(config)
    problems = [p for e in editions for p in catalog_problems(theme, e)]
    if any(p.severity == "error" for p in problems):
        raise TemplateError(problems)
    css = (load_css(theme), load_css(theme, "screen.css"))
    for loaded in project.briefs:
        snapshot = shared_snapshot(project, loaded)  # the same for every edition of a brief
        for ed in editions:
            with budget.spent_on(loaded.path, f"preparing the {ed.lang} edition of this brief"):
                document = _document(project, loaded, ed, langs, css, snapshot)
            yield document


def _document(project: Project, loaded: LoadedBrief, ed: Edition, langs: Sequence[str],
              css: tuple[Markup, Markup], snapshot: bytes) -> Document:
    config = project.config
    lang = ed.lang
    theme = theme_of(config)
    tr = translations(theme, ed)
    localized = localize(loaded, project.library, ed, tr)
    alternates = tuple(
        Alternate(other, LANGUAGE_NAMES[other], document_file(loaded.brief.id, other, "html"))
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
    kind = project.library.kind(loaded.brief.kind)
    html = render_html(theme, context, (kind.template if kind is not None else None) or DEFAULT_TEMPLATE)
    verify_html(html, localized, loaded.path)
    draft = loaded.brief.draft
    if draft:
        verify_draft_mark(html, draft, tr.gettext("DRAFT"), lang, loaded.path,
                          _template_name(config))
    return Document(loaded.brief.id, lang, html, loaded.path, loaded.folder, context.created,
                    _sources(loaded, ed, snapshot), draft, ed, localized)


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
    other_md = {src.origin.path for (_, lang), src in loaded.bodies.items()
                if lang != text_lang and src.origin.path != loaded.path}
    own = [(p.relative_to(loaded.folder).as_posix(), _read_again(p))
           for p in loaded.files if p not in other_md]
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


def remove_withdrawn(config: ProjectConfig, project: Project, manifest: Manifest) -> list[Path]:
    """Delete the outputs on record that no build of the project writes any more; returns them.

    Those are every output of a brief whose folder is gone (withdrawn, or renamed), and, for the
    briefs just loaded, any file that none of their editions and formats writes (an edition the
    project dropped, an image the text no longer shows). Otherwise a withdrawn brief would stay
    in the output folder, and be published with it. Files the manifest does not list (the
    distributed copies, anything put there by hand) are never touched.
    """
    present = {p.parent.name for p in config.content.glob("*/brief.yaml")}
    present |= {b.brief.id for b in project.briefs}
    every_format = tuple(registry().formats)  # a format no plugin registers any more: removed
    expected = {b.brief.id: set(outputs_of(b, config.editions, every_format)) for b in project.briefs}
    gone = sorted(name for name in manifest.outputs
                  if (brief_id := name.split("/", 1)[0]) not in present
                  or (brief_id in expected and name not in expected[brief_id]))
    removed = []
    for name in gone:
        path = manifest.out / name
        located = locate(manifest.out, name)
        if located is None or not located[1]:  # a damaged or hand-edited manifest: forget, never delete
            del manifest.outputs[name]
            continue
        try:
            path.unlink(missing_ok=True)
            for folder in path.parents:  # its folder too, once empty
                if folder == manifest.out or any(folder.iterdir()):
                    break
                folder.rmdir()
        except OSError as exc:
            raise cannot_write(path, exc) from None
        del manifest.outputs[name]
        removed.append(path)
    for brief_id in [b for b in manifest.briefs if b not in present]:
        del manifest.briefs[brief_id]
    for scope in [name for name, done in manifest.tree.items()  # builds that wrote them
                  if not isinstance(done.get("outputs"), list) or set(gone) & set(map(str, done["outputs"]))]:
        del manifest.tree[scope]
    return removed


def check(config: ProjectConfig, paths: Sequence[Path] = (), langs: Sequence[str] | None = None,
          budget: Budget = Budget()) -> tuple[Project, list[Diagnostic]]:
    """Validate everything and render HTML in memory; raises on the first stage with errors.

    Every brief is loaded, and each of its editions prepared, within ``budget`` (time and memory
    per brief; :mod:`briefs.limits`). Returns the loaded project and the warnings: characters no
    font of an edition can draw.
    """
    langs = tuple(langs or config.languages)
    project = load_project(config, paths, budget)
    plan(project, langs, budget)
    return project, run_checks(_check_input(project, paths, langs))


def _check_input(project: Project, paths: Sequence[Path], langs: Sequence[str]) -> CheckInput:
    return CheckInput(project, tuple(paths), tuple(langs),
                      tuple(edition(project.config, lang) for lang in langs))


class Reporter(Protocol):
    """Where a build reports progress (a progress bar on a terminal, plain lines in CI)."""

    def start(self, total: int) -> None:
        """``total`` files are about to be written."""

    def done(self, path: Path | None, error: Diagnostic | None) -> None:
        """One file was written (``path``) or failed (``error``)."""


@dataclass
class BuildResult:
    """What a build wrote, what it could skip, and what it has to say."""

    written: list[Path] = field(default_factory=list)
    skipped: list[Path] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    failed: list[Diagnostic] = field(default_factory=list)
    briefs: int = 0
    up_to_date: bool = False
    planned: list[str] = field(default_factory=list)  # documents localized and rendered to HTML
    removed: list[Path] = field(default_factory=list)  # outputs no brief writes any more
    worker_peak_rss_kib: dict[int, int] = field(default_factory=dict)


def output_folder(config: ProjectConfig, out: Path | None = None) -> Path:
    """The output folder (``out``, else the configured one), resolved; a located error if it
    holds or sits in content/ or templates/: its files would count as inputs (every build would
    see a change) or the inputs as outputs (a watch would never see one)."""
    folder = (out or config.output).resolve()
    for inputs in (config.content.resolve(), config.templates.resolve(),
                   *(f.resolve() for f in theme_of(config).folders)):
        if folder.is_relative_to(inputs) or inputs.is_relative_to(folder):
            where = Path("--out") if out is not None else config.root / "pyproject.toml"
            raise ContentError.at(where, 0, 0, f"the output folder {folder} must be outside "
                                  f"{inputs} and must not contain it; choose another folder")
    return folder


def build(config: ProjectConfig, paths: Sequence[Path] = (), langs: Sequence[str] | None = None,
          formats: Sequence[str] = FORMATS, out: Path | None = None,
          reporter: Reporter | None = None, *, force: bool = False, jobs: int = 1,
          timeout: float = workers.DEFAULT_TIMEOUT,
          memory_limit: int | None = workers.DEFAULT_MEMORY,
          scheduler: str | None = None, final: bool = False) -> BuildResult:
    """Build HTML and/or PDF for the selected briefs into ``out/<id>/<id>.<lang>.<ext>``.

    Only outputs whose inputs changed are rendered (``force`` renders all); PDFs are rendered on
    ``jobs`` warm worker processes (or on the Dask cluster at ``scheduler``), and one failing
    document does not stop the others. ``final`` refuses the whole build if any selected brief
    lacks its compliance approval (nothing is written).
    """
    langs = tuple(langs or config.languages)
    for lang in langs:
        edition(config, lang)  # an unknown language is a located error before anything else
    out = output_folder(config, out)
    scope = scope_of(config, paths, langs, formats)
    unchanged = None if force or final else up_to_date(Manifest.load(out), scope)
    if unchanged is not None:
        return BuildResult(skipped=unchanged, up_to_date=True)
    with output_lock(out):
        return _build_locked(config, paths, langs, formats, out, reporter, scope, force=force,
                             jobs=jobs, timeout=timeout, memory_limit=memory_limit,
                             scheduler=scheduler, final=final)


def _build_locked(config: ProjectConfig, paths: Sequence[Path], langs: tuple[str, ...],
                  formats: Sequence[str], out: Path, reporter: Reporter | None, scope: Scope, *,
                  force: bool, jobs: int, timeout: float, memory_limit: int | None,
                  scheduler: str | None, final: bool) -> BuildResult:
    manifest = Manifest.load(out)  # re-read under the lock: another build may just have finished
    # Fork the PDF workers before loading content (see workers.start_pool); unused if nothing
    # turns out to need rendering.
    # A Dask cluster is reached first: a wrong address fails before any work is done.
    remote = any(is_remote(r) for r in renderers(formats))  # rendered by the executor
    cluster = workers.connect_dask(scheduler) if remote and scheduler else None
    pool = workers.start_pool(jobs, memory_limit) if remote and not scheduler else None
    try:
        return _render_changed(config, paths, langs, formats, out, reporter, scope, manifest, pool,
                               force=force, jobs=jobs, timeout=timeout, memory_limit=memory_limit,
                               cluster=cluster, final=final)
    finally:
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)
        if cluster is not None:
            cluster.close()


def _render_changed(config: ProjectConfig, paths: Sequence[Path], langs: tuple[str, ...],
                    formats: Sequence[str], out: Path, reporter: Reporter | None, scope: Scope,
                    manifest: Manifest, pool: Any, *, force: bool, jobs: int, timeout: float,
                    memory_limit: int | None, cluster: Any, final: bool) -> BuildResult:
    families = tuple(sorted({f for lang in langs for f in (FONTS[lang].sans, FONTS[lang].serif)}))

    project = load_project(config, paths)
    if final and (drafts := unapproved(project.briefs)):
        raise ContentError(drafts)
    chosen = renderers(formats)
    if any(is_remote(r) for r in chosen):
        for lang in langs:
            require_fonts(lang)
    result = BuildResult(briefs=len(project.briefs))
    result.removed = remove_withdrawn(config, project, manifest)
    # Each PDF goes to a warm worker as soon as its HTML exists: rendering overlaps planning.
    early: dict[Any, workers.PdfTask] = {}
    pdf_jobs: list[tuple[workers.PdfTask, Path, str, dict[str, str], bool]] = []
    html_jobs: list[tuple[Path, bytes, str, dict[str, str], bool]] = []  # HTML pages, their images
    not_rendered: list[tuple[Path, Diagnostic]] = []  # (and any other format rendered here)
    fonts_fp, renderer_fp = font_fingerprint(families), renderer_fingerprint()
    theme = theme_of(config)  # anything a PDF may fetch from a theme folder:
    templates_fp = digest([folder_digest(folder) for folder in theme.folders])
    # A brief whose inputs are all as at its last complete build, with its outputs intact, is
    # not even planned: the cost of a rebuild follows what changed, not the number of briefs.
    keys = brief_keys(config, langs, formats, families, {b.brief.id: b.folder for b in project.briefs},
                      {b.brief.id: build_time(b.brief.date).isoformat() for b in project.briefs})
    outputs = {b.brief.id: outputs_of(b, langs, formats) for b in project.briefs}
    names = [name for b in project.briefs for name in outputs[b.brief.id]]
    fresh = set() if force else {b for b, key in keys.items() if manifest.briefs.get(b) == key
                                 and manifest.intact(outputs[b])}
    result.skipped += [out / name for b in project.briefs if b.brief.id in fresh
                       for name in outputs[b.brief.id]]
    stale = dataclasses.replace(project, briefs=longest_first(
        [b for b in project.briefs if b.brief.id not in fresh]))
    # Read once per brief (shown in every language) through safefiles and checked again as read,
    # so what is published beside the HTML is what passed (images.py; the PDF's fetcher likewise).
    images_of = {b.brief.id: published_images(b.folder, [p.relative_to(b.folder).as_posix()
                                                          for p in b.assets])
                 for b in stale.briefs}
    for index, document in enumerate(iter_plan(stale, langs)):
        result.planned.append(label(document.brief_id, document.lang))
        folder = out / document.brief_id
        html_key = document.html_key
        images = images_of[document.brief_id]
        for renderer in chosen:
            if is_remote(renderer):
                continue
            # The file, and (with the HTML of the first language) the images it shows, beside it.
            path = document_path(out, document.brief_id, document.lang, renderer.suffix)
            if renderer.name == "html":
                key, inputs = html_key, {"html": html_key}
            else:
                key = digest([__version__, renderer.name, version_of(renderer), html_key])
                inputs = {renderer.name: key}
            files: list[tuple[Path, bytes | None, str, dict[str, str]]] = [(path, None, key, inputs)]
            if shows_images(renderer) and document.lang == langs[0]:
                files += [(folder / name, data, digest([data]), {"image": digest([data])})
                          for name, data in images]
            for target, given, key, inputs in files:
                if force or not manifest.current(target, key, document.draft):
                    data = given if given is not None else render_here(
                        renderer, document.rendered(config))
                    if isinstance(data, Diagnostic):
                        not_rendered.append((target, data))
                        continue
                    html_jobs.append((target, data, key, inputs, document.draft))
                else:
                    result.skipped.append(target)
        if any(r.name == "pdf" for r in chosen):  # the remote format: on the executor
            path = document_path(out, document.brief_id, document.lang, "pdf")
            sources = digest(part for name, data in document.attachments for part in (name, data))
            inputs = {"html": html_key, "sources": sources, "fonts": fonts_fp, "renderer": renderer_fp,
                      "images": digest(part for name, data in images for part in (name, data)),
                      "templates": templates_fp,
                      "variant": PDF_VARIANT, "created": document.created.isoformat(),
                      "toc_min_pages": str(config.toc_min_pages)}
            pdf_key = digest(sorted(f"{k}={v}" for k, v in inputs.items()))
            if force or not manifest.current(path, pdf_key, document.draft):
                task = workers.PdfTask(index, document.html, document.folder,
                                       (document.folder, *theme.folders), document.source,
                                       document.attachments, document.created,
                                       config.toc_min_pages)
                pdf_jobs.append((task, path, pdf_key, inputs, document.draft))
                future = workers.submit(pool, task, timeout) if pool is not None else None
                if future is not None:
                    early[future] = task
            else:
                result.skipped.append(path)

    # after the PDFs have started: a warning-only check need not delay the first render
    result.diagnostics.extend(run_checks(_check_input(project, (), langs), in_build=True))
    result.failed += [error for _, error in not_rendered]
    if reporter is not None:
        reporter.start(len(html_jobs) + len(pdf_jobs) + len(not_rendered))
        for _, error in not_rendered:
            reporter.done(None, error)
    by_index = {task.index: (path, key, inputs, draft) for task, path, key, inputs, draft in pdf_jobs}

    def finished(outcome: workers.PdfOutcome) -> None:
        path, key, inputs, draft = by_index[outcome.index]
        result.worker_peak_rss_kib[outcome.pid] = max(
            outcome.peak_rss_kib, result.worker_peak_rss_kib.get(outcome.pid, 0))
        result.diagnostics.extend(outcome.warnings)
        if outcome.pdf is None:
            assert outcome.error is not None
            result.failed.append(outcome.error)
        else:
            write_atomic(path, outcome.pdf)
            manifest.record(path, key, inputs, draft)
            result.written.append(path)
        if reporter is not None:
            reporter.done(path if outcome.pdf is not None else None, outcome.error)

    try:
        for path, data, key, inputs, draft in html_jobs:
            write_atomic(path, data)
            manifest.record(path, key, inputs, draft)
            result.written.append(path)
            if reporter is not None:
                reporter.done(path, None)
        tasks = [task for task, *_ in pdf_jobs]
        if tasks and cluster is not None:
            workers.run_dask(tasks, cluster, finished, timeout)
        elif tasks:
            workers.run(tasks, jobs, finished, timeout, memory_limit, pool, early)
    finally:
        # A brief is on record as built from its key only once all its outputs are written.
        written = set(result.written)
        unfinished = {path.relative_to(out).parts[0] for path in [*(p for p, *_ in html_jobs),
                                                                  *(p for p, _ in not_rendered),
                                                                  *(p for _, p, *_ in pdf_jobs)]
                      if path not in written}
        for brief_id, key in keys.items():
            if brief_id in unfinished:
                manifest.briefs.pop(brief_id, None)
            else:
                manifest.briefs[brief_id] = key
        if result.failed or len(result.written) < len(html_jobs) + len(pdf_jobs):
            manifest.tree.pop(scope.name, None)
        else:
            manifest.tree[scope.name] = {"key": scope.tree, "outputs": names}
        manifest.save()  # even after Ctrl-C: what was written is recorded and reused next time
    order = {out / n: i for i, n in enumerate(names)}
    result.written.sort(key=lambda p: order.get(p, len(order)))
    return result


__all__ = ["BriefsError", "BuildResult", "Document", "SourceLocation", "build", "check", "plan"]
