"""``briefs trace FILE...``: which recipient a distributed copy was made for, from the log.

A copy that turns up somewhere is looked up by its SHA-256 in the distribution log, the record
``briefs distribute`` appends to. A file altered after it was sent, or never distributed, has no
entry, and says so.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path

import click

from ..config import project_config
from ..errors import BriefsError, ContentError, Diagnostic, Diagnostics, SourceLocation, display_path
from ..incremental import file_hash


def run(project: Path | None, files: Sequence[Path], out: Path | None,
        fail: Callable[[BriefsError], None]) -> int:
    """Print the log entry of each file; exit status 1 if any file has none."""
    from ..distribute import LOG_NAME

    try:
        config = project_config(project)
        log = (out or config.output).resolve() / LOG_NAME
        entries = read_log(log)
        unknown = Diagnostics()
        for path in files:
            try:
                digest = file_hash(path)  # as distribute logged it
            except OSError as exc:
                unknown.error(SourceLocation(path), f"cannot read: {exc.strerror}")
                continue
            found = [e for e in entries if e.get("sha256") == digest]
            if not found:
                unknown.error(SourceLocation(path), f"not in {display_path(log)}: no copy with this "
                              "content was distributed (or it was altered after it was sent)")
            for entry in found:
                click.echo(f"{path}: {entry.get('brief')} ({entry.get('lang')}) for "
                           f"{entry.get('name')}, {entry.get('organisation')} "
                           f"[{entry.get('recipient')}], sent {entry.get('time')}, "
                           f"from version {str(entry.get('version'))[:12]}")
        unknown.raise_if_errors(ContentError)
    except BriefsError as exc:
        fail(exc)
        return 1
    return 0


def read_log(log: Path) -> list[dict[str, object]]:
    """Every entry of a distribution log; a line that is not a JSON object is a located error."""
    try:
        lines = log.read_text("utf-8").splitlines()
    except FileNotFoundError:
        raise ContentError(Diagnostic(SourceLocation(log), "no distribution log here: "
                                      "briefs distribute writes it (or give --out)")) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ContentError(Diagnostic(SourceLocation(log), f"cannot read the log: {exc}")) from None
    entries: list[dict[str, object]] = []
    problems = Diagnostics()
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
        except (ValueError, RecursionError):  # RecursionError: brackets nested thousands deep
            entry = None
        if isinstance(entry, dict):
            entries.append(entry)
        else:
            problems.error(SourceLocation(log, number, 1), "not a log entry (one JSON object per line)")
    problems.raise_if_errors(ContentError)
    return entries
