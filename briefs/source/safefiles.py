"""The one place that decides whether a file named by content may be read, and reads it.

Every reader of content files goes through here: brief and shared YAML, Markdown bodies, data
files, images (when checked, when published, when the PDF fetches them) and the files hashed for
the incremental keys. The rules, in order:

- a name is resolved with every component followed (symlinks included), and the *resolved* path
  is what is checked and what is read: a path is never collapsed without following links
  (``link/../x.png`` means what the file system says it means);
- the resolved path must lie inside the allowed folder (for a brief: its own folder);
- only regular files are read: a FIFO, device, socket or folder is refused without being opened
  for long (``O_NONBLOCK``, so opening a FIFO never waits for a writer);
- the size is checked on the open file (``fstat``) before anything is read, and no more than the
  limit plus one byte is ever read, so ``/dev/zero`` or a file growing while it is read cannot
  exhaust memory.

Refusals are :class:`Unsafe` with a short reason that callers place at the content line that
named the file.
"""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Callable
from pathlib import Path


class Unsafe(Exception):
    """A file that must not be read; ``reason`` completes a sentence about the file."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def resolve_inside(folder: Path, relative: str | Path) -> Path:
    """``relative`` (as written in content) under ``folder``, fully resolved.

    Raises :class:`Unsafe` for a name no file can have, a path outside ``folder`` (after every
    symlink is followed), a missing file, or anything that is not a regular file.
    """
    try:
        root = folder.resolve()
        target = (root / relative).resolve()
    except (ValueError, OSError, RuntimeError):  # a NUL byte, a name too long, a symlink loop
        raise Unsafe("is not a usable file name") from None
    if not target.is_relative_to(root):
        raise Unsafe("is outside the brief's folder")
    kind = file_kind(target)
    if kind == "missing":
        raise Unsafe("not found")
    if kind == "unreadable entry":  # a name longer than the file system allows, or no permission
        raise Unsafe("cannot be read (a name too long, or no permission to look there)")
    if kind != "file":
        raise Unsafe(f"is a {kind}, not a regular file")
    return target


def file_kind(path: Path) -> str:
    """What ``path`` is, following symlinks: 'file', 'folder', 'FIFO', 'device', 'socket',
    'missing' (or a dangling link), or 'unreadable entry'."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return "missing"
    except (OSError, ValueError, RuntimeError):
        return "unreadable entry"
    return _kind(mode)


def _kind(mode: int) -> str:
    if stat.S_ISREG(mode):
        return "file"
    if stat.S_ISDIR(mode):
        return "folder"
    if stat.S_ISFIFO(mode):
        return "FIFO"
    if stat.S_ISSOCK(mode):
        return "socket"
    return "device"


def read_bytes(path: Path, limit: int, inside: Path | None = None) -> bytes:
    """The bytes of the regular file ``path``, at most ``limit`` of them, or :class:`Unsafe`.

    The type and size are checked on the opened descriptor, so what is checked is what is read.
    With ``inside`` (a resolved folder), the file actually opened must lie in it: a folder on the
    resolved path swapped for a symlink between resolving and opening is caught on the open file.
    """
    fd = _open(path)
    try:
        if inside is not None and not _opened_inside(fd, inside):
            raise Unsafe("changed while it was read: it now leads outside the brief's folder")
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise Unsafe(f"is a {_kind(info.st_mode)}, not a regular file")
        if info.st_size > limit:
            raise Unsafe(f"is {_size(info.st_size)}; the limit is {_size(limit)}")
        chunks: list[bytes] = []
        remaining = limit + 1
        while remaining > 0:
            try:
                chunk = os.read(fd, min(remaining, 1 << 20))
            except OSError as exc:
                raise Unsafe(f"cannot be read ({exc.strerror})") from None
            if not chunk:
                break
            chunks.append(chunk)
            remaining -= len(chunk)
        data = b"".join(chunks)
        if len(data) > limit:  # grew while being read, or a file whose size lies (/proc)
            raise Unsafe(f"is larger than the limit of {_size(limit)}")
        return data
    finally:
        os.close(fd)


def _open(path: Path, follow_links: bool = True) -> int:
    """A descriptor for reading ``path`` without blocking (a FIFO never waits for a writer)."""
    flags = os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC | (0 if follow_links else os.O_NOFOLLOW)
    try:
        return os.open(path, flags)
    except FileNotFoundError:
        raise Unsafe("not found") from None
    except (OSError, ValueError) as exc:
        raise Unsafe(f"cannot be read ({getattr(exc, 'strerror', None) or exc})") from None


def sha256(
    path: Path, limit: int, *, follow_links: bool = True, oversize: Callable[[int | None], str] | None = None
) -> str:
    """SHA-256 of the regular file ``path``, streamed in 1 MiB pieces, or :class:`Unsafe`.

    Its type and size are checked on the open descriptor before a byte is read; a file that grows
    past ``limit`` while it is read is refused too. ``oversize`` words that refusal (given the
    size, or None when the file grew); ``follow_links=False`` refuses a link itself."""

    def too_large(size: int | None) -> str:
        if oversize is not None:
            return oversize(size)
        return f"is {_size(size)}; the limit is {_size(limit)}" if size else f"is larger than {_size(limit)}"

    fd = _open(path, follow_links)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise Unsafe(f"is a {_kind(info.st_mode)}, not a regular file")
        if info.st_size > limit:
            raise Unsafe(too_large(info.st_size))
        digest = hashlib.sha256()
        read = 0
        while chunk := os.read(fd, 1 << 20):
            read += len(chunk)
            if read > limit:
                raise Unsafe(too_large(None))
            digest.update(chunk)
        return digest.hexdigest()
    except OSError as exc:
        raise Unsafe(f"cannot be read ({exc.strerror})") from None
    finally:
        os.close(fd)


def read_inside(folder: Path, relative: str | Path, limit: int) -> tuple[Path, bytes]:
    """Resolve ``relative`` under ``folder`` and read it: (resolved path, bytes), or :class:`Unsafe`."""
    target = resolve_inside(folder, relative)
    return target, read_bytes(target, limit, inside=folder.resolve())


def _opened_inside(fd: int, folder: Path) -> bool:
    """Whether the file open at ``fd`` is in ``folder``, by the path the kernel gives it now
    (Linux); True where that cannot be seen."""
    try:
        opened = os.readlink(f"/proc/self/fd/{fd}")
    except OSError:
        return True
    return Path(opened).is_relative_to(folder)


def _size(n: int) -> str:
    if n >= 2**20:
        return f"{n / 2**20:.1f} MiB"
    return f"{n:,} bytes"
