"""Where the stamping runs: here, on local warm workers, or on a Dask cluster; results in order.

Recipients arrive as a stream and at most ``window`` of them are in flight at once, so neither
the tasks nor their results ever pile up in the main process, whatever the length of the list.
Results come back in any order; each is handed on in the recipients' order (the futures in flight
are the reorder buffer), so the main process writes the one distribution log in a deterministic
order, line by line, as each copy is committed.

A stamping task is a pure function of its arguments (the base PDFs' bytes and the recipient): run
twice, it gives the same bytes. When a Dask worker dies mid-batch, the scheduler runs its tasks
again elsewhere and nothing changes for the log: only the main process writes copies and lines,
once each, from the result it receives. Every task runs under a time limit
(:func:`briefs.pipeline.limits.deadline`), locally and on the cluster alike.
"""

from __future__ import annotations

import contextlib
from collections import deque
from collections.abc import Callable, Generator, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from briefs.errors import Diagnostic, RenderError, SourceLocation

STAMP_SECONDS = 120.0  # one recipient's copies take well under a second
WINDOW_PER_WORKER = 4  # tasks in flight per worker: enough to keep each busy, few to hold


@dataclass(frozen=True)
class Stamped:
    """One recipient's copies, or why there are none (a task over its time limit)."""

    copies: tuple[bytes, ...] = ()
    error: str = ""


def bounded(stamp: Callable[..., list[bytes]], timeout: float, *args: Any) -> Stamped:
    """Run ``stamp(*args)`` (one recipient's copies) within ``timeout`` seconds.

    A fresh worker imports WeasyPrint and loads its fonts first, outside the limit: that is
    paid once per worker, and an import stopped halfway would leave the worker broken."""
    import weasyprint  # noqa: F401

    import briefs.render.fontpack  # noqa: F401
    from briefs.pipeline.limits import Overtime, deadline
    from briefs.pipeline.workers import font_config

    font_config()
    try:
        with deadline(timeout):
            return Stamped(tuple(stamp(*args)))
    except Overtime:
        return Stamped(error=f"stamping took longer than {timeout:g} s and was stopped")


def _failure(why: str) -> RenderError:
    return RenderError(
        Diagnostic(
            SourceLocation(Path("distribution.jsonl")),
            f"{why}; the copies made before it are logged; run briefs distribute again",
        )
    )


def in_order(submit: Callable[[tuple[Any, ...]], Any], calls: Iterable[tuple[Any, ...]], window: int) -> Iterator[Any]:
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


Call = tuple[str, Any]  # which of the shared argument sets, and the call's own argument


def stamp_all(
    stamp: Callable[..., list[bytes]],
    calls: Iterable[Call],
    shared: Mapping[str, tuple[Any, ...]],
    jobs: int,
    scheduler: str | None = None,
    timeout: float = STAMP_SECONDS,
) -> Generator[list[bytes], None, None]:
    """``stamp(*shared[key], own)`` for every ``(key, own)`` in ``calls``, here, on ``jobs``
    local workers or on the cluster at ``scheduler``; each call's copies, in the calls' order.
    The last shared argument is a list of base PDFs (paths; bytes on a cluster)."""
    if scheduler:
        results = _on_dask(stamp, calls, shared, scheduler, timeout)
    elif jobs > 1:
        results = _on_pool(stamp, calls, shared, jobs, timeout)
    else:
        results = (bounded(stamp, timeout, *shared[key], own) for key, own in calls)
    for outcome in results:
        if outcome.error:
            raise _failure(outcome.error)
        yield list(outcome.copies)


def _on_pool(
    stamp: Callable[..., list[bytes]],
    calls: Iterable[Call],
    shared: Mapping[str, tuple[Any, ...]],
    jobs: int,
    timeout: float,
) -> Iterator[Stamped]:
    from concurrent.futures.process import BrokenProcessPool

    from briefs.pipeline.workers import start_pool

    pool = start_pool(jobs)

    def submit(call: Call) -> Any:
        return pool.submit(bounded, stamp, timeout, *shared[call[0]], call[1])

    try:
        yield from in_order(submit, calls, jobs * WINDOW_PER_WORKER)
    except BrokenProcessPool:
        raise _failure("a stamping worker died (out of memory or killed)") from None
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _on_dask(
    stamp: Callable[..., list[bytes]],
    calls: Iterable[Call],
    shared: Mapping[str, tuple[Any, ...]],
    scheduler: str,
    timeout: float,
) -> Iterator[Stamped]:
    """On the cluster: the shared arguments, base PDFs included, are sent to every worker once
    (no shared file system needed; a task carries only its recipient); a worker lost mid-task has
    its tasks run again by the scheduler (up to its ``allowed-failures``); a task that kills
    worker after worker stops the run."""
    from briefs.pipeline.workers import connect_dask

    client = connect_dask(scheduler)
    try:
        sent = {
            key: (
                *(client.scatter(arg, broadcast=True, hash=False) for arg in args[:-1]),
                client.scatter([path.read_bytes() for path in args[-1]], broadcast=True, hash=False),
            )
            for key, args in shared.items()
        }
        window = max(1, sum(client.nthreads().values())) * WINDOW_PER_WORKER

        def submit(call: Call) -> Any:
            return client.submit(bounded, stamp, timeout, *sent[call[0]], call[1], pure=False)

        try:
            yield from in_order(submit, calls, window)
        except RenderError:
            raise
        except Exception as exc:  # noqa: BLE001 - KilledWorker, a lost connection: the run stops cleanly
            raise _failure(f"stamping on the Dask cluster failed ({type(exc).__name__}: {exc})") from None
    finally:
        client.close()
