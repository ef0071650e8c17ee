"""The build: load and validate → decide from input keys what to rebuild → one task per document
(planned, rendered and laid out where it runs: :mod:`briefs.pipeline.tasks`) → write, keeping the
manifest. The only place the stages meet.

What a build is asked to do, and the one "nothing changed" check, are in :mod:`briefs.pipeline.request`;
planning documents in :mod:`briefs.pipeline.planning`; the manifest (what each output was built from, and
what must be written again) in :mod:`briefs.pipeline.incremental`; output names in :mod:`briefs.pipeline.outputs`;
the removal of outputs no build writes any more in :mod:`briefs.pipeline.withdrawn`.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Protocol

from briefs.errors import BriefsError, ContentError, Diagnostic, SourceLocation
from briefs.ledger.build import ledger_key
from briefs.load.loaded import LoadedBrief, Project
from briefs.load.project import load_project, unapproved, unreleasable
from briefs.pipeline import workers
from briefs.pipeline.fingerprints import (
    brief_keys,
    digest,
    folder_digest,
    font_fingerprint,
    input_keys,
    renderer_fingerprint,
)
from briefs.pipeline.incremental import Manifest, Output
from briefs.pipeline.limits import Budget
from briefs.pipeline.loadcache import LoadCache
from briefs.pipeline.outputs import FORMATS
from briefs.pipeline.planning import build_time, check_input, checked_editions, longest_first, outputs_of
from briefs.pipeline.request import BuildRequest, build_request
from briefs.pipeline.tasks import DocumentOutcome, DocumentTask, Made, Shared, make_here, shared_bytes
from briefs.pipeline.withdrawn import remove_withdrawn
from briefs.pipeline.write import output_lock, write_atomic
from briefs.plugins import Renderer, is_remote, renderers, run_checks
from briefs.portal.build import check_reserved, update_portal
from briefs.project.config import ProjectConfig
from briefs.render.fonts import FONTS, require_fonts
from briefs.render.theme import theme_of

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


def _context(request: BuildRequest, manifest: Manifest, result: BuildResult) -> BuildContext:
    """Load the selected briefs; forget what no build writes any more; fingerprint the build."""
    config, langs, formats = request.config, request.langs, request.formats
    families = tuple(sorted({f for lang in langs for f in (FONTS[lang].sans, FONTS[lang].serif)}))
    check_reserved(config)
    # Each brief's input key (no parsing), then the briefs: those loaded before from the same
    # inputs come from the load cache (briefs.pipeline.loadcache), the others are loaded.
    folder_keys = input_keys(config, langs, formats, families, (), request.hashes)
    loads = LoadCache(request.out, folder_keys, read=not request.force)
    project = load_project(config, request.paths, remembered=loads)
    if not request.paths:
        loads.keep_only([b.path for b in project.briefs])
    if outside := [b.folder for b in project.briefs if b.folder.resolve() not in folder_keys]:
        folder_keys = input_keys(config, langs, formats, families, outside, request.hashes)  # given by path
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
        folder_keys,
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
    stale = longest_first([b for b in project.briefs if b.brief.id not in fresh])
    checked_editions(project, request.langs)  # a broken catalog fails the build before any task
    # Each document is planned and made where its task runs (briefs.pipeline.tasks): the workers
    # start on the first ones at once, while this process runs the checks below.
    tasks = _tasks(ctx, manifest, stale)
    result.planned += [task.label for task in tasks]
    early: dict[Any, workers.Task] = {}  # handed to workers.run, which empties it
    for task in tasks if pool is not None else ():
        future = workers.submit(pool, task, request.timeout)
        if future is not None:
            early[future] = task
    # After the tasks have started: a warning-only check need not delay the first document. The
    # checks look at the briefs this build plans (as a compiler warns about what it compiles):
    # the others are as at their last build, which reported theirs; `briefs check` sees them all.
    planned = replace(project, briefs=tuple(b for b in project.briefs if b.brief.id not in fresh))
    result.diagnostics.extend(run_checks(check_input(planned, (), request.langs), in_build=True))
    expected = [out / name for b in stale for name in ctx.outputs[b.brief.id]]
    if reporter is not None and tasks:
        reporter.start(len(expected))  # at most: those found current are not reported
    done: set[Path] = set()
    try:
        _make(request, manifest, tasks, result, done, reporter, pool, cluster, early)
    finally:
        # A brief is on record as built from its key only once all its outputs are written.
        unfinished = {path.relative_to(out).parts[0] for path in expected if path not in done}
        complete = not result.failed and not unfinished
        manifest.finish(request.scope, ctx.keys, unfinished, ctx.names if complete else None)
        manifest.save()  # even after Ctrl-C: what was written is recorded and reused next time
        if request.hashes is not None:
            request.hashes.save()
    # The portal lists what is now in the output folder (links only to files that exist).
    if request.portal:  # ``briefs serve`` defers it: the reloaded page first, the search index after
        result.portal = update_portal(project, manifest, request.langs, request.final, ctx.keys)
    order = {out / n: i for i, n in enumerate(ctx.names)}
    result.written.sort(key=lambda p: order.get(p, len(order)))
    return result


def _tasks(ctx: BuildContext, manifest: Manifest, stale: Sequence[LoadedBrief]) -> list[DocumentTask]:
    """One task per document of the briefs to rebuild, in order (longest brief first, then its
    languages), each told which of its brief's outputs are intact on disk, and from what key."""
    request, project = ctx.request, ctx.project
    shared = shared_bytes(
        Shared(
            request.config,
            project.library,
            request.langs,
            request.formats,
            ctx.fonts,
            ctx.renderer,
            ctx.templates,
            ctx.theme_folders,
            ledger=project.ledger,
            epoch=os.environ.get("SOURCE_DATE_EPOCH"),
        )
    )
    tasks: list[DocumentTask] = []
    for loaded in stale:
        current: dict[str, tuple[str, bool | None]] = {}
        for name in () if request.force else ctx.outputs[loaded.brief.id]:
            entry = manifest.outputs.get(name)
            if entry is not None and manifest.current(request.out / name, entry.key):
                current[name] = (entry.key, entry.draft)
        tasks += [DocumentTask(len(tasks) + i, shared, loaded, lang, current) for i, lang in enumerate(request.langs)]
    return tasks


def _make(
    request: BuildRequest,
    manifest: Manifest,
    tasks: Sequence[DocumentTask],
    result: BuildResult,
    done: set[Path],
    reporter: Reporter | None,
    pool: Any,
    cluster: Any,
    early: dict[Any, workers.Task],
) -> None:
    """Have every task made (on the pool, the cluster, or here for a build without PDFs), and
    write each output as its task sends it back; record each in the manifest. ``done`` collects
    the outputs written or found current."""
    by_index = {task.index: task for task in tasks}

    def finished(outcome: workers.PdfOutcome) -> None:
        task = by_index[outcome.index]
        log.debug("%s made in process %d", task.label, outcome.pid)
        result.worker_peak_rss_kib[outcome.pid] = max(
            outcome.peak_rss_kib, result.worker_peak_rss_kib.get(outcome.pid, 0)
        )
        result.diagnostics.extend(outcome.warnings)
        for made in outcome.made if isinstance(outcome, DocumentOutcome) else ():
            _keep(request, manifest, made, result, done, reporter)
        if outcome.error is not None:
            errors = outcome.errors if isinstance(outcome, DocumentOutcome) and outcome.errors else [outcome.error]
            result.failed += errors
            if reporter is not None:
                reporter.done(None, outcome.error)

    if tasks and cluster is not None:
        workers.run_dask(tasks, cluster, finished, request.timeout)
    elif tasks and pool is not None:
        workers.run(tasks, request.jobs, finished, request.timeout, request.memory_limit, pool, early)
    else:  # no format is laid out elsewhere: made here, each brief within the usual budget
        for task in tasks:
            finished(make_here(task, Budget()))


def _keep(
    request: BuildRequest,
    manifest: Manifest,
    made: Made,
    result: BuildResult,
    done: set[Path],
    reporter: Reporter | None,
) -> None:
    """One output a task sent back: written and recorded, found current, or failed."""
    output = Output(request.out / made.name, made.key, made.inputs, made.draft)
    if made.error is not None:
        result.failed.append(made.error)
        if reporter is not None:
            reporter.done(None, made.error)
    elif made.data is None:
        if not manifest.needs(output):  # (changed since the task was sent: left for the next build)
            result.skipped.append(output.path)
            done.add(output.path)
    else:
        write_atomic(output.path, made.data)
        manifest.record(output)
        result.written.append(output.path)
        done.add(output.path)
        if reporter is not None:
            reporter.done(output.path, None)


__all__ = ["BriefsError", "BuildContext", "BuildResult", "SourceLocation", "build", "run"]
