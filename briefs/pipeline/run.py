"""The build: load → plan (localize, render HTML) → render the other formats → write, keeping the
manifest. The only place the stages meet.

What a build is asked to do, and the one "nothing changed" check, are in :mod:`briefs.pipeline.request`;
planning documents in :mod:`briefs.pipeline.planning`; the manifest (what each output was built from, and
what must be written again) in :mod:`briefs.pipeline.incremental`; output names in :mod:`briefs.pipeline.outputs`;
the removal of outputs no build writes any more in :mod:`briefs.pipeline.withdrawn`.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from briefs.errors import BriefsError, ContentError, Diagnostic, SourceLocation
from briefs.exhibits.images import published_images
from briefs.ledger.build import ledger_key
from briefs.load.loaded import Project
from briefs.load.project import load_project, unapproved, unreleasable
from briefs.pipeline import workers
from briefs.pipeline.fingerprints import brief_keys, digest, folder_digest, font_fingerprint, renderer_fingerprint
from briefs.pipeline.incremental import Manifest, Output
from briefs.pipeline.outputs import document_path, label
from briefs.pipeline.planning import FORMATS, Document, build_time, check_input, iter_plan, longest_first, outputs_of
from briefs.pipeline.request import BuildRequest, build_request
from briefs.pipeline.withdrawn import remove_withdrawn
from briefs.pipeline.write import output_lock, write_atomic
from briefs.plugins import Renderer, is_remote, render_here, renderers, run_checks, shows_images, version_of
from briefs.portal.build import check_reserved, update_portal
from briefs.project.config import ProjectConfig
from briefs.render.fonts import FONTS, require_fonts
from briefs.render.pdf import PDF_VARIANT
from briefs.render.theme import theme_of
from briefs.version import __version__

log = logging.getLogger(__name__)


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
    portal: list[Path] = field(default_factory=list)  # index, feeds, search files written (briefs.portal)


def build(
    config: ProjectConfig,
    paths: Sequence[Path] = (),
    langs: Sequence[str] | None = None,
    formats: Sequence[str] = FORMATS,
    out: Path | None = None,
    reporter: Reporter | None = None,
    *,
    force: bool = False,
    jobs: int = 1,
    timeout: float = workers.DEFAULT_TIMEOUT,
    memory_limit: int | None = workers.DEFAULT_MEMORY,
    scheduler: str | None = None,
    final: bool = False,
    portal: bool = True,
) -> BuildResult:
    """Build HTML and/or PDF for the selected briefs into ``out/<id>/<id>.<lang>.<ext>``.

    Only outputs whose inputs changed are rendered (``force`` renders all); PDFs are rendered on
    ``jobs`` warm worker processes (or on the Dask cluster at ``scheduler``), and one failing
    document does not stop the others. ``final`` refuses the whole build if any selected brief
    lacks its compliance approval (nothing is written).
    """
    request = build_request(
        config,
        paths,
        langs,
        formats,
        out,
        force=force,
        final=final,
        jobs=jobs,
        timeout=timeout,
        memory_limit=memory_limit,
        scheduler=scheduler,
        portal=portal,
    )
    unchanged = request.unchanged()
    if unchanged is not None:
        return BuildResult(skipped=unchanged, up_to_date=True)
    return run(request, reporter)


def run(request: BuildRequest, reporter: Reporter | None = None) -> BuildResult:
    """Build ``request``, already found not up to date (:meth:`BuildRequest.unchanged`)."""
    with output_lock(request.out):
        manifest = Manifest.load(request.out)  # re-read under the lock: another build may just have finished
        # Fork the PDF workers before loading content (see workers.start_pool); unused if nothing
        # turns out to need rendering.
        # A Dask cluster is reached first: a wrong address fails before any work is done.
        remote = any(is_remote(r) for r in renderers(request.formats))  # rendered by the executor
        cluster = workers.connect_dask(request.scheduler) if remote and request.scheduler else None
        pool = workers.start_pool(request.jobs, request.memory_limit) if remote and not request.scheduler else None
        try:
            return _render_changed(request, manifest, reporter, pool, cluster)
        finally:
            if pool is not None:
                pool.shutdown(wait=False, cancel_futures=True)
            if cluster is not None:
                cluster.close()


@dataclass(frozen=True)
class BuildContext:
    """What every document of one build shares: the request, the loaded project, the chosen
    formats, and the fingerprints a PDF's key is made of."""

    request: BuildRequest
    project: Project
    chosen: tuple[Renderer, ...]
    keys: Mapping[str, str]  # brief id -> brief_keys()
    outputs: Mapping[str, list[str]]  # brief id -> what a build of it writes (outputs_of)
    fonts: str
    renderer: str
    templates: str
    theme_folders: tuple[Path, ...]

    @property
    def names(self) -> list[str]:
        """Every output of the build, in order."""
        return [name for b in self.project.briefs for name in self.outputs[b.brief.id]]


@dataclass
class Work:
    """What planning found must be written: pages rendered here (HTML, images, formats that are
    not remote) with their bytes, PDF tasks for the executor, and what failed to render."""

    pages: list[tuple[Output, bytes]] = field(default_factory=list)
    pdfs: list[tuple[workers.PdfTask, Output]] = field(default_factory=list)
    failed: list[tuple[Path, Diagnostic]] = field(default_factory=list)
    early: dict[Any, workers.PdfTask] = field(default_factory=dict)  # PDF futures already started

    def paths(self) -> list[Path]:
        return [*(o.path for o, _ in self.pages), *(p for p, _ in self.failed), *(o.path for _, o in self.pdfs)]


def _context(request: BuildRequest, manifest: Manifest, result: BuildResult) -> BuildContext:
    """Load the selected briefs; forget what no build writes any more; fingerprint the build."""
    config, langs, formats = request.config, request.langs, request.formats
    families = tuple(sorted({f for lang in langs for f in (FONTS[lang].sans, FONTS[lang].serif)}))
    check_reserved(config)
    project = load_project(config, request.paths)
    if request.final and (refused := unapproved(project.briefs) + unreleasable(project)):
        raise ContentError(refused)
    chosen = tuple(renderers(formats))
    if any(is_remote(r) for r in chosen):
        for lang in langs:
            require_fonts(lang)
    result.briefs = len(project.briefs)
    result.removed = remove_withdrawn(config, project, manifest)
    theme = theme_of(config)  # anything a PDF may fetch from a theme folder:
    keys = brief_keys(
        config,
        langs,
        formats,
        families,
        {b.brief.id: b.folder for b in project.briefs},
        {b.brief.id: build_time(b.brief.date).isoformat() for b in project.briefs},
    )
    # A company note prints other briefs' recommendations (history, chart markers, distribution):
    # what it prints of the ledger is part of its key, so another note's rating rebuilds it.
    printed = {b.brief.id: ledger_key(project.ledger, b) for b in project.briefs}
    keys = {i: digest([key, printed[i]]) if printed.get(i) else key for i, key in keys.items()}
    return BuildContext(
        request,
        project,
        chosen,
        keys,
        {b.brief.id: outputs_of(b, langs, formats) for b in project.briefs},
        font_fingerprint(families),
        renderer_fingerprint(),
        digest([folder_digest(folder) for folder in theme.folders]),
        tuple(theme.folders),
    )


def _render_changed(
    request: BuildRequest, manifest: Manifest, reporter: Reporter | None, pool: Any, cluster: Any
) -> BuildResult:
    result = BuildResult()
    ctx = _context(request, manifest, result)
    project, out = ctx.project, request.out
    # A brief whose inputs are all as at its last complete build, with its outputs intact, is
    # not even planned: the cost of a rebuild follows what changed, not the number of briefs.
    fresh = set() if request.force else manifest.fresh_briefs(ctx.keys, ctx.outputs)
    result.skipped += [out / name for b in project.briefs if b.brief.id in fresh for name in ctx.outputs[b.brief.id]]
    stale = dataclasses.replace(project, briefs=longest_first([b for b in project.briefs if b.brief.id not in fresh]))
    # Read once per brief (shown in every language) through safefiles and checked again as read,
    # so what is published beside the HTML is what passed (images.py; the PDF's fetcher likewise).
    images_of = {
        b.brief.id: published_images(b.folder, [p.relative_to(b.folder).as_posix() for p in b.assets])
        for b in stale.briefs
    }
    work = Work()
    # Each PDF goes to a warm worker as soon as its HTML exists: rendering overlaps planning.
    for index, document in enumerate(iter_plan(stale, request.langs)):
        result.planned.append(label(document.brief_id, document.lang))
        images = images_of[document.brief_id]
        _plan_pages(ctx, manifest, document, images, work, result)
        _plan_pdf(ctx, manifest, document, images, index, work, result, pool)

    # after the PDFs have started: a warning-only check need not delay the first render
    result.diagnostics.extend(run_checks(check_input(project, (), request.langs), in_build=True))
    result.failed += [error for _, error in work.failed]
    if reporter is not None:
        reporter.start(len(work.pages) + len(work.pdfs) + len(work.failed))
        for _, error in work.failed:
            reporter.done(None, error)
    try:
        _write(request, manifest, work, result, reporter, pool, cluster)
    finally:
        # A brief is on record as built from its key only once all its outputs are written.
        written = set(result.written)
        unfinished = {path.relative_to(out).parts[0] for path in work.paths() if path not in written}
        complete = not result.failed and len(result.written) >= len(work.pages) + len(work.pdfs)
        manifest.finish(request.scope, ctx.keys, unfinished, ctx.names if complete else None)
        manifest.save()  # even after Ctrl-C: what was written is recorded and reused next time
    # The portal lists what is now in the output folder (links only to files that exist).
    if request.portal:  # ``briefs serve`` defers it: the reloaded page first, the search index after
        result.portal = update_portal(project, manifest, request.langs, request.final)
    order = {out / n: i for i, n in enumerate(ctx.names)}
    result.written.sort(key=lambda p: order.get(p, len(order)))
    return result


def _plan_pages(
    ctx: BuildContext,
    manifest: Manifest,
    document: Document,
    images: Sequence[tuple[str, bytes]],
    work: Work,
    result: BuildResult,
) -> None:
    """The formats rendered here (HTML, plugins' that are not remote) of one document, and
    (with the HTML of the first language) the images it shows, beside it: those not current."""
    request = ctx.request
    folder = request.out / document.brief_id
    html_key = document.html_key
    for renderer in ctx.chosen:
        if is_remote(renderer):
            continue
        path = document_path(request.out, document.brief_id, document.lang, renderer.suffix)
        if renderer.name == "html":
            key, inputs = html_key, {"html": html_key}
        else:
            key = digest([__version__, renderer.name, version_of(renderer), html_key])
            inputs = {renderer.name: key}
        files: list[tuple[Output, bytes | None]] = [(Output(path, key, inputs, document.draft), None)]
        if shows_images(renderer) and document.lang == request.langs[0]:
            files += [
                (Output(folder / name, digest([data]), {"image": digest([data])}, document.draft), data)
                for name, data in images
            ]
        for output, given in files:
            if not manifest.needs(output, request.force):
                result.skipped.append(output.path)
                continue
            data = given if given is not None else render_here(renderer, document.rendered(request.config))
            if isinstance(data, Diagnostic):
                work.failed.append((output.path, data))
            else:
                work.pages.append((output, data))


def _plan_pdf(
    ctx: BuildContext,
    manifest: Manifest,
    document: Document,
    images: Sequence[tuple[str, bytes]],
    index: int,
    work: Work,
    result: BuildResult,
    pool: Any,
) -> None:
    """The PDF of one document (the remote format, rendered by the executor), if not current;
    submitted to the pool at once."""
    if not any(r.name == "pdf" for r in ctx.chosen):
        return
    request, config = ctx.request, ctx.request.config
    path = document_path(request.out, document.brief_id, document.lang, "pdf")
    sources = digest(part for name, data in document.attachments for part in (name, data))
    inputs = {
        "html": document.html_key,
        "sources": sources,
        "fonts": ctx.fonts,
        "renderer": ctx.renderer,
        "images": digest(part for name, data in images for part in (name, data)),
        "templates": ctx.templates,
        "variant": PDF_VARIANT,
        "created": document.created.isoformat(),
        "toc_min_pages": str(config.toc_min_pages),
        "editions": ",".join(request.langs),  # built together: the page links them (distribute)
    }
    output = Output(path, digest(sorted(f"{k}={v}" for k, v in inputs.items())), inputs, document.draft)
    if not manifest.needs(output, request.force):
        result.skipped.append(path)
        return
    task = workers.PdfTask(
        index,
        document.html,
        document.folder,
        (document.folder, *ctx.theme_folders),
        document.source,
        document.attachments,
        document.created,
        config.toc_min_pages,
    )
    work.pdfs.append((task, output))
    future = workers.submit(pool, task, request.timeout) if pool is not None else None
    if future is not None:
        work.early[future] = task


def _write(
    request: BuildRequest,
    manifest: Manifest,
    work: Work,
    result: BuildResult,
    reporter: Reporter | None,
    pool: Any,
    cluster: Any,
) -> None:
    """Write the pages, then the PDFs as the executor finishes them; record each in the manifest."""
    by_index = {task.index: output for task, output in work.pdfs}

    def finished(outcome: workers.PdfOutcome) -> None:
        output = by_index[outcome.index]
        result.worker_peak_rss_kib[outcome.pid] = max(
            outcome.peak_rss_kib, result.worker_peak_rss_kib.get(outcome.pid, 0)
        )
        result.diagnostics.extend(outcome.warnings)
        if outcome.pdf is None:
            assert outcome.error is not None
            result.failed.append(outcome.error)
        else:
            write_atomic(output.path, outcome.pdf)
            manifest.record(output)
            result.written.append(output.path)
        if reporter is not None:
            reporter.done(output.path if outcome.pdf is not None else None, outcome.error)

    for output, data in work.pages:
        write_atomic(output.path, data)
        manifest.record(output)
        result.written.append(output.path)
        if reporter is not None:
            reporter.done(output.path, None)
    tasks = [task for task, _ in work.pdfs]
    if tasks and cluster is not None:
        workers.run_dask(tasks, cluster, finished, request.timeout)
    elif tasks:
        workers.run(tasks, request.jobs, finished, request.timeout, request.memory_limit, pool, work.early)


__all__ = ["BriefsError", "BuildContext", "BuildResult", "SourceLocation", "build", "run"]
