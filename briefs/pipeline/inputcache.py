"""The hashes of a build's input files, remembered by their ``stat`` in
``<out>/.briefs/inputs.json``, so that a rebuild reads again only the files that changed.

An entry is used only while the file's size, modification time, change time, inode and device
are all as they were when it was read, and it is kept only for a file last changed at least
:data:`SETTLED` seconds before it was read (the "racy" rule of git's index: a file written
within the same clock tick as its hash was taken could change again unseen). The change time
cannot be set back by any user tool, so an edit that keeps the size and puts the modification
time back (``touch -d``, ``cp -p``, ``rsync -t``) is still seen. A missing, damaged or
hand-edited record means "read everything", never an error; the record is only a cache.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from pathlib import Path

from briefs.pipeline.write import STATE, write_atomic
from briefs.source.safefiles import Unsafe, read_bytes

RECORD = Path(STATE) / "inputs.json"
FORMAT = 1
SETTLED = 2.0  # seconds: a file changed more recently than this before it is read is not remembered
_LIMIT = 256 * 2**20

Stamp = tuple[int, int, int, int, int]  # size, mtime_ns, ctime_ns, inode, device


def stamp(info: os.stat_result) -> Stamp:
    return (info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino, info.st_dev)


class InputHashes:
    """The remembered hashes of one output folder's builds (``None``: remember nothing)."""

    def __init__(self, out: Path | None) -> None:
        self.out = out
        self.known: dict[str, tuple[Stamp, str]] = _load(out) if out is not None else {}
        self.seen: dict[str, tuple[Stamp, str]] = {}
        self.changed = False

    def hash_of(self, path: Path | str, info: os.stat_result, limit: int) -> str:
        """The hash of the regular file ``path`` whose ``lstat`` is ``info`` (taken before it is
        read), from the record if it is as it was, else read (at most ``limit`` bytes, through
        the safe reader: :class:`Unsafe` if it is not readable)."""
        name, now = str(path), stamp(info)
        known = self.known.get(name)
        if known is not None and known[0] == now:
            self.seen[name] = known
            return known[1]
        started = time.time_ns()
        value = hashlib.sha256(read_bytes(Path(path), limit)).hexdigest()[:32]
        if max(info.st_mtime_ns, info.st_ctime_ns) < started - int(SETTLED * 1e9):
            self.seen[name] = (now, value)
            self.changed = True
        return value

    def save(self) -> None:
        """Write the record (only what this run saw), if anything in it is new or gone and the
        output folder has briefs' state folder (a build made it); a failure only costs reads."""
        if self.out is None or not (self.changed or self.seen.keys() != self.known.keys()):
            return
        state = self.out / STATE
        if state.is_symlink() or not state.is_dir():  # never written through a link (the build refuses it)
            return
        data = {"format": FORMAT, "files": {k: [*s, h] for k, (s, h) in sorted(self.seen.items())}}
        try:
            write_atomic(self.out / RECORD, json.dumps(data, separators=(",", ":")).encode("utf-8"))
        except OSError:
            return
        self.known, self.changed = dict(self.seen), False


def _load(out: Path) -> dict[str, tuple[Stamp, str]]:
    try:
        raw = json.loads(read_bytes(out / RECORD, _LIMIT))
    except (OSError, Unsafe, ValueError, RecursionError):
        return {}
    files = raw.get("files") if isinstance(raw, dict) and raw.get("format") == FORMAT else None
    if not isinstance(files, dict):
        return {}
    found: dict[str, tuple[Stamp, str]] = {}
    for name, entry in files.items():
        # (a stamp of anything but numbers never equals a file's: no need to check each)
        if isinstance(entry, list) and len(entry) == 6 and isinstance(entry[5], str):
            found[name] = ((entry[0], entry[1], entry[2], entry[3], entry[4]), entry[5])
    return found
