"""``briefs watch``: build, then build again whenever content, templates or configuration change.

The process stays up between builds, so each rebuild starts warm: the pipeline's imports are
loaded, and the PDF workers' warm parent (the zygote) is already running. A rebuild after a save
costs the changed briefs' HTML and PDF and little else. Errors are printed as ``path:line:
message`` and the watch goes on; Ctrl-C ends it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from pathlib import Path

import click

from ..config import project_config
from ..errors import BriefsError
from . import build, report


def run(project: Path | None, paths: Sequence[Path], options: build.Options) -> int:
    """Watch until Ctrl-C; returns the exit status (0, or 1 if the project cannot be found)."""
    from watchfiles import watch

    logging.getLogger("watchfiles").setLevel(logging.ERROR)  # its own "stopping watch" on Ctrl-C
    try:
        config = project_config(project)
    except BriefsError as exc:
        report(exc)
        return 1
    out = (options.out or config.output).resolve()
    wanted = [config.content, config.templates, config.root / "pyproject.toml",
              *(p for p in paths if not p.resolve().is_relative_to(config.content.resolve()))]
    watched = [p for p in wanted if p.exists()] or [config.root]  # a project yet to be made
    # The watcher starts before the first build (its first, empty, yield says it is running),
    # so a file saved during a build is seen and built next, and none is missed at the start.
    changes_seen = watch(*watched, raise_interrupt=False, debounce=200, step=50, rust_timeout=1000,
                         yield_on_timeout=True)
    try:
        next(changes_seen, None)
        _build(project, paths, options)
        click.echo("watching for changes (Ctrl-C to stop)")
        for changes in changes_seen:
            changed = sorted({Path(p) for _, p in changes if not Path(p).is_relative_to(out)})
            if not changed:
                continue
            click.echo(f"changed: {_names(changed, config.root)}")
            _build(project, paths, options)
            click.echo("watching for changes (Ctrl-C to stop)")
    except KeyboardInterrupt:  # during a build: the build has tidied up after itself
        pass
    click.echo("stopped watching")
    return 0


def _build(project: Path | None, paths: Sequence[Path], options: build.Options) -> None:
    status = build.run(project, paths, options, report)  # errors are reported, not fatal
    if status:
        click.echo("briefs: the build failed; fix the file named above and save it again", err=True)


def _names(changed: Iterable[Path], root: Path) -> str:
    shown = [str(p.relative_to(root)) if p.is_relative_to(root) else str(p) for p in changed]
    return ", ".join(shown[:5]) + (f" and {len(shown) - 5} more" if len(shown) > 5 else "")
