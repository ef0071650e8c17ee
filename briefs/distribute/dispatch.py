"""Where the stamping runs: here, on local warm workers, or on a Dask cluster; results in order.

Recipients arrive as a stream and are sent in tasks of up to :data:`BATCH` (one task's overhead,
and one fsync of the log, shared by its recipients); at most ``window`` tasks are in flight at
once, so neither the tasks nor their results ever pile up in the main process, whatever the
length of the list. Results come back in any order; each is handed on in the recipients' order
(the futures in flight are the reorder buffer), so the main process writes the one distribution
log in a deterministic order as each batch of copies is committed.

A stamping task is a pure function of its arguments (the base PDFs and the recipients): run
twice, it gives the same bytes. When a Dask worker dies mid-batch, the scheduler runs its tasks
again elsewhere and nothing changes for the log: only the main process writes copies and lines,
once each, from the one result it receives for each task. Every recipient's stamping runs under
a time limit (:func:`briefs.pipeline.limits.deadline`), locally and on the cluster alike; a task
stopped at a recipient returns the copies made before it, which are committed before the run
stops.
"""

from __future__ import annotations

import contextlib
from collections import deque
from collections.abc import Callable, Generator, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from briefs.errors import Diagnostic, RenderError, SourceLocation

STAMP_SECONDS = 120.0  # one recipient's copies take milliseconds
BATCH = 32  # recipients per task: a few tens of milliseconds of work, one fsync of the log
WINDOW_PER_WORKER = 4  # tasks in flight per worker: enough to keep each busy, few to hold


@dataclass(frozen=True)
class Stamped:
    """A task's copies, recipient by recipient, and why it stopped early if it did (the copies of
    the recipients before that one are there)."""

    copies: tuple[tuple[bytes, ...], ...] = ()
    error: str = ""


Call = tuple[str, Any]  # which of the shared argument sets, and the call's own argument


def bounded(
    stamp: Callable[..., list[bytes]], timeout: float, shared: Mapping[str, tuple[Any, ...]], batch: Sequence[Call]
) -> Stamped:
    """``stamp(*shared[key], own)`` for each ``(key, own)`` of ``batch``, each within ``timeout``
    seconds; stops at the first that overruns or cannot be stamped."""
    from briefs.distribute.lettering import StampError
    from briefs.pipeline.limits import Overtime, deadline

    done: list[tuple[bytes, ...]] = []
    for key, own in batch:
        try:
            with deadline(timeout):
                done.append(tuple(stamp(*shared[key], own)))
        except Overtime:
            return Stamped(tuple(done), f"stamping took longer than {timeout:g} s and was stopped")
        except StampError as exc:
            return Stamped(tuple(done), f"{getattr(own, 'id', own)}: {exc}")
    return Stamped(tuple(done))


def failure(why: str) -> RenderError:
    """The error that stops a run, once the copies made before it are committed."""
    return RenderError(
        Diagnostic(
            SourceLocation(Path("distribution.jsonl")),
            f"{why}; the copies made before it are logged; run briefs distribute again",
        )
    )


def batches(calls: Iterable[Call], size: int = BATCH) -> Iterator[list[Call]]:
    """The calls in consecutive groups of up to ``size``, read as they are needed."""
    batch: list[Call] = []
    for call in calls:
        batch.append(call)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def in_order(submit: Callable[[Any], Any], calls: Iterable[Any], window: int) -> Iterator[Any]:
    """``submit`` each call (a future back), at most ``window`` at a time; each future's result
    yielded in the calls' order."""
    flight: deque[Any] = deque()
    try:
        for call in calls:
            flight.append(submit(call))
            if len(flight) >= window:
                yield flight.popleft().result()
        while flight:
            yield flight.popleft().result()
    finally:
        for future in flight:  # stopped early (an error, a signal): nothing more is wanted
            with contextlib.suppress(Exception):  # best effort: the pool or client may be gone already
                future.cancel()


def stamp_all(
    stamp: Callable[..., list[bytes]],
    calls: Iterable[Call],
    shared: Mapping[str, tuple[Any, ...]],
    jobs: int,
    scheduler: str | None = None,
    timeout: float = STAMP_SECONDS,
) -> Generator[Stamped, None, None]:
    """``stamp(*shared[key], own)`` for every ``(key, own)`` in ``calls``, in tasks of up to
    :data:`BATCH` calls, here, on ``jobs`` local workers or on the cluster at ``scheduler``; each
    task's result, in the calls' order. After a result with an error, nothing more is yielded."""
    tasks = batches(calls)
    if scheduler:
        results = _on_dask(stamp, tasks, shared, scheduler, timeout)
    elif jobs > 1:
        results = _on_pool(stamp, tasks, shared, jobs, timeout)
    else:
        results = (bounded(stamp, timeout, _needed(shared, batch), batch) for batch in tasks)
    for outcome in results:
        yield outcome
        if outcome.error:
            return


def _needed(shared: Mapping[str, tuple[Any, ...]], batch: Sequence[Call]) -> dict[str, tuple[Any, ...]]:
    return {key: shared[key] for key in dict.fromkeys(key for key, _ in batch)}


def _on_pool(
    stamp: Callable[..., list[bytes]],
    tasks: Iterable[list[Call]],
    shared: Mapping[str, tuple[Any, ...]],
    jobs: int,
    timeout: float,
) -> Iterator[Stamped]:
    from concurrent.futures.process import BrokenProcessPool

    from briefs.pipeline.workers import start_pool

    pool = start_pool(jobs)

    def submit(batch: list[Call]) -> Any:
        return pool.submit(bounded, stamp, timeout, _needed(shared, batch), batch)

    try:
        yield from in_order(submit, tasks, jobs * WINDOW_PER_WORKER)
    except BrokenProcessPool:
        raise failure("a stamping worker died (out of memory or killed)") from None
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _on_dask(
    stamp: Callable[..., list[bytes]],
    tasks: Iterable[list[Call]],
    shared: Mapping[str, tuple[Any, ...]],
    scheduler: str,
    timeout: float,
) -> Iterator[Stamped]:
    """On the cluster: the shared arguments, base PDFs included, are sent to every worker once
    (no shared file system needed; a task carries only its recipients); a worker lost mid-task has
    its tasks run again by the scheduler (up to its ``allowed-failures``); a task that kills
    worker after worker stops the run."""
    from briefs.pipeline.workers import connect_dask

    client = connect_dask(scheduler)
    try:
        sent = {
            key: tuple(client.scatter(arg, broadcast=True, hash=False) for arg in args) for key, args in shared.items()
        }
        window = max(1, sum(client.nthreads().values())) * WINDOW_PER_WORKER

        def submit(batch: list[Call]) -> Any:
            return client.submit(bounded, stamp, timeout, _needed(sent, batch), batch, pure=False)

        try:
            yield from in_order(submit, tasks, window)
        except RenderError:
            raise
        except Exception as exc:  # noqa: BLE001 - KilledWorker, a lost connection: the run stops cleanly
            raise failure(f"stamping on the Dask cluster failed ({type(exc).__name__}: {exc})") from None
    finally:
        client.close()
