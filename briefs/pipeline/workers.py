"""Stage 5 at scale: documents made in warm worker processes, each isolated and bounded.

A task is a whole document (:class:`briefs.pipeline.tasks.DocumentTask`: localized, charted,
rendered to HTML and laid out as PDF in the worker) or a PDF alone (:class:`PdfTask`, from
HTML planned elsewhere); both run through :func:`perform`.

Workers are forked from one warm parent (:mod:`briefs.pipeline.zygote`, run by multiprocessing's fork
server), so WeasyPrint's import and the first layout's font loading are paid once per build, not
once per worker; each worker then renders many documents.
Each document gets a time limit (an interval timer in the worker) and the worker an address-space
limit, so a runaway brief fails alone with a clear message and the batch goes on. Results come
back in submission order whatever order the workers finish in.
"""

from __future__ import annotations

import multiprocessing
import os
import resource
import select
import signal
import sys
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from briefs.errors import BriefsError, Diagnostic, SourceLocation

DEFAULT_TIMEOUT = 180.0  # seconds per document
DEFAULT_MEMORY = 2 * 1024**3  # bytes of address space per worker
STALL = 60.0  # seconds past a task's limit with no document done: the pool is stuck, not busy


@dataclass(frozen=True)
class PdfTask:
    """Everything a worker needs to render one PDF (picklable; no shared state)."""

    index: int
    html: str
    base_url: Path
    allowed_roots: tuple[Path, ...]
    source: Path
    attachments: tuple[tuple[str, bytes], ...]
    created: Any
    toc_min_pages: int = 0

    def perform(self, timeout: float) -> PdfOutcome:
        """Render this PDF here (:func:`render_task`)."""
        return render_task(self, timeout)


class Task(Protocol):
    """What the executor runs: a task with its place in the batch and the file its errors name."""

    @property
    def index(self) -> int: ...

    @property
    def source(self) -> Path: ...

    def perform(self, timeout: float) -> PdfOutcome:
        """Run here, within ``timeout`` seconds."""
        ...


@dataclass
class PdfOutcome:
    """A rendered PDF, or the error that stopped it, plus what the worker measured."""

    index: int
    pdf: bytes | None = None
    warnings: list[Diagnostic] = field(default_factory=list)
    error: Diagnostic | None = None
    seconds: float = 0.0
    peak_rss_kib: int = 0
    pid: int = 0


_FONT_CONFIG: Any = None


def font_config() -> Any:
    """This process's WeasyPrint font configuration, made on first use and kept (it holds the
    font map, whose loaded faces make every later layout faster)."""
    global _FONT_CONFIG
    if _FONT_CONFIG is None:
        from weasyprint.text.fonts import FontConfiguration

        _FONT_CONFIG = FontConfiguration()
    return _FONT_CONFIG


def warm(memory_limit: int | None, build_pid: int | None = None) -> None:
    """Worker initializer: bound the address space; end with the build (``build_pid``); import
    WeasyPrint and set up fonts once (already done when forked from the warm :mod:`briefs.pipeline.zygote`)."""
    if memory_limit:
        _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        cap = memory_limit if hard == resource.RLIM_INFINITY else min(memory_limit, hard)
        resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C and stops the pool
    _die_with_parent()
    if build_pid is not None:
        _die_with_build(build_pid)
    font_config()


def _die_with_parent() -> None:
    """Linux: end this worker when its parent (the fork server) dies, even by SIGKILL."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass  # elsewhere the worker exits when its task queue closes


def _die_with_build(pid: int) -> None:
    """End this worker when the build that uses it dies, even by SIGKILL (the OOM killer, a CI
    timeout). Its parent is the fork server, not the build, and the fork server lives as long as
    any of its children holds its "alive" pipe, which every worker does: without this, a killed
    build left the fork server and its workers running for good, a worker blocked writing a
    result nobody reads. A pidfd becomes readable when the process ends (Linux 5.3+)."""
    try:
        handle = os.pidfd_open(pid)
    except ProcessLookupError:  # already gone
        os._exit(1)
    except (OSError, AttributeError):
        return  # no pidfds here: the worker ends when its task queue closes

    def wait() -> None:
        select.select([handle], [], [])
        os._exit(1)

    threading.Thread(target=wait, name="briefs-build-watch", daemon=True).start()


def render_task(task: PdfTask, timeout: float = DEFAULT_TIMEOUT) -> PdfOutcome:
    """Render one task in this process, within ``timeout`` seconds (:func:`bounded`)."""
    from briefs.render.pdf import render_pdf

    outcome = PdfOutcome(task.index, pid=os.getpid())
    font_config()  # a cold (Dask) worker's imports and fonts, outside the limit: stopped halfway, they stay broken

    def work() -> None:
        outcome.pdf, outcome.warnings = render_pdf(
            task.html,
            task.base_url,
            task.allowed_roots,
            task.source,
            task.attachments,
            task.created,
            font_config=font_config(),
            toc_min_pages=task.toc_min_pages,
        )

    return bounded(outcome, task.source, timeout, "PDF rendering", work)


def bounded(outcome: PdfOutcome, source: Path, timeout: float, what: str, work: Callable[[], None]) -> PdfOutcome:
    """Run ``work`` (which fills ``outcome``) within ``timeout`` seconds; a timeout, running out of
    memory or a briefs error becomes ``outcome.error``, located at ``source``.

    :func:`briefs.pipeline.limits.deadline` keeps the limit: an interval timer in a process's main
    thread (a local worker), a watchdog on a Dask worker's thread.
    """
    from briefs.pipeline.limits import Overtime, deadline

    started = time.perf_counter()
    try:
        with deadline(timeout):
            work()
    except Overtime:
        outcome.error = Diagnostic(SourceLocation(source), f"{what} took longer than {timeout:g} s and was stopped")
    except MemoryError:
        outcome.error = Diagnostic(SourceLocation(source), f"{what} ran out of its memory allowance and was stopped")
    except BriefsError as exc:
        outcome.error = exc.diagnostics[0]
    outcome.seconds = time.perf_counter() - started
    outcome.peak_rss_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return outcome


def perform(task: Task, timeout: float = DEFAULT_TIMEOUT) -> PdfOutcome:
    """Run one task in this process (what a worker, local or on Dask, is sent)."""
    return task.perform(timeout)


def start_zygote() -> None:
    """Start the warm parent of the local workers now, in the background (a no-op if running)."""
    _context()


def _context() -> Any:
    """Workers come from multiprocessing's fork server, which first imports :mod:`briefs.pipeline.zygote`.

    The server starts at once and warms up (WeasyPrint, fonts, one small layout) while the
    build loads content; each worker is then a fork of that warm process. So workers carry only
    what rendering needs (never the parent's content, charts or data), and a second or eighth
    worker costs no second warm-up. The server lives as long as this process and serves every
    later build in it.
    """
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["briefs.pipeline.zygote"])
    from multiprocessing import forkserver

    forkserver.ensure_running()  # returns at once; the warm-up runs beside the caller
    return context


def origin() -> tuple[int, int | None]:
    """This worker's parent pid, and the pid :mod:`briefs.pipeline.zygote` warmed up in (None: cold)."""
    zygote = sys.modules.get("briefs.pipeline.zygote")
    return os.getppid(), getattr(zygote, "WARMED_IN", None)


def start_pool(jobs: int, memory_limit: int | None = DEFAULT_MEMORY) -> ProcessPoolExecutor:
    """A pool of ``jobs`` workers, forked from the warm :mod:`briefs.pipeline.zygote` as tasks arrive."""
    return ProcessPoolExecutor(
        max_workers=jobs, mp_context=_context(), initializer=warm, initargs=(memory_limit, os.getpid())
    )


def submit(pool: ProcessPoolExecutor, task: Task, timeout: float = DEFAULT_TIMEOUT) -> Future[PdfOutcome] | None:
    """Start one task on a pool from :func:`start_pool` now and hand the future to :func:`run`;
    None if a worker already died (:func:`run` retries the task on a fresh pool)."""
    try:
        return pool.submit(perform, task, timeout)
    except BrokenProcessPool:
        return None


def run(
    tasks: Sequence[Task],
    jobs: int,
    on_done: Callable[[PdfOutcome], None] | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    memory_limit: int | None = DEFAULT_MEMORY,
    pool: ProcessPoolExecutor | None = None,
    early: dict[Any, Task] | None = None,
) -> list[PdfOutcome]:
    """Render every task on ``jobs`` warm workers; outcomes are returned in task order.

    With ``on_done``, each outcome goes to it as it arrives and the outcomes returned keep only
    their errors: a build of 1,000 briefs kept every PDF and HTML it had written until it ended
    (about 900 MB). ``pool`` is a pool from :func:`start_pool` to use first, and ``early`` the
    tasks already :func:`submit`-ted to it (handed over: emptied as they finish, so that no
    future keeps its result alive). If a worker dies outright (killed,
    crashed), a new pool is made and the unfinished tasks are retried one worker at a time, so
    only the document that kills its worker fails.
    """
    outcomes: dict[int, PdfOutcome] = {}
    pending = list(tasks)
    workers = max(1, min(jobs, len(pending)))
    while pending:
        survivors = _run_pool(pending, workers, outcomes, on_done, timeout, memory_limit, pool, early)
        pool, early = None, None
        if survivors and workers == 1:
            # Alone in its pool and still the pool broke: this document kills its worker.
            culprit = survivors.pop(0)
            outcome = PdfOutcome(
                culprit.index,
                error=Diagnostic(
                    SourceLocation(culprit.source),
                    "the PDF worker died while rendering this brief (out of memory or crashed)",
                ),
            )
            outcomes[culprit.index] = outcome
            if on_done:
                on_done(outcome)
        pending, workers = survivors, 1
    return [outcomes[t.index] for t in tasks]


def _run_pool(
    tasks: list[Task],
    workers: int,
    outcomes: dict[int, PdfOutcome],
    on_done: Callable[[PdfOutcome], None] | None,
    timeout: float,
    memory_limit: int | None,
    pool: ProcessPoolExecutor | None = None,
    early: dict[Any, Task] | None = None,
) -> list[Task]:
    """Run tasks on one pool (the given one with its ``early`` futures, or a new one); returns
    the tasks left unfinished if the pool broke."""
    if pool is None:
        pool, early = start_pool(workers, memory_limit), None
    with pool:
        futures: dict[Any, Task] = early if early is not None else {}
        started = {task.index for task in futures.values()}
        for task in tasks:
            future = None if task.index in started else submit(pool, task, timeout)
            if future is not None:  # None: the pool broke; the task is left for the next pool
                futures[future] = task
        broken = False
        while futures and not broken:
            done, _ = wait(futures, timeout=timeout + STALL, return_when=FIRST_COMPLETED)
            if not done:  # nothing finished within a task's own limit and more: a stuck worker
                _kill(pool)  # (a fork that deadlocked never reaches its timer); retried as if it died
                broken = True
                break
            for future in done:
                task = futures.pop(future)
                try:
                    outcome = future.result()
                except BrokenProcessPool:
                    broken = True
                    futures[future] = task
                    continue
                outcomes[task.index] = outcome if on_done is None else _spent(outcome)
                if on_done:
                    on_done(outcome)
        return [t for t in tasks if t.index not in outcomes]


def _spent(outcome: PdfOutcome) -> PdfOutcome:
    """What is kept of an outcome handed to ``on_done``: its index and error, not its files."""
    return PdfOutcome(outcome.index, error=outcome.error)


def _kill(pool: ProcessPoolExecutor) -> None:
    """Kill a pool's worker processes, so that it breaks and can be shut down."""
    processes: dict[int, Any] = getattr(pool, "_processes", None) or {}  # the executor's own record
    for process in list(processes.values()):
        process.kill()


def connect_dask(address: str) -> Any:
    """A client of the Dask cluster at ``address``; a located error if Dask is missing or the
    scheduler does not answer. Called before any work, so a typo in the address costs nothing."""
    try:
        from distributed import Client
    except ImportError:
        raise BriefsError(
            Diagnostic(SourceLocation(Path("--scheduler")), "Dask is not installed: pip install 'briefs[dask]'")
        ) from None
    try:
        return Client(address, timeout="10s")
    except (OSError, ValueError, TypeError) as exc:
        raise BriefsError(
            Diagnostic(SourceLocation(Path("--scheduler")), f"cannot reach the Dask scheduler at {address}: {exc}")
        ) from None


def run_dask(
    tasks: Sequence[Task],
    client: Any,
    on_done: Callable[[PdfOutcome], None] | None = None,
    timeout: float = DEFAULT_TIMEOUT,
) -> list[PdfOutcome]:
    """Render the same tasks on a Dask distributed cluster (``client`` from :func:`connect_dask`);
    outcomes in task order, as locally.

    The workers need the same environment (briefs, WeasyPrint, fonts) and must see the project's
    files at the same paths (a shared file system), because PDFs fetch nothing but local files.
    """
    from distributed import as_completed

    outcomes: dict[int, PdfOutcome] = {}
    futures = {client.submit(perform, task, timeout, pure=False): task for task in tasks}
    for future in as_completed(futures):
        task = futures[future]
        try:
            outcome = future.result()
        except Exception as exc:  # noqa: BLE001 - a worker lost or a task killed: this document fails alone
            outcome = PdfOutcome(
                task.index,
                error=Diagnostic(SourceLocation(task.source), f"Dask task failed: {type(exc).__name__}: {exc}"),
            )
        outcomes[task.index] = outcome if on_done is None else _spent(outcome)
        if on_done:
            on_done(outcome)
        del futures[future]  # (its result is this outcome: not kept to the end)
    return [outcomes[t.index] for t in tasks]
