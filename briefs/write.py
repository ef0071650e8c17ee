"""Stage 6 (write): files appear whole or not at all, and one build at a time owns a folder.

Every file is written to a temporary file in the same folder and renamed into place, so a crash,
Ctrl-C or SIGKILL leaves the old file or none, never half of one; the next build removes the
temporaries a killed one left behind.
"""

from __future__ import annotations

import fcntl
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .errors import OutputError, RenderError


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically; a crash leaves the old file or none, never half of one.

    A file that cannot be written (no permission, disk full) is an :class:`OutputError` at it."""
    try:
        _write_atomic(path, data)
    except OSError as exc:
        raise cannot_write(path, exc) from None


def cannot_write(path: Path, exc: OSError) -> OutputError:
    """The located error for an output ``path`` the system refused."""
    return OutputError.at(path, 0, 0, f"cannot write here: {exc.strerror or exc}")


def _write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, 0o666 & ~_umask())  # mkstemp makes 0600; published files follow the umask
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


@contextmanager
def output_lock(out: Path) -> Iterator[None]:
    """Hold the output folder for one build at a time; a second build fails at once, clearly.

    The lock is a POSIX record lock (``lockf``) on ``<out>/.briefs/lock``: the kernel drops it
    when the holder exits, even on SIGKILL, and unlike ``flock`` it is not inherited by forked
    worker processes, so orphaned workers cannot keep a dead build's folder locked.
    """
    lock_path = out / ".briefs" / "lock"
    try:
        lock_path.parent.mkdir(parents=True, exist_ok=True)
        handle = lock_path.open("a+")
    except OSError as exc:
        raise cannot_write(out, exc) from None
    with handle:
        try:
            fcntl.lockf(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            raise RenderError.at(out, 0, 0, f"another build ({holder}) is writing to this output "
                                 "folder; wait for it to finish") from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()}")
        handle.flush()
        try:
            remove_stale_temporaries(out)
            yield
        finally:
            handle.seek(0)
            handle.truncate()
            fcntl.lockf(handle, fcntl.LOCK_UN)


def remove_stale_temporaries(out: Path) -> list[Path]:
    """Delete temporary files a killed build left behind (only ours: ``.<name>.<random>.tmp``)."""
    stale = [p for p in out.rglob(".*.tmp") if p.is_file()]
    for path in stale:
        path.unlink(missing_ok=True)
    return stale
