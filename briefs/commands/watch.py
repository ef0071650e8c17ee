"""``briefs watch``: build, then build again whenever content, templates or configuration change.

The process stays up between builds, so each rebuild starts warm: the pipeline's imports are
loaded, and the PDF workers' warm parent (the zygote) is already running. A rebuild after a save
costs the changed briefs' HTML and PDF and little else. Errors are printed as ``path:line:
message`` and the watch goes on; Ctrl-C ends it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import click

from briefs.commands import build, print_findings, report
from briefs.errors import BriefsError
from briefs.project.config import project_config
from briefs.render.templates import environment
from briefs.render.theme import theme_of

if TYPE_CHECKING:
    from watchfiles import Change

    from briefs.project.config import ProjectConfig  # imported when watching starts, not for every command


def run(project: Path | None, paths: Sequence[Path], options: build.Options) -> int:
    """Watch until Ctrl-C; returns the exit status (0, or 1 if the project cannot be found)."""
    logging.getLogger("watchfiles").setLevel(logging.ERROR)  # its own "stopping watch" on Ctrl-C
    try:
        config = project_config(project)
    except BriefsError as exc:
        report(exc)
        return 1
    out = (options.out or config.output).resolve()
    armed = Watcher(watched(config, paths), config.root)
    project = config.root  # found once: the working folder may be deleted and made again meanwhile
    try:
        _build(project, paths, options)
        click.echo("watching for changes (Ctrl-C to stop)")
        while True:
            changes = armed.next()
            if changes is None:
                break
            changed = sources_changed(changes, out, config)
            if not changed:
                continue
            _build(project, paths, options)
            click.echo("watching for changes (Ctrl-C to stop)")
    except KeyboardInterrupt:  # during a build: the build has tidied up after itself
        pass
    finally:
        armed.close()
    click.echo("stopped watching")
    return 0


def watched(config: ProjectConfig, paths: Sequence[Path]) -> tuple[Path, ...]:
    """What a build reads and a watch must see change: content, templates (the project's, the
    plugins', the shipped theme), pyproject.toml, and briefs given outside content/."""
    themes = tuple(f for f in theme_of(config).folders if f != config.templates)  # plugins, shipped
    return (
        config.content,
        config.templates,
        *themes,
        config.root / "pyproject.toml",
        *(p for p in paths if not p.resolve().is_relative_to(config.content.resolve())),
    )


def sources_changed(changes: Iterable[Path], out: Path, config: ProjectConfig) -> list[Path]:
    """The changed paths a build must see (not the build's own output), printed as ``changed:
    ...``; a change outside content/ also empties the template cache for the next build."""
    changed = sorted(p for p in changes if not p.is_relative_to(out))
    if not changed:
        return changed
    click.echo(f"changed: {_names(changed, config.root)}")
    if any(not p.is_relative_to(config.content) for p in changed):
        # Jinja keeps compiled templates and the catalogs it was given for the life of the
        # process (no reload checks in a build); a template or catalog save must reach the next
        # build.
        environment.cache_clear()
    return changed


class Watcher:
    """watchfiles' native watch over the folders and files a build reads, re-armed whenever one
    of them disappears, appears or is replaced.

    An inotify watch belongs to a folder's inode, not to its name: once ``content/`` is deleted
    and made again (a checkout, a copy restored from a backup, ``mv templates t2; mv t2
    templates``), the old watch sees nothing more. Each yield of the watch (at least one a second,
    ``yield_on_timeout``) compares what each name is now (device, inode) with what was armed; on
    a difference the watch starts again on what exists, and the name counts as changed, so the
    build runs on the new files. The watch is running before the first build (its first, empty,
    yield says so), so a save made during a build is seen and built next.
    """

    def __init__(self, wanted: Sequence[Path], root: Path) -> None:
        self.wanted = tuple(wanted)
        self.root = root
        self.identity = self._identify()
        self.changes: Iterator[set[tuple[Change, str]]] = self._start()

    def _identify(self) -> tuple[tuple[int, int] | None, ...]:
        found: list[tuple[int, int] | None] = []
        for path in self.wanted:
            try:
                info = path.stat()
                found.append((info.st_dev, info.st_ino))
            except (OSError, ValueError):
                found.append(None)
        return tuple(found)

    def _start(self) -> Iterator[set[tuple[Change, str]]]:
        from watchfiles import watch

        while True:
            present = [p for p, seen in zip(self.wanted, self.identity, strict=True) if seen is not None]
            # A project yet to be made: its folder, until a wanted name appears (checked each second).
            changes = watch(
                *(present or [self.root]),
                raise_interrupt=False,
                debounce=200,
                step=50,
                rust_timeout=1000,
                yield_on_timeout=True,
                recursive=bool(present),
            )
            try:
                next(changes, None)  # the first, empty, yield: the watch is running
                return changes
            except FileNotFoundError:  # a name went away since it was looked at: look again
                changes.close()
                time.sleep(0.5)  # (the project folder itself may be gone for a while)
                self.identity = self._identify()

    def next(self) -> set[Path] | None:
        """The paths changed since the last call (empty after a quiet second); None once the
        watch has ended (Ctrl-C)."""
        batch = next(self.changes, None)
        if batch is None:
            return None
        changed = {Path(p) for _, p in batch}
        now = self._identify()
        if now != self.identity:
            changed |= {p for p, before, after in zip(self.wanted, self.identity, now, strict=True) if before != after}
            self.close()
            self.identity = now
            self.changes = self._start()
        return changed

    def close(self) -> None:
        """Stop the native watch."""
        close = getattr(self.changes, "close", None)
        if close is not None:
            close()


def _build(project: Path | None, paths: Sequence[Path], options: build.Options) -> None:
    # The build's own warnings are a part of the check's: the check's are printed instead, by
    # the function ``briefs check`` prints them with, so a save shows what ``check`` would say.
    status = build.run(project, paths, options, report, warnings=False)  # errors are reported, not fatal
    if status:
        click.echo("briefs: the build failed; fix the file named above and save it again", err=True)
        return
    from briefs.api import check

    try:
        result = check(project, paths, options.langs)
    except BriefsError as exc:  # the configuration changed since the build started
        report(exc)
        return
    print_findings(result.diagnostics)


def _names(changed: Iterable[Path], root: Path) -> str:
    shown = [str(p.relative_to(root)) if p.is_relative_to(root) else str(p) for p in changed]
    return ", ".join(shown[:5]) + (f" and {len(shown) - 5} more" if len(shown) > 5 else "")
