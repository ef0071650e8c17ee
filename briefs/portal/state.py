"""What the portal was last built from: ``<out>/.briefs/portal.json``.

It keeps the entry of every brief in the output folder (a build of some briefs lists the others
too), the key of the portal's inputs, whether that portal was a final one, and the size and
modification time of each file it wrote, so that "nothing changed" is answered from ``stat``
alone. A missing, damaged or hand-edited record means "build the portal again", never an error.
"""

from __future__ import annotations

import json
import stat
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from briefs.pipeline.write import STATE, write_atomic
from briefs.source.safefiles import Unsafe, read_bytes

RECORD = Path(STATE) / "portal.json"
FORMAT = 1
_LIMIT = 64 * 2**20


@dataclass(frozen=True)
class PortalState:
    """The last portal written into one output folder."""

    key: str = ""  # of the search bundle's inputs (briefs.portal.build)
    final: bool = False
    entries: tuple[Any, ...] = ()  # as PortalEntry.json wrote them; parsed by the build
    files: Mapping[str, tuple[int, int]] = field(default_factory=dict)  # name -> (size, mtime_ns)
    pages: str = ""  # the key of the index pages' and feeds' inputs (briefs.portal.build)

    def intact(self, out: Path) -> bool:
        """Every file the portal wrote is still there, as written (a regular file, same size
        and modification time)."""
        if not self.files:
            return False
        for name, (size, mtime_ns) in self.files.items():
            try:
                info = (out / name).lstat()
            except OSError:
                return False
            if not stat.S_ISREG(info.st_mode) or (info.st_size, info.st_mtime_ns) != (size, mtime_ns):
                return False
        return True

    def json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "key": self.key,
            "final": self.final,
            "entries": list(self.entries),
            "files": {name: list(info) for name, info in self.files.items()},
            "pages": self.pages,
        }


def load_state(out: Path) -> PortalState:
    """The record in ``out``; an empty one if it is missing or not what :func:`save_state` wrote."""
    try:
        raw = json.loads(read_bytes(out / RECORD, _LIMIT))
    except (OSError, Unsafe, ValueError):
        return PortalState()
    if not isinstance(raw, dict) or raw.get("format") != FORMAT:
        return PortalState()
    entries = raw.get("entries")
    files = raw.get("files")
    key, final, pages = raw.get("key"), raw.get("final"), raw.get("pages")
    return PortalState(
        key if isinstance(key, str) else "",
        final is True,
        tuple(entries) if isinstance(entries, list) else (),
        {
            name: (info[0], info[1])
            for name, info in (files.items() if isinstance(files, dict) else ())
            if isinstance(name, str)
            and isinstance(info, list)
            and len(info) == 2
            and all(isinstance(i, int) and not isinstance(i, bool) for i in info)
        },
        pages if isinstance(pages, str) else "",
    )


def save_state(out: Path, state: PortalState) -> None:
    write_atomic(out / RECORD, json.dumps(state.json(), ensure_ascii=False, sort_keys=True).encode("utf-8"))


def portal_current(out: Path, final: bool) -> bool:
    """The portal in ``out`` is as its last build wrote it, and of the same mode (a final
    portal lists no draft: a preview build after it must build it again)."""
    state = load_state(out)
    return state.final == final and state.intact(out)
