"""Time and memory limits for the stages that run in the build's own process, per brief.

A build with PDFs makes each document (planning and PDF) in a worker process, with a time limit
per document and an address-space limit per worker (:mod:`briefs.pipeline.workers`). Loading,
checking, and planning in ``briefs check`` and in a build without PDFs run in the main process,
one brief after another; :class:`Budget` bounds each brief there:

- **time**: an interval timer (``SIGALRM``, main thread only) wakes four times a second; once the
  brief has run longer than ``seconds``, the stage is interrupted where it is;
- **memory**: at the same ticks the process's resident memory is compared with what it was when
  the brief started; growing by more than ``memory`` bytes stops the brief too, and so does a
  ``MemoryError``.

Both are measured once more when the stage ends, so a brief over its budget is reported even if
it finished between two ticks. A stopped brief becomes a located error at its ``brief.yaml``
(``path:1:1: checking this brief took longer than 60 s and was stopped; …``, exit status 1), like
any content error. Measuring resident memory, rather than lowering ``RLIMIT_AS``
in the main process, keeps the guard independent of what a machine reserves without using it
(thread stacks and math-library buffers grow with the number of cores) and leaves the limit of the
PDF workers, which are forked from this process, as :mod:`briefs.pipeline.workers` sets it. The price is
that a single allocation is seen after it is made; it then fails the brief at the next tick.

The input budgets (Markdown in :mod:`briefs.render.markdown`, data in :mod:`briefs.exhibits.tables` and
:mod:`briefs.exhibits.numbering`) keep every known input far inside these limits; the limits are the net
for anything they do not foresee.
"""

from __future__ import annotations

import ctypes
import os
import resource
import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import FrameType, TracebackType
from typing import Any

from briefs.errors import ContentError, Diagnostic, SourceLocation

# A real brief loads in about 0.2 s and plans in about 0.5 s per edition (the first chart of a
# run adds matplotlib's import, about a second), and the whole check of the examples peaks at
# about 150 MB. A minute and 2 GiB (a PDF worker's whole allowance) are far above that and far
# below a hung build or an exhausted machine.
CHECK_SECONDS = 60.0
CHECK_MEMORY = 2 * 1024**3
TICK = 0.25  # seconds between checks of the clock and of memory

_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


class _Stopped(BaseException):
    """Raised by the timer in the main thread. A BaseException, so that library code catching
    ``Exception`` cannot swallow it (and the next tick raises it again if something does)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def resident_bytes() -> int:
    """This process's resident memory now (Linux: /proc/self/statm; elsewhere its peak)."""
    try:
        with open("/proc/self/statm", "rb") as statm:
            return int(statm.read().split()[1]) * _PAGE
    except (OSError, ValueError, IndexError):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


@dataclass(frozen=True)
class Budget:
    """The time (seconds) and memory growth (bytes) one brief may take in one stage; None: no limit."""

    seconds: float | None = CHECK_SECONDS
    memory: int | None = CHECK_MEMORY

    def spent_on(self, brief_file: Path, task: str) -> _Spending:
        """A context in which ``task`` (``checking this brief``, ``preparing its en edition``)
        runs for ``brief_file`` within this budget; over it, a :class:`ContentError` at
        ``brief_file:1:1``. Outside the main thread (no interval timers there) only a
        ``MemoryError`` is caught."""
        return _Spending(self, brief_file, task)

    def error(self, brief_file: Path, task: str, reason: str) -> ContentError:
        """The located error for a brief stopped for ``reason``: ``time``, ``memory`` (its
        allowance) or ``exhausted`` (a ``MemoryError``)."""
        if reason == "time":
            over = f"took longer than {self.seconds:g} s"
        elif reason == "memory":
            over = f"needed more than {_size(self.memory or 0)} of memory"
        else:
            over = "ran out of memory"
        return ContentError(
            Diagnostic(
                SourceLocation(brief_file, 1, 1),
                (
                    f"{task} {over} and was stopped; a real brief needs a fraction of that, so look for "
                    "an input far larger than usual (a huge text, table or data file)"
                ),
            )
        )


class _Spending:
    """One brief's stage under a :class:`Budget` (see :meth:`Budget.spent_on`)."""

    active = False  # one at a time: a stage run inside another's budget counts under the outer one

    def __init__(self, budget: Budget, brief_file: Path, task: str) -> None:
        self.budget, self.brief_file, self.task = budget, brief_file, task
        self.timed = False
        self.on = False
        self.started = 0.0
        self.base = 0
        self.previous: Any = None
        self.previous_timer = (0.0, 0.0)

    def __enter__(self) -> None:
        budget = self.budget
        if (
            threading.current_thread() is not threading.main_thread()
            or _Spending.active
            or (budget.seconds is None and budget.memory is None)
        ):
            return
        self.timed = True
        _Spending.active = True
        self.started, self.base = time.monotonic(), resident_bytes()
        self.on = True
        self.previous = signal.signal(signal.SIGALRM, self._tick)
        first = TICK if budget.seconds is None else min(TICK, budget.seconds)
        self.previous_timer = signal.setitimer(signal.ITIMER_REAL, max(first, 1e-3), TICK)

    def _tick(self, signum: int, frame: FrameType | None) -> None:
        # Never inside our own __enter__/__exit__: a raise there would escape the with statement.
        if not self.on or (frame is not None and frame.f_code in _OWN_CODE):
            return
        budget = self.budget
        if budget.seconds is not None and time.monotonic() - self.started >= budget.seconds:
            raise _Stopped("time")
        if budget.memory is not None and resident_bytes() - self.base > budget.memory:
            raise _Stopped("memory")

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.on = False
        if self.timed:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, signal.SIG_DFL if self.previous is None else self.previous)
            _Spending.active = False
            delay, interval = self.previous_timer
            if delay:  # someone else's timer (a test runner's, say) runs on where it was
                spent = time.monotonic() - self.started
                signal.setitimer(signal.ITIMER_REAL, max(delay - spent, 1e-3), interval)
            if exc is None:  # finished between two ticks, or inside one long call: measured once more
                budget = self.budget
                if budget.seconds is not None and time.monotonic() - self.started >= budget.seconds:
                    exc = _Stopped("time")
                elif budget.memory is not None and resident_bytes() - self.base > budget.memory:
                    exc = _Stopped("memory")
        if isinstance(exc, _Stopped):
            raise self.budget.error(self.brief_file, self.task, exc.reason) from None
        if isinstance(exc, MemoryError):
            raise self.budget.error(self.brief_file, self.task, "exhausted") from None


_OWN_CODE = (_Spending.__enter__.__code__, _Spending.__exit__.__code__)


def _size(n: int) -> str:
    return f"{n / 2**30:g} GiB" if n >= 2**30 else f"{n / 2**20:g} MiB"


class Overtime(Exception):
    """Raised in a task that ran past its :func:`deadline`."""


@contextmanager
def deadline(seconds: float) -> Iterator[None]:
    """Stop the code in this block with :class:`Overtime` once it has run ``seconds``.

    In a process's main thread (a local PDF worker) an interval timer interrupts it, even in a
    blocking call. In any other thread (a Dask worker runs tasks on threads, where no timer can
    reach) a watchdog raises the exception in the task's thread, where the interpreter next runs
    Python code: a layout that loops is stopped as locally; a call blocked in C ends first.
    """
    if threading.current_thread() is threading.main_thread():

        def ring(signum: int, frame: FrameType | None) -> None:
            raise Overtime

        previous = signal.signal(signal.SIGALRM, ring)
        signal.setitimer(signal.ITIMER_REAL, seconds)
        try:
            yield
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)
        return
    ident, lock, done = threading.get_ident(), threading.Lock(), [False]

    def watch() -> None:
        with lock:
            if not done[0]:
                ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(ident), ctypes.py_object(Overtime))

    timer = threading.Timer(seconds, watch)
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        with lock:
            done[0] = True
        timer.cancel()
