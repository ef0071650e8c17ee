"""``briefs trace FILE...``: which recipient a distributed copy was made for, from the log.

A copy that turns up somewhere is looked up by its SHA-256 in the distribution log, the record
``briefs distribute`` appends to. A file altered after it was sent, or never distributed, has no
entry, and says so. A log with a damaged line, or with one copy's SHA-256 claimed for another
copy, answers nothing: every such line is an error at its number. A torn last line (a run stopped
while writing it) is ignored with a warning: its copy was never released.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import click

from briefs.errors import BriefsError, ContentError, Diagnostics, SourceLocation, display_path
from briefs.project.config import project_config
from briefs.source.safefiles import Unsafe


def run(project: Path | None, files: Sequence[Path], out: Path | None, fail: Callable[[BriefsError], None]) -> int:
    """Print the log entry of each file; exit status 1 if any file has none, or the log is bad."""
    from briefs.distribute.log import LOG_NAME, hash_file, read_log

    try:
        config = project_config(project)
        log = (out or config.output).resolve() / LOG_NAME
        record = read_log(log)
        if record.torn and not record.complete_tail:
            click.echo(str(record.torn_note("ignored")), err=True)
        if record.problems:
            raise ContentError(record.problems)
        entries = record.by_hash()
        unknown = Diagnostics()
        for path in files:
            try:
                digest = hash_file(path)  # streamed, as distribute logged it
            except Unsafe as exc:
                reason = exc.reason if exc.reason == "not found" else f"it {exc.reason}"
                unknown.error(SourceLocation(path), f"cannot be traced: {reason}")
                continue
            found = [entry for _, entry in entries.get(digest, [])]
            if not found:
                unknown.error(
                    SourceLocation(path),
                    f"not in {display_path(log)}: no copy with this "
                    "content was distributed (or it was altered after it was sent)",
                )
                continue
            first = found[0]  # the others are the same copy made again (the reader checked)
            again = "".join(f", again {e['time']}" for e in found[1:])
            click.echo(
                f"{path}: {first['brief']} ({first['lang']}) for {first['name']}, "
                f"{first['organisation']} [{first['recipient']}], sent {first['time']}{again}, "
                f"from version {first['version'][:12]}"
            )
        unknown.raise_if_errors(ContentError)
    except BriefsError as exc:
        fail(exc)
        return 1
    return 0
