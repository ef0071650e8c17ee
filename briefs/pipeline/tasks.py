"""One document (a brief in one language) as one task, made where the task runs: localized, its
charts drawn, its HTML rendered and verified, its other formats made and its PDF laid out.

The main process loads and validates the project, decides from the briefs' input keys which
briefs to rebuild (level 2 of the manifest), and sends each of their documents here: to a warm
local worker (:mod:`briefs.pipeline.workers`), to a Dask worker, or, for a build without PDFs,
to this same function in the main process. With the document the task gets what the manifest
says is on disk (each intact output's key), so it computes every output's key from what it
planned (as :mod:`briefs.pipeline.run` did before) and renders and returns only the outputs
whose key changed. An edit that changes no output byte therefore lays out nothing and rewrites
nothing, and the main process never localizes, draws or renders a document.
"""

from __future__ import annotations

import os
import pickle
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from markupsafe import Markup

from briefs.errors import BriefsError, Diagnostic
from briefs.exhibits.images import published_images
from briefs.ledger.records import Ledger
from briefs.load.loaded import Library, LoadedBrief, Project
from briefs.pipeline import workers
from briefs.pipeline.fingerprints import digest
from briefs.pipeline.limits import Budget
from briefs.pipeline.outputs import document_name, label
from briefs.pipeline.planning import Document, edition, page_css, prepare
from briefs.plugins import is_remote, render_here, renderers, shows_images, version_of
from briefs.project.config import ProjectConfig
from briefs.render.pdf import PDF_VARIANT
from briefs.version import __version__


@dataclass(frozen=True)
class Shared:
    """What every document of one build shares; pickled once (:func:`shared_bytes`) and sent
    with each task as those bytes, unpickled once per worker."""

    config: ProjectConfig
    library: Library
    langs: tuple[str, ...]
    formats: tuple[str, ...]
    fonts: str  # the fingerprints a PDF's key is made of (run.BuildContext)
    renderer: str
    templates: str
    theme_folders: tuple[Path, ...]
    # the project's recommendation ledger: a company note prints its history, chart markers and
    # the ratings distribution from it (built once per load in the main process)
    ledger: Ledger = field(default_factory=Ledger)
    # SOURCE_DATE_EPOCH as the main process has it: a worker's environment is its fork server's,
    # which may be older (a watch, a test session), and the dates in the output follow it
    epoch: str | None = None


def shared_bytes(shared: Shared) -> bytes:
    """``shared`` as every task of the build carries it."""
    return pickle.dumps(shared, protocol=pickle.HIGHEST_PROTOCOL)


@dataclass(frozen=True)
class Made:
    """One output as a task found it: its name under the output folder, key, recorded inputs and
    draft status, and its bytes (None: the file on disk is current; nothing was rendered), or
    why it failed (a plugin's format, a PDF: the document's other files stand)."""

    name: str
    key: str
    inputs: Mapping[str, str]
    draft: bool | None
    data: bytes | None = None
    error: Diagnostic | None = None


@dataclass
class DocumentOutcome(workers.PdfOutcome):
    """What a document task sends back: its outputs (:class:`Made`), and, if it could not be
    planned, every diagnostic (``error`` is the first)."""

    made: list[Made] = field(default_factory=list)
    errors: list[Diagnostic] = field(default_factory=list)


@dataclass(frozen=True)
class DocumentTask:
    """Everything a worker needs to make one document (picklable; no shared state)."""

    index: int
    shared: bytes  # shared_bytes(): the same bytes for every task of a build
    loaded: LoadedBrief
    lang: str
    current: Mapping[str, tuple[str, bool | None]]  # output name -> (key, draft) of each file intact on disk

    @property
    def source(self) -> Path:
        """The brief.yaml its errors are located at."""
        return self.loaded.path

    @property
    def label(self) -> str:
        return label(self.loaded.brief.id, self.lang)

    def perform(self, timeout: float) -> workers.PdfOutcome:
        """Make the document in this worker: planned within the per-brief budget the main
        process used to plan it in (:mod:`briefs.pipeline.limits`), the PDF laid out within
        ``timeout`` seconds, as before."""
        return make_here(self, Budget(), timeout)


def make_here(task: DocumentTask, budget: Budget, timeout: float = workers.DEFAULT_TIMEOUT) -> DocumentOutcome:
    """Make the document in this process, planned within ``budget`` (a build without PDFs does
    that in its main process) and the PDF, if any, laid out within ``timeout`` seconds."""
    outcome = DocumentOutcome(task.index, pid=os.getpid())
    make(task, outcome, budget, timeout)
    return outcome


_SHARED: dict[str, tuple[Shared, tuple[Markup, Markup, Markup]]] = {}
_LOCK = threading.Lock()  # Dask runs tasks on threads


def _unpacked(data: bytes) -> tuple[Shared, tuple[Markup, Markup, Markup]]:
    """The build's shared part and its style sheets, unpickled and read once per process (the
    last build's only: a watch's next build sends new bytes)."""
    key = digest([data])
    with _LOCK:
        if key not in _SHARED:
            shared = pickle.loads(data)  # bytes this build's main process pickled
            _SHARED.clear()
            _SHARED[key] = (shared, page_css(shared.config))
        return _SHARED[key]


def make(task: DocumentTask, outcome: DocumentOutcome, budget: Budget, timeout: float) -> None:
    """Plan the document (:func:`briefs.pipeline.planning.prepare`), then make each of its
    outputs not current (:func:`pages`, :func:`pdf`); a planning error fails the document."""
    shared, css = _unpacked(task.shared)
    if os.environ.get("SOURCE_DATE_EPOCH") != shared.epoch:
        if shared.epoch is None:
            del os.environ["SOURCE_DATE_EPOCH"]
        else:
            os.environ["SOURCE_DATE_EPOCH"] = shared.epoch
    loaded = task.loaded
    try:
        project = Project(shared.config, shared.library, (loaded,), shared.ledger)
        ed = edition(shared.config, task.lang, shared.library.phrases)
        document = prepare(project, loaded, ed, shared.langs, css, budget)
        images = published_images(loaded.folder, [p.relative_to(loaded.folder).as_posix() for p in loaded.assets])
    except BriefsError as exc:
        outcome.error, outcome.errors = exc.diagnostics[0], list(exc.diagnostics)
        return
    outcome.made += pages(shared, task.current, document, images)
    made = pdf(shared, document, images)
    if made is None:
        return
    if not _needed(task.current, made.name, made.key, made.draft):
        outcome.made.append(made)
    else:  # (a time limit hit here leaves the PDF out of ``made``: the document failed)
        workers.bounded(
            outcome,
            task.source,
            timeout,
            "PDF rendering",
            lambda: outcome.made.append(_laid_out(shared, document, made, outcome)),
        )


def _needed(current: Mapping[str, tuple[str, bool | None]], name: str, key: str, draft: bool | None) -> bool:
    return current.get(name) != (key, draft)


def pages(
    shared: Shared,
    current: Mapping[str, tuple[str, bool | None]],
    document: Document,
    images: Sequence[tuple[str, bytes]],
) -> list[Made]:
    """The formats rendered with the HTML (HTML, plugins' that are not remote) of one document,
    and (with the HTML of the first language) the images it shows, beside it: those not current
    are rendered. (Moved from :mod:`briefs.pipeline.run`, where the main process made them.)"""
    made = []
    html_key = document.html_key
    for renderer in renderers(shared.formats):
        if is_remote(renderer):
            continue
        name = document_name(document.brief_id, document.lang, renderer.suffix)
        if renderer.name == "html":
            key, inputs = html_key, {"html": html_key}
        else:
            key = digest([__version__, renderer.name, version_of(renderer), html_key])
            inputs = {renderer.name: key}
        files: list[tuple[Made, bytes | None]] = [(Made(name, key, inputs, document.draft), None)]
        if shows_images(renderer) and document.lang == shared.langs[0]:
            files += [
                (Made(f"{document.brief_id}/{image}", digest([data]), {"image": digest([data])}, document.draft), data)
                for image, data in images
            ]
        for file, given in files:
            if not _needed(current, file.name, file.key, file.draft):
                made.append(file)
                continue
            data = given if given is not None else render_here(renderer, document.rendered(shared.config))
            if isinstance(data, Diagnostic):
                made.append(Made(file.name, file.key, file.inputs, file.draft, error=data))
            else:
                made.append(Made(file.name, file.key, file.inputs, file.draft, data))
    return made


def pdf(shared: Shared, document: Document, images: Sequence[tuple[str, bytes]]) -> Made | None:
    """The PDF of one document with its key, not laid out (the key: moved from
    :mod:`briefs.pipeline.run`); None if the build makes no PDF."""
    if "pdf" not in (r.name for r in renderers(shared.formats)):
        return None
    config = shared.config
    inputs = {
        "html": document.html_key,
        "sources": digest(part for name, data in document.attachments for part in (name, data)),
        "fonts": shared.fonts,
        "renderer": shared.renderer,
        "images": digest(part for name, data in images for part in (name, data)),
        "templates": shared.templates,
        "variant": PDF_VARIANT,
        "created": document.created.isoformat(),
        "toc_min_pages": str(config.toc_min_pages),
        "editions": ",".join(shared.langs),  # built together: the page links them (distribute)
    }
    name = document_name(document.brief_id, document.lang, "pdf")
    key = digest(sorted(f"{k}={v}" for k, v in inputs.items()))
    return Made(name, key, inputs, document.draft)


def _laid_out(shared: Shared, document: Document, made: Made, outcome: DocumentOutcome) -> Made:
    """``made`` with the PDF laid out here (or why that failed); its warnings go to ``outcome``."""
    from briefs.render.pdf import render_pdf

    try:
        data, warnings = render_pdf(
            document.html,
            document.folder,
            (document.folder, *shared.theme_folders),
            document.source,
            document.attachments,
            document.created,
            font_config=workers.font_config(),
            toc_min_pages=shared.config.toc_min_pages,
        )
    except BriefsError as exc:
        return Made(made.name, made.key, made.inputs, made.draft, error=exc.diagnostics[0])
    outcome.warnings = warnings
    return Made(made.name, made.key, made.inputs, made.draft, data)
